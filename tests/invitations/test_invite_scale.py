"""A big channel is invited at Slack's pace, each person once, also across a crash.

The simulator enforces Slack's rate limits on a driven clock; the throttle waits by moving that
clock, so minutes of Slack time pass in a second. (A 10,000-person channel is the same code at
fifty times the pages; ``bench/invite.py`` runs it.)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select

from bot.clock import ManualClock
from bot.delivery.worker import deliver_pending
from bot.deps import Deps
from bot.invitations import service
from bot.invitations.service import invite
from bot.sim import SlackSimulator
from bot.slack.clients import client_for_team
from bot.store.db import make_session_factory
from bot.store.models import Invitation, OutboxMessage
from bot.store.workspaces import get_or_create_workspace
from tests.support import BOT_TOKEN, TEAM, make_settings

PEOPLE = 600
BIG = "C0BIG0001"


class Killed(Exception):
    """The process died here."""


@pytest.fixture
def strict(
    engine: Engine, database_url: str, clock: ManualClock
) -> Iterator[tuple[Deps, SlackSimulator]]:
    simulator = SlackSimulator(
        {BOT_TOKEN: TEAM}, enforce_rate_limits=True, clock=lambda: clock.now().timestamp()
    )
    simulator.start()
    deps = Deps(
        settings=make_settings(database_url, simulator.api_url),
        engine=engine,
        session_factory=make_session_factory(engine),
        clock=clock,
    )
    people = [f"U0P{i:05d}" for i in range(PEOPLE)]
    for user in people:
        simulator.add_user(TEAM, user, name=user.lower())
    simulator.add_channel(TEAM, BIG, name="everyone", members=people)
    with deps.unit_of_work() as session:
        get_or_create_workspace(session=session, team_id=TEAM)
    try:
        yield deps, simulator
    finally:
        simulator.stop()


def test_a_big_channel_is_invited_at_slacks_pace_once_each_across_crashes(
    strict: tuple[Deps, SlackSimulator], clock: ManualClock
) -> None:
    deps, sim = strict
    client = client_for_team(deps, TEAM)
    start = clock.now()

    # Killed after the first page of the channel's members has been recorded.
    def die_after_first_page(channel: str, seen: int, total: int) -> None:
        assert total == PEOPLE
        raise Killed

    with pytest.raises(Killed):
        invite(deps, client, team_id=TEAM, channels=[BIG], dm=True, progress=die_after_first_page)
    with deps.unit_of_work() as session:
        assert session.scalar(select(func.count(Invitation.id))) == 200

    # Started again: the rest are recorded, the first 200 are not queued a second time.
    seen: list[int] = []
    summary = invite(
        deps, client, team_id=TEAM, channels=[BIG], dm=True, progress=lambda c, n, t: seen.append(n)
    )
    assert seen == [200, 400, PEOPLE]  # pages of 200
    assert summary.invited == PEOPLE - 200
    assert summary.skipped["invited before"] == 200

    # The delivery worker is killed after 250 DMs; a new one finishes the job.
    first = deliver_pending(deps, limit=250)
    assert first.delivered == 250
    rest = deliver_pending(deps, until_idle=True)
    assert first.delivered + rest.delivered == PEOPLE + 1  # every DM and the channel card

    posts = [c for c in sim.calls_to("chat.postMessage") if c.status == 200]
    per_channel = Counter(c.params["channel"] for c in posts)
    assert per_channel[BIG] == 1
    assert len(per_channel) == PEOPLE + 1 and set(per_channel.values()) == {1}
    assert [c for c in sim.calls if c.status == 429] == []
    with deps.unit_of_work() as session:
        assert session.scalar(select(func.count(OutboxMessage.id))) == PEOPLE + 1
    # conversations.open is Tier 3: 50 a minute. Even with Slack's whole bucket (50) spent at
    # once, 600 DMs take 11 minutes or more; no call was refused on the way.
    assert clock.now() - start >= timedelta(minutes=11)
    assert clock.now() - start <= timedelta(minutes=14)


def test_listing_a_channel_keeps_to_the_tiers_of_users_list_and_conversations_members(
    strict: tuple[Deps, SlackSimulator], clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    deps, sim = strict
    # Small pages, so the listing alone outruns Tier 2 (users.list, 20 a minute) and Tier 4
    # (conversations.members, 100 a minute) the way a 10,000-person workspace would.
    monkeypatch.setattr(service, "USERS_PAGE", 10)
    monkeypatch.setattr(service, "MEMBERS_PAGE", 5)
    start = clock.now()

    summary = invite(deps, client_for_team(deps, TEAM), team_id=TEAM, channels=[BIG], dm=True)

    assert summary.invited == PEOPLE
    assert (
        len(sim.calls_to("users.list")) == 60 and len(sim.calls_to("conversations.members")) == 120
    )
    assert [c for c in sim.calls if c.status == 429] == []
    # 60 pages of users.list at 20 a minute after Slack's bucket of 20: two minutes or more.
    assert clock.now() - start >= timedelta(minutes=2)

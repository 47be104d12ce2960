"""The worker keeps under Slack's real limits (a simulator that enforces them, driven time)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine

from bot.clock import ManualClock
from bot.delivery.throttle import Limit, Throttle
from bot.delivery.worker import deliver_pending
from bot.deps import Deps
from bot.rounds.checkins import process_due
from bot.rounds.service import start_round
from bot.sim import SlackSimulator
from bot.store.db import make_session_factory
from tests.rounds.rounds_kit import Team
from tests.support import BOT_TOKEN, TEAM, make_settings


@pytest.fixture
def strict(engine: Engine, database_url: str, clock: ManualClock) -> Iterator[Team]:
    """A workspace whose Slack enforces its rate limits on the driven clock."""
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
    try:
        yield Team(deps=deps, sim=simulator, clock=clock)
    finally:
        simulator.stop()


def big_round(team: Team, people: int) -> None:
    team.workspace()
    for i in range(people):
        skills = (["Spanish"], ["SQL"]) if i % 2 else (["SQL"], ["Spanish"])
        team.member(f"U0L{i:04d}", f"Person {i}", teach=skills[0], learn=skills[1])
    start_round(team.deps, team.team_id, now=team.clock.now())


def test_a_round_bigger_than_the_burst_is_paced_to_tier_3_without_a_single_429(
    strict: Team,
) -> None:
    big_round(strict, 160)  # 80 group DMs: more than Tier 3's burst of 50
    start = strict.clock.now()

    report = deliver_pending(strict.deps, until_idle=True)

    assert report.delivered == 80 and report.failed == 0
    assert [c for c in strict.sim.calls if c.status == 429] == []
    elapsed = strict.clock.now() - start
    # 10 at once, then 50 a minute: the last open comes ~84 s in (and never much sooner).
    assert timedelta(seconds=80) <= elapsed <= timedelta(seconds=100)


def test_without_our_throttle_slack_says_429_and_we_still_deliver_each_once(
    strict: Team,
) -> None:
    big_round(strict, 140)  # 70 opens against a bucket of 50
    greedy = Throttle(
        lambda: strict.clock.now().timestamp(),
        method_limits={"conversations.open": Limit(per_minute=6000, burst=1000)},
        channel_limit=Limit(per_minute=6000, burst=1000),
    )

    report = deliver_pending(strict.deps, throttle=greedy, until_idle=True)

    assert report.delivered == 70 and report.failed == 0
    assert report.errors.get("ratelimited", 0) >= 1
    keys = [
        m["metadata"]["event_payload"]["key"] for m in strict.sim.messages() if m.get("metadata")
    ]
    assert len(keys) == len(set(keys)) == 70


def test_checkins_to_known_conversations_skip_conversations_open(strict: Team) -> None:
    big_round(strict, 40)
    deliver_pending(strict.deps, until_idle=True)
    opens = len(strict.sim.calls_to("conversations.open"))
    strict.clock.advance(timedelta(days=3))

    queued = process_due(strict.deps, strict.clock.now())
    report = deliver_pending(strict.deps, until_idle=True)

    assert queued.checkins == 20 and report.delivered == 20
    assert len(strict.sim.calls_to("conversations.open")) == opens
    assert [c for c in strict.sim.calls if c.status == 429] == []

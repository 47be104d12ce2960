"""Gentle nudges: one-sided profiles a week after joining, a break ending tomorrow, at most one
a month, *Don't remind me*; queued by a job on a driven clock, sent through the outbox."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.kinds import MemberStatus
from bot.members.nudges import queue_due_nudges
from bot.scheduler import build_scheduler
from bot.store.models import Member
from tests.invitations.invitations_kit import (
    ANA,
    BEN,
    CAL,
    deliver,
    directory,
    dm_recipients,
    eventually,
    session_of,
)
from tests.support import Harness


def _command(h: Harness, user: str, text: str) -> dict[str, Any]:
    before = len(h.sim.responses())
    h.slack.slash_command(team_id=h.team_id, user_id=user, text=text)
    return h.sim.wait_for_response(count=before + 1)[-1]


@pytest.fixture
def people(harness: Harness) -> Harness:
    """Ana only teaches Spanish; Ben teaches SQL and learns Spanish; Cal only learns Chess."""
    directory(harness.sim, harness.team_id)
    _command(harness, ANA, "teach Spanish")
    _command(harness, BEN, "teach SQL")
    _command(harness, BEN, "learn Spanish")
    _command(harness, CAL, "learn Chess")
    return harness


def _nudged(h: Harness) -> list[str]:
    deliver(h.deps)
    return dm_recipients(h.sim, h.team_id, "Don't remind me")


def test_a_one_sided_profile_is_nudged_once_a_week_after_joining(people: Harness) -> None:
    h = people
    h.clock.advance(timedelta(days=6, hours=23))
    assert queue_due_nudges(h.deps, h.clock.now()) == 0  # not a week yet

    h.clock.advance(timedelta(hours=2))
    assert queue_due_nudges(h.deps, h.clock.now()) == 2  # Ana and Cal; Ben has both sides
    assert queue_due_nudges(h.deps, h.clock.now()) == 0
    assert _nudged(h) == sorted([ANA, CAL])
    [ana_dm] = [m for m in h.sim.messages() if m["channel"] == h.sim.dm_channel_id(h.team_id, ANA)]
    assert "SQL" in json.dumps(ana_dm)  # what a colleague here offers

    h.clock.advance(timedelta(days=45))  # the month is over, but this nudge is once ever
    assert queue_due_nudges(h.deps, h.clock.now()) == 0


def test_a_break_ending_tomorrow_is_announced_but_not_within_a_month_of_a_nudge(
    people: Harness,
) -> None:
    h = people
    today = h.clock.now().date()
    with session_of(h.deps) as s:
        for user, back in ((BEN, today + timedelta(days=10)), (ANA, today + timedelta(days=10))):
            member = s.scalars(select(Member).where(Member.slack_user_id == user)).one()
            member.status, member.paused_until = MemberStatus.PAUSED, back
    h.clock.advance(timedelta(days=7, hours=1))
    assert queue_due_nudges(h.deps, h.clock.now()) == 1  # Cal's one-sided nudge only
    with session_of(h.deps) as s:  # Ana was nudged (another way) a week ago
        ana = s.scalars(select(Member).where(Member.slack_user_id == ANA)).one()
        ana.last_nudge_at = h.clock.now() - timedelta(days=7)

    h.clock.advance(timedelta(days=1, hours=23))  # the day before their breaks end
    assert h.clock.now().date() == today + timedelta(days=9)
    assert queue_due_nudges(h.deps, h.clock.now()) == 1
    assert _nudged(h) == sorted([BEN, CAL])  # not Ana: she had one a week ago
    ben_dm = [m for m in h.sim.messages() if m["channel"] == h.sim.dm_channel_id(h.team_id, BEN)]
    assert "break ends tomorrow" in json.dumps(ben_dm)
    assert queue_due_nudges(h.deps, h.clock.now()) == 0


def test_dont_remind_me_stops_every_nudge(people: Harness) -> None:
    h = people
    h.clock.advance(timedelta(days=8))
    queue_due_nudges(h.deps, h.clock.now())
    assert ANA in _nudged(h)
    dm = [m for m in h.sim.messages() if m["channel"] == h.sim.dm_channel_id(h.team_id, ANA)][-1]
    h.slack.block_action(
        team_id=h.team_id, user_id=ANA, action_id="nudges_off", value="off", message=dm
    )
    eventually(lambda: any("no more reminders" in json.dumps(r) for r in h.sim.responses()))
    with session_of(h.deps) as s:
        ana = s.scalars(select(Member).where(Member.slack_user_id == ANA)).one()
        assert ana.nudges_off is True
        ana.status, ana.paused_until = (
            MemberStatus.PAUSED,
            h.clock.now().date() + timedelta(days=40),
        )
    h.clock.advance(timedelta(days=39))
    assert queue_due_nudges(h.deps, h.clock.now()) == 0


def test_the_scheduler_runs_the_nudge_job_on_its_clock(people: Harness) -> None:
    h = people
    scheduler, clockwork = build_scheduler(h.deps, blocking=False)
    assert scheduler.get_job("skillswap-nudges") is not None
    h.clock.advance(timedelta(days=8))
    clockwork.nudge_job()
    assert _nudged(h) == sorted([ANA, CAL])

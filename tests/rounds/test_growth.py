"""Profiles that grow (issue 15, item 5): a member who has met nearly everyone their skills fit
with hears once, after a round, which skills colleagues here want and teach."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.kinds import Direction
from bot.matching.model import MemberInput, SkillClaim
from bot.rounds import growth
from bot.rounds.service import take_snapshot
from bot.scheduler import tick
from bot.store.models import Member, Workspace
from tests.rounds.rounds_kit import ANA, BEN, CAL, DEV, Team, pair_world
from tests.support import Harness, buttons, rows_mentioning, shown_text

MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
WEEK = timedelta(weeks=1)
GROW = "whose skills fit yours"


def at(team: Team, moment: datetime) -> None:
    team.clock.set(moment)
    tick(team.deps)


def grow_dms(harness: Harness, user: str) -> list[dict[str, Any]]:
    return [m for m in harness.dm(user) if GROW in shown_text(m)]


def two_rounds(harness: Harness, team: Team) -> None:
    """Week 1: Ana and Ben swap. Week 2: Cal and Dev join; Ana teaches Cal Spanish, Ben
    teaches Dev SQL. After it, Ana and Ben have met everyone their skills fit with."""
    pair_world(team, discovery_swaps=False)
    at(team, MONDAY)
    assert grow_dms(harness, ANA) == []  # nobody met yet: their pools are what they are
    team.member(CAL, "Cal Chen", team="Ops", teach=["Knitting"], learn=["Spanish", "Python"])
    team.member(DEV, "Dev Das", team="Sales", teach=["Chess"], learn=["SQL", "Python"])
    at(team, MONDAY + WEEK)


def test_a_member_who_ran_out_of_partners_hears_what_to_add(harness: Harness, team: Team) -> None:
    two_rounds(harness, team)

    [dm] = grow_dms(harness, ANA)
    text = shown_text(dm)
    assert f"Hi <@{ANA}>, you've already met most of the colleagues here" in text
    assert "2 colleagues want to learn *Python* \u2014 can you teach it?" in text
    assert "1 colleague teaches *Chess* \u2014 fancy learning it?" in text
    assert "1 colleague teaches *Knitting* \u2014 fancy learning it?" in text
    assert "*Spanish*" not in text and "*SQL*" not in text  # what she lists already
    assert list(buttons(dm)) == ["profile_open", "nudges_off"]
    assert len(grow_dms(harness, BEN)) == 1
    # Cal and Dev just started: their first partners, nothing to nudge about.
    assert grow_dms(harness, CAL) == [] and grow_dms(harness, DEV) == []

    harness.click(ANA, "profile_open", message=dm)
    harness.sim.wait_for("views.open")

    harness.click(ANA, "nudges_off", message=dm).reply("no more reminders")
    with team.deps.unit_of_work() as session:
        ana = session.scalars(select(Member).where(Member.slack_user_id == ANA)).one()
        assert ana.nudges_off is True


def test_at_most_one_a_month_and_never_after_dont_remind_me(harness: Harness, team: Team) -> None:
    two_rounds(harness, team)
    harness.click(ANA, "nudges_off", message=grow_dms(harness, ANA)[0]).reply("no more")

    def again(now: datetime) -> set[str]:
        with team.deps.unit_of_work() as session:
            workspace = session.scalars(select(Workspace)).one()
            snapshot = take_snapshot(session, workspace)
            messages = growth.nudges(
                session,
                workspace_id=workspace.id,
                period=f"p-{now:%j}",
                members=snapshot.inputs,
                member_ids={u: f.member_id for u, f in snapshot.members.items()},
                history=snapshot.history,
                blocked=snapshot.do_not_pair,
                groups=[],
                now=now,
            )
            session.rollback()
            return {m.target_users[0] for m in messages}

    sent = MONDAY + WEEK
    # Within the month: only Cal and Dev (now met, never nudged); Ana and Ben had theirs.
    assert again(sent + timedelta(days=29)) == {CAL, DEV}
    assert again(sent + timedelta(days=31)) == {BEN, CAL, DEV}  # a month on: never Ana


def test_leave_takes_the_nudge_and_the_choice_with_it(harness: Harness, team: Team) -> None:
    two_rounds(harness, team)
    harness.click(BEN, "nudges_off", message=grow_dms(harness, BEN)[0]).reply("no more")
    confirm = harness.command(BEN, "leave")
    harness.click(BEN, buttons(confirm)["member_leave_confirm"]).reply()
    leftovers = [r for r in rows_mentioning(team.deps.engine, BEN) if "invitations" not in r]
    assert leftovers == []


def _member(uid: str, teach: list[tuple[str, int]], learn: list[tuple[str, int]]) -> MemberInput:
    return MemberInput(
        id=uid,
        team=None,
        tz=None,
        teach=tuple(SkillClaim(k, k.title(), lvl) for k, lvl in teach),
        learn=tuple(SkillClaim(k, k.title(), lvl) for k, lvl in learn),
    )


def test_thin_pools_counts_never_met_fitting_partners_either_way() -> None:
    ana = _member("A", [("spanish", 2)], [("sql", 1)])
    others = [
        _member("B", [("sql", 1)], []),  # teaches Ana
        _member("C", [], [("spanish", 1)]),  # learns from Ana
        _member("D", [], [("spanish", 3)]),  # too advanced for Ana's level 2: no fit
        _member("E", [("sql", 1)], []),
        _member("F", [("chess", 1)], [("knitting", 1)]),  # nothing in common
    ]
    everyone = [ana, *others]
    assert "A" not in growth.thin_pools(everyone, [])  # B, C and E: three
    met_b = [frozenset(("A", "B"))]
    assert growth.thin_pools(everyone, met_b)["A"] == 2
    blocked_c = [frozenset(("A", "C"))]
    assert growth.thin_pools(everyone, met_b, blocked_c)["A"] == 1
    assert growth.thin_pools(everyone, met_b, blocked_c, floor=1).get("A") is None
    assert growth.thin_pools(everyone, [])["F"] == 0


def test_suggestions_leave_out_what_is_listed_and_rank_by_colleagues() -> None:
    ana = _member("A", [("spanish", 1)], [("sql", 1)])
    everyone = [
        ana,
        _member("B", [("sql", 1)], [("python", 1), ("spanish", 1)]),
        _member("C", [("drawing", 1)], [("python", 1)]),
        _member("D", [("drawing", 1)], [("go", 1)]),
    ]
    known = growth.popularity(everyone)
    assert growth.suggestions(ana, known) == (
        (Direction.TEACH, "Python", 2),
        (Direction.TEACH, "Go", 1),
        (Direction.LEARN, "Drawing", 2),
    )

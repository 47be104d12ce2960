"""Making a round: one transaction, once per period, whoever asks and however many at once."""

from __future__ import annotations

import json
import threading
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.delivery.outbox import OutboxKind
from bot.rounds import service
from bot.rounds.service import dry_run, run_due_rounds, start_round
from bot.store.models import (
    Group,
    GroupKind,
    GroupMember,
    GroupState,
    Lesson,
    Member,
    MemberStatus,
    OutboxMessage,
    OutboxState,
    Round,
    RoundState,
)
from tests.rounds.rounds_kit import ANA, BEN, CAL, DEV, EVE, Team, pair_world


def counts(team: Team) -> dict[str, int]:
    with team.deps.unit_of_work() as session:
        return {
            name: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for name, model in (
                ("rounds", Round),
                ("groups", Group),
                ("group_members", GroupMember),
                ("lessons", Lesson),
                ("outbox", OutboxMessage),
            )
        }


def test_a_round_stores_groups_lessons_and_one_message_per_recipient(team: Team) -> None:
    pair_world(team, home_channel="C0ANNOUNCE", discovery_swaps=False)
    team.member(CAL, "Cal Chen", team="Ops", learn=["Kubernetes"])  # nobody teaches it

    outcome = start_round(team.deps, team.team_id, now=team.clock.now())

    assert outcome.created and (outcome.groups, outcome.unmatched) == (1, 1)
    with team.deps.unit_of_work() as session:
        round_ = session.scalars(select(Round)).one()
        assert (round_.period, round_.state, round_.round_date) == (
            "2026-W50",
            RoundState.MATCHED,
            date(2026, 12, 7),
        )
        assert round_.checkins_due_at == team.clock.now() + timedelta(days=3)
        group = session.scalars(select(Group)).one()
        assert (group.kind.value, group.state, group.new_connection, group.cross_team) == (
            "swap",
            GroupState.PENDING,
            True,
            True,
        )
        lessons = {(lesson.skill_label) for lesson in group.lessons}
        assert lessons == {"Spanish", "SQL"}
        stats_text = repr(round_.stats)
        assert "U0" not in stats_text and "Ana" not in stats_text  # counts, not names
        assert round_.stats["groups"] == 1 and round_.stats["messages"] == 3
        streaks = {m.slack_user_id: m.unmatched_streak for m in session.scalars(select(Member))}
    assert streaks == {ANA: 0, BEN: 0, CAL: 1}
    kinds = [(m.kind, m.target_users, m.channel) for m in team.outbox()]
    assert kinds == [
        (OutboxKind.INTRO, f"{ANA},{BEN}", None),
        (OutboxKind.UNMATCHED, CAL, None),
        (OutboxKind.SUMMARY, None, "C0ANNOUNCE"),
    ]
    assert all(m.state is OutboxState.PENDING for m in team.outbox())


def test_the_unmatched_member_hears_why_and_who_teaches_what_they_want(team: Team) -> None:
    team.workspace()
    # Honolulu and Kolkata share no working hours, so Ana cannot be paired with Dev or Eve.
    team.member(ANA, "Ana", tz="Pacific/Honolulu", teach=["Knitting"], learn=["Guitar"])
    team.member(BEN, "Ben", teach=["Guitar"], learn=["Knitting"], status=MemberStatus.PAUSED)
    team.member(DEV, "Dev", tz="Asia/Kolkata", teach=["Guitar"], learn=["Drawing"])
    team.member(EVE, "Eve", tz="Asia/Kolkata", teach=["Drawing"], learn=["Guitar"])

    start_round(team.deps, team.team_id, now=team.clock.now())

    [dm] = team.outbox(kind=OutboxKind.UNMATCHED)
    text = repr(dm.payload["blocks"])
    assert dm.target_users == ANA
    assert "priority next round" in text
    assert f"<@{DEV}>" in text and "Guitar" in text  # who teaches what she wants
    assert f"<@{BEN}>" not in text  # paused members are not offered


def test_the_same_period_never_gets_a_second_round(team: Team) -> None:
    pair_world(team)
    first = start_round(team.deps, team.team_id, now=team.clock.now())
    again = start_round(team.deps, team.team_id, now=team.clock.now() + timedelta(hours=5))
    assert first.created and not again.created
    assert again.round_id == first.round_id and "already exists" in again.note
    assert counts(team)["rounds"] == 1 and counts(team)["outbox"] == 1


def test_a_failure_while_storing_leaves_nothing_behind(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    pair_world(team)

    def broken(*args: Any, **kwargs: Any) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr(service, "enqueue", broken)
    with pytest.raises(RuntimeError):
        start_round(team.deps, team.team_id, now=team.clock.now())
    assert counts(team) == dict.fromkeys(counts(team), 0)
    with team.deps.unit_of_work() as session:
        assert [m.unmatched_streak for m in session.scalars(select(Member))] == [0, 0]


def test_two_schedulers_at_once_create_one_round(team: Team) -> None:
    pair_world(team)
    team.member(CAL, "Cal", teach=["Guitar"], learn=["Drawing"])
    team.member(DEV, "Dev", teach=["Drawing"], learn=["Guitar"])
    now = team.clock.now().replace(hour=9)  # the Monday 09:00 London slot
    start = threading.Barrier(4)
    results: list[Any] = []
    errors: list[BaseException] = []

    def scheduler() -> None:
        try:
            start.wait()
            results.append(run_due_rounds(team.deps, now))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=scheduler) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    started = [o for report in results for o in report.started]
    assert len(started) == 1
    assert counts(team)["rounds"] == 1
    assert counts(team)["groups"] == 2 and counts(team)["outbox"] == 2


def test_a_manual_run_and_the_clock_make_one_round(team: Team) -> None:
    pair_world(team)
    manual = start_round(team.deps, team.team_id, now=team.clock.now())  # 08:00, before the slot
    scheduled = run_due_rounds(team.deps, team.clock.now().replace(hour=9))
    assert manual.created and scheduled.started == []
    assert counts(team)["rounds"] == 1


def test_the_clock_starts_a_round_only_when_its_slot_is_due(team: Team) -> None:
    pair_world(team, timezone="America/New_York")  # Monday 09:00 New York = 14:00 UTC
    assert run_due_rounds(team.deps, team.clock.now().replace(hour=13, minute=59)).started == []
    report = run_due_rounds(team.deps, team.clock.now().replace(hour=14))
    assert [o.period for o in report.started] == ["2026-W50"]


def test_dry_run_matches_and_stores_nothing(team: Team) -> None:
    pair_world(team)
    team.member(CAL, "Cal", status=MemberStatus.PAUSED, paused_until=date(2026, 12, 1),
                teach=["Guitar"], learn=["Spanish"])  # fmt: skip
    plan = dry_run(team.deps, team.team_id, now=team.clock.now())
    assert plan.period == "2026-W50"
    assert len(plan.result.groups) + len(plan.result.unmatched) >= 1
    assert {plan.name_of(u) for g in plan.result.groups for u in g.members} <= {
        "Ana Alvarez",
        "Ben Brown",
        "Cal",
    }
    assert counts(team) == dict.fromkeys(counts(team), 0)
    with team.deps.unit_of_work() as session:
        cal = session.scalars(select(Member).where(Member.slack_user_id == CAL)).one()
        assert cal.status is MemberStatus.PAUSED  # the dry run's reactivation was rolled back


def test_pauses_that_ended_are_over_and_left_or_paused_members_sit_out(team: Team) -> None:
    team.workspace()
    team.member(ANA, "Ana", teach=["Spanish"], learn=["SQL"])
    team.member(BEN, "Ben", teach=["SQL"], learn=["Spanish"], status=MemberStatus.PAUSED,
                paused_until=date(2026, 12, 7))  # fmt: skip  # back today
    team.member(CAL, "Cal", teach=["SQL"], learn=["Spanish"], status=MemberStatus.PAUSED)
    team.member(DEV, "Dev", teach=["SQL"], learn=["Spanish"], status=MemberStatus.LEFT)
    team.member(EVE, "Eve")  # no skills yet: not in rounds

    outcome = start_round(team.deps, team.team_id, now=team.clock.now())

    assert (outcome.groups, outcome.unmatched, outcome.eligible) == (1, 0, 2)
    [intro] = team.outbox(kind=OutboxKind.INTRO)
    assert intro.target_users is not None and set(intro.target_users.split(",")) == {ANA, BEN}
    with team.deps.unit_of_work() as session:
        ben = session.scalars(select(Member).where(Member.slack_user_id == BEN)).one()
        assert (ben.status, ben.paused_until) == (MemberStatus.ACTIVE, None)


def test_an_unknown_team_is_a_clear_error(team: Team) -> None:
    from bot.errors import NotFoundError

    with pytest.raises(NotFoundError, match="T9"):
        start_round(team.deps, "T9", now=team.clock.now())


def test_nobody_with_skills_means_no_round(team: Team) -> None:
    team.workspace()
    team.member(ANA, "Ana")
    outcome = start_round(team.deps, team.team_id, now=team.clock.now())
    assert not outcome.created and "nobody" in outcome.note
    assert counts(team)["rounds"] == 0


def test_members_whose_skills_run_out_meet_in_a_discovery_swap(team: Team) -> None:
    pair_world(team)
    team.member(CAL, "Cal Chen", team="Ops", teach=["Knitting", "Chess"], learn=["Origami"])
    team.member(DEV, "Dev Das", team="Sales", teach=["Piano"], learn=["Kubernetes"])

    outcome = start_round(team.deps, team.team_id, now=team.clock.now())

    assert outcome.created and (outcome.groups, outcome.unmatched) == (2, 0)
    with team.deps.unit_of_work() as session:
        kinds = {
            frozenset(gm.member.slack_user_id for gm in g.members): g.kind
            for g in session.scalars(select(Group))
        }
        round_ = session.scalars(select(Round)).one()
        assert round_.stats["discovery"] == 1
    assert kinds == {
        frozenset({ANA, BEN}): GroupKind.SWAP,
        frozenset({CAL, DEV}): GroupKind.DISCOVERY,
    }
    [intro] = [m for m in team.outbox() if m.target_users == f"{CAL},{DEV}"]
    text = json.dumps(intro.payload)
    assert "discovery swap" in text
    assert "can show *Knitting* and *Chess*" in text and "can show *Piano*" in text
    assert "each pick one thing" in text


def test_the_workspace_can_turn_discovery_swaps_off(team: Team) -> None:
    pair_world(team, discovery_swaps=False)
    team.member(CAL, "Cal Chen", team="Ops", teach=["Knitting"], learn=["Origami"])
    team.member(DEV, "Dev Das", team="Sales", teach=["Piano"], learn=["Kubernetes"])
    outcome = start_round(team.deps, team.team_id, now=team.clock.now())
    assert (outcome.groups, outcome.unmatched) == (1, 2)


def test_members_whose_working_days_never_meet_are_not_paired(team: Team) -> None:
    # Ana and Ben are a perfect swap, but Ana works Mondays and Ben Tuesdays only.
    pair_world(team, discovery_swaps=False)
    with team.deps.unit_of_work() as session:
        for user, days in ((ANA, 0b01), (BEN, 0b10)):
            member = session.scalars(select(Member).where(Member.slack_user_id == user)).one()
            member.work_days = days
    outcome = start_round(team.deps, team.team_id, now=team.clock.now())
    assert (outcome.groups, outcome.unmatched) == (0, 2)


def test_working_hours_that_overlap_on_a_shared_day_still_pair(team: Team) -> None:
    # Ana (Madrid) works Monday and Tuesday mornings, Ben (London) Tuesday 11:00-19:00: they
    # share Tuesday 11:00-13:00 London, so the swap goes ahead.
    pair_world(team, discovery_swaps=False)
    with team.deps.unit_of_work() as session:
        ana = session.scalars(select(Member).where(Member.slack_user_id == ANA)).one()
        ana.work_days, ana.work_start, ana.work_end = 0b11, 8 * 60, 14 * 60
        ben = session.scalars(select(Member).where(Member.slack_user_id == BEN)).one()
        ben.work_days, ben.work_start, ben.work_end = 0b10, 11 * 60, 19 * 60
    outcome = start_round(team.deps, team.team_id, now=team.clock.now())
    assert (outcome.groups, outcome.unmatched) == (1, 0)

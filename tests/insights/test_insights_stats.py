"""Every number of the insights, checked against the hand-computed scenario (both databases)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine

from bot.insights import text
from bot.insights.load import load_insights
from bot.insights.stats import (
    GroupRow,
    Insights,
    InsightsInput,
    MemberRow,
    RoundRow,
    compute_insights,
    is_gap,
)
from bot.store.db import make_session_factory
from bot.store.models import GroupState, MemberCadence, MemberStatus, RoundState
from tests.insights import insights_kit as sc
from tests.insights.conftest import NOW


def test_headline_numbers_match_the_hand_computation(insights: Insights) -> None:
    for name, expected in sc.EXPECTED.items():
        assert getattr(insights, name) == pytest.approx(expected), name
    assert insights.workspace_name == "Acme & Co"


def test_per_round_numbers(insights: Insights) -> None:
    got = {
        p.period: (
            p.groups,
            p.met,
            p.asked,
            p.introduced,
            p.new_connections,
            p.cross_team_new_connections,
            p.ratings,
            p.average_rating,
            p.would_swap_again_yes,
            p.would_swap_again_no,
        )
        for p in insights.per_round
    }
    assert got == sc.EXPECTED_ROUNDS
    assert [p.period for p in insights.per_round] == sorted(sc.EXPECTED_ROUNDS)
    assert insights.latest_round is not None and insights.latest_round.period == "2026-W50"
    # The per-round numbers add up to the totals: each pair is introduced once, and a new
    # connection once, in the round it first met (ana-ben met again in W48: not new there).
    assert sum(p.new_connections for p in insights.per_round) == insights.new_connections
    assert sum(p.introduced for p in insights.per_round) == insights.pairs_introduced


def test_skills_gaps_and_top_taught(insights: Insights) -> None:
    got = {s.name: (s.teachers, s.learners, s.taught, s.gap) for s in insights.skills}
    assert got == sc.EXPECTED_SKILLS  # Klingon (only the member who left) is gone
    assert [s.name for s in insights.skill_gaps()] == ["Guitar", "Python"]
    assert [(s.name, s.taught) for s in insights.top_taught(3)] == [
        ("Drawing", 3),  # taught once, then twice more as the group met again
        ("Python", 3),
        ("Spanish", 3),
    ]


def test_network_has_current_members_and_their_ties(insights: Insights, scenario: sc.Built) -> None:
    ids = scenario.member_ids
    by_id = {v: k for k, v in ids.items()}
    net = insights.network
    assert sorted(by_id[n.member_id] for n in net.nodes) == sorted(sc.CURRENT)
    assert net.teams == sc.TEAMS_LARGEST_FIRST
    edges = {tuple(sorted((by_id[e.a], by_id[e.b]))): e.latest for e in net.edges}
    assert edges == {tuple(sorted(k)): v for k, v in sc.EXPECTED_EDGES.items()}
    ana_ben = next(e for e in net.edges if {e.a, e.b} == {ids["ana"], ids["ben"]})
    assert (ana_ben.times_paired, ana_ben.times_met, ana_ben.cross_team) == (2, 2, True)
    assert net.latest_period == "2026-W50"


def test_other_workspace_is_separate(engine: Engine, scenario: sc.Built) -> None:
    with make_session_factory(engine).begin() as session:
        other = load_insights(session=session, team_id=sc.OTHER_TEAM, now=NOW)
    assert (other.members, other.rounds, other.pairs_made, other.swaps_completed) == (3, 1, 1, 1)
    assert (other.new_connections, other.cross_team_new_connections) == (1, 1)
    assert other.average_rating is None and other.ratings == 1  # one rating is never shown
    assert [s.name for s in other.skill_gaps()] == ["Cobol"]


def test_unknown_workspace_has_no_numbers(engine: Engine) -> None:
    with make_session_factory(engine).begin() as session:
        empty = load_insights(session=session, team_id="T_NOBODY", now=NOW)
    assert (empty.members, empty.rounds, empty.pairs_made, empty.new_connections) == (0, 0, 0, 0)
    assert empty.meeting_rate is None and empty.average_rating is None
    assert empty.network.nodes == () and empty.per_round == ()
    assert "No connections yet" in text.headline(empty)


def test_surface_wording_of_the_scenario(insights: Insights) -> None:
    assert text.meeting(insights) == "63% (5 of 8 groups)"
    assert text.average_rating(insights) == "3.6 / 5 (5 ratings)"
    assert text.connections(insights) == "3 (1 across teams)"
    assert text.introduced(insights) == "8 (3 of them met)"
    assert text.participation(insights) == "6 (5 active, 1 paused)"
    # The headline counts pairs who met; W50's two new pairs have not met yet.
    assert text.headline(insights) == "SkillSwap has made 3 new connections (1 across teams)."
    assert text.gap_line(insights.skill_gaps()[0]) == "Guitar: 3 want to learn, nobody teaches it"


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (date(2026, 12, 7), "week of 7 Dec"),  # a Monday: its own week
        (date(2026, 12, 13), "week of 7 Dec"),  # the Sunday after
        (date(2027, 1, 1), "week of 28 Dec"),  # ISO week 2026-W53 starts in December
        (date(2026, 3, 2), "week of 2 Mar"),
    ],
)
def test_weeks_read_as_dates(day: date, label: str) -> None:
    assert text.week_of(day) == label


def test_headline_names_the_week_of_the_latest_new_connections(insights: Insights) -> None:
    latest = insights.per_round[-1]
    met_now = replace(latest, new_connections=2, cross_team_new_connections=1)
    shown = replace(insights, per_round=(*insights.per_round[:-1], met_now))
    assert text.headline(shown) == (
        "SkillSwap has made 3 new connections (1 across teams), 2 of them in the week of 7 Dec."
    )
    nobody_met = replace(insights, new_connections=0, cross_team_new_connections=0)
    assert text.headline(nobody_met) == (
        "8 pairs introduced so far; new connections show here once people say they met."
    )


@pytest.mark.parametrize(
    ("learners", "teachers", "gap"),
    [(0, 0, False), (1, 0, False), (2, 0, True), (3, 1, False), (4, 1, True), (7, 2, True)],
)
def test_gap_rule(learners: int, teachers: int, gap: bool) -> None:
    assert is_gap(learners=learners, teachers=teachers) is gap


def test_team_labels_compare_without_case_and_blank_means_no_team() -> None:
    def member(mid: int, team: str | None) -> MemberRow:
        return MemberRow(
            mid, f"U{mid}", None, team, MemberStatus.ACTIVE, MemberCadence.EVERY_ROUND, NOW
        )

    rnd = RoundRow(1, "2026-W01", NOW.date(), RoundState.CLOSED, True, 4, 0)
    data = replace(
        InsightsInput.empty("T1"),
        members=(member(1, "Data"), member(2, " data "), member(3, "  "), member(4, "Ops")),
        rounds=(rnd,),
        groups=(
            GroupRow(1, 1, GroupState.MET, (1, 2), False),
            GroupRow(2, 1, GroupState.MET, (3, 4), False),
        ),
    )
    result = compute_insights(data, generated_at=datetime(2026, 1, 1, tzinfo=UTC))
    assert result.new_connections == 2
    assert result.cross_team_new_connections == 0  # same team spelled differently; no team
    assert {n.team for n in result.network.nodes} == {"Data", "No team", "Ops"}

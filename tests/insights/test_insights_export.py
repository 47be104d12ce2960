"""CSV exports (pure part): every table, the formula guard and the choice of what to export."""

from __future__ import annotations

import csv
import io

import pytest

from bot.errors import UserInputError
from bot.insights.export import ExportKind, export_csv, parse_kind, safe_cell, table, to_csv
from bot.insights.stats import Insights, InsightsInput
from tests.insights import insights_kit as sc
from tests.insights.conftest import NOW


def _rows(kind: ExportKind, data: InsightsInput) -> list[list[str]]:
    return list(csv.reader(io.StringIO(export_csv(kind, data, generated_at=NOW))))


def test_skills_export(scenario_input: InsightsInput) -> None:
    header, *rows = _rows(ExportKind.SKILLS, scenario_input)
    assert header == [
        "skill",
        "teachers",
        "learners",
        "lessons_in_completed_swaps",
        "gap",
        "teams_teaching",
    ]
    assert [row[:5] for row in rows] == [
        [name, str(t), str(learn), str(taught), "yes" if gap else "no"]
        for name, (t, learn, taught, gap) in sc.EXPECTED_SKILLS.items()
    ]
    # Teams teaching a skill: none without teachers, never more than its teachers.
    assert all(
        0 <= int(row[5]) <= int(row[1]) and (row[1] == "0") == (row[5] == "0") for row in rows
    )


def test_rounds_export(scenario_input: InsightsInput) -> None:
    header, *rows = _rows(ExportKind.ROUNDS, scenario_input)
    assert header == [
        "week",  # what people read; the ISO key stays as its own column
        "period",
        "round_date",
        "state",
        "eligible_members",
        "groups",
        "groups_met",
        "meeting_rate",
        "pairs_introduced",
        "new_connections",
        "cross_team_new_connections",
        "discovery_swaps",
        "met_again",
        "unmatched_members",
        "groups_booked",
        "meeting_rate_booked",
        "meeting_rate_unbooked",
    ]
    assert rows == [
        ["week of 16 Nov 2026", "2026-W47", "2026-11-16", "closed", "6", "3", "2", "0.667",
         "3", "2", "1", "0", "2", "0", "0", "", "0.667"],
        ["week of 23 Nov 2026", "2026-W48", "2026-11-23", "closed", "6", "3", "2", "0.667",
         "1", "0", "0", "0", "0", "0", "0", "", "0.667"],
        ["week of 30 Nov 2026", "2026-W49", "2026-11-30", "checking_in", "6", "2", "1", "0.5",
         "2", "1", "0", "1", "0", "1", "0", "", "0.5"],
        ["week of 7 Dec 2026", "2026-W50", "2026-12-07", "delivered", "6", "2", "0", "",
         "2", "0", "0", "0", "0", "0", "0", "", ""],
    ]  # fmt: skip


@pytest.mark.parametrize("kind", list(ExportKind))
def test_no_export_carries_anything_of_a_member_who_left_or_feedback_text(
    scenario_input: InsightsInput, insights: Insights, kind: ExportKind
) -> None:
    header, rows = table(kind, scenario_input, insights)
    content = to_csv(header, rows)
    for secret in (sc.LEFT_NAME, "U_GUS", "U_HAL", "Hal Deleted", "Klingon", sc.SECRET_FEEDBACK):
        assert secret not in content
    assert "HYPERLINK" not in content
    assert "Cobol" not in content and "U_ZED" not in content  # the other workspace


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("Ana", "Ana"),
        ("", ""),
        (None, ""),
        (-3, -3),  # numbers are numbers
        (2.5, 2.5),
    ],
)
def test_formula_guard(value: str | int | float | None, expected: str | int | float) -> None:
    assert safe_cell(value) == expected


def test_csv_quotes_commas_and_newlines() -> None:
    text = to_csv(["a", "b"], [["x, y", 'say "hi"\nbye'], [None, 3]])
    assert list(csv.reader(io.StringIO(text))) == [
        ["a", "b"],
        ["x, y", 'say "hi"\nbye'],
        ["", "3"],
    ]


@pytest.mark.parametrize("text", ["members", " Skills ", "ROUNDS", "feedback"])
def test_parse_kind_accepts_the_four_exports(text: str) -> None:
    assert parse_kind(text).value == text.strip().lower()


@pytest.mark.parametrize("text", ["", "passwords", "member", "x" * 500])
def test_parse_kind_says_what_is_possible(text: str) -> None:
    with pytest.raises(UserInputError) as caught:
        parse_kind(text)
    assert "members, skills, rounds, feedback or invitations" in caught.value.message
    assert len(caught.value.message) < 200

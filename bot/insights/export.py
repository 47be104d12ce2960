"""CSV exports for leaders: members, skills, rounds and (aggregate, anonymous) feedback.

Built from the same rows as the insights, so members who left are absent. Feedback is exported
per round as counts and an average only (no free text, no member ids), and a round with fewer
than ``MIN_RATINGS_SHOWN`` responses shows its response count alone. Text cells that a
spreadsheet would run as a formula are defused with a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from bot.errors import UserInputError
from bot.insights.stats import (
    Insights,
    InsightsInput,
    compute_insights,
    counts_as_paired,
    group_met,
    pair_history,
)
from bot.insights.text import week_of_long
from bot.kinds import Direction

Cell = str | int | float
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Excel reads UTF-8 CSV correctly only with a byte-order mark; other tools skip it.
ENCODING = "utf-8-sig"


class ExportKind(StrEnum):
    MEMBERS = "members"
    SKILLS = "skills"
    ROUNDS = "rounds"
    FEEDBACK = "feedback"
    INVITATIONS = "invitations"


KIND_HELP = "members, skills, rounds, feedback or invitations"


def parse_kind(text: str) -> ExportKind:
    value = text.strip().lower()
    try:
        return ExportKind(value)
    except ValueError:
        shown = (value[:30] + "…") if len(value) > 30 else value
        what = f"`{shown}` isn't something I can export" if value else "Say what to export"
        raise UserInputError(
            f"{what}: choose {KIND_HELP}, e.g. `/skillswap export members`."
        ) from None


def safe_cell(value: Cell | None) -> Cell:
    """Empty for ``None``; text starting like a formula gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def filename(kind: ExportKind, team_id: str, when: datetime) -> str:
    return f"skillswap-{kind.value}-{team_id}-{when:%Y-%m-%d}.csv"


def table(
    kind: ExportKind, data: InsightsInput, insights: Insights
) -> tuple[list[str], list[list[Cell | None]]]:
    """The header and rows of one export."""
    if kind is ExportKind.MEMBERS:
        return _members(data)
    if kind is ExportKind.SKILLS:
        return _skills(insights)
    if kind is ExportKind.ROUNDS:
        return _rounds(insights)
    if kind is ExportKind.INVITATIONS:
        return _invitations(insights)
    return _feedback(insights)


def _invitations(insights: Insights) -> tuple[list[str], list[list[Cell | None]]]:
    """Adoption per channel (counts only: nobody is named), then the whole workspace."""
    header = ["channel_id", "invited", "joined_from_invitation", "conversion"]
    numbers = insights.adoption
    rows: list[list[Cell | None]] = [
        [c.channel_id, c.invited, c.joined, round(c.conversion, 3) if c.invited else None]
        for c in numbers.channels
    ]
    rows.append(
        [
            "(all)",
            numbers.sent,
            numbers.joined,
            round(numbers.conversion, 3) if numbers.sent else None,
        ]
    )
    return header, rows


def to_csv(header: Sequence[str], rows: Sequence[Sequence[Cell | None]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in header])
    writer.writerows([safe_cell(c) for c in row] for row in rows)
    return buffer.getvalue()


def export_csv(kind: ExportKind, data: InsightsInput, *, generated_at: datetime) -> str:
    insights = compute_insights(data, generated_at=generated_at)
    header, rows = table(kind, data, insights)
    return to_csv(header, rows)


def _members(data: InsightsInput) -> tuple[list[str], list[list[Cell | None]]]:
    names = {s.id: s.name for s in data.skills}
    skills: dict[tuple[int, Direction], list[str]] = defaultdict(list)
    for ms in data.member_skills:
        if ms.skill_id in names:
            skills[(ms.member_id, ms.direction)].append(names[ms.skill_id])
    history = pair_history(data)
    partners: dict[int, int] = defaultdict(int)
    for a, b in history.first_round:
        partners[a] += 1
        partners[b] += 1
    swaps: dict[int, int] = defaultdict(int)
    for group in data.groups:
        if counts_as_paired(group) and group_met(group):
            for member_id in set(group.member_ids):
                swaps[member_id] += 1
    header = [
        "slack_user_id",
        "display_name",
        "team",
        "status",
        "cadence",
        "joined_on",
        "teaches",
        "wants_to_learn",
        "swaps_completed",
        "connections",
    ]
    rows: list[list[Cell | None]] = [
        [
            m.slack_user_id,
            m.display_name,
            (m.team_label or "").strip() or None,
            m.status.value,
            m.cadence.value,
            m.joined_at.date().isoformat(),
            "; ".join(sorted(skills[(m.id, Direction.TEACH)], key=str.casefold)),
            "; ".join(sorted(skills[(m.id, Direction.LEARN)], key=str.casefold)),
            swaps[m.id],
            partners[m.id],
        ]
        for m in data.members
    ]
    return header, rows


def _skills(insights: Insights) -> tuple[list[str], list[list[Cell | None]]]:
    header = [
        "skill",
        "teachers",
        "learners",
        "lessons_in_completed_swaps",
        "gap",
        "teams_teaching",
    ]
    rows: list[list[Cell | None]] = [
        [s.name, s.teachers, s.learners, s.taught, "yes" if s.gap else "no", s.teams]
        for s in insights.skills
    ]
    return header, rows


def _rounds(insights: Insights) -> tuple[list[str], list[list[Cell | None]]]:
    header = [
        "week",
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
    rows: list[list[Cell | None]] = [
        [
            week_of_long(p.round_date),
            p.period,
            p.round_date.isoformat(),
            p.state.value,
            p.eligible,
            p.groups,
            p.met,
            round(p.met / p.groups, 3) if p.asked and p.groups else None,
            p.introduced,
            p.new_connections,
            p.cross_team_new_connections,
            p.discovery,
            p.met_again,
            p.unmatched,
            p.booked,
            round(p.booked_met / p.booked, 3) if p.asked and p.booked else None,
            (
                round((p.met - p.booked_met) / (p.groups - p.booked), 3)
                if p.asked and p.groups > p.booked
                else None
            ),
        ]
        for p in insights.per_round
    ]
    return header, rows


def _feedback(insights: Insights) -> tuple[list[str], list[list[Cell | None]]]:
    header = [
        "week",
        "period",
        "round_date",
        "responses",
        "average_rating",
        "would_swap_again_yes",
        "would_swap_again_no",
    ]
    rows: list[list[Cell | None]] = []
    for p in insights.per_round:
        shown = p.average_rating is not None  # enough responses not to point at anyone
        rows.append(
            [
                week_of_long(p.round_date),
                p.period,
                p.round_date.isoformat(),
                p.ratings,
                round(p.average_rating, 2) if p.average_rating is not None else None,
                p.would_swap_again_yes if shown else None,
                p.would_swap_again_no if shown else None,
            ]
        )
    return header, rows

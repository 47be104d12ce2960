"""Issue 19's numbers: the share of groups that booked a time, the median days from the
introduction to the booked slot, and the meeting rate of booked groups beside the others."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.blocks.insights import stats_blocks
from bot.insights import text
from bot.insights.export import ExportKind, table
from bot.insights.stats import GroupRow, InsightsInput, MemberRow, RoundRow, compute_insights
from bot.kinds import GroupState, MemberCadence, MemberStatus, RoundState
from tests.support import shown_text

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def _data() -> InsightsInput:
    members = tuple(
        MemberRow(i, f"U{i}", None, None, MemberStatus.ACTIVE, MemberCadence.EVERY_ROUND, NOW)
        for i in range(1, 11)
    )
    asked = RoundRow(1, "2026-W49", (NOW - 7 * DAY).date(), RoundState.CLOSED, True, 10, 0)
    intro = NOW - 7 * DAY

    def group(gid: int, state: GroupState, booked_after: float | None) -> GroupRow:
        booked = intro + booked_after * DAY if booked_after is not None else None
        pair = (2 * gid - 1, 2 * gid)
        return GroupRow(gid, 1, state, pair, False, introduced_at=intro, booked_at=booked)

    return replace(
        InsightsInput.empty("T1"),
        members=members,
        rounds=(asked,),
        groups=(
            group(1, GroupState.MET, 1.0),  # booked, met
            group(2, GroupState.MET, 2.0),  # booked, met
            group(3, GroupState.NOT_MET, 4.5),  # booked, did not meet
            group(4, GroupState.MET, None),  # not booked, met
            group(5, GroupState.INTRODUCED, None),  # not booked, silent
        ),
    )


def test_booking_numbers() -> None:
    ins = compute_insights(_data(), generated_at=NOW)
    assert ins.booked == 3
    assert ins.booked_share == 3 / 5
    assert ins.median_days_to_slot == 2.0
    assert (ins.booked_met, ins.booked_asked) == (2, 3)
    assert (ins.unbooked_met, ins.unbooked_asked) == (1, 2)
    assert ins.meeting_rate_booked == 2 / 3 and ins.meeting_rate_unbooked == 1 / 2
    line = text.booking(ins)
    assert line == (
        "60% (3 of 5 groups), slot 2.0 days after the intro (median); met: 67% booked, 50% not"
    )
    assert "Booked a time" in shown_text([b.to_dict() for b in stats_blocks(ins)])
    header, rows = table(ExportKind.ROUNDS, _data(), ins)
    values = dict(zip(header, rows[0], strict=True))
    assert values["groups_booked"] == 3
    assert values["meeting_rate_booked"] == 0.667
    assert values["meeting_rate_unbooked"] == 0.5


def test_no_booking_yet() -> None:
    data = _data()
    data = replace(data, groups=tuple(replace(g, booked_at=None) for g in data.groups))
    ins = compute_insights(data, generated_at=NOW)
    assert (ins.booked, ins.booked_share, ins.median_days_to_slot) == (0, 0.0, None)
    assert ins.meeting_rate_booked is None
    assert text.booking(ins) == "0% (0 of 5 groups)"
    empty = compute_insights(InsightsInput.empty("T1"), generated_at=NOW)
    assert text.booking(empty) == "\u2014 (no groups yet)"

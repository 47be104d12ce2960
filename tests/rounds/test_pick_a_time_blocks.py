"""The poll and the booking show each person's own time: half-hour zones, the date line and
the weeks when Europe and the US change clocks on different dates."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.blocks.meetings import (
    Attendance,
    PollView,
    booked_line,
    poll_modal,
    slot_label,
    slot_value,
)

ANA = Attendance("U1", "Ana", "Europe/London")
RAJ = Attendance("U2", "Raj", "Asia/Kolkata")
LEA = Attendance("U3", "Lea", "America/Los_Angeles")
KIRI = Attendance("U4", "Kiri", "Pacific/Auckland")
NED = Attendance("U5", "Ned", "America/New_York")


def test_half_hour_zone() -> None:
    moment = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
    assert slot_label(moment, "Asia/Kolkata") == "Tue 8 Dec, 14:30 to 15:00"
    assert booked_line((ANA, RAJ), moment) == "Booked: Tuesday 8 December — Ana 09:00, Raj 14:30"


def test_across_the_date_line_each_sees_their_own_day() -> None:
    moment = datetime(2026, 12, 8, 21, 0, tzinfo=UTC)  # Tue 13:00 in LA, Wed 10:00 in Auckland
    assert slot_label(moment, "America/Los_Angeles") == "Tue 8 Dec, 13:00 to 13:30"
    assert slot_label(moment, "Pacific/Auckland") == "Wed 9 Dec, 10:00 to 10:30"
    assert (
        booked_line((KIRI, LEA), moment) == "Booked: Wednesday 9 December — Kiri 10:00, Lea 13:00"
    )
    assert booked_line((LEA, KIRI), moment) == "Booked: Tuesday 8 December — Lea 13:00, Kiri 10:00"


def test_the_weeks_between_the_us_and_europe_changing_clocks() -> None:
    before = datetime(2027, 3, 12, 14, 0, tzinfo=UTC)  # both on winter time
    between = datetime(2027, 3, 16, 13, 0, tzinfo=UTC)  # New York on summer time, London not
    after = datetime(2027, 3, 30, 13, 0, tzinfo=UTC)  # both on summer time
    assert booked_line((NED, ANA), before).endswith("Ned 09:00, Ana 14:00")
    assert booked_line((NED, ANA), between).endswith("Ned 09:00, Ana 13:00")
    assert booked_line((NED, ANA), after).endswith("Ned 09:00, Ana 14:00")


def test_the_modal_ticks_what_was_ticked_and_lists_times_in_the_viewers_zone() -> None:
    slots = tuple(datetime(2026, 12, d, 9, 0, tzinfo=UTC) for d in (8, 9, 10))
    view = poll_modal(
        PollView(
            group_id=7,
            offer="abc",
            tz="Asia/Kolkata",
            slots=slots,
            ticked=(slots[1],),
            waiting_on=("U1",),
        )
    ).to_dict()
    [checkboxes] = [b for b in view["blocks"] if b["type"] == "input"]
    element = checkboxes["element"]
    assert [o["text"]["text"] for o in element["options"]] == [
        "Tue 8 Dec, 14:30 to 15:00",
        "Wed 9 Dec, 14:30 to 15:00",
        "Thu 10 Dec, 14:30 to 15:00",
    ]
    assert [o["value"] for o in element["initial_options"]] == [slot_value(slots[1])]
    assert "Kolkata" in checkboxes["label"]["text"]
    assert "<@U1>" in str(view["blocks"])

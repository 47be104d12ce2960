from __future__ import annotations

from datetime import date

from bot.matching import meeting_slot, overlap_hours, same_moment

WINTER = date(2026, 12, 7)
SUMMER = date(2026, 7, 6)
GAP_WEEK = date(2026, 3, 16)  # US already on DST, Europe not yet


def test_overlap_same_and_neighbouring_zones() -> None:
    assert overlap_hours("Europe/Madrid", "Europe/Madrid", WINTER) == 8
    assert overlap_hours("Europe/Madrid", "Europe/London", WINTER) == 7
    assert overlap_hours("Asia/Kolkata", "Europe/London", WINTER) == 2.5
    assert overlap_hours("Asia/Tokyo", "America/New_York", WINTER) == 0


def test_overlap_follows_dst_at_the_round_date() -> None:
    # New York - London: 5 h apart normally, 4 h in the weeks the DST switches differ.
    assert overlap_hours("America/New_York", "Europe/London", WINTER) == 3
    assert overlap_hours("America/New_York", "Europe/London", GAP_WEEK) == 4
    assert overlap_hours("America/New_York", "Europe/London", SUMMER) == 3


def test_neighbouring_days_count_across_the_date_line() -> None:
    assert overlap_hours("Pacific/Auckland", "America/Los_Angeles", WINTER) == 5


def test_unknown_tz_is_utc() -> None:
    assert overlap_hours(None, "UTC", WINTER) == 8


def test_meeting_slot_shows_both_local_times() -> None:
    slot = meeting_slot("Europe/Madrid", "Europe/London", WINTER)
    assert slot is not None
    ana, ben = slot
    assert (ana.strftime("%H:%M"), ben.strftime("%H:%M")) == ("10:00", "09:00")
    assert same_moment(ana, "Europe/London") == ben
    assert meeting_slot("Asia/Tokyo", "America/New_York", WINTER) is None

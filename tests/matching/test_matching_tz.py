from __future__ import annotations

from datetime import date

from bot.matching import meeting_slot, overlap_hours, same_moment
from bot.matching.model import WorkHours
from bot.matching.tz import shared_hours

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


def test_shared_hours_follow_each_member_s_working_days_and_hours() -> None:
    week = WorkHours()
    # Monday to Friday 9-17 for both is the weekday overlap.
    for a, b in [("Europe/Madrid", "Europe/London"), ("Pacific/Auckland", "America/Los_Angeles")]:
        assert shared_hours(a, week, b, week, WINTER) == overlap_hours(a, b, WINTER)
    early = WorkHours(start=7 * 60 + 30, end=15 * 60 + 30)  # 07:30-15:30
    assert shared_hours("Europe/London", early, "Europe/London", week, WINTER) == 6.5
    # Tokyo 9-17 and New York never meet; Tokyo 17:00-24:00 (08:00-15:00 UTC) shares New
    # York's first hour.
    assert shared_hours("Asia/Tokyo", week, "America/New_York", week, WINTER) == 0
    late_tokyo = WorkHours(start=17 * 60, end=24 * 60)
    assert shared_hours("Asia/Tokyo", late_tokyo, "America/New_York", week, WINTER) == 1.0
    mondays = WorkHours(days=frozenset({0}))
    tuesdays = WorkHours(days=frozenset({1}))
    assert shared_hours("Europe/London", mondays, "Europe/London", tuesdays, WINTER) == 0
    # Auckland's Tuesday is Los Angeles' Monday: those two days meet across the date line.
    assert shared_hours("Pacific/Auckland", tuesdays, "America/Los_Angeles", mondays, WINTER) == 5
    assert shared_hours("Pacific/Auckland", mondays, "America/Los_Angeles", mondays, WINTER) == 0

"""When rounds happen: slots, periods, DST, check-in and reminder times (pure functions)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.rounds.schedule import (
    CATCH_UP,
    Rhythm,
    due_slot,
    next_round_at,
    period_key,
    round_times,
)
from bot.store.models import Cadence

ZONES = ["Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC"]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_weekly_round_is_the_next_monday_at_nine_local() -> None:
    # Saturday 28 Nov 2026, London is on GMT.
    assert next_round_at("weekly", 0, "09:00", "Europe/London", utc(2026, 11, 28, 12)) == utc(
        2026, 11, 30, 9
    )
    # Exactly at the slot, the next one is a week later.
    assert next_round_at("weekly", 0, "09:00", "Europe/London", utc(2026, 11, 30, 9)) == utc(
        2026, 12, 7, 9
    )


def test_local_time_is_kept_across_daylight_saving() -> None:
    before = next_round_at("weekly", 0, "09:00", "Europe/London", utc(2026, 3, 25))
    after = next_round_at("weekly", 0, "09:00", "Europe/London", utc(2026, 3, 31))
    assert before == utc(2026, 3, 30, 8)  # BST: 09:00 local is 08:00 UTC
    assert after == utc(2026, 4, 6, 8)
    assert next_round_at("weekly", 0, "09:00", "Europe/London", utc(2026, 10, 20)) == utc(
        2026, 10, 26, 9
    )  # back on GMT


def test_a_time_in_the_spring_forward_gap_moves_forward_never_back() -> None:
    # New York skips 02:00-03:00 on Sunday 8 March 2026.
    slot = next_round_at("weekly", 6, "02:30", "America/New_York", utc(2026, 3, 6))
    local = slot.astimezone(ZoneInfo("America/New_York"))
    assert (local.date(), local.hour, local.minute) == (date(2026, 3, 8), 3, 30)


def test_an_ambiguous_autumn_time_takes_its_first_occurrence() -> None:
    # 01:30 happens twice in New York on Sunday 1 November 2026 (EDT, then EST).
    slot = next_round_at("weekly", 6, "01:30", "America/New_York", utc(2026, 10, 30))
    assert slot == utc(2026, 11, 1, 5, 30)  # 01:30 EDT


def test_biweekly_keeps_a_two_week_rhythm_from_the_last_round() -> None:
    now = utc(2026, 12, 7, 10)  # just after Monday 7 Dec's slot
    assert next_round_at("biweekly", 0, "09:00", "UTC", now) == utc(2026, 12, 14, 9)
    after_round = next_round_at("biweekly", 0, "09:00", "UTC", now, last_round_on=date(2026, 12, 7))
    assert after_round == utc(2026, 12, 21, 9)


def test_monthly_is_the_first_weekday_of_the_month_and_never_twice_a_month() -> None:
    assert next_round_at("monthly", 0, "09:00", "UTC", utc(2026, 12, 8)) == utc(2027, 1, 4, 9)
    # A round run by hand on 2 December covers December: the 7 December slot is skipped.
    assert next_round_at(
        "monthly", 0, "09:00", "UTC", utc(2026, 12, 2), last_round_on=date(2026, 12, 2)
    ) == utc(2027, 1, 4, 9)


def test_periods_are_iso_weeks_or_months() -> None:
    assert period_key(Cadence.WEEKLY, date(2026, 12, 7)) == "2026-W50"
    assert period_key(Cadence.BIWEEKLY, date(2026, 12, 13)) == "2026-W50"
    assert period_key(Cadence.WEEKLY, date(2027, 1, 1)) == "2026-W53"  # ISO year
    assert period_key(Cadence.MONTHLY, date(2026, 12, 31)) == "2026-12"


def test_a_slot_is_due_until_the_catch_up_window_ends() -> None:
    rhythm = Rhythm.of("weekly", 0, "09:00", "Europe/London")
    slot = utc(2026, 12, 7, 9)
    assert due_slot(rhythm, slot - timedelta(seconds=1)) is None  # last week's is too old
    due = due_slot(rhythm, slot)
    assert due is not None and due.slot == slot and due.period == "2026-W50"
    assert due_slot(rhythm, slot + CATCH_UP - timedelta(seconds=1)) is not None
    late = due_slot(rhythm, slot + CATCH_UP)
    assert late is None


def test_a_new_install_does_not_start_a_round_for_a_slot_that_passed_before_it() -> None:
    rhythm = Rhythm.of("weekly", 0, "09:00", "Europe/London")
    assert due_slot(rhythm, utc(2026, 12, 7, 10), not_before=utc(2026, 12, 7, 9, 30)) is None


def test_no_second_round_in_a_week_after_a_manual_run() -> None:
    # Round run by hand on Wednesday 2 Dec: the next slot is Monday 7 Dec, not 30 Nov again.
    rhythm = Rhythm.of("weekly", 0, "09:00", "UTC", last_round_on=date(2026, 12, 2))
    assert due_slot(rhythm, utc(2026, 12, 2, 12)) is None
    assert rhythm.next_slot(utc(2026, 12, 2, 12)) == utc(2026, 12, 7, 9)


def test_checkins_reminder_and_close_follow_the_round() -> None:
    rhythm = Rhythm.of("weekly", 0, "09:00", "Europe/London", last_round_on=date(2026, 12, 7))
    times = round_times(rhythm, utc(2026, 12, 7, 9), checkin_delay_days=3)
    assert times.checkins_due_at == utc(2026, 12, 10, 9)  # Thursday
    assert times.reminders_due_at == utc(2026, 12, 11, 9)  # Friday, not the weekend
    assert times.closes_at == utc(2026, 12, 14, 9)  # next round


def test_no_reminder_when_the_checkin_is_too_late_in_the_round() -> None:
    rhythm = Rhythm.of("weekly", 0, "09:00", "UTC")
    times = round_times(rhythm, utc(2026, 12, 7, 9), checkin_delay_days=5)  # Saturday
    assert times.reminders_due_at is None


def test_bad_settings_are_rejected_with_a_reason() -> None:
    with pytest.raises(ValueError, match="HH:MM"):
        Rhythm.of("weekly", 0, "9am", "UTC")
    with pytest.raises(ValueError, match="time zone"):
        Rhythm.of("weekly", 0, "09:00", "Mars/Olympus")
    with pytest.raises(ValueError, match="weekday"):
        Rhythm.of("weekly", 7, "09:00", "UTC")


@settings(max_examples=300, deadline=None)
@given(
    cadence=st.sampled_from(list(Cadence)),
    weekday=st.integers(0, 6),
    hour=st.integers(0, 23),
    minute=st.sampled_from([0, 15, 30, 45]),
    tz=st.sampled_from(ZONES),
    now=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2030, 12, 31)),
)
def test_next_round_is_the_first_matching_local_moment_after_now(
    cadence: Cadence, weekday: int, hour: int, minute: int, tz: str, now: datetime
) -> None:
    moment = now.replace(tzinfo=UTC)
    hhmm = f"{hour:02d}:{minute:02d}"
    slot = next_round_at(cadence, weekday, hhmm, tz, moment)
    local = slot.astimezone(ZoneInfo(tz))
    assert slot > moment
    assert local.weekday() == weekday
    if cadence is Cadence.MONTHLY:
        assert local.day <= 7
    # The wall time is the one asked for, unless it fell into a DST gap (then moved forward).
    asked = local.replace(hour=hour, minute=minute)
    assert local.strftime("%H:%M") == hhmm or (
        asked.astimezone(UTC).astimezone(ZoneInfo(tz)) != asked
        or local.utcoffset() != asked.utcoffset()
    )
    # Nothing in between: asking again just before the slot gives the same slot.
    assert next_round_at(cadence, weekday, hhmm, tz, slot - timedelta(seconds=1)) == slot
    # The period of the slot contains it, and the next slot is in a later period.
    rhythm = Rhythm.of(cadence, weekday, hhmm, tz)
    following = Rhythm.of(
        cadence, weekday, hhmm, tz, last_round_on=rhythm.local_date(slot)
    ).next_slot(slot)
    assert rhythm.period_of(following) != rhythm.period_of(slot)

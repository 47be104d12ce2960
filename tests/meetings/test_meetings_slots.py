from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.meetings.slots import (
    WorkingWeek,
    earliest_shared,
    near_miss,
    next_working_morning,
    propose,
    working_day_after,
)

LONDON = WorkingWeek("Europe/London")
NEW_YORK = WorkingWeek("America/New_York")
KOLKATA = WorkingWeek("Asia/Kolkata")
AUCKLAND = WorkingWeek("Pacific/Auckland")
LOS_ANGELES = WorkingWeek("America/Los_Angeles")
TOKYO = WorkingWeek("Asia/Tokyo")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(moment: datetime, tz: str | None) -> datetime:
    return moment.astimezone(ZoneInfo(tz or "UTC"))


def hhmm(moment: datetime, tz: str | None) -> str:
    return local(moment, tz).strftime("%a %H:%M")


def fits(week: WorkingWeek, start: datetime, minutes: int = 30) -> bool:
    """Every minute of the slot, read on the member's own clock, is a working minute (times
    here are whole minutes, so the slot ends by the end of the working day)."""
    for m in range(minutes):
        wall = local(start + timedelta(minutes=m), week.tz)
        if wall.weekday() not in week.days or not week.start <= wall.time() < week.end:
            return False
    return True


# --- Europe and the US switch to summer time on different dates -------------------------------


def test_new_york_morning_is_london_afternoon_by_the_week_of_the_switch() -> None:
    # March 2027: the US switches on 14 March, Europe on 28 March.
    before = propose([NEW_YORK, LONDON], now=utc(2027, 3, 8, 0))  # Monday 8 March
    between = propose([NEW_YORK, LONDON], now=utc(2027, 3, 15, 0))  # Monday 15 March
    after = propose([NEW_YORK, LONDON], now=utc(2027, 3, 29, 0))  # Monday 29 March
    for slots in (before, between, after):
        assert len(slots) == 5
        for slot in slots:
            assert fits(NEW_YORK, slot) and fits(LONDON, slot)
    # The earliest shared slot of each day is New York's 09:00; London reads it as 14:00, then
    # 13:00 while only the US has switched, then 14:00 again.
    assert {hhmm(s, "America/New_York")[4:] for s in before} >= {"09:00"}
    first = min(before, key=lambda s: local(s, "America/New_York").time())
    assert hhmm(first, "America/New_York")[4:] == "09:00"
    assert hhmm(first, "Europe/London")[4:] == "14:00"
    first = min(between, key=lambda s: local(s, "America/New_York").time())
    assert hhmm(first, "America/New_York")[4:] == "09:00"
    assert hhmm(first, "Europe/London")[4:] == "13:00"
    first = min(after, key=lambda s: local(s, "America/New_York").time())
    assert hhmm(first, "Europe/London")[4:] == "14:00"
    # Between the switches the shared window is an hour longer: 16:30 London is still New
    # York's 12:30, and some day offers a slot after 14:00 London that ends by 17:00.
    latest_between = max(local(s, "Europe/London").time() for s in between)
    assert latest_between <= time(16, 30)


def test_a_week_that_crosses_the_us_switch_keeps_every_slot_inside_both_days() -> None:
    # From Thursday 11 March: the Friday is before the US switch, Monday 15th after it.
    slots = propose([NEW_YORK, LONDON], now=utc(2027, 3, 11, 18), count=20)
    assert slots
    for slot in slots:
        assert fits(NEW_YORK, slot) and fits(LONDON, slot)
    friday = [s for s in slots if local(s, "Europe/London").date() == date(2027, 3, 12)]
    monday = [s for s in slots if local(s, "Europe/London").date() == date(2027, 3, 15)]
    assert friday and monday
    assert min(local(s, "Europe/London").time() for s in friday) == time(14, 0)
    assert min(local(s, "Europe/London").time() for s in monday) == time(13, 0)


def test_working_hours_on_the_night_the_clocks_change_hold_by_the_wall_clock() -> None:
    # 14 March 2027, New York: 02:00 jumps to 03:00, so a day "until 02:30" ends at the jump.
    night = WorkingWeek(
        "America/New_York", days=frozenset(range(7)), start=time(1), end=time(2, 30)
    )
    slots = propose([night, night], now=utc(2027, 3, 14, 5), count=50, horizon_days=1)
    assert slots
    assert all(fits(night, s) for s in slots)
    on_the_night = [s for s in slots if s.date() == date(2027, 3, 14)]
    # 01:00 and 01:30 EST; the day ends with the jump (07:00 UTC): 03:00 EDT is past 02:30
    assert on_the_night == [utc(2027, 3, 14, 6), utc(2027, 3, 14, 6, 30)]
    # 7 November 2027: 01:00-02:00 happens twice; a day from 01:30 starts at the second 01:30.
    late = WorkingWeek("America/New_York", days=frozenset(range(7)), start=time(1, 30), end=time(3))
    slots = propose([late, late], now=utc(2027, 11, 7, 4), count=50, horizon_days=1)
    assert all(fits(late, s) for s in slots)
    assert min(slots) == utc(2027, 11, 7, 6, 30)  # 01:30 EST, not 01:30 EDT (05:30 UTC)


# --- Half-hour zones and the date line ---------------------------------------------------------


def test_kolkata_and_london_share_the_half_hour_zone_afternoon() -> None:
    # December: London is UTC, Kolkata UTC+05:30. Kolkata's day ends 17:00 = London 11:30.
    slots = propose([KOLKATA, LONDON], now=utc(2026, 12, 7, 0))
    assert len(slots) == 5
    for slot in slots:
        assert fits(KOLKATA, slot) and fits(LONDON, slot)
        assert local(slot, "Europe/London").time() <= time(11, 0)
        assert local(slot, "Asia/Kolkata").time() >= time(14, 30)
    assert any(hhmm(s, "Asia/Kolkata")[4:] == "14:30" for s in slots)


def test_auckland_and_los_angeles_meet_across_the_date_line() -> None:
    # December: Auckland UTC+13, Los Angeles UTC-8. Auckland's Tuesday morning is Los Angeles'
    # Monday afternoon; only four weekdays line up (Auckland Tue-Fri = Los Angeles Mon-Thu).
    slots = propose([AUCKLAND, LOS_ANGELES], now=utc(2026, 12, 6, 0), count=50)
    assert slots
    for slot in slots:
        assert fits(AUCKLAND, slot) and fits(LOS_ANGELES, slot)
        nz, la = local(slot, "Pacific/Auckland"), local(slot, "America/Los_Angeles")
        assert nz.date() == la.date() + timedelta(days=1)
    nz_days = {local(s, "Pacific/Auckland").strftime("%a") for s in slots}
    la_days = {local(s, "America/Los_Angeles").strftime("%a") for s in slots}
    assert nz_days == {"Tue", "Wed", "Thu", "Fri"}
    assert la_days == {"Mon", "Tue", "Wed", "Thu"}
    # The five proposed slots cover all four shared days.
    five = propose([AUCKLAND, LOS_ANGELES], now=utc(2026, 12, 6, 0))
    assert len({local(s, "Pacific/Auckland").date() for s in five}) == 4


# --- Never in the past, never across the end of a day, spread, exclude ------------------------


def test_slots_are_in_the_future_on_the_half_hour_and_within_the_horizon() -> None:
    now = utc(2026, 12, 7, 10, 7, 30)  # Monday 10:07:30 in London
    slots = propose([LONDON, WorkingWeek("Europe/Madrid")], now=now, count=100)
    assert slots == sorted(slots)
    assert len(set(slots)) == len(slots)
    assert all(now < s <= now + timedelta(days=7) for s in slots)
    assert all(s.minute in (0, 30) and s.second == 0 for s in slots)
    # today's first remaining slot is 10:30 London, not 10:00 (already started)
    assert min(slots) == utc(2026, 12, 7, 10, 30)


def test_no_slot_runs_past_the_end_of_a_working_day() -> None:
    short_day = WorkingWeek("Europe/London", start=time(9, 0), end=time(9, 45))
    slots = propose([short_day, LONDON], now=utc(2026, 12, 6, 0), count=50)
    assert slots
    assert {local(s, "Europe/London").time() for s in slots} == {time(9, 0)}  # 9:30 would overrun
    too_short = WorkingWeek("Europe/London", start=time(9, 0), end=time(9, 20))
    assert propose([too_short, LONDON], now=utc(2026, 12, 6, 0)) == []


def test_nothing_across_the_gap_between_two_people_s_days() -> None:
    # Ana works until 17:00 London; Ben starts at 17:00 London (Madrid 18:00): they touch but
    # never share a minute, so no slot straddles the boundary.
    ben = WorkingWeek("Europe/Madrid", start=time(18, 0), end=time(22, 0))
    assert propose([LONDON, ben], now=utc(2026, 12, 6, 0)) == []


def test_slots_spread_over_different_days_and_exclude_offers_five_more() -> None:
    now = utc(2026, 12, 6, 12)  # Sunday
    first = propose([LONDON, LONDON], now=now)
    assert len(first) == 5
    assert len({s.date() for s in first}) == 5  # Mon..Fri, one each
    more = propose([LONDON, LONDON], now=now, exclude=first)
    assert len(more) == 5
    assert not set(more) & set(first)
    assert len({s.date() for s in more}) == 5
    # the same day's second slot is far from its first, not the half hour after it
    for day_slots in (
        {s for s in first + more if s.date() == d} for d in {s.date() for s in first}
    ):
        a, b = sorted(day_slots)
        assert b - a >= timedelta(hours=2)


def test_weekends_and_days_off_are_respected() -> None:
    tue_thu = WorkingWeek("Europe/London", days=frozenset({1, 3}))
    slots = propose([tue_thu, LONDON], now=utc(2026, 12, 6, 0), count=50)
    assert {local(s, "Europe/London").strftime("%a") for s in slots} == {"Tue", "Thu"}
    weekend = WorkingWeek("Europe/London", days=frozenset({5, 6}))
    assert propose([weekend, LONDON], now=utc(2026, 12, 6, 0)) == []


# --- Near miss when nothing is shared ----------------------------------------------------------


def test_near_miss_names_the_closest_slot_when_no_hours_are_shared() -> None:
    # Tokyo 09:00-17:00 is 00:00-08:00 UTC; New York is 14:00-22:00 UTC in December.
    now = utc(2026, 12, 7, 0)
    assert propose([TOKYO, NEW_YORK], now=now) == []
    miss = near_miss([TOKYO, NEW_YORK], now=now)
    assert miss is not None
    assert (miss.inside, miss.of) == (1, 2)
    # New York's last half hour (16:30, 21:30 UTC) is 2h30 before Tokyo's next 09:00 (00:00 UTC)
    assert miss.minutes_short == 150
    assert hhmm(miss.start, "America/New_York") == "Mon 16:30"
    # the slot is inside one of the two working days
    assert fits(TOKYO, miss.start) or fits(NEW_YORK, miss.start)
    assert now < miss.start <= now + timedelta(days=7)


def test_near_miss_is_none_when_nobody_works() -> None:
    idle = WorkingWeek("UTC", days=frozenset())
    assert near_miss([idle, idle], now=utc(2026, 12, 7, 0)) is None


# --- Booking, mornings, the day after ----------------------------------------------------------


def test_earliest_shared_is_the_first_slot_everyone_ticked() -> None:
    a, b, c = utc(2026, 12, 8, 10), utc(2026, 12, 9, 10), utc(2026, 12, 10, 10)
    assert earliest_shared([{a, b, c}, {c, b}]) == b
    assert earliest_shared([{a}, {b}]) is None
    assert earliest_shared([{a}, set()]) is None
    assert earliest_shared([]) is None
    # the same instant written in another zone is the same slot
    assert earliest_shared([{b}, {b.astimezone(ZoneInfo("Asia/Kolkata"))}]) == b


def test_next_working_morning_waits_for_the_latest_starting_member() -> None:
    # A 09:00 UTC round reaches Los Angeles at 01:00: the pair's message waits for 09:00 there.
    after = utc(2026, 12, 7, 9)  # Monday
    morning = next_working_morning([LOS_ANGELES, NEW_YORK], after=after)
    assert local(morning, "America/Los_Angeles").strftime("%a %H:%M") == "Mon 09:00"
    # London is already at work: now.
    assert next_working_morning([LONDON], after=after) == after
    # Friday 16:45 London leaves 15 minutes: Monday morning instead.
    late = utc(2026, 12, 11, 16, 45)
    assert hhmm(next_working_morning([LONDON], after=late), "Europe/London") == "Mon 09:00"
    # Saturday: Monday 09:00 London (Kolkata has been at work since 03:30 London).
    sat = utc(2026, 12, 12, 9)
    assert hhmm(next_working_morning([KOLKATA, LONDON], after=sat), "Europe/London") == "Mon 09:00"
    # Across the date line: Auckland's Tuesday 09:00 is Los Angeles' Monday 12:00.
    nz = next_working_morning([AUCKLAND, LOS_ANGELES], after=utc(2026, 12, 6, 0))
    assert hhmm(nz, "Pacific/Auckland") == "Tue 09:00"
    assert hhmm(nz, "America/Los_Angeles") == "Mon 12:00"
    # Working round the clock: late in the evening is still "at work", not tomorrow's start.
    always = WorkingWeek("Europe/London", days=frozenset(range(7)), start=time(0), end=time(23, 59))
    around = WorkingWeek("Europe/Madrid", days=frozenset(range(7)), start=time(0), end=time(23, 59))
    evening = utc(2026, 12, 7, 22, 50)
    assert next_working_morning([always], after=evening) == evening
    assert next_working_morning([always], after=utc(2026, 12, 7, 23, 45)) == utc(
        2026, 12, 7, 23, 45
    )
    assert next_working_morning([always, around], after=evening) == evening
    # No shared hours at all: as soon as asked.
    assert next_working_morning([TOKYO, NEW_YORK], after=after) == after


def test_working_day_after_skips_the_weekend_and_follows_dst() -> None:
    friday_slot = utc(2026, 12, 11, 15)
    assert hhmm(working_day_after(LONDON, friday_slot), "Europe/London") == "Mon 09:00"
    # A Friday 12 March 2027 slot in New York: Monday is after the US switch, still 09:00 local.
    monday = working_day_after(NEW_YORK, utc(2027, 3, 12, 15))
    assert hhmm(monday, "America/New_York") == "Mon 09:00"
    assert monday == utc(2027, 3, 15, 13)
    # A late-evening Los Angeles slot on Monday is Tuesday in UTC; the day after is Tuesday LA.
    assert hhmm(working_day_after(LOS_ANGELES, utc(2026, 12, 8, 1)), "America/Los_Angeles") == (
        "Tue 09:00"
    )


def test_working_hours_must_end_after_they_start() -> None:
    with pytest.raises(ValueError):
        WorkingWeek("UTC", start=time(17), end=time(9))
    with pytest.raises(ValueError):
        WorkingWeek("UTC", days=frozenset({7}))


# --- Property: every proposed slot fits every member's wall clock ------------------------------

ZONES = [
    None,
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "America/St_Johns",
    "America/Santiago",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Tehran",
    "Australia/Lord_Howe",
    "Pacific/Auckland",
    "Pacific/Chatham",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "Africa/Casablanca",
]


@st.composite
def weeks(draw: st.DrawFn) -> WorkingWeek:
    start = draw(st.integers(0, 95)) * 15
    end = draw(st.integers(start // 15 + 1, 96)) * 15
    return WorkingWeek(
        tz=draw(st.sampled_from(ZONES)),
        days=frozenset(draw(st.sets(st.integers(0, 6), min_size=1))),
        start=time(start // 60, start % 60),
        end=time(23, 59) if end == 1440 else time(end // 60, end % 60),
    )


moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)


@settings(max_examples=150, deadline=None)
@given(group=st.lists(weeks(), min_size=2, max_size=3), now=moments)
def test_every_proposed_slot_fits_every_member_by_their_wall_clock(
    group: list[WorkingWeek], now: datetime
) -> None:
    slots = propose(group, now=now)
    # The oracle: every half hour of the horizon, checked minute by minute on the wall clock.
    first = now.replace(minute=0, second=0, microsecond=0)
    marks = [first + timedelta(minutes=30 * k) for k in range(7 * 48 + 3)]
    valid = [
        m for m in marks if now < m <= now + timedelta(days=7) and all(fits(w, m) for w in group)
    ]
    assert set(slots) <= set(valid)
    assert len(slots) == min(5, len(valid))
    assert slots == sorted(slots)

    def day(m: datetime) -> tuple[date, ...]:
        return tuple(local(m, w.tz).date() for w in group)

    assert len({day(s) for s in slots}) == min(5, len({day(v) for v in valid}))
    if not valid:
        miss = near_miss(group, now=now)
        assert miss is None or miss.inside < len(group)
    more = propose(group, now=now, exclude=slots)
    assert not set(more) & set(slots)
    assert len(more) == min(5, len(valid) - len(slots))


@settings(max_examples=100, deadline=None)
@given(group=st.lists(weeks(), min_size=1, max_size=3), after=moments)
def test_next_working_morning_is_inside_everyone_s_hours_when_they_overlap(
    group: list[WorkingWeek], after: datetime
) -> None:
    moment = next_working_morning(group, after=after)
    assert moment >= after
    assert moment <= after + timedelta(days=7)
    # Working hours are on the quarter hour and zones are whole quarter hours off UTC, so a
    # minute every five from the first whole five minutes sees every shared window.
    first = after.replace(second=0, microsecond=0) + timedelta(minutes=5 - after.minute % 5)
    shared = [
        first + timedelta(minutes=5 * k)
        for k in range(7 * 288 - 1)
        if all(fits(w, first + timedelta(minutes=5 * k), 1) for w in group)
    ]
    roomy = [m for m in shared if all(fits(w, m, 30) for w in group)]
    if roomy:  # at work, no later than the first moment with half an hour left
        assert all(fits(w, moment, 1) for w in group)
        assert moment <= roomy[0]
    elif shared:
        assert all(fits(w, moment, 1) for w in group)
        assert moment <= shared[0]
    else:
        assert moment == after

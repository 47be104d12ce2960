"""Working-hours overlap between time zones, from IANA names at a given date (DST-aware)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.matching.model import WorkHours

DEFAULT_START = 9
DEFAULT_END = 17


def is_valid_tz(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@lru_cache(maxsize=4096)
def _zone(name: str | None) -> ZoneInfo:
    return ZoneInfo(name or "UTC")


@lru_cache(maxsize=65536)
def work_window_utc(
    tz: str | None, on: date, start: int = DEFAULT_START, end: int = DEFAULT_END
) -> tuple[float, float]:
    """Working hours of ``on`` in ``tz`` as hours since ``on`` 00:00 UTC (may be negative)."""
    zone = _zone(tz)
    midnight = datetime.combine(on, time(0), tzinfo=UTC)
    a = datetime.combine(on, time(start), tzinfo=zone).astimezone(UTC)
    b = datetime.combine(on, time(end), tzinfo=zone).astimezone(UTC)
    return (a - midnight).total_seconds() / 3600, (b - midnight).total_seconds() / 3600


def overlap_hours(
    tz_a: str | None,
    tz_b: str | None,
    on: date,
    *,
    start: int = DEFAULT_START,
    end: int = DEFAULT_END,
) -> float:
    """Hours of shared working time in the week of ``on``.

    Working hours are ``start``-``end`` local. Partners may meet on neighbouring local days
    (Auckland's Tuesday morning is Los Angeles' Monday afternoon), so the best of the same
    day and one day either way counts.
    """
    a0, a1 = work_window_utc(tz_a, on, start, end)
    b0, b1 = work_window_utc(tz_b, on, start, end)
    best = 0.0
    for shift in (-24.0, 0.0, 24.0):
        best = max(best, min(a1, b1 + shift) - max(a0, b0 + shift))
    return round(best, 4)


@lru_cache(maxsize=65536)
def week_windows(tz: str | None, hours: WorkHours, on: date) -> tuple[tuple[float, float], ...]:
    """The working windows of the local days ``on - 1`` .. ``on + 7`` that are working days,
    as hours since ``on`` 00:00 UTC (ascending)."""
    zone = _zone(tz)
    midnight = datetime.combine(on, time(0), tzinfo=UTC)
    out: list[tuple[float, float]] = []
    for offset in range(-1, 8):
        day = on + timedelta(days=offset)
        if day.weekday() not in hours.days:
            continue
        local = datetime.combine(day, time(0), tzinfo=zone)
        a = (local + timedelta(minutes=hours.start)).replace(tzinfo=zone).astimezone(UTC)
        b = (local + timedelta(minutes=hours.end)).replace(tzinfo=zone).astimezone(UTC)
        out.append(((a - midnight).total_seconds() / 3600, (b - midnight).total_seconds() / 3600))
    return tuple(out)


@lru_cache(maxsize=65536)
def shared_hours(
    tz_a: str | None, hours_a: WorkHours, tz_b: str | None, hours_b: WorkHours, on: date
) -> float:
    """The longest shared working time on any day of the week from ``on``, each person on
    their own working days and hours (Auckland's Tuesday morning is Los Angeles' Monday
    afternoon, so days are paired by the clock, not by name). With Monday to Friday 9-17 for
    both it is :func:`overlap_hours` of a weekday."""
    a_windows = week_windows(tz_a, hours_a, on)
    b_windows = week_windows(tz_b, hours_b, on)
    best = 0.0
    for a0, a1 in a_windows:
        if a1 <= 0 or a0 >= 24 * 7:
            continue
        for b0, b1 in b_windows:
            best = max(best, min(a1, b1) - max(a0, b0))
    return round(best, 4)


def work_start_utc(tz: str | None, hours: WorkHours, on: date) -> float:
    """When ``on``'s working day would start in ``tz``, as hours since ``on`` 00:00 UTC."""
    zone = _zone(tz)
    local = datetime.combine(on, time(0), tzinfo=zone) + timedelta(minutes=hours.start)
    start = local.replace(tzinfo=zone).astimezone(UTC)
    return (start - datetime.combine(on, time(0), tzinfo=UTC)).total_seconds() / 3600


def meeting_slot(
    tz_a: str | None,
    tz_b: str | None,
    on: date,
    *,
    start: int = DEFAULT_START,
    end: int = DEFAULT_END,
) -> tuple[datetime, datetime] | None:
    """The start of the shared working time, as aware datetimes local to A and to B.

    ``("Ana's 10:00", "Ben's 09:00")`` style: format both with ``%H:%M``. ``None`` when the two
    never overlap.
    """
    a0, a1 = work_window_utc(tz_a, on, start, end)
    b0, b1 = work_window_utc(tz_b, on, start, end)
    best: tuple[float, float] | None = None
    for shift in (0.0, -24.0, 24.0):
        lo, hi = max(a0, b0 + shift), min(a1, b1 + shift)
        if hi - lo > 0 and (best is None or hi - lo > best[1]):
            best = (lo, hi - lo)
    if best is None:
        return None
    moment = datetime.combine(on, time(0), tzinfo=UTC) + timedelta(hours=best[0])
    return moment.astimezone(_zone(tz_a)), moment.astimezone(_zone(tz_b))


def same_moment(at: datetime, tz: str | None) -> datetime:
    """``at`` (aware) seen from ``tz``: ``same_moment(ana_10am, "Europe/London")`` -> 09:00."""
    return at.astimezone(_zone(tz))

"""Meeting slots inside every member's working hours (DST-aware, any UTC offset).

A member's working week is turned into UTC intervals, one per local working day, with
``zoneinfo``; the group's shared time is the intersection of those intervals. Every function
is pure and takes its ``now`` explicitly; results are UTC-aware datetimes.

Daylight-saving edges follow the wall clock: a start or end in a skipped hour is the jump
itself, a start in a repeated hour is its second showing and an end its first. So a proposed
slot is inside a member's hours by their own wall clock at every minute.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAYS = frozenset({0, 1, 2, 3, 4})
SLOT_MINUTES = 30
_STEP = timedelta(minutes=30)  # slots start on the half hour (UTC, hence local in any :00/:30 zone)
_MIN_LEFT = timedelta(minutes=30)  # a humane delivery leaves this much of the shared window


@dataclass(frozen=True, slots=True)
class WorkingWeek:
    """One member's working days and hours, local to ``tz``."""

    tz: str | None  # IANA name; None (or an unknown name) means UTC
    days: frozenset[int] = WEEKDAYS  # Monday=0 .. Sunday=6, local days
    start: time = time(9, 0)  # local start of the working day
    end: time = time(17, 0)  # local end (end > start; no overnight shifts)

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError("a working day ends after it starts")
        if not self.days <= frozenset(range(7)):
            raise ValueError("working days are 0 (Monday) to 6 (Sunday)")


@dataclass(frozen=True, slots=True)
class NearMiss:
    """The best slot when the group shares no working time."""

    start: datetime  # UTC-aware start of the best 30-minute slot
    inside: int  # how many members have it inside their working hours
    of: int  # group size
    minutes_short: int  # how far (minutes) the worst member is outside their hours


Interval = tuple[datetime, datetime]


@lru_cache(maxsize=1024)
def zone(name: str | None) -> tzinfo:
    """The zone for an IANA name; UTC for None or a name this machine does not know."""
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _utc(day: date, at: time, tz: tzinfo, *, start: bool) -> datetime:
    """``at`` on ``day`` in ``tz`` as UTC, so that the wall clock is inside the working hours.

    A time the clock skips (spring forward) becomes the jump itself, for a start and an end.
    A time the clock shows twice (fall back) is its second showing for a start (the clock
    does not go back below it afterwards) and its first showing for an end.
    """
    wall = datetime.combine(day, at)
    first, second = (wall.replace(tzinfo=tz, fold=f).astimezone(UTC) for f in (0, 1))
    if first == second:
        return first
    if first < second:  # shown twice
        return second if start else first
    jump = second  # skipped: the clock jumps somewhere between the two readings
    while jump.astimezone(tz).replace(tzinfo=None) < wall:
        jump += timedelta(minutes=1)
    return jump


def working_intervals(week: WorkingWeek, since: datetime, until: datetime) -> list[Interval]:
    """The member's working intervals (UTC, ascending) that overlap ``[since, until)``."""
    tz = zone(week.tz)
    first = since.astimezone(tz).date() - timedelta(days=1)
    last = until.astimezone(tz).date() + timedelta(days=1)
    out: list[Interval] = []
    day = first
    while day <= last:
        if day.weekday() in week.days:
            a = _utc(day, week.start, tz, start=True)
            b = _utc(day, week.end, tz, start=False)
            if a < b and b > since and a < until:
                out.append((a, b))
        day += timedelta(days=1)
    return out


def _intersect(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo < hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def shared_intervals(
    weeks: Sequence[WorkingWeek], since: datetime, until: datetime
) -> list[Interval]:
    """Time inside everyone's working hours within ``[since, until)``, as UTC intervals."""
    if not weeks:
        return []
    shared = working_intervals(weeks[0], since, until)
    for week in weeks[1:]:
        shared = _intersect(shared, working_intervals(week, since, until))
    return [(max(a, since), min(b, until)) for a, b in shared if b > since and a < until]


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("moments must be timezone-aware")
    return moment.astimezone(UTC)


def _mark(moment: datetime, *, after: datetime) -> datetime:
    """The first half-hour mark at or after ``moment`` and strictly after ``after``."""
    base = moment.replace(minute=0, second=0, microsecond=0)
    mark = base - _STEP * ((base - moment) // _STEP)  # ceil to the half hour
    return mark + _STEP if mark <= after else mark


def _candidates(
    weeks: Sequence[WorkingWeek], now: datetime, horizon_days: int, minutes: int
) -> list[datetime]:
    """Every half-hour start in (now, now + horizon] whose whole slot is shared time."""
    length = timedelta(minutes=minutes)
    until = now + timedelta(days=horizon_days)
    out: list[datetime] = []
    for a, b in shared_intervals(weeks, now, until + length):
        mark = _mark(a, after=now)
        while mark + length <= b and mark <= until:
            out.append(mark)
            mark += _STEP
    return out


def _day_key(weeks: Sequence[WorkingWeek], moment: datetime) -> tuple[date, ...]:
    return tuple(moment.astimezone(zone(w.tz)).date() for w in weeks)


def propose(
    weeks: Sequence[WorkingWeek],
    *,
    now: datetime,
    count: int = 5,
    horizon_days: int = 7,
    minutes: int = SLOT_MINUTES,
    exclude: Collection[datetime] = (),
) -> list[datetime]:
    """Up to ``count`` UTC-aware slot starts in (now, now + horizon_days], each fully inside
    every member's working hours on a working day of theirs, spread over as many different
    days as possible (a day is each member's local date), starting on :00 or :30 UTC, none in
    ``exclude`` (slots already offered). Sorted ascending; [] when none exists.

    Within a day the first pick rotates between the start, the middle and three quarters of
    the shared window, so five slots are not all "first thing in the morning".
    """
    now = _aware(now)
    excluded = {_aware(x) for x in exclude}
    found = _candidates(weeks, now, horizon_days, minutes)
    by_day: dict[tuple[date, ...], list[datetime]] = {}
    for slot in found:
        by_day.setdefault(_day_key(weeks, slot), []).append(slot)
    days = list(by_day.values())
    # Slots offered before count as taken, so "5 more" keep away from them too.
    taken: list[set[datetime]] = [{s for s in slots if s in excluded} for slots in days]
    free_total = sum(1 for s in found if s not in excluded)
    chosen: list[datetime] = []
    while len(chosen) < min(count, free_total):
        for k, slots in enumerate(days):
            if len(chosen) >= count:
                break
            free = [s for s in slots if s not in taken[k]]
            if not free:
                continue
            if not taken[k]:
                slot = free[(0, len(free) // 2, (3 * len(free)) // 4)[k % 3]]
            else:  # the slot furthest from those already taken that day
                slot = max(free, key=lambda s: _distance(s, taken[k]))
            taken[k].add(slot)
            chosen.append(slot)
    return sorted(chosen)


def _distance(slot: datetime, others: Collection[datetime]) -> timedelta:
    return min(abs(slot - other) for other in others)


def _short(slot: Interval, intervals: Iterable[Interval]) -> int | None:
    """Minutes ``slot`` sticks out of the nearest of ``intervals`` (0 inside); None if none."""
    best: float | None = None
    for a, b in intervals:
        out = max(timedelta(0), a - slot[0]) + max(timedelta(0), slot[1] - b)
        minutes = out.total_seconds() / 60
        best = minutes if best is None else min(best, minutes)
    return None if best is None else round(best)


def near_miss(
    weeks: Sequence[WorkingWeek],
    *,
    now: datetime,
    horizon_days: int = 7,
    minutes: int = SLOT_MINUTES,
) -> NearMiss | None:
    """The best slot when nothing is shared: the most members inside their hours, then the
    least time the worst-placed member is outside theirs, then the earliest. None when no
    member works at all in the horizon."""
    now = _aware(now)
    length = timedelta(minutes=minutes)
    until = now + timedelta(days=horizon_days)
    per_member = [
        working_intervals(w, now - timedelta(days=1), until + timedelta(days=2)) for w in weeks
    ]
    if not any(per_member):
        return None
    best: tuple[int, int, datetime] | None = None
    mark = _mark(now, after=now)
    while mark <= until:
        slot = (mark, mark + length)
        shorts = [_short(slot, intervals) for intervals in per_member]
        inside = sum(1 for s in shorts if s == 0)
        worst = max((s for s in shorts if s is not None), default=0)
        if any(s is None for s in shorts):
            worst = 7 * 24 * 60  # a member with no working day at all is as far as can be
        key = (-inside, worst, mark)
        if best is None or key < best:
            best = key
        mark += _STEP
    if best is None or best[0] == 0:
        return None
    return NearMiss(start=best[2], inside=-best[0], of=len(weeks), minutes_short=best[1])


def earliest_shared(ticks: Sequence[Collection[datetime]]) -> datetime | None:
    """The earliest slot every member ticked, or None (also when nobody has answered)."""
    if not ticks:
        return None
    common = {_aware(t) for t in ticks[0]}
    for member in ticks[1:]:
        common &= {_aware(t) for t in member}
    return min(common) if common else None


def next_working_morning(weeks: Sequence[WorkingWeek], *, after: datetime) -> datetime:
    """The first moment >= ``after`` inside everyone's working hours with at least 30 minutes
    of the shared window left: ``after`` itself when it already is, otherwise the start of the
    next shared window, which is ~09:00 of the latest-starting member. Falls back to a shorter
    window, then to ``after`` when nobody overlaps within 7 days."""
    after = _aware(after)
    shared: list[Interval] = []
    for a, b in shared_intervals(weeks, after, after + timedelta(days=7)):
        # One working day running into the next (a day "until 23:59" runs into 00:00).
        if shared and a - shared[-1][1] <= timedelta(minutes=1):
            shared[-1] = (shared[-1][0], b)
        else:
            shared.append((a, b))
    for a, b in shared:
        if b - max(a, after) >= _MIN_LEFT:
            return max(a, after)
    return max(shared[0][0], after) if shared else after


def working_day_after(week: WorkingWeek, moment: datetime) -> datetime:
    """The start of ``week``'s next working day after ``moment``'s local date (UTC-aware).
    A week with no working days falls back to every day."""
    tz = zone(week.tz)
    day = _aware(moment).astimezone(tz).date()
    days = week.days or frozenset(range(7))
    for step in range(1, 8):
        candidate = day + timedelta(days=step)
        if candidate.weekday() in days:
            return _utc(candidate, week.start, tz, start=True)
    raise AssertionError("unreachable: some day of any week is a working day")

"""When rounds happen: periods, slots and due times. Pure functions of their arguments.

A workspace runs rounds on a cadence (weekly, every two weeks, monthly) on a weekday at a local
time in an IANA time zone. A *slot* is one such moment; every slot belongs to exactly one
*period* whose key (``"2026-W50"`` — an ISO week — or ``"2026-12"`` for monthly rounds) is
unique per workspace, so a round for a period can be stored only once.

- weekly: every week on the weekday;
- biweekly: every other week, counted from the last round (before the first round every week
  is a slot, so the first round takes the first one);
- monthly: on the first such weekday of each month.

A slot is due only after the local date of the last round, so a round run by hand on a
Wednesday is not followed by another on the same week's Monday slot, and switching cadence
never runs two rounds in one period.

Local times are DST-correct: a time that does not exist on a spring-forward day moves forward
by the gap (02:30 becomes 03:30), an ambiguous autumn time uses its first occurrence.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.kinds import Cadence

#: A slot missed by at most this long (clock process down, deploy) still starts its round.
CATCH_UP = timedelta(days=2)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def parse_hhmm(value: str) -> time:
    """``"09:30"`` → ``time(9, 30)``; raises ``ValueError`` for anything else."""
    found = _HHMM.match(value.strip())
    if not found:
        raise ValueError(f"{value!r} is not a 24-hour HH:MM time")
    return time(int(found.group(1)), int(found.group(2)))


def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``; raises ``ValueError`` for unknown names."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def is_valid_zone(name: str) -> bool:
    try:
        zone(name)
    except ValueError:
        return False
    return True


ZONE_REGIONS = (
    "Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe",
    "Indian", "Pacific",
)  # fmt: skip
ZONE_GROUP_SIZE = 100  # Slack: at most 100 options in an option group


@functools.cache
def zone_groups() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """IANA zones to choose from, by region (``("Europe", ("Europe/Amsterdam", …))``): every
    ``Region/City`` zone the system knows, in groups of at most 100 (America is split in two),
    plus UTC. Legacy aliases (``US/Eastern``, ``GB``) are left out; they still validate."""
    by_region: dict[str, list[str]] = {}
    for name in available_timezones():
        region = name.split("/", 1)[0]
        if region in ZONE_REGIONS and "/" in name:
            by_region.setdefault(region, []).append(name)
    groups: list[tuple[str, tuple[str, ...]]] = []
    for region in ZONE_REGIONS:
        names = sorted(by_region.get(region, ()))
        chunks = [names[i : i + ZONE_GROUP_SIZE] for i in range(0, len(names), ZONE_GROUP_SIZE)]
        for chunk in chunks:
            label = region
            if len(chunks) > 1:
                first, last = (n.split("/", 1)[1][0] for n in (chunk[0], chunk[-1]))
                label = f"{region} ({first}\u2013{last})"
            groups.append((label, tuple(chunk)))
    groups.append(("Other", ("UTC",)))
    return tuple(groups)


def local_moment(day: date, at: time, tz: ZoneInfo) -> datetime:
    """``day`` at wall-clock ``at`` in ``tz``, as UTC.

    With ``fold=0`` zoneinfo reads a wall time inside a spring-forward gap with the offset
    before the change, which lands just after the gap (02:30 → 03:30): the round moves
    forward, never back. An ambiguous autumn time resolves to its first occurrence.
    """
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def interval_days(cadence: Cadence) -> int:
    return {Cadence.WEEKLY: 7, Cadence.BIWEEKLY: 14, Cadence.MONTHLY: 30}[cadence]


def period_key(cadence: Cadence, day: date) -> str:
    """The key of the period that contains local date ``day``."""
    if cadence is Cadence.MONTHLY:
        return f"{day:%Y-%m}"
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _candidate_days(
    cadence: Cadence, weekday: int, around: date, last_round_on: date | None
) -> list[date]:
    if cadence is Cadence.MONTHLY:
        days = []
        for shift in (-1, 0, 1):
            month_index = around.year * 12 + around.month - 1 + shift
            first = date(month_index // 12, month_index % 12 + 1, 1)
            days.append(first + timedelta(days=(weekday - first.weekday()) % 7))
        return days
    start = around - timedelta(days=21)
    start += timedelta(days=(weekday - start.weekday()) % 7)
    days = [start + timedelta(days=7 * i) for i in range(7)]
    if cadence is Cadence.BIWEEKLY and last_round_on is not None:
        # The slot day of the last round's week, then every other week from there.
        anchor = last_round_on - timedelta(days=(last_round_on.weekday() - weekday) % 7)
        days = [d for d in days if (d - anchor).days % 14 == 0]
    return days


@dataclass(frozen=True)
class Rhythm:
    """A workspace's round settings, validated."""

    cadence: Cadence
    weekday: int
    at: time
    tz: ZoneInfo
    last_round_on: date | None = None  # local date of the workspace's last round

    @classmethod
    def of(
        cls,
        cadence: Cadence | str,
        weekday: int,
        hhmm: str,
        tz: str,
        *,
        last_round_on: date | None = None,
    ) -> Rhythm:
        if not 0 <= weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), not {weekday}")
        return cls(Cadence(cadence), weekday, parse_hhmm(hhmm), zone(tz), last_round_on)

    def slots_around(self, now: datetime) -> list[datetime]:
        today = now.astimezone(self.tz).date()
        days = _candidate_days(self.cadence, self.weekday, today, self.last_round_on)
        last = self.last_round_on
        if last is not None:
            done = period_key(self.cadence, last)
            days = [d for d in days if d > last and period_key(self.cadence, d) != done]
        return sorted(local_moment(d, self.at, self.tz) for d in days)

    def next_slot(self, now: datetime) -> datetime:
        around = now
        for _ in range(24):
            later = [s for s in self.slots_around(around) if s > now]
            if later:
                return min(later)
            around += timedelta(days=21)
        raise AssertionError("no round slot found")  # pragma: no cover - cadences always recur

    def last_slot(self, now: datetime) -> datetime | None:
        """The latest slot at or before ``now`` (``None`` if none since the last round)."""
        earlier = [s for s in self.slots_around(now) if s <= now]
        return max(earlier) if earlier else None

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()

    def period_of(self, moment: datetime) -> str:
        return period_key(self.cadence, self.local_date(moment))

    def later(self, moment: datetime, days: int) -> datetime:
        """The same local wall time ``days`` local days after ``moment`` (DST-correct)."""
        local = moment.astimezone(self.tz)
        return local_moment(local.date() + timedelta(days=days), local.time(), self.tz)


def next_round_at(
    cadence: Cadence | str,
    weekday: int,
    hhmm: str,
    tz: str,
    now: datetime,
    *,
    last_round_on: date | None = None,
) -> datetime:
    """The first round moment strictly after ``now``, in UTC (DST-correct).

    ``last_round_on`` (local date of the workspace's last round) anchors the every-other-week
    rhythm and skips the period that round already covered.
    """
    rhythm = Rhythm.of(cadence, weekday, hhmm, tz, last_round_on=last_round_on)
    return rhythm.next_slot(_aware(now))


@dataclass(frozen=True)
class Due:
    """A scheduled round that should start now."""

    slot: datetime
    period: str
    round_date: date


def due_slot(rhythm: Rhythm, now: datetime, *, not_before: datetime | None = None) -> Due | None:
    """The slot to run at ``now``, if the latest one passed less than :data:`CATCH_UP` ago.

    ``not_before`` (the workspace's creation) keeps a new install from starting a round for a
    slot that passed before it existed.
    """
    now = _aware(now)
    slot = rhythm.last_slot(now)
    if slot is None or now - slot >= CATCH_UP:
        return None
    if not_before is not None and slot < not_before:
        return None
    return Due(slot=slot, period=rhythm.period_of(slot), round_date=rhythm.local_date(slot))


@dataclass(frozen=True)
class RoundTimes:
    checkins_due_at: datetime
    reminders_due_at: datetime | None
    closes_at: datetime


def round_times(rhythm: Rhythm, start: datetime, checkin_delay_days: int) -> RoundTimes:
    """When a round that started at ``start`` checks in, reminds, and closes.

    The check-in comes ``checkin_delay_days`` local days later at the round's local time. The
    one reminder comes on the last weekday before the next round (never on a weekend), if that
    is at least a day after the check-in; the round closes at the next round's slot (or a day
    after the check-in, whichever is later).
    """
    start = _aware(start)
    checkins = rhythm.later(start, checkin_delay_days)
    next_start = replace(rhythm, last_round_on=rhythm.local_date(start)).next_slot(start)
    closes = max(next_start, checkins + timedelta(days=1))
    reminder_day = (next_start.astimezone(rhythm.tz) - timedelta(days=1)).date()
    while reminder_day.weekday() >= 5:
        reminder_day -= timedelta(days=1)
    reminder: datetime | None = local_moment(reminder_day, rhythm.at, rhythm.tz)
    if reminder is not None and not checkins + timedelta(days=1) <= reminder < closes:
        reminder = None
    return RoundTimes(checkins_due_at=checkins, reminders_due_at=reminder, closes_at=closes)


def describe(rhythm: Rhythm) -> str:
    """``"every Monday at 09:00 (Europe/London)"``."""
    day = WEEKDAYS[rhythm.weekday]
    when = {
        Cadence.WEEKLY: f"every {day}",
        Cadence.BIWEEKLY: f"every other {day}",
        Cadence.MONTHLY: f"the first {day} of each month",
    }[rhythm.cadence]
    return f"{when} at {rhythm.at:%H:%M} ({rhythm.tz.key})"


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime given; pass a timezone-aware moment")
    return moment.astimezone(UTC)

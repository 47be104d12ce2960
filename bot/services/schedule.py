"""When the next round starts: a pure function of the workspace's rhythm and the current time.

A round starts at ``round_time`` (local wall-clock time in the workspace's ``timezone``) on
``round_weekday`` (0 = Monday):

* weekly: every week;
* biweekly: every other week, counted from the last round (the first round takes the first
  slot available);
* monthly: the first ``round_weekday`` of each month.

Times are computed in local wall-clock time and converted to UTC with ``zoneinfo``, so a round
at 09:00 stays at 09:00 local across daylight-saving changes. A local time that does not exist
(the spring-forward gap) moves forward by the size of the gap; an ambiguous one (fall-back)
takes its first occurrence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.store.models import Cadence

DEFAULT_TIME = time(9, 0)


class WorkspaceRhythm(Protocol):
    """What :meth:`RoundSchedule.of` reads (a ``Workspace`` row fits)."""

    @property
    def cadence(self) -> Cadence: ...
    @property
    def round_weekday(self) -> int: ...
    @property
    def round_time(self) -> str: ...
    @property
    def timezone(self) -> str: ...


def zone(name: str | None) -> ZoneInfo:
    """``ZoneInfo(name)``, or UTC when the name is empty or unknown."""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return ZoneInfo("UTC")


def parse_hhmm(value: str | None) -> time:
    """``"09:30"`` -> ``time(9, 30)``; anything unreadable gives 09:00."""
    try:
        hours, minutes = (value or "").split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        return DEFAULT_TIME


@dataclass(frozen=True)
class RoundSchedule:
    cadence: Cadence
    weekday: int  # 0 = Monday … 6 = Sunday
    at: time  # local wall-clock time
    tz: ZoneInfo

    @classmethod
    def of(cls, workspace: WorkspaceRhythm) -> RoundSchedule:
        weekday = workspace.round_weekday if 0 <= workspace.round_weekday <= 6 else 0
        return cls(
            cadence=Cadence(workspace.cadence),
            weekday=weekday,
            at=parse_hhmm(workspace.round_time),
            tz=zone(workspace.timezone),
        )


def local_moment(day: date, at: time, tz: ZoneInfo) -> datetime:
    """``day`` at ``at`` in ``tz``, as an aware UTC datetime (DST gaps move forward)."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def _on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _first_weekday_of_month(year: int, month: int, weekday: int) -> date:
    return _on_or_after(date(year, month, 1), weekday)


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def next_round_at(
    schedule: RoundSchedule, now: datetime, *, last_round_on: date | None = None
) -> datetime:
    """The first round start strictly after ``now`` (aware, UTC).

    ``last_round_on`` is the local date of the last round that ran, if any: biweekly rounds
    keep a two-week rhythm from it and monthly rounds do not run twice in one month.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    today = now.astimezone(schedule.tz).date()
    # Start one day early: "today" in the workspace's zone may already be tomorrow for UTC.
    start = today - timedelta(days=1)

    if schedule.cadence == Cadence.MONTHLY:
        year, month = start.year, start.month
        if last_round_on is not None and (last_round_on.year, last_round_on.month) >= (
            year,
            month,
        ):
            year, month = _next_month(last_round_on.year, last_round_on.month)
        while True:
            day = _first_weekday_of_month(year, month, schedule.weekday)
            moment = local_moment(day, schedule.at, schedule.tz)
            if moment > now:
                return moment
            year, month = _next_month(year, month)

    step = 7
    day = _on_or_after(start, schedule.weekday)
    if schedule.cadence == Cadence.BIWEEKLY and last_round_on is not None:
        step = 14
        # The slot of the last round's week, then every other week from there.
        anchor = last_round_on - timedelta(days=(last_round_on.weekday() - schedule.weekday) % 7)
        day = anchor + timedelta(days=14)
        if day < start:
            behind = (start - day).days
            day += timedelta(days=-(-behind // 14) * 14)
    while True:
        moment = local_moment(day, schedule.at, schedule.tz)
        if moment > now:
            return moment
        day += timedelta(days=step)

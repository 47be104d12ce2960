"""A member's working week: stored as a day bitmask and minutes, used as a ``WorkingWeek``.

``Member.work_days`` holds bit ``d`` for weekday ``d`` (Monday=0 .. Sunday=6; 31 is Monday
to Friday); ``work_start`` and ``work_end`` are minutes after local midnight in the member's
Slack time zone (``Member.tz``). Pure: no SQL, no Slack.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import time
from typing import Protocol

from bot.matching.model import WorkHours
from bot.meetings.slots import WorkingWeek

DEFAULT_DAYS = 0b0011111  # Monday to Friday
DEFAULT_START = 9 * 60
DEFAULT_END = 17 * 60
DAY_SHORT = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DAY_LONG = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class HoursRecord(Protocol):
    """What the working week needs of a member: an ORM ``Member`` or a read-model row."""

    @property
    def tz(self) -> str | None: ...
    @property
    def work_days(self) -> int: ...
    @property
    def work_start(self) -> int: ...
    @property
    def work_end(self) -> int: ...


def days_of(mask: int) -> frozenset[int]:
    return frozenset(d for d in range(7) if mask >> d & 1)


def mask_of(days: Iterable[int]) -> int:
    return sum(1 << d for d in set(days) if 0 <= d <= 6)


def _valid(days: int, start: int, end: int) -> bool:
    return 1 <= days <= 127 and 0 <= start < end <= 24 * 60


def _clock(minutes: int) -> time:
    return time(23, 59) if minutes >= 24 * 60 else time(minutes // 60, minutes % 60)


def _parts(member: HoursRecord) -> tuple[int, int, int]:
    days, start, end = member.work_days, member.work_start, member.work_end
    if not _valid(days, start, end):  # the database refuses these; never trust a row blindly
        return DEFAULT_DAYS, DEFAULT_START, DEFAULT_END
    return days, start, end


def working_week(member: HoursRecord, *, default_tz: str | None = None) -> WorkingWeek:
    """The member's working week for ``bot.meetings.slots``; ``default_tz`` (the workspace's
    time zone) stands in when Slack has not told us the member's."""
    days, start, end = _parts(member)
    return WorkingWeek(
        tz=member.tz or default_tz, days=days_of(days), start=_clock(start), end=_clock(end)
    )


def work_hours(member: HoursRecord) -> WorkHours:
    """The member's working week for the matching engine (``MemberInput.hours``)."""
    days, start, end = _parts(member)
    return WorkHours(days=days_of(days), start=start, end=end)


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_hhmm(text: str | None) -> int | None:
    """``"09:30"`` -> 570; None for anything else (Slack's time picker sends ``HH:mm``)."""
    if not text or len(text) != 5 or text[2] != ":":
        return None
    hours, minutes = text[:2], text[3:]
    if not (hours.isdigit() and minutes.isdigit()):
        return None
    h, m = int(hours), int(minutes)
    return h * 60 + m if h < 24 and m < 60 else None


def describe(days: int, start: int, end: int) -> str:
    """``Mon-Fri 09:00-17:00``; ``Mon, Wed, Thu 08:00-12:30``; ``Every day 10:00-18:00``."""
    picked = sorted(days_of(days))
    if len(picked) == 7:
        span = "Every day"
    elif len(picked) >= 3 and picked == list(range(picked[0], picked[-1] + 1)):
        span = f"{DAY_SHORT[picked[0]]}-{DAY_SHORT[picked[-1]]}"
    else:
        span = ", ".join(DAY_SHORT[d] for d in picked)
    return f"{span} {hhmm(start)}-{hhmm(end)}"


def hours_text(member: HoursRecord) -> str:
    """The member's working week in words, for the profile."""
    return describe(*_parts(member))

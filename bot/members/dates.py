"""Dates and lengths as members type them (``pause 2 weeks``, ``until 15 Jan``). Pure."""

from __future__ import annotations

import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from bot.errors import UserInputError
from bot.members.names import clean_label, unescape_slack
from bot.rounds import schedule as rounds_schedule
from bot.slack.text import COMMAND

MAX_PAUSE_DAYS = 366


def zone(name: str | None) -> ZoneInfo:
    """The IANA zone ``name``, or UTC when it is empty or unknown."""
    if name:
        try:
            return rounds_schedule.zone(name)
        except ValueError:
            pass
    return ZoneInfo("UTC")


_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}


_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip


_SPAN = re.compile(r"^(?P<n>\d{1,4}|[a-z]+)\s*(?P<unit>w|wk|wks|weeks?|d|days?|months?)$")


_ISO = re.compile(r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})$")


_DAY_MONTH = re.compile(r"^(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?P<mon>[a-z]+)(?:\s+(?P<y>\d{4}))?$")


_MONTH_DAY = re.compile(r"^(?P<mon>[a-z]+)\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?(?:\s+(?P<y>\d{4}))?$")


PAUSE_EXAMPLES = (
    f"`{COMMAND} pause 2 weeks`, `{COMMAND} pause until 2027-01-15` "
    f"or just `{COMMAND} pause` (until you resume)"
)


def _date_or_none(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_date(text: str, today: date) -> date | None:
    """``2027-01-15``, ``15 Jan``, ``January 15 2027``; a date without a year is the next one."""
    cleaned = " ".join(text.lower().replace(",", " ").split())
    if found := _ISO.match(cleaned):
        return _date_or_none(int(found["y"]), int(found["m"]), int(found["d"]))
    found = _DAY_MONTH.match(cleaned) or _MONTH_DAY.match(cleaned)
    if not found or found["mon"] not in _MONTHS:
        return None
    month, day = _MONTHS[found["mon"]], int(found["d"])
    if found["y"]:
        return _date_or_none(int(found["y"]), month, day)
    candidate = _date_or_none(today.year, month, day)
    if candidate is None or candidate <= today:
        candidate = _date_or_none(today.year + 1, month, day)
    return candidate


def parse_pause(text: str, today: date) -> date | None:
    """The first day back for ``pause <args>``; None means "until I resume".

    Raises :class:`UserInputError` for unreadable input, past dates and pauses over a year.
    """
    cleaned = " ".join(unescape_slack(text).lower().split())
    for prefix in ("until ", "till ", "til ", "for "):
        if cleaned.startswith(prefix):
            cleaned = cleaned[len(prefix) :].strip()
            break
    if cleaned in ("", "indefinitely", "i resume", "until i resume", "forever"):
        return None
    back: date | None
    if found := _SPAN.match(cleaned):
        raw_n, unit = found["n"], found["unit"]
        n = int(raw_n) if raw_n.isdigit() else _NUMBER_WORDS.get(raw_n, 0)
        if n < 1:
            raise UserInputError(f"Pause for at least one day or week. Try {PAUSE_EXAMPLES}.")
        days = n * (7 if unit.startswith("w") else 30 if unit.startswith("m") else 1)
        if days > MAX_PAUSE_DAYS:
            raise UserInputError(
                "Pauses go up to a year. For longer, pause until you resume "
                f"(`{COMMAND} pause`) or leave with `{COMMAND} leave`."
            )
        return today + timedelta(days=days)
    back = parse_date(cleaned, today)
    if back is None:
        shown = clean_label(text)[:40]
        raise UserInputError(
            f"I couldn't read “{shown}” as a date or a length. Try {PAUSE_EXAMPLES}."
        )
    check_pause_date(back, today)
    return back


def check_pause_date(back: date, today: date) -> None:
    if back <= today:
        raise UserInputError(
            f"{back:%-d %B %Y} is not in the future. Pick a later date, "
            f"for example `{COMMAND} pause until {today + timedelta(days=14):%Y-%m-%d}`."
        )
    if (back - today).days > MAX_PAUSE_DAYS:
        raise UserInputError(
            "Pauses go up to a year. For longer, pause until you resume "
            f"(`{COMMAND} pause`) or leave with `{COMMAND} leave`."
        )


def validate_pause_date(raw: str | None, today: date) -> date | None:
    if not raw:
        return None
    try:
        back = date.fromisoformat(raw)
    except ValueError as exc:
        raise UserInputError("Pick a date from the calendar.") from exc
    if back <= today:
        raise UserInputError("Pick a date after today, or clear it to take part in the next round.")
    if (back - today).days > MAX_PAUSE_DAYS:
        raise UserInputError("Pauses go up to a year; pick an earlier date.")
    return back

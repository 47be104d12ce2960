"""The calendar invite (RFC 5545 ``.ics``) for a booked slot, built with ``icalendar``.

Times are written in UTC (``DTSTART:20271209T100000Z``) so every calendar shows them in its
own zone. Slack does not always tell us an email, and an ATTENDEE must be a calendar address
(a ``mailto:`` URI), so only members with a known email are ATTENDEEs; everyone's name is in
the DESCRIPTION. The first attendee with an email is the ORGANIZER (RFC 5546 asks a REQUEST
for one), so calendars treat the invite as a meeting between the two, not as a broadcast.
Reschedules send the same UID with a higher SEQUENCE; a cancelled booking sends METHOD:CANCEL.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from icalendar import Alarm, Calendar, Event, vCalAddress

PRODID = "-//SkillSwap//Meetings//EN"
ALARM_MINUTES = 10
_UNSAFE = re.compile(r'[\x00-\x1f\x7f"]')  # controls and quotes cannot be in a parameter


def invite_uid(team_id: str, group_id: int) -> str:
    """A UID that is the same for every invite and update of one group's meeting."""
    team = re.sub(r"[^A-Za-z0-9]", "", team_id) or "team"
    return f"skillswap-{team}-{group_id}@skillswap.app"


def _clean(text: str) -> str:
    return " ".join(_UNSAFE.sub(" ", text).split())


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("invite times must be timezone-aware")
    return moment.astimezone(UTC)


def _address(name: str, email: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email.strip()}")
    address.params["cn"] = _clean(name) or email.strip()
    return address


def _emails(attendees: Sequence[tuple[str, str | None]]) -> list[tuple[str, str]]:
    return [(name, email) for name, email in attendees if email and "@" in email]


def _calendar(method: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    return calendar


def _event(
    *,
    uid: str,
    sequence: int,
    start: datetime,
    minutes: int,
    summary: str,
    description: str,
    attendees: Sequence[tuple[str, str | None]],
    now: datetime,
    status: str,
) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", _utc(now))
    event.add("dtstart", _utc(start))
    event.add("dtend", _utc(start) + timedelta(minutes=minutes))
    event.add("summary", _clean(summary))
    names = ", ".join(_clean(name) for name, _ in attendees if _clean(name))
    event.add("description", f"{description}\n\nWith: {names}" if names else description)
    event.add("status", status)
    with_email = _emails(attendees)
    if with_email:
        event.add("organizer", _address(*with_email[0]))
    for name, email in with_email:
        attendee = _address(name, email)
        attendee.params["role"] = "REQ-PARTICIPANT"
        attendee.params["partstat"] = "NEEDS-ACTION"
        event.add("attendee", attendee)
    return event


def build_invite(
    *,
    uid: str,
    sequence: int,
    start: datetime,
    minutes: int,
    summary: str,
    description: str,
    url: str | None,
    attendees: Sequence[tuple[str, str | None]],
    now: datetime,
) -> bytes:
    """METHOD:REQUEST with the event and a display alarm 10 minutes before it."""
    event = _event(
        uid=uid,
        sequence=sequence,
        start=start,
        minutes=minutes,
        summary=summary,
        description=f"{description}\n\n{url}" if url else description,
        attendees=attendees,
        now=now,
        status="CONFIRMED",
    )
    if url:
        event.add("url", url)
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", _clean(summary))
    alarm.add("trigger", timedelta(minutes=-ALARM_MINUTES))
    event.add_component(alarm)
    calendar = _calendar("REQUEST")
    calendar.add_component(event)
    ics: bytes = calendar.to_ical()
    return ics


def build_cancel(
    *,
    uid: str,
    sequence: int,
    start: datetime,
    minutes: int,
    summary: str,
    attendees: Sequence[tuple[str, str | None]],
    now: datetime,
) -> bytes:
    """METHOD:CANCEL for the event ``uid`` (send a SEQUENCE above the last invite's)."""
    event = _event(
        uid=uid,
        sequence=sequence,
        start=start,
        minutes=minutes,
        summary=summary,
        description="Cancelled.",
        attendees=attendees,
        now=now,
        status="CANCELLED",
    )
    calendar = _calendar("CANCEL")
    calendar.add_component(event)
    ics: bytes = calendar.to_ical()
    return ics

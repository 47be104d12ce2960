from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event

from bot.meetings.invite import build_cancel, build_invite, invite_uid

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
# Tuesday 8 December 2026, 10:00 in Madrid = 09:00 UTC
START = datetime(2026, 12, 8, 10, 0, tzinfo=ZoneInfo("Europe/Madrid"))
PEOPLE = [("Ana Gómez", "ana@example.com"), ("Ben O'Neil", "ben@example.com")]


def invite(**overrides: object) -> bytes:
    args: dict[str, object] = {
        "uid": invite_uid("T0001", 42),
        "sequence": 0,
        "start": START,
        "minutes": 30,
        "summary": "SkillSwap: Ana and Ben",
        "description": "Ana shows Go; Ben shows SQL.",
        "url": "https://acme.slack.com/archives/G123",
        "attendees": PEOPLE,
        "now": NOW,
    }
    args.update(overrides)
    return build_invite(**args)  # type: ignore[arg-type]


def parse(ics: bytes) -> tuple[Calendar, Event]:
    calendar = Calendar.from_ical(ics)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    return calendar, events[0]


def test_invite_parses_back_with_utc_times_attendees_uid_and_alarm() -> None:
    calendar, event = parse(invite())
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(calendar["VERSION"]) == "2.0"
    assert event.decoded("DTSTART") == datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2026, 12, 8, 9, 30, tzinfo=UTC)
    assert event.decoded("DTSTART").utcoffset() == timedelta(0)
    assert b"DTSTART:20261208T090000Z" in invite()
    assert str(event["UID"]) == "skillswap-T0001-42@skillswap.app"
    assert int(event["SEQUENCE"]) == 0
    attendees = event["ATTENDEE"]
    assert [str(a) for a in attendees] == ["mailto:ana@example.com", "mailto:ben@example.com"]
    assert [a.params["CN"] for a in attendees] == ["Ana Gómez", "Ben O'Neil"]
    assert str(event["ORGANIZER"]) == "mailto:ana@example.com"
    assert str(event["URL"]) == "https://acme.slack.com/archives/G123"
    assert "https://acme.slack.com/archives/G123" in str(event["DESCRIPTION"])
    assert "Ana Gómez, Ben O'Neil" in str(event["DESCRIPTION"])
    alarms = list(event.walk("VALARM"))
    assert len(alarms) == 1
    assert alarms[0].decoded("TRIGGER") == timedelta(minutes=-10)
    assert str(alarms[0]["ACTION"]) == "DISPLAY"


def test_the_uid_is_stable_and_a_reschedule_raises_the_sequence() -> None:
    assert invite_uid("T0001", 42) == invite_uid("T0001", 42)
    assert invite_uid("T0001", 42) != invite_uid("T0001", 43)
    assert invite_uid("T0001", 42) != invite_uid("T0002", 42)
    later = START + timedelta(days=1)
    _, first = parse(invite())
    _, moved = parse(invite(sequence=1, start=later))
    assert str(first["UID"]) == str(moved["UID"])
    assert int(moved["SEQUENCE"]) == 1
    assert moved.decoded("DTSTART") == later.astimezone(UTC)


def test_members_without_an_email_are_named_but_not_attendees() -> None:
    _, event = parse(invite(attendees=[("Ana", None), ("Ben", "ben@example.com"), ("Cy", "")]))
    attendees = event["ATTENDEE"]
    attendees = attendees if isinstance(attendees, list) else [attendees]
    assert [str(a) for a in attendees] == ["mailto:ben@example.com"]
    assert "With: Ana, Ben, Cy" in str(event["DESCRIPTION"])
    _, nobody = parse(invite(attendees=[("Ana", None), ("Ben", None)]))
    assert "ATTENDEE" not in nobody and "ORGANIZER" not in nobody
    assert "With: Ana, Ben" in str(nobody["DESCRIPTION"])


def test_hostile_names_and_text_cannot_break_the_file() -> None:
    names = [('Ana "x"; ROLE=CHAIR\r\nATTENDEE:mailto:evil@x', "ana@example.com"), ("Ben", None)]
    ics = invite(
        attendees=names,
        summary="Hi\r\nBEGIN:VEVENT",
        description="line one\nEND:VCALENDAR",
    )
    _, event = parse(ics)
    attendees = event["ATTENDEE"]
    attendees = attendees if isinstance(attendees, list) else [attendees]
    assert [str(a) for a in attendees] == ["mailto:ana@example.com"]
    assert "\n" not in attendees[0].params["CN"]
    assert str(event["SUMMARY"]) == "Hi BEGIN:VEVENT"  # a title is one line
    assert "line one\nEND:VCALENDAR" in str(event["DESCRIPTION"])  # escaped, kept
    assert ics.endswith(b"\r\nEND:VCALENDAR\r\n")
    assert ics.count(b"\nBEGIN:VEVENT\r\n") == 1  # one event: text never starts a line


def test_cancel_has_the_same_uid_a_higher_sequence_and_method_cancel() -> None:
    ics = build_cancel(
        uid=invite_uid("T0001", 42),
        sequence=2,
        start=START,
        minutes=30,
        summary="SkillSwap: Ana and Ben",
        attendees=PEOPLE,
        now=NOW,
    )
    calendar, event = parse(ics)
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == "skillswap-T0001-42@skillswap.app"
    assert int(event["SEQUENCE"]) == 2
    assert event.decoded("DTSTART") == datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
    assert not list(event.walk("VALARM"))


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError):
        invite(start=datetime(2026, 12, 8, 10, 0))

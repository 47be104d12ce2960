"""Issue 19: "Pick a time" on the introduction — a poll of 30-minute slots in each member's own
time, a booking when everyone ticked the same one, a calendar invite and a reminder, and
Reschedule / Skip / leave keeping calendars and reminders right. Signed requests to the real
app, Slack simulated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import icalendar
from sqlalchemy import select

from bot.blocks.meetings import SLOTS_ACTION, SLOTS_BLOCK, MeetingAction, MeetingCallback
from bot.blocks.rounds import IntroAction
from bot.insights.load import load_insights
from bot.kinds import GroupState
from bot.scheduler import tick
from bot.store.models import Group, MeetingAnswer, MeetingPoll, Member
from tests.rounds.rounds_kit import ANA, BEN, Team, pair_world
from tests.support import Harness, buttons, rows_referencing_member, shown_text

MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def at(team: Team, moment: datetime) -> None:
    team.clock.set(moment)
    tick(team.deps)


def intro_of(harness: Harness) -> dict[str, Any]:
    return harness.dm(ANA, BEN)[0]


def open_poll(harness: Harness, user: str, message: dict[str, Any]) -> dict[str, Any]:
    """Click a button that opens the poll; the modal Slack shows ``user``."""
    before = len(harness.sim.calls_to("views.open"))
    harness.click(user, MeetingAction.PICK, message=message)
    call = harness.sim.wait_for("views.open", count=before + 1)[-1]
    view: dict[str, Any] = call.params["view"]
    return view


def options(view: dict[str, Any]) -> list[dict[str, Any]]:
    block = next(b for b in view["blocks"] if b.get("block_id") == SLOTS_BLOCK)
    found: list[dict[str, Any]] = block["element"]["options"]
    return found


def ticked(view: dict[str, Any]) -> list[str]:
    block = next(b for b in view["blocks"] if b.get("block_id") == SLOTS_BLOCK)
    return [o["value"] for o in block["element"].get("initial_options") or []]


def slot(value: str) -> datetime:
    return datetime.fromtimestamp(int(value), UTC)


def tick_slots(
    harness: Harness, user: str, view: dict[str, Any], values: list[str]
) -> dict[str, Any]:
    answer = harness.submit(
        user,
        MeetingCallback.POLL,
        {
            SLOTS_BLOCK: {
                SLOTS_ACTION: {
                    "type": "checkboxes",
                    "selected_options": [{"value": v} for v in values],
                }
            }
        },
        private_metadata=view["private_metadata"],
    )
    harness.drain()
    return answer


def invites(harness: Harness) -> list[icalendar.Calendar]:
    return [
        icalendar.Calendar.from_ical(f.content)
        for f in harness.sim.uploaded_files()
        if f.filename.endswith(".ics")
    ]


def event_of(calendar: icalendar.Calendar) -> Any:
    [event] = [c for c in calendar.walk("VEVENT")]
    return event


def poll_row(team: Team) -> MeetingPoll:
    with team.deps.unit_of_work() as session:
        return session.scalars(select(MeetingPoll)).one()


def group_row(team: Team) -> Group:
    with team.deps.unit_of_work() as session:
        return session.scalars(select(Group)).one()


def test_everyone_ticks_a_common_slot_and_it_is_booked_with_invite_and_reminder(
    harness: Harness, team: Team
) -> None:
    pair_world(team)  # Ana in Madrid, Ben in London
    # Slack shares their emails (users:read.email), so the invite lists both as attendees
    team.sim.add_user(team.team_id, ANA, name="ana", tz="Europe/Madrid", email="ana@example.com")
    team.sim.add_user(team.team_id, BEN, name="ben", tz="Europe/London", email="ben@example.com")
    at(team, MONDAY)
    intro = intro_of(harness)
    assert "Pick a time" in shown_text(intro)

    ana_view = open_poll(harness, ANA, intro)
    offered = [o["value"] for o in options(ana_view)]
    assert len(offered) == 5
    starts = [slot(v) for v in offered]
    assert all(s > MONDAY for s in starts) and starts == sorted(starts)
    assert len({s.date() for s in starts}) == 5  # spread over different days
    for option, start in zip(options(ana_view), starts, strict=True):
        madrid = start + timedelta(hours=1)  # CET in December
        assert f"{madrid:%H:%M}" in option["text"]["text"]  # Ana sees her own time
        assert 9 <= madrid.hour < 17 and 9 <= start.hour < 17  # inside both working days
    assert "(Madrid)" in shown_text(ana_view)

    assert tick_slots(harness, ANA, ana_view, [offered[1], offered[3]]) == {}
    # Ben is told Ana answered; nothing is booked yet
    assert "picked the times that work for them" in shown_text(harness.dm(ANA, BEN)[-1])
    assert poll_row(team).booked_at is None

    ben_view = open_poll(harness, BEN, intro)
    assert [o["value"] for o in options(ben_view)] == offered  # the same slots for everyone
    assert f"{starts[1]:%H:%M}" in options(ben_view)[1]["text"]["text"]  # in London time
    ana_again = open_poll(harness, ANA, intro)
    assert ticked(ana_again) == [offered[1], offered[3]]  # what she ticked before

    assert tick_slots(harness, BEN, ben_view, [offered[3], offered[1], offered[4]]) == {}
    booked = starts[1]  # the earliest both ticked
    poll = poll_row(team)
    assert poll.booked_at == booked and poll.sequence == 0
    assert group_row(team).state is GroupState.SCHEDULED

    message = harness.dm(ANA, BEN)[-2]  # the booking, then the invite file
    madrid = booked + timedelta(hours=1)
    assert shown_text(message).startswith(
        f":calendar: Booked: {madrid:%A} {madrid.day} {madrid:%B} — "
        f"Ana Alvarez {madrid:%H:%M}, Ben Brown {booked:%H:%M}"
    )
    assert [e["action_id"] for e in message["blocks"][1]["elements"]] == [MeetingAction.RESCHEDULE]
    [calendar] = invites(harness)
    event = event_of(calendar)
    assert calendar["METHOD"] == "REQUEST"
    assert event.decoded("DTSTART") == booked
    assert event.decoded("DTEND") == booked + timedelta(minutes=30)
    assert event["SEQUENCE"] == 0
    attendees = event.get("ATTENDEE")
    assert sorted(str(a) for a in attendees) == ["mailto:ana@example.com", "mailto:ben@example.com"]
    assert "Ana Alvarez" in str(event["DESCRIPTION"]) and "Ben Brown" in str(event["DESCRIPTION"])
    [alarm] = event.walk("VALARM")
    assert alarm.decoded("TRIGGER") == -timedelta(minutes=10)
    assert harness.sim.dm_channel_id(team.team_id, ANA, BEN) in str(event["DESCRIPTION"])
    uid = str(event["UID"])
    assert str(group_row(team).id) in uid
    [uploaded] = harness.sim.uploaded_files()
    assert uploaded.channels == (harness.sim.dm_channel_id(team.team_id, ANA, BEN),)

    [reminder] = harness.sim.scheduled_messages()
    assert reminder["post_at"] == int((booked - timedelta(minutes=10)).timestamp())
    assert "starts in 10 minutes" in reminder["text"]
    assert poll_row(team).reminder_id == reminder["scheduled_message_id"]
    with team.deps.unit_of_work() as session:  # the numbers see the booking
        numbers = load_insights(session=session, team_id=team.team_id, now=team.clock.now())
    assert (numbers.booked, numbers.booked_share) == (1, 1.0)
    assert numbers.median_days_to_slot == (booked - group_row(team).created_at) / timedelta(days=1)


def test_no_common_slot_offers_five_more_and_reschedule_updates_the_invite(
    harness: Harness, team: Team
) -> None:
    pair_world(team)
    at(team, MONDAY)
    intro = intro_of(harness)
    first = [o["value"] for o in options(open_poll(harness, ANA, intro))]
    tick_slots(harness, ANA, open_poll(harness, ANA, intro), [first[0]])
    answer = tick_slots(harness, BEN, open_poll(harness, BEN, intro), [first[2]])
    # no slot in common: the form says so and offers 5 others
    assert answer["response_action"] == "update"
    more = answer["view"]
    assert "No time works for everyone yet" in shown_text(more)
    second = [o["value"] for o in options(more)]
    assert len(second) == 5 and not set(second) & set(first)
    assert poll_row(team).booked_at is None

    tick_slots(harness, BEN, more, [second[0], second[2]])
    tick_slots(harness, ANA, open_poll(harness, ANA, intro), [second[2]])
    assert poll_row(team).booked_at == slot(second[2])
    [reminder] = harness.sim.scheduled_messages()

    # Reschedule re-opens the poll, drops the reminder, then a new booking sends an update
    booking = harness.dm(ANA, BEN)[-2]
    before = len(harness.sim.calls_to("views.open"))
    harness.click(ANA, MeetingAction.RESCHEDULE, message=booking)
    reopened = harness.sim.wait_for("views.open", count=before + 1)[-1].params["view"]
    harness.drain()
    third = [o["value"] for o in options(reopened)]
    assert second[2] not in third and len(third) == 5
    assert harness.sim.scheduled_messages() == []
    assert poll_row(team).booked_at is None
    assert "would like another time" in harness.dm(ANA, BEN)[-1]["text"]

    tick_slots(harness, ANA, reopened, [third[4]])
    tick_slots(harness, BEN, open_poll(harness, BEN, intro), [third[4]])
    first_invite, update = (event_of(c) for c in invites(harness))
    assert str(update["UID"]) == str(first_invite["UID"])
    assert (first_invite["SEQUENCE"], update["SEQUENCE"]) == (0, 1)
    assert update.decoded("DTSTART") == slot(third[4])
    [new_reminder] = harness.sim.scheduled_messages()
    assert new_reminder["scheduled_message_id"] != reminder["scheduled_message_id"]
    assert new_reminder["post_at"] == int((slot(third[4]) - timedelta(minutes=10)).timestamp())


def test_skip_and_leave_cancel_the_reminder_and_the_invite(harness: Harness, team: Team) -> None:
    pair_world(team)
    at(team, MONDAY)
    intro = intro_of(harness)
    offered = [o["value"] for o in options(open_poll(harness, ANA, intro))]
    tick_slots(harness, ANA, open_poll(harness, ANA, intro), [offered[0]])
    tick_slots(harness, BEN, open_poll(harness, BEN, intro), [offered[0]])
    assert len(harness.sim.scheduled_messages()) == 1

    harness.click(BEN, IntroAction.SKIP, message=intro)
    harness.drain()
    assert harness.sim.scheduled_messages() == []
    request, cancel = invites(harness)
    assert cancel["METHOD"] == "CANCEL"
    assert str(event_of(cancel)["UID"]) == str(event_of(request)["UID"])
    assert event_of(cancel)["SEQUENCE"] == 1
    poll = poll_row(team)
    assert (poll.booked_at, poll.reminder_id, poll.invite_start) == (None, None, None)


def test_leaving_cancels_the_booking_and_takes_the_answers(harness: Harness, team: Team) -> None:
    pair_world(team)
    at(team, MONDAY)
    intro = intro_of(harness)
    offered = [o["value"] for o in options(open_poll(harness, ANA, intro))]
    tick_slots(harness, ANA, open_poll(harness, ANA, intro), [offered[0]])
    tick_slots(harness, BEN, open_poll(harness, BEN, intro), [offered[0]])
    with team.deps.unit_of_work() as session:
        assert len(session.scalars(select(MeetingAnswer)).all()) == 2

    with team.deps.unit_of_work() as session:
        ana_id = session.scalars(select(Member.id).where(Member.slack_user_id == ANA)).one()
    confirm = harness.command(ANA, "leave")
    harness.click(ANA, buttons(confirm)["member_leave_confirm"]).reply()
    harness.drain()
    assert harness.sim.scheduled_messages() == []
    assert [c["METHOD"] for c in invites(harness)] == ["REQUEST", "CANCEL"]
    with team.deps.unit_of_work() as session:
        assert len(session.scalars(select(MeetingAnswer)).all()) == 1  # only Ben's is left
    assert rows_referencing_member(team.deps.engine, ana_id) == {}


def checkins(harness: Harness) -> list[dict[str, Any]]:
    return [m for m in harness.dm(ANA, BEN) if "did you meet" in m["text"]]


def book_on(harness: Harness, weekday: int) -> datetime:
    """Ana and Ben both tick the offered slot on ``weekday`` (Monday=0); it is booked."""
    intro = intro_of(harness)
    view = open_poll(harness, ANA, intro)
    [value] = [o["value"] for o in options(view) if slot(o["value"]).weekday() == weekday]
    tick_slots(harness, ANA, view, [value])
    tick_slots(harness, BEN, open_poll(harness, BEN, intro), [value])
    return slot(value)


def test_a_booked_group_is_asked_the_working_day_after_its_slot(
    harness: Harness, team: Team
) -> None:
    pair_world(team)  # check-ins normally go out three days after the round (Thursday)
    at(team, MONDAY)
    booked = book_on(harness, 1)  # Tuesday
    wednesday = datetime(2026, 12, 9, 9, 0, tzinfo=UTC)  # Ben's 09:00 (Ana's 10:00)
    at(team, wednesday - timedelta(minutes=1))
    assert checkins(harness) == []
    at(team, wednesday)
    [checkin] = checkins(harness)
    labels = [e["text"]["text"] for e in checkin["blocks"][1]["elements"]]
    assert labels == ["We met", "Booked, not met yet", "Couldn't make it"]
    assert booked < wednesday
    at(team, wednesday + timedelta(days=1))  # the round's own check-in day asks nobody twice
    assert len(checkins(harness)) == 1


def test_a_group_booked_after_the_usual_day_is_asked_after_its_slot(
    harness: Harness, team: Team
) -> None:
    pair_world(team)
    at(team, MONDAY)
    booked = book_on(harness, 4)  # Friday
    at(team, MONDAY + timedelta(days=3, hours=1))  # Thursday: the fixed check-in day
    assert checkins(harness) == []
    next_monday = datetime(2026, 12, 14, 9, 0, tzinfo=UTC)  # the working day after Friday
    at(team, next_monday - timedelta(hours=1))
    assert checkins(harness) == []
    at(team, next_monday)
    [checkin] = checkins(harness)
    assert "Booked, not met yet" in shown_text(checkin)
    assert booked.weekday() == 4

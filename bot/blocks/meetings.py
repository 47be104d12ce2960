"""Finding a time: the "Pick a time" poll modal, the "Booked" message, the reminder.

Pure functions of plain data, built with ``slack_sdk.models``; every time is shown in the
viewer's own time zone (or each member's, side by side).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.blocks.common import DB_ID_MAX, SECTION_TEXT_LIMIT
from bot.matching.tz import same_moment
from bot.slack.text import clip

SLOTS_BLOCK = "meeting_slots"
SLOTS_ACTION = "value"
BOOKED_ACTIONS_BLOCK = "meeting_booked_actions"


class MeetingAction(StrEnum):
    PICK = "meeting_pick"  # on the introduction: open the poll
    RESCHEDULE = "meeting_reschedule"  # on the "Booked" message: re-open the poll


class MeetingCallback(StrEnum):
    POLL = "meeting_poll"


class PollRef(BaseModel):
    """Button value naming a group's poll: ``{"group": 42}``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    group: int = Field(ge=1, le=DB_ID_MAX)  # a database id: anything else is forged


class PollMeta(BaseModel):
    """The poll modal's ``private_metadata``: the group and which offer it shows (a short key
    of the offered slots), so a form left open after the offer changed is recognised."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    group: int
    offer: str


@dataclass(frozen=True)
class NearMissView:
    start: datetime
    inside: int
    of: int
    minutes_short: int


@dataclass(frozen=True)
class Attendance:
    """One member and their time zone, for "Ana 10:00, Ben 09:00"."""

    user_id: str
    name: str | None
    tz: str | None

    @property
    def called(self) -> str:
        name = " ".join((self.name or "").split())
        if not name:
            return f"<@{self.user_id}>"
        return name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass(frozen=True)
class PollView:
    """What one member sees in the poll."""

    group_id: int
    offer: str
    tz: str | None  # the viewer's
    slots: tuple[datetime, ...]
    ticked: tuple[datetime, ...] = ()
    note: str | None = None  # e.g. "No time works for everyone yet…"
    near_miss: NearMissView | None = None
    waiting_on: tuple[str, ...] = ()  # user ids who have not answered this offer
    people: tuple[Attendance, ...] = ()


def slot_value(moment: datetime) -> str:
    """A slot as a checkbox value: its UTC start as epoch seconds."""
    return str(int(moment.timestamp()))


def slot_label(moment: datetime, tz: str | None) -> str:
    """ "Tue 8 Dec, 10:00 to 10:30" in ``tz``."""
    local = same_moment(moment, tz)
    end = same_moment(moment + timedelta(minutes=30), tz)
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M} to {end:%H:%M}"


def zone_name(tz: str | None) -> str:
    return (tz or "UTC").split("/")[-1].replace("_", " ")


def times_for(people: tuple[Attendance, ...], moment: datetime) -> str:
    """ "Ana 10:00, Ben 09:00" (each in their own time zone)."""
    return ", ".join(f"{p.called} {same_moment(moment, p.tz):%H:%M}" for p in people)


def booked_line(people: tuple[Attendance, ...], moment: datetime) -> str:
    """ "Booked: Tuesday 8 December — Ana 10:00, Ben 09:00" (the date in the first member's
    zone)."""
    first_tz = people[0].tz if people else None
    local = same_moment(moment, first_tz)
    return f"Booked: {local:%A} {local.day} {local:%B} — {times_for(people, moment)}"


def _near_miss_text(view: PollView) -> str:
    miss = view.near_miss
    if miss is None:
        return (
            "Your working hours don't overlap at all in the next 7 days, so I can't offer a "
            "time. Check the working hours in your profile (`/skillswap profile`), or agree "
            "a time in this DM."
        )
    when = slot_label(miss.start, view.tz)
    hours, minutes = divmod(miss.minutes_short, 60)
    short = f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"
    return (
        "No 30 minutes in the next 7 days are inside everyone's working hours. "
        f"The closest is *{when}* (your time): inside the hours of {miss.inside} of "
        f"{miss.of} of you, {short} outside for the furthest. If that works, agree it in "
        "your group DM — or widen your working hours with `/skillswap profile`."
    )


def poll_modal(view: PollView) -> View:
    """The poll: the offered slots as checkboxes in the viewer's time, pre-ticked with what
    they ticked before; or, when no slot fits everyone, the best near miss (no form)."""
    meta = PollMeta(group=view.group_id, offer=view.offer).model_dump_json()
    title = PlainTextObject(text="Pick a time")
    if not view.slots:
        return View(
            type="modal",
            callback_id=MeetingCallback.POLL.value,
            private_metadata=meta,
            title=title,
            close=PlainTextObject(text="Close"),
            blocks=[
                SectionBlock(
                    text=MarkdownTextObject(
                        text=clip(view.note or _near_miss_text(view), SECTION_TEXT_LIMIT)
                    )
                )
            ],
        )
    options = {
        slot_value(s): Option(value=slot_value(s), text=slot_label(s, view.tz)) for s in view.slots
    }
    initial = [options[slot_value(s)] for s in view.ticked if slot_value(s) in options]
    intro = (
        "Tick every time that works for you. When everyone has ticked the same one, "
        "the earliest is booked and you all get a calendar invite."
    )
    blocks: list[Block] = []
    if view.note:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=clip(view.note, 2000))))
    blocks.append(SectionBlock(text=MarkdownTextObject(text=intro)))
    blocks.append(
        InputBlock(
            block_id=SLOTS_BLOCK,
            label=PlainTextObject(text=f"Times in your time zone ({zone_name(view.tz)})"),
            optional=True,
            element=CheckboxesElement(
                action_id=SLOTS_ACTION,
                options=list(options.values()),
                initial_options=initial or None,
            ),
        )
    )
    context = "None of these work? Submit without ticking and I'll offer others."
    if view.waiting_on:
        waiting = ", ".join(f"<@{u}>" for u in view.waiting_on)
        context = f"Still to answer: {waiting}. " + context
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=clip(context, 2000))]))
    return View(
        type="modal",
        callback_id=MeetingCallback.POLL.value,
        private_metadata=meta,
        title=title,
        submit=PlainTextObject(text="Save"),
        close=PlainTextObject(text="Cancel"),
        blocks=blocks,
    )


def pick_button(group_id: int) -> ButtonElement:
    """ "Pick a time", for the introduction's buttons."""
    return ButtonElement(
        text=PlainTextObject(text="Pick a time"),
        action_id=MeetingAction.PICK.value,
        value=PollRef(group=group_id).model_dump_json(),
    )


def booked_text(people: tuple[Attendance, ...], moment: datetime, *, updated: bool) -> str:
    line = booked_line(people, moment)
    again = " (moved)" if updated else ""
    return (
        f":calendar: {line}{again}. The calendar invite is below; "
        "I'll remind you 10 minutes before."
    )


def booked_blocks(
    group_id: int, people: tuple[Attendance, ...], moment: datetime, *, updated: bool
) -> list[Block]:
    return [
        SectionBlock(
            text=MarkdownTextObject(
                text=clip(booked_text(people, moment, updated=updated), SECTION_TEXT_LIMIT)
            )
        ),
        ActionsBlock(
            block_id=BOOKED_ACTIONS_BLOCK,
            elements=[
                ButtonElement(
                    text=PlainTextObject(text="Reschedule"),
                    action_id=MeetingAction.RESCHEDULE.value,
                    value=PollRef(group=group_id).model_dump_json(),
                )
            ],
        ),
    ]


def answered_text(user_id: str, waiting_on: tuple[str, ...]) -> str:
    """In the group DM once someone has ticked their times."""
    others = " and ".join(f"<@{u}>" for u in waiting_on)
    return (
        f"<@{user_id}> picked the times that work for them. "
        f"{others}, tap *Pick a time* on the introduction to add yours."
    )


def reopened_text(user_id: str) -> str:
    return (
        f"<@{user_id}> would like another time, so the booking is off. Tap *Pick a time* on the "
        "introduction to choose again; I'll send an updated invite."
    )


def cancelled_text() -> str:
    return (
        "The booked time is off, since this swap won't go ahead as planned. "
        "Here's the cancellation for your calendar."
    )


def reminder_text(people: tuple[Attendance, ...], moment: datetime) -> str:
    mentions = ", ".join(f"<@{p.user_id}>" for p in people)
    return (
        f":alarm_clock: {mentions} — your skill swap starts in 10 minutes "
        f"({times_for(people, moment)})."
    )

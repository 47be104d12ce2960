"""A group's "Pick a time" poll: offer slots, record ticks, book, reschedule, cancel.

Each function runs one unit of work and returns what to show and what to send; Slack is
called afterwards (:mod:`bot.booking.sending`). The slots come from :mod:`bot.meetings.slots`
and are stored on the poll, so every member sees the same ones, each in their own time.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.blocks.common import NOT_YOURS, SWAP_GONE
from bot.blocks.meetings import (
    Attendance,
    NearMissView,
    PollView,
    answered_text,
    booked_blocks,
    booked_text,
    reopened_text,
    slot_label,
)
from bot.delivery.outbox import NewMessage, OutboxKind, enqueue_one
from bot.deps import Deps
from bot.errors import NotAllowedError, NotFoundError, UserInputError
from bot.kinds import GroupState
from bot.meetings.invite import invite_uid
from bot.meetings.slots import (
    WorkingWeek,
    earliest_shared,
    near_miss,
    propose,
    working_day_after,
)
from bot.members.hours import working_week
from bot.store import meetings as store
from bot.store import rounds as store_rounds
from bot.store.models import Group, MeetingPoll, Member
from bot.store.workspaces import get_workspace

log = logging.getLogger(__name__)

SLOT_MINUTES = 30
#: Groups whose poll is open: introduced (or about to be) and not called off.
POLL_STATES = (GroupState.PENDING, GroupState.INTRODUCED, GroupState.SCHEDULED)

LEFT = (
    "You've left SkillSwap since this form was opened, so there's nothing to pick. "
    "Rejoin any time with `/skillswap teach <skill>`."
)
OFF = "This swap is off this round, so there's no time to pick. You'll be paired again next round."
MET = "You've met for this swap already, so there's no time left to pick. Enjoy the next one!"
STEPPED_OUT = "You stepped out of this swap this round, so the others pick a time without you."
ALREADY_BOOKED = (
    "A time was booked already: {when}. To change it, tap *Reschedule* on the booking in your "
    "group DM."
)
STALE_OFFER = (
    "These times have been replaced by new ones. Close this form and tap *Pick a time* again "
    "to see them."
)
PASSED = (
    "{when} has already passed. Untick it, or close this form and tap *Pick a time* again for "
    "fresh times."
)
NOTHING_BOOKED = "Nothing is booked right now. Tap *Pick a time* on the introduction to pick one."
NO_COMMON = "No time works for everyone yet, so here are {n} more. Tick the ones that work for you."
NO_MORE = (
    "No time works for everyone, and there are no other times inside everyone's working "
    "hours in the next 7 days. Agree a time in your group DM, or widen your working hours "
    "with `/skillswap profile`."
)


def offer_key(offered: list[str]) -> str:
    """A short key of an offer, carried in the form so a stale one is recognised."""
    return hashlib.sha256(",".join(offered).encode()).hexdigest()[:12]


def week_of(member: Member, fallback_tz: str | None) -> WorkingWeek:
    """The member's working week (their days and hours, in their time zone)."""
    return working_week(member, default_tz=fallback_tz)


@dataclass(frozen=True)
class Booking:
    """A slot just booked (or re-booked): what to send once the unit of work has closed."""

    team_id: str
    group_id: int
    channel: str
    uid: str
    sequence: int
    start: datetime
    people: tuple[Attendance, ...]
    summary: str
    description: str
    outbox_id: int | None  # the "Booked" message
    old_reminder: tuple[str, str] | None  # (channel, scheduled message id) to delete


@dataclass(frozen=True)
class Cancellation:
    """A booking called off (skip, not a fit, leave): delete the reminder, cancel the invite."""

    team_id: str
    group_id: int
    channel: str | None
    uid: str
    sequence: int
    start: datetime | None  # the invite to cancel, if one went out
    people: tuple[Attendance, ...]
    summary: str
    reminder: tuple[str, str] | None


@dataclass(frozen=True)
class PollOutcome:
    """What a submitted poll led to: an inline error, a new form, a booking, or waiting."""

    error: str | None = None
    form: PollView | None = None  # show this instead (more slots, or no slot at all)
    booking: Booking | None = None
    outbox_id: int | None = None  # a note to the group DM ("Ana picked…")


# --------------------------------------------------------------------------- helpers


def _people(group: Group, fallback_tz: str | None) -> tuple[Attendance, ...]:
    links = sorted(group.members, key=lambda gm: gm.id)
    return tuple(
        Attendance(
            user_id=gm.member.slack_user_id,
            name=gm.member.display_name,
            tz=gm.member.tz or fallback_tz,
        )
        for gm in links
    )


def _active(group: Group) -> list[Member]:
    """The members still in the swap (not skipped, not "not a fit")."""
    return [gm.member for gm in sorted(group.members, key=lambda gm: gm.id) if gm.declined is None]


def _summary(group: Group) -> str:
    skills: list[str] = []
    for lesson in sorted(group.lessons, key=lambda item: item.id):
        if lesson.skill_label not in skills:
            skills.append(lesson.skill_label)
    return f"Skill swap: {', '.join(skills)}" if skills else "Skill swap"


def _load(
    session: Session, *, team_id: str, user_id: str, group_id: int
) -> tuple[Group, Member, str, str | None]:
    """The group (locked), the member acting, the workspace's team id and time zone, once the
    poll is still open to that member (the swap is on, not met, and they have not stepped out)."""
    group = store_rounds.locked_group(session=session, group_id=group_id)
    if group is None:
        raise NotFoundError(SWAP_GONE)
    workspace = store.workspace_of(session=session, group=group)
    if workspace.team_id != team_id:
        raise NotFoundError(SWAP_GONE)
    for link in group.members:
        if link.member.slack_user_id == user_id:
            _check_open(group, link.member)
            return group, link.member, workspace.team_id, workspace.timezone
    if store.member_of(session=session, workspace_id=workspace.id, slack_user_id=user_id) is None:
        raise NotAllowedError(LEFT)
    raise NotAllowedError(NOT_YOURS)


def _fresh_offer(
    poll: MeetingPoll, weeks: list[WorkingWeek], now: datetime, *, extra_exclude: Sequence[str] = ()
) -> list[datetime]:
    past = store.decode([*poll.past_offers, *poll.offered, *extra_exclude])
    return propose(weeks, now=now, count=5, minutes=SLOT_MINUTES, exclude=past)


def _form(
    group: Group, poll: MeetingPoll, member: Member, fallback_tz: str | None, now: datetime
) -> PollView:
    active = _active(group)
    answered = {a.member_id for a in poll.answers}
    mine = store.answer_of(poll, member.id)
    ticked = store.decode(mine.slots) if mine is not None else []
    slots = [s for s in store.decode(poll.offered) if s > now]
    miss = None
    if not slots:
        found = near_miss([week_of(m, fallback_tz) for m in active], now=now)
        if found is not None:
            miss = NearMissView(found.start, found.inside, found.of, found.minutes_short)
    return PollView(
        group_id=group.id,
        offer=offer_key(poll.offered),
        tz=member.tz or fallback_tz,
        slots=tuple(slots),
        ticked=tuple(t for t in ticked if t in slots),
        near_miss=miss,
        waiting_on=tuple(
            m.slack_user_id for m in active if m.id not in answered and m.id != member.id
        ),
        people=_people(group, fallback_tz),
    )


def _check_open(group: Group, member: Member) -> None:
    if group.state is GroupState.MET:
        raise UserInputError(MET)
    if group.state not in POLL_STATES:
        raise UserInputError(OFF)
    link = next(gm for gm in group.members if gm.member_id == member.id)
    if link.declined is not None:
        raise UserInputError(STEPPED_OUT)


# --------------------------------------------------------------------------- opening


def open_poll(deps: Deps, *, team_id: str, user_id: str, group_id: int) -> PollView:
    """The poll as ``user_id`` should see it; offers slots the first time (and fresh ones
    when every offered slot has passed)."""
    now = deps.clock.now()
    with deps.unit_of_work() as session:
        group, member, team, fallback_tz = _load(
            session, team_id=team_id, user_id=user_id, group_id=group_id
        )
        poll = store.poll_of(session=session, group_id=group.id)
        if poll is None:
            poll = store.add_poll(session=session, group_id=group.id, now=now)
        if poll.booked_at is not None:
            people = _people(group, fallback_tz)
            raise UserInputError(
                ALREADY_BOOKED.format(when=booked_text(people, poll.booked_at, updated=False))
            )
        if not any(s > now for s in store.decode(poll.offered)):
            weeks = [week_of(m, fallback_tz) for m in _active(group)]
            fresh = _fresh_offer(poll, weeks, now)
            if fresh or poll.offered:
                poll.past_offers = [*poll.past_offers, *poll.offered]
                poll.offered = store.encode(fresh)
                store.clear_answers(session=session, poll=poll)
            session.flush()
        view = _form(group, poll, member, fallback_tz, now)
        log.info(
            "poll opened (%d slots)",
            len(view.slots),
            extra={"team_id": team, "user_id": user_id, "group_id": group.id},
        )
        return view


# --------------------------------------------------------------------------- answering


def answer_poll(
    deps: Deps,
    *,
    team_id: str,
    user_id: str,
    group_id: int,
    offer: str,
    ticks: list[datetime],
) -> PollOutcome:
    """Record ``user_id``'s ticks. When everyone still in the swap has answered: book the
    earliest slot they all ticked, or offer 5 more (or say no time is left)."""
    now = deps.clock.now()
    with deps.unit_of_work() as session:
        try:
            group, member, team, fallback_tz = _load(
                session, team_id=team_id, user_id=user_id, group_id=group_id
            )
        except (NotAllowedError, NotFoundError, UserInputError) as exc:
            return PollOutcome(error=exc.message)
        poll = store.poll_of(session=session, group_id=group.id)
        if poll is None:
            return PollOutcome(error=STALE_OFFER)
        people = _people(group, fallback_tz)
        if poll.booked_at is not None:
            when = booked_text(people, poll.booked_at, updated=False)
            return PollOutcome(error=ALREADY_BOOKED.format(when=when))
        if offer != offer_key(poll.offered):
            return PollOutcome(error=STALE_OFFER)
        offered = set(store.decode(poll.offered))
        if any(t not in offered for t in ticks):
            return PollOutcome(error=STALE_OFFER)
        passed = sorted(t for t in ticks if t <= now)
        if passed:
            viewer_tz = member.tz or fallback_tz
            return PollOutcome(error=PASSED.format(when=slot_label(passed[0], viewer_tz)))
        first_answer = store.answer_of(poll, member.id) is None
        changed = store.set_answer(
            session=session,
            poll=poll,
            member_id=member.id,
            slots=store.encode(sorted(set(ticks))),
            now=now,
        )
        extra = {"team_id": team, "user_id": user_id, "group_id": group.id}
        log.info("poll answered (%s)", "changed" if changed else "unchanged", extra=extra)
        active = _active(group)
        answers = {a.member_id: store.decode(a.slots) for a in poll.answers}
        waiting = [m for m in active if m.id not in answers]
        if waiting:
            outbox_id = None
            if first_answer:
                outbox_id = _post_in_group(
                    session,
                    group,
                    key=f"poll-answered:{group.id}:{offer}:{member.slack_user_id}",
                    text=answered_text(
                        member.slack_user_id, tuple(m.slack_user_id for m in waiting)
                    ),
                    now=now,
                )
            return PollOutcome(outbox_id=outbox_id)
        shared = earliest_shared(
            [[t for t in answers[m.id] if t > now and t in offered] for m in active]
        )
        if shared is not None:
            booking = _book(session, group, poll, shared, team, fallback_tz, now)
            log.info("poll booked", extra=extra)
            return PollOutcome(booking=booking)
        weeks = [week_of(m, fallback_tz) for m in active]
        fresh = _fresh_offer(poll, weeks, now)
        poll.past_offers = [*poll.past_offers, *poll.offered]
        poll.offered = store.encode(fresh)
        store.clear_answers(session=session, poll=poll)
        session.flush()
        form = _form(group, poll, member, fallback_tz, now)
        note = NO_COMMON.format(n=len(fresh)) if fresh else NO_MORE
        log.info("poll: no common slot, %d more offered", len(fresh), extra=extra)
        return PollOutcome(form=_with_note(form, note))


def _take_reminder(poll: MeetingPoll) -> tuple[str, str] | None:
    """The poll's scheduled reminder as (channel, scheduled message id), cleared from the
    poll: the caller deletes it from Slack once the change commits."""
    reminder = (
        (poll.reminder_channel, poll.reminder_id)
        if poll.reminder_id and poll.reminder_channel
        else None
    )
    poll.reminder_id = None
    poll.reminder_channel = None
    return reminder


def _post_in_group(
    session: Session,
    group: Group,
    *,
    key: str,
    text: str,
    now: datetime,
    blocks: list[dict[str, Any]] | None = None,
) -> int | None:
    """Queue a message in the group's DM (the outbox's row id); None when the group has no
    DM, or the key was queued already."""
    if not group.channel_id:
        return None
    return enqueue_one(
        NewMessage(
            key=key,
            kind=OutboxKind.MEETING,
            text=text,
            blocks=blocks or [],
            channel=group.channel_id,
            round_id=group.round_id,
            group_id=group.id,
        ),
        session=session,
        workspace_id=group.round.workspace_id,
        now=now,
    )


def _with_note(form: PollView, note: str) -> PollView:
    return replace(form, note=note, waiting_on=())


def _book(
    session: Session,
    group: Group,
    poll: MeetingPoll,
    slot: datetime,
    team_id: str,
    fallback_tz: str | None,
    now: datetime,
) -> Booking:
    updated = poll.invite_start is not None
    if updated:
        poll.sequence += 1
    poll.booked_at = slot
    poll.booked_on = now
    poll.invite_start = slot
    old = _take_reminder(poll)
    end = slot + timedelta(minutes=SLOT_MINUTES)
    poll.checkin_due_at = max(
        working_day_after(week_of(m, fallback_tz), end) for m in _active(group)
    )
    if group.state in (GroupState.PENDING, GroupState.INTRODUCED):
        group.state = GroupState.SCHEDULED
    people = _people(group, fallback_tz)
    outbox_id = _post_in_group(
        session,
        group,
        key=f"booked:{group.id}:{poll.sequence}:{int(slot.timestamp())}",
        text=booked_text(people, slot, updated=updated),
        blocks=[b.to_dict() for b in booked_blocks(group.id, people, slot, updated=updated)],
        now=now,
    )
    session.flush()
    names = ", ".join(p.name or p.user_id for p in people)
    return Booking(
        team_id=team_id,
        group_id=group.id,
        channel=group.channel_id or "",
        uid=invite_uid(team_id, group.id),
        sequence=poll.sequence,
        start=slot,
        people=people,
        summary=_summary(group),
        description=f"SkillSwap: {names}. 30 minutes to share what you know.",
        outbox_id=outbox_id,
        old_reminder=old,
    )


# --------------------------------------------------------------------------- reschedule


@dataclass(frozen=True)
class Reopened:
    form: PollView
    reminder: tuple[str, str] | None  # to delete
    outbox_id: int | None  # "Ana would like another time"


def reschedule(deps: Deps, *, team_id: str, user_id: str, group_id: int) -> Reopened:
    """Re-open a booked poll with fresh slots (the booked one excluded); the invite stays
    until a new time is booked (then an update with the same UID goes out)."""
    now = deps.clock.now()
    with deps.unit_of_work() as session:
        group, member, team, fallback_tz = _load(
            session, team_id=team_id, user_id=user_id, group_id=group_id
        )
        poll = store.poll_of(session=session, group_id=group.id)
        if poll is None or poll.booked_at is None:
            raise UserInputError(NOTHING_BOOKED)
        booked = poll.booked_at
        reminder = _take_reminder(poll)
        poll.booked_at = None
        poll.booked_on = None
        poll.checkin_due_at = None
        weeks = [week_of(m, fallback_tz) for m in _active(group)]
        fresh = _fresh_offer(poll, weeks, now, extra_exclude=store.encode([booked]))
        poll.past_offers = [*poll.past_offers, *poll.offered]
        poll.offered = store.encode(fresh)
        store.clear_answers(session=session, poll=poll)
        session.flush()
        outbox_id = _post_in_group(
            session,
            group,
            key=f"poll-reopened:{group.id}:{poll.sequence}:{offer_key(poll.offered)}",
            text=reopened_text(user_id),
            now=now,
        )
        log.info(
            "poll re-opened", extra={"team_id": team, "user_id": user_id, "group_id": group.id}
        )
        return Reopened(
            form=_form(group, poll, member, fallback_tz, now),
            reminder=reminder,
            outbox_id=outbox_id,
        )


# --------------------------------------------------------------------------- cancelling


def cancel_booking(
    session: Session, group: Group, *, team_id: str, fallback_tz: str | None
) -> Cancellation | None:
    """Call off the group's booking (inside the caller's unit of work): no booking, no
    reminder; the invite, if one went out, is cancelled (SEQUENCE + 1) once it commits."""
    poll = store.poll_of(session=session, group_id=group.id)
    if poll is None or (
        poll.booked_at is None and poll.invite_start is None and poll.reminder_id is None
    ):
        return None
    start = poll.invite_start
    reminder = _take_reminder(poll)
    if start is not None:
        poll.sequence += 1
    poll.booked_at = None
    poll.booked_on = None
    poll.invite_start = None
    poll.checkin_due_at = None
    session.flush()
    return Cancellation(
        team_id=team_id,
        group_id=group.id,
        channel=group.channel_id,
        uid=invite_uid(team_id, group.id),
        sequence=poll.sequence,
        start=start,
        people=_people(group, fallback_tz),
        summary=_summary(group),
        reminder=reminder,
    )


def cancel_for_leaver(session: Session, *, team_id: str, user_id: str) -> list[Cancellation]:
    """Before ``user_id``'s data is erased: call off the bookings of their groups."""
    workspace = get_workspace(session=session, team_id=team_id)
    if workspace is None:
        return []
    member = store.member_of(session=session, workspace_id=workspace.id, slack_user_id=user_id)
    if member is None:
        return []
    out = []
    for poll in store.booked_polls_of_member(session=session, member_id=member.id):
        group = store_rounds.locked_group(session=session, group_id=poll.group_id)
        if group is None:
            continue
        cancelled = cancel_booking(session, group, team_id=team_id, fallback_tz=workspace.timezone)
        if cancelled is not None:
            out.append(cancelled)
    return out


def record_reminder(
    deps: Deps, *, group_id: int, start: datetime, channel: str, scheduled_id: str
) -> bool:
    """Keep the scheduled reminder's id on the poll; False when the booking changed in the
    meantime (then the caller deletes the reminder again)."""
    with deps.unit_of_work() as session:
        poll = store.poll_of(session=session, group_id=group_id)
        if poll is None or poll.booked_at != start or poll.reminder_id is not None:
            return False
        poll.reminder_id = scheduled_id
        poll.reminder_channel = channel
        return True

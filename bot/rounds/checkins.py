"""Check-ins, reminders and closing rounds — queued in the outbox when they fall due.

- ``checkins_due_at`` (N days after the round): every introduced group gets "Did you meet?";
  a group that booked a time with "Pick a time" is asked instead at the start of the working
  day after its slot (or when the round closes, if that comes first), with [We met]
  [Booked, not met yet] [Couldn't make it].
- ``reminders_due_at`` (end of the round): one nudge to groups where nobody answered.
- When the round closes (or the next round starts), members who left the check-in unanswered
  count one more miss; the third miss in a row asks "Still up for swaps?" [Keep me in] [Pause
  for now]; only silence until a later round closes pauses them, with a DM that has Resume.

Each step is one transaction per round and idempotent (outbox keys, ``*_sent_at`` stamps), so
two clock processes or ``skillswap round checkins`` re-runs never double a message.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.blocks.checkins import (
    CheckinView,
    PausedView,
    checkin_blocks,
    checkin_text,
    paused_blocks,
    paused_fallback,
    still_up_blocks,
    still_up_fallback,
)
from bot.blocks.rounds import dump
from bot.delivery.outbox import NewMessage, OutboxKind, enqueue
from bot.deps import Deps
from bot.kinds import GroupState, MemberStatus, RoundState
from bot.meetings.slots import next_working_morning
from bot.members.hours import working_week
from bot.rounds.locks import lock_workspace
from bot.rounds.schedule import Rhythm, round_times
from bot.store import meetings
from bot.store.models import Checkin, Group, GroupMember, Member, Round, Workspace

log = logging.getLogger(__name__)

#: Check-ins left unanswered in a row before a member is paused.
PAUSE_AFTER_MISSES = 3
#: A reminder never follows its check-in closer than this (e.g. catching up after downtime).
REMINDER_GAP = timedelta(hours=12)
#: Groups that get a check-in: introduced and not called off.
CHECKIN_STATES = (GroupState.INTRODUCED, GroupState.SCHEDULED)
#: Groups whose members owe an answer at closing.
ANSWER_OWED_STATES = (GroupState.INTRODUCED, GroupState.SCHEDULED, GroupState.NOT_MET)


@dataclass
class CheckinReport:
    checkins: int = 0
    reminders: int = 0
    closed: int = 0
    paused: int = 0
    rounds: list[int] = field(default_factory=list)


def checkin_view(group: Group, *, reminder: bool = False, booked: bool = False) -> CheckinView:
    """The check-in message of a group, with the answers given so far."""
    members = sorted(group.members, key=lambda gm: gm.id)
    people = tuple(gm.member.slack_user_id for gm in members)
    skills: list[str] = []
    for lesson in sorted(group.lessons, key=lambda item: item.id):
        if lesson.skill_label not in skills:
            skills.append(lesson.skill_label)
    return CheckinView(
        group_id=group.id,
        people=people,
        skills=tuple(skills),
        reminder=reminder,
        kind=group.kind,
        booked=booked,
    )


def _groups(session: Session, round_id: int) -> list[Group]:
    return list(
        session.scalars(
            select(Group)
            .where(Group.round_id == round_id)
            .options(
                selectinload(Group.members).selectinload(GroupMember.member),
                selectinload(Group.lessons),
            )
            .order_by(Group.id)
        )
    )


def _morning(group: Group, workspace: Workspace, now: datetime) -> datetime:
    """The group's shared working morning (now when they are all at work)."""
    weeks = [working_week(gm.member, default_tz=workspace.timezone) for gm in group.members]
    return next_working_morning(weeks, after=now)


def _message(
    group: Group,
    kind: OutboxKind,
    round_id: int,
    not_before: datetime | None = None,
    *,
    booked: bool = False,
) -> NewMessage:
    view = checkin_view(group, reminder=kind is OutboxKind.REMINDER, booked=booked)
    assert group.channel_id is not None
    return NewMessage(
        key=f"{kind.value}:{group.id}",
        kind=kind,
        text=checkin_text(view),
        blocks=dump(checkin_blocks(view)),
        channel=group.channel_id,
        round_id=round_id,
        group_id=group.id,
        not_before=not_before,
    )


def queue_checkins(session: Session, round_: Round, *, now: datetime, humane: bool = False) -> int:
    """Queue "Did you meet?" for every introduced group; ``humane`` (the clock process) holds
    each until its group's working morning. Booked groups whose slot's next working day is
    still ahead are left to :func:`queue_booked_checkins`."""
    workspace = session.get_one(Workspace, round_.workspace_id)
    booked = meetings.checkin_due_by_group(session=session, round_id=round_.id)
    messages = [
        _message(
            group,
            OutboxKind.CHECKIN,
            round_.id,
            _morning(group, workspace, now) if humane else None,
            booked=group.id in booked,
        )
        for group in _groups(session, round_.id)
        if group.state in CHECKIN_STATES
        and group.channel_id
        and not (group.id in booked and booked[group.id] > now)
    ]
    count = enqueue(messages, session=session, workspace_id=workspace.id, now=now)
    round_.checkins_sent_at = now
    if round_.state in (RoundState.MATCHED, RoundState.DELIVERED):
        round_.state = RoundState.CHECKING_IN
    return count


def queue_booked_checkins(
    session: Session, round_: Round, *, now: datetime, closing: bool = False
) -> int:
    """ "Did you meet?" to the round's booked groups whose slot's next working day has come
    (that moment is already the start of a working day) — or to all of them when the round
    closes first. An outbox key per group, so a group is asked once whichever step asks it."""
    if closing:
        due = set(meetings.checkin_due_by_group(session=session, round_id=round_.id))
    else:
        due = set(meetings.booked_checkins_due(session=session, round_id=round_.id, now=now))
    if not due:
        return 0
    messages = [
        _message(group, OutboxKind.CHECKIN, round_.id, booked=True)
        for group in _groups(session, round_.id)
        if group.id in due and group.state in CHECKIN_STATES and group.channel_id
    ]
    return enqueue(messages, session=session, workspace_id=round_.workspace_id, now=now)


def queue_reminders(session: Session, round_: Round, *, now: datetime, humane: bool = False) -> int:
    workspace = session.get_one(Workspace, round_.workspace_id)
    groups = _groups(session, round_.id)
    answered = set(
        session.scalars(
            select(Checkin.group_id).where(Checkin.group_id.in_([g.id for g in groups]))
        )
    )
    messages = [
        _message(
            group,
            OutboxKind.REMINDER,
            round_.id,
            _morning(group, workspace, now) if humane else None,
        )
        for group in groups
        if group.state in CHECKIN_STATES
        and group.channel_id
        and group.checkin_ts  # the check-in itself reached them
        and group.id not in answered
    ]
    count = enqueue(messages, session=session, workspace_id=workspace.id, now=now)
    round_.reminders_sent_at = now
    return count


def close_round(session: Session, round_: Round, workspace: Workspace, *, now: datetime) -> int:
    """Count unanswered check-ins. A member's third miss in a row asks "Still up for swaps?"
    once; if that question is still unanswered when a later round closes, they are paused
    (with a DM that has Resume). Returns how many members were paused."""
    queue_booked_checkins(session, round_, now=now, closing=True)
    messages = _pause_the_silent(session, round_, workspace, now=now)
    paused = len(messages)
    groups = _groups(session, round_.id)
    answered = {
        (group_id, member_id)
        for group_id, member_id in session.execute(
            select(Checkin.group_id, Checkin.member_id).where(
                Checkin.group_id.in_([g.id for g in groups])
            )
        )
    }
    for group in groups:
        if group.checkin_ts is None or group.state not in ANSWER_OWED_STATES:
            continue
        for link in group.members:
            member = link.member
            if (group.id, member.id) in answered or link.declined is not None:
                continue  # answered, or stepped out of this group (Skip / Not a fit)
            member.unanswered_checkins = min(member.unanswered_checkins + 1, 99)
            if (
                member.unanswered_checkins >= PAUSE_AFTER_MISSES
                and member.status is MemberStatus.ACTIVE
                and member.pause_asked_at is None
            ):
                view = PausedView(user_id=member.slack_user_id, missed=member.unanswered_checkins)
                member.pause_asked_at = now
                messages.append(
                    NewMessage(
                        key=f"still-up:{round_.id}:{member.id}",
                        kind=OutboxKind.STILL_UP,
                        text=still_up_fallback(view),
                        blocks=dump(still_up_blocks(view)),
                        target_users=(member.slack_user_id,),
                        round_id=round_.id,
                        member_id=member.id,
                    )
                )
    enqueue(messages, session=session, workspace_id=workspace.id, now=now)
    round_.state = RoundState.CLOSED
    round_.closed_at = now
    if messages:
        log.info(
            "asked %d members whether they are still up for swaps, paused %d",
            len(messages) - paused,
            paused,
            extra={"team_id": workspace.team_id, "round_id": round_.id},
        )
    return paused


def _pause_the_silent(
    session: Session, round_: Round, workspace: Workspace, *, now: datetime
) -> list[NewMessage]:
    """Pause the active members asked "Still up for swaps?" at an earlier closing who have
    neither answered it nor any check-in since."""
    silent = session.scalars(
        select(Member).where(
            Member.workspace_id == workspace.id,
            Member.status == MemberStatus.ACTIVE,
            Member.pause_asked_at.is_not(None),
            Member.pause_asked_at < now,
        )
    ).all()
    messages = []
    for member in silent:
        view = PausedView(user_id=member.slack_user_id, missed=member.unanswered_checkins)
        member.status = MemberStatus.PAUSED
        member.paused_until = None
        member.auto_paused = True
        member.pause_asked_at = None
        member.unanswered_checkins = 0
        messages.append(
            NewMessage(
                key=f"paused:{round_.id}:{member.id}",
                kind=OutboxKind.PAUSED,
                text=paused_fallback(view),
                blocks=dump(paused_blocks(view)),
                target_users=(member.slack_user_id,),
                round_id=round_.id,
                member_id=member.id,
            )
        )
    return messages


def _closes_at(round_: Round, workspace: Workspace) -> datetime:
    rhythm = Rhythm.of(
        workspace.cadence,
        workspace.round_weekday,
        workspace.round_time,
        workspace.timezone,
        last_round_on=round_.round_date,
    )
    return round_times(rhythm, round_.created_at, workspace.checkin_delay_days).closes_at


def _finished(round_: Round, workspace: Workspace, now: datetime, *, force: bool) -> bool:
    """Check-in and reminder went out, and the round's time is up (or ``force``)."""
    if round_.state is RoundState.CLOSED or round_.checkins_sent_at is None:
        return False
    if round_.reminders_due_at is not None and round_.reminders_sent_at is None:
        return False
    return force or now >= _closes_at(round_, workspace)


def _booked_still_to_ask(session: Session, round_: Round, now: datetime) -> bool:
    """A booked group of the round is still to be asked "Did you meet?" (its day is ahead)."""
    return any(
        due > now
        for due in meetings.checkin_due_by_group(session=session, round_id=round_.id).values()
    )


def close_finished_rounds(
    session: Session, workspace: Workspace, *, now: datetime, force: bool = False
) -> int:
    """Close the workspace's finished rounds (``force``: the next round is starting, so time
    is up for all of them). Returns how many members were paused."""
    rounds = session.scalars(
        select(Round).where(
            Round.workspace_id == workspace.id,
            Round.state != RoundState.CLOSED,
            Round.checkins_sent_at.is_not(None),
        )
    ).all()
    return sum(
        close_round(session, r, workspace, now=now)
        for r in rounds
        if _finished(r, workspace, now, force=force)
    )


def process_due(deps: Deps, now: datetime, *, humane: bool = False) -> CheckinReport:
    """Queue the check-ins and reminders due at ``now``, and close finished rounds.

    ``humane`` (the clock process): each group's message waits for its shared working
    morning; ``skillswap round checkins`` sends at once."""
    report = CheckinReport()
    with deps.unit_of_work() as session:
        open_rounds = [
            (r.id, r.workspace_id)
            for r in session.scalars(
                select(Round)
                .join(Workspace, Workspace.id == Round.workspace_id)
                .where(Round.state != RoundState.CLOSED, Workspace.active.is_(True))
                .order_by(Round.id)
            )
        ]
    for round_id, workspace_id in open_rounds:
        with deps.unit_of_work() as session:
            lock_workspace(session, workspace_id)
            round_ = session.get(Round, round_id)
            if round_ is None or round_.state is RoundState.CLOSED:
                continue
            workspace = session.get_one(Workspace, workspace_id)
            booked = queue_booked_checkins(session, round_, now=now)
            if booked:
                report.checkins += booked
                report.rounds.append(round_id)
            if _due(round_.checkins_due_at, now) and round_.checkins_sent_at is None:
                report.checkins += queue_checkins(session, round_, now=now, humane=humane)
                report.rounds.append(round_id)
            elif (
                round_.checkins_sent_at is not None
                and round_.reminders_sent_at is None
                and _due(round_.reminders_due_at, now)
                and now >= round_.checkins_sent_at + REMINDER_GAP
            ):
                report.reminders += queue_reminders(session, round_, now=now, humane=humane)
                report.rounds.append(round_id)
            elif _finished(round_, workspace, now, force=False) and not _booked_still_to_ask(
                session, round_, now
            ):
                report.paused += close_round(session, round_, workspace, now=now)
                report.closed += 1
                report.rounds.append(round_id)
    return report


def _due(moment: datetime | None, now: datetime) -> bool:
    return moment is not None and moment <= now

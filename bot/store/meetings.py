"""Meeting polls: a group's offered slots, its members' ticks, the booking. All SQL for
``bot/meetings``; functions take ``*, session`` and never commit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload

from bot.store.models import (
    Group,
    GroupMember,
    MeetingAnswer,
    MeetingPoll,
    Member,
    Round,
    Workspace,
)


def encode(moments: Iterable[datetime]) -> list[str]:
    """Slots as stored: UTC ISO strings."""
    return [m.astimezone(UTC).isoformat() for m in moments]


def decode(raw: Sequence[object]) -> list[datetime]:
    out = []
    for item in raw:
        moment = datetime.fromisoformat(str(item))
        out.append(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    return out


def workspace_of(*, session: Session, group: Group) -> Workspace:
    return session.get_one(Workspace, group.round.workspace_id)


def member_of(*, session: Session, workspace_id: int, slack_user_id: str) -> Member | None:
    return session.scalars(
        select(Member).where(
            Member.workspace_id == workspace_id, Member.slack_user_id == slack_user_id
        )
    ).first()


def poll_of(*, session: Session, group_id: int) -> MeetingPoll | None:
    return session.scalars(
        select(MeetingPoll)
        .where(MeetingPoll.group_id == group_id)
        .options(selectinload(MeetingPoll.answers))
    ).first()


def add_poll(*, session: Session, group_id: int, now: datetime) -> MeetingPoll:
    poll = MeetingPoll(
        group_id=group_id, offered=[], past_offers=[], sequence=0, created_at=now, updated_at=now
    )
    session.add(poll)
    session.flush()
    return poll


def answer_of(poll: MeetingPoll, member_id: int) -> MeetingAnswer | None:
    return next((a for a in poll.answers if a.member_id == member_id), None)


def set_answer(
    *, session: Session, poll: MeetingPoll, member_id: int, slots: list[str], now: datetime
) -> bool:
    """Store a member's ticks; True when they changed."""
    answer = answer_of(poll, member_id)
    if answer is None:
        poll.answers.append(
            MeetingAnswer(poll_id=poll.id, member_id=member_id, slots=slots, answered_at=now)
        )
        session.flush()
        return True
    if sorted(answer.slots) == sorted(slots):
        return False
    answer.slots = slots
    answer.answered_at = now
    session.flush()
    return True


def clear_answers(*, session: Session, poll: MeetingPoll) -> None:
    session.execute(delete(MeetingAnswer).where(MeetingAnswer.poll_id == poll.id))
    session.expire(poll, ["answers"])


def booked_polls_of_member(*, session: Session, member_id: int) -> list[MeetingPoll]:
    """Polls of this member's groups with a booking or an invite out."""
    return list(
        session.scalars(
            select(MeetingPoll)
            .join(GroupMember, GroupMember.group_id == MeetingPoll.group_id)
            .where(
                GroupMember.member_id == member_id,
                (MeetingPoll.booked_at.is_not(None))
                | (MeetingPoll.invite_start.is_not(None))
                | (MeetingPoll.reminder_id.is_not(None)),
            )
        )
    )


def booked_checkins_due(*, session: Session, round_id: int, now: datetime) -> list[int]:
    """Ids of the round's booked groups whose check-in (the working day after their slot) is
    due."""
    return list(
        session.scalars(
            select(MeetingPoll.group_id)
            .join(Group, Group.id == MeetingPoll.group_id)
            .where(
                Group.round_id == round_id,
                MeetingPoll.booked_at.is_not(None),
                MeetingPoll.checkin_due_at <= now,
            )
        )
    )


def checkin_due_by_group(*, session: Session, round_id: int) -> dict[int, datetime]:
    """When each booked group of the round is asked "Did you meet?"."""
    return {
        group_id: due
        for group_id, due in session.execute(
            select(MeetingPoll.group_id, MeetingPoll.checkin_due_at)
            .join(Group, Group.id == MeetingPoll.group_id)
            .where(
                Group.round_id == round_id,
                MeetingPoll.booked_at.is_not(None),
                MeetingPoll.checkin_due_at.is_not(None),
            )
        )
        if due is not None
    }


def bookings(*, session: Session, workspace_id: int) -> list[tuple[int, datetime, datetime]]:
    """(group id, introduced on, booked slot) of every booked group of the workspace."""
    return [
        (group_id, created, booked)
        for group_id, created, booked in session.execute(
            select(MeetingPoll.group_id, Group.created_at, MeetingPoll.booked_at)
            .join(Group, Group.id == MeetingPoll.group_id)
            .join(Round, Round.id == Group.round_id)
            .where(Round.workspace_id == workspace_id, MeetingPoll.booked_at.is_not(None))
        )
        if booked is not None
    ]


def count_polls(*, session: Session) -> int:
    return int(session.scalar(select(func.count(MeetingPoll.id))) or 0)

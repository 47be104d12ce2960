"""Data access for meet-again nudges. Functions take ``*, session`` and never commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from bot.kinds import MeetAgainState, OutboxState
from bot.store.models import Group, GroupMember, MeetAgain, OutboxMessage, Round, Workspace


def of_group(*, session: Session, group_id: int) -> MeetAgain | None:
    return session.scalars(select(MeetAgain).where(MeetAgain.group_id == group_id)).first()


def start(
    *, session: Session, workspace_id: int, group_id: int, weeks: int, due_at: datetime
) -> tuple[MeetAgain, bool]:
    """The group's meet-again, created or set to ``weeks`` (active again if it was stopped);
    True when something changed. The same choice twice (a double click) changes nothing."""
    found = of_group(session=session, group_id=group_id)
    if found is None:
        try:
            with session.begin_nested():
                found = MeetAgain(
                    workspace_id=workspace_id,
                    group_id=group_id,
                    weeks=weeks,
                    state=MeetAgainState.ACTIVE,
                    due_at=due_at,
                    nudges=0,
                    answered=0,
                    met_again=0,
                )
                session.add(found)
            return found, True
        except IntegrityError:  # the same click twice at once: the other one stored it
            found = of_group(session=session, group_id=group_id)
            if found is None:
                raise
    if found.weeks == weeks and found.state is MeetAgainState.ACTIVE:
        return found, False
    found.weeks = weeks
    found.state = MeetAgainState.ACTIVE
    found.stopped_at = None
    found.due_at = due_at
    return found, True


def due(*, session: Session, now: datetime, limit: int = 500) -> Sequence[MeetAgain]:
    """Active meet-agains whose nudge is due, of active workspaces, locked for this unit of
    work (a second clock process waits, then finds them no longer due)."""
    return session.scalars(
        select(MeetAgain)
        .join(Workspace, Workspace.id == MeetAgain.workspace_id)
        .where(
            MeetAgain.state == MeetAgainState.ACTIVE,
            MeetAgain.due_at.is_not(None),
            MeetAgain.due_at <= now,
            Workspace.active.is_(True),
        )
        .order_by(MeetAgain.due_at, MeetAgain.id)
        .limit(limit)
        .with_for_update(of=MeetAgain)
    ).all()


def group_of(*, session: Session, group_id: int) -> Group | None:
    """A group with its members, lessons and round (what a nudge shows)."""
    return session.scalars(
        select(Group)
        .where(Group.id == group_id)
        .options(
            selectinload(Group.members).selectinload(GroupMember.member),
            selectinload(Group.lessons),
            selectinload(Group.round),
        )
    ).first()


def cancel_queued(*, session: Session, group_id: int, kind: str, reason: str) -> int:
    """The group's nudges (outbox ``kind``) queued but not being posted yet will not go out:
    marked failed with ``reason``. A worker holding one finds it no longer held and does not
    post it. Returns how many were cancelled."""
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.group_id == group_id,
            OutboxMessage.kind == kind,
            OutboxMessage.state == OutboxState.PENDING,
        )
        .values(state=OutboxState.FAILED, last_error=reason)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def forget_groups(*, session: Session, group_ids: Sequence[int]) -> None:
    """A member leaves: their groups' meet-again nudges stop for everyone (rows deleted)."""
    if group_ids:
        session.execute(delete(MeetAgain).where(MeetAgain.group_id.in_(list(group_ids))))


def met_again_counts(*, session: Session, workspace_id: int) -> list[tuple[int, int]]:
    """``(group_id, times met again)`` of the workspace's groups that met again (insights)."""
    return [
        (group_id, int(count))
        for group_id, count in session.execute(
            select(MeetAgain.group_id, MeetAgain.met_again)
            .join(Group, Group.id == MeetAgain.group_id)
            .join(Round, Round.id == Group.round_id)
            .where(Round.workspace_id == workspace_id, MeetAgain.met_again > 0)
            .order_by(MeetAgain.group_id)
        )
    ]

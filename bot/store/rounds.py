"""Data access for rounds. Functions take ``*, session`` and never commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from bot.kinds import GroupState, Origin
from bot.store.models import Group, GroupMember, Lesson, MeetAgain, Round

#: The one ordering of a workspace's rounds, newest first (by date, then id): which round is
#: "the latest" for ``me``, pause, the Home tab, the schedule and a member's history.
NEWEST_FIRST: tuple[Any, ...] = (Round.round_date.desc(), Round.id.desc())

#: Scheduled rounds only: a request's swap is stored as a round of its own (origin
#: "request"), which must not move the rhythm or count as "the latest round".
SCHEDULED: Any = Round.origin == Origin.ROUND


def latest_round(*, session: Session, workspace_id: int) -> Round | None:
    return session.scalars(
        select(Round)
        .where(Round.workspace_id == workspace_id, SCHEDULED)
        .order_by(*NEWEST_FIRST)
        .limit(1)
    ).first()


def lesson_counts(
    *, session: Session, workspace_id: int, member_id: int | None = None
) -> dict[int, tuple[int, int]]:
    """Lessons each member gave and received in groups that met: ``{member_id: (taught,
    learned)}``. Each time a group met again by choice (*We met again* on a meet-again nudge)
    its lessons count once more. The round service gives them to the engine (which evens them
    out); the Home tab shows one member's (``member_id``)."""
    counts: dict[int, list[int]] = {}
    times = 1 + func.coalesce(MeetAgain.met_again, 0)
    for side, column in ((0, Lesson.teacher_id), (1, Lesson.learner_id)):
        stmt = (
            select(column, func.sum(times))
            .select_from(Lesson)
            .join(Group, Group.id == Lesson.group_id)
            .join(Round, Round.id == Group.round_id)
            .outerjoin(MeetAgain, MeetAgain.group_id == Group.id)
            .where(Round.workspace_id == workspace_id, Group.state == GroupState.MET)
            .group_by(column)
        )
        if member_id is not None:
            stmt = stmt.where(column == member_id)
        for found_id, count in session.execute(stmt):
            counts.setdefault(found_id, [0, 0])[side] = int(count)
    return {k: (v[0], v[1]) for k, v in counts.items()}


def locked_group(*, session: Session, group_id: int) -> Group | None:
    """The group with its members, lessons and round, locked until the unit of work ends.

    PostgreSQL holds the row (SQLite's writers are serialised anyway), so two clicks on one
    group (intro buttons, check-in answers, meet-again, poll answers) are answered one after
    the other: without it, a second click could read the group as it was and its members'
    answers as they are."""
    return session.scalars(
        select(Group)
        .where(Group.id == group_id)
        .with_for_update(of=Group)
        .options(
            selectinload(Group.members).selectinload(GroupMember.member),
            selectinload(Group.lessons),
            selectinload(Group.round),
        )
    ).first()

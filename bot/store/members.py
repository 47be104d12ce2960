"""Data access for members, their skills, their groups and their erasure.

Functions take ``*, session`` and never commit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, cast, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload
from sqlalchemy.types import Text

from bot.kinds import Direction, MemberStatus
from bot.store import meet_again
from bot.store.models import (
    Feedback,
    Group,
    GroupMember,
    Lesson,
    Member,
    MemberSkill,
    OutboxMessage,
    Round,
    Workspace,
)
from bot.store.rounds import NEWEST_FIRST

ERASED_REASON = "A member of this group left SkillSwap; the details were removed."


def members_named(*, session: Session, workspace_id: int, name: str) -> list[str]:
    """Slack user ids of the workspace's members whose display name is ``name`` (any case)."""
    return list(
        session.scalars(
            select(Member.slack_user_id).where(
                Member.workspace_id == workspace_id,
                Member.status != MemberStatus.LEFT,
                func.lower(Member.display_name) == name.strip().lower(),
            )
        )
    )


def get_member(*, session: Session, workspace_id: int, slack_user_id: str) -> Member | None:
    """The member with their skills."""
    return (
        session.scalars(
            select(Member)
            .where(Member.workspace_id == workspace_id, Member.slack_user_id == slack_user_id)
            .options(joinedload(Member.skills))
        )
        .unique()
        .first()
    )


def member_of_team(
    *, session: Session, team_id: str, slack_user_id: str, with_catalog: bool = False
) -> Member | None:
    """The member with their workspace and skills, in one query (None if not a member)."""
    skills = joinedload(Member.skills)
    return (
        session.scalars(
            select(Member)
            .join(Member.workspace)
            .where(Workspace.team_id == team_id, Member.slack_user_id == slack_user_id)
            .options(
                contains_eager(Member.workspace),
                skills.joinedload(MemberSkill.skill) if with_catalog else skills,
            )
        )
        .unique()
        .first()
    )


# Asked before every teach and learn (is this a newcomer?): built once, run as Core on the
# session's connection (the ORM's statement handling costs more than the lookup itself).
_MEMBER_EXISTS = (
    select(Member.id)
    .join(Workspace, Workspace.id == Member.workspace_id)
    .where(Workspace.team_id == bindparam("team_id"))
    .where(Member.slack_user_id == bindparam("user_id"))
    .limit(1)
)


def member_exists(*, session: Session, team_id: str, slack_user_id: str) -> bool:
    params = {"team_id": team_id, "user_id": slack_user_id}
    return session.connection().execute(_MEMBER_EXISTS, params).first() is not None


def create_member(
    *,
    session: Session,
    workspace_id: int,
    slack_user_id: str,
    display_name: str | None,
    tz: str | None,
    team_label: str | None = None,
    joined_at: datetime | None = None,
) -> Member:
    """Insert a member; if a concurrent request did it first, return that row."""
    member = Member(
        workspace_id=workspace_id,
        slack_user_id=slack_user_id,
        display_name=display_name,
        tz=tz,
        team_label=team_label,
    )
    if joined_at is not None:
        member.joined_at = joined_at
    try:
        with session.begin_nested():
            session.add(member)
            session.flush()
    except IntegrityError:
        again = get_member(session=session, workspace_id=workspace_id, slack_user_id=slack_user_id)
        if again is None:
            raise
        return again
    return member


def add_member_skill(
    *,
    session: Session,
    member: Member,
    skill_id: int,
    direction: Direction,
    label: str,
    level: int,
) -> MemberSkill:
    row = MemberSkill(
        member_id=member.id,
        skill_id=skill_id,
        direction=direction,
        label=label,
        level=level,
    )
    member.skills.append(row)
    session.flush()
    return row


def remove_member_skills(*, session: Session, member: Member, rows: Iterable[MemberSkill]) -> None:
    for row in list(rows):
        member.skills.remove(row)
        session.delete(row)
    session.flush()


@dataclass(frozen=True)
class GroupRow:
    """One group a member was in, with what it needs to be shown."""

    group: Group
    round: Round
    partners: list[Member]
    lessons: list[tuple[str, str, str]]  # (teacher user id, learner user id, skill label)


def groups_of(*, session: Session, member_id: int, limit: int) -> list[GroupRow]:
    """The member's groups, newest round first."""
    groups = list(
        session.scalars(
            select(Group)
            .join(GroupMember, GroupMember.group_id == Group.id)
            .join(Round, Round.id == Group.round_id)
            .where(GroupMember.member_id == member_id)
            .order_by(*NEWEST_FIRST, Group.id.desc())
            .limit(limit)
            .options(
                selectinload(Group.round),
                selectinload(Group.members).selectinload(GroupMember.member),
                selectinload(Group.lessons),
            )
        )
    )
    if not groups:
        return []
    ids = {lesson.teacher_id for g in groups for lesson in g.lessons} | {
        lesson.learner_id for g in groups for lesson in g.lessons
    }
    user_ids = dict(
        session.execute(select(Member.id, Member.slack_user_id).where(Member.id.in_(ids))).all()
    )
    rows = []
    for g in groups:
        partners = [gm.member for gm in g.members if gm.member_id != member_id]
        lessons = [
            (user_ids.get(les.teacher_id, ""), user_ids.get(les.learner_id, ""), les.skill_label)
            for les in sorted(g.lessons, key=lambda les: les.id)
        ]
        rows.append(GroupRow(group=g, round=g.round, partners=partners, lessons=lessons))
    return rows


def _mentions(user_id: str) -> re.Pattern[str]:
    """``<@U123>``, ``<@U123|ana>`` or a bare ``U123`` (not part of a longer id)."""
    uid = re.escape(user_id)
    return re.compile(rf"<@{uid}(?:\|[^>]*)?>|(?<![A-Za-z0-9]){uid}(?![A-Za-z0-9])")


def erase_member(*, session: Session, workspace_id: int, slack_user_id: str) -> set[int] | None:
    """Delete the member and everything that names them; returns the ids of the skills they
    listed (so the caller can prune the catalog), or None when there was no member.

    The ``members`` row cascades through skills, group memberships, lessons, check-ins,
    feedback, do-not-pair and the outbox rows tied to them. Text that names them elsewhere is
    scrubbed: the ``reason`` of their groups, outbox rows addressed to them or mentioning them,
    and mentions of them in other people's feedback. Rounds keep only their counts.
    """
    pattern = _mentions(slack_user_id)
    like = f"%{slack_user_id}%"

    # Outbox rows addressed to them or mentioning them (a welcome DM, a pair intro…).
    outbox = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.workspace_id == workspace_id,
            or_(
                OutboxMessage.target_users.like(like),
                OutboxMessage.idempotency_key.like(like),
                cast(OutboxMessage.payload, Text).like(like),
            ),
        )
    )
    for row in list(outbox):
        texts = (row.target_users or "", row.idempotency_key, str(row.payload))
        if any(pattern.search(t) for t in texts):
            session.delete(row)

    member = session.scalars(
        select(Member).where(
            Member.workspace_id == workspace_id, Member.slack_user_id == slack_user_id
        )
    ).first()
    if member is None:
        session.flush()
        return None

    group_ids = list(
        session.scalars(select(GroupMember.group_id).where(GroupMember.member_id == member.id))
    )
    if group_ids:
        session.execute(update(Group).where(Group.id.in_(group_ids)).values(reason=ERASED_REASON))
        # Their groups' meet-again nudges stop for everyone.
        meet_again.forget_groups(session=session, group_ids=group_ids)
        # Other people's words about them keep their meaning but lose the name.
        for feedback in session.scalars(
            select(Feedback).where(
                Feedback.group_id.in_(group_ids),
                Feedback.member_id != member.id,
                or_(Feedback.learned.like(like), Feedback.taught.like(like)),
            )
        ):
            if feedback.learned:
                feedback.learned = pattern.sub("someone", feedback.learned)
            if feedback.taught:
                feedback.taught = pattern.sub("someone", feedback.taught)
        # Lessons go with the member (FK cascade); say so explicitly for backends that
        # defer cascades.
        session.execute(
            delete(Lesson).where(
                or_(Lesson.teacher_id == member.id, Lesson.learner_id == member.id)
            )
        )

    skill_ids = {
        row.skill_id
        for row in session.scalars(select(MemberSkill).where(MemberSkill.member_id == member.id))
    }
    session.delete(member)
    session.flush()
    return skill_ids


def active_member_ids(*, session: Session, team_id: str) -> set[str]:
    """Slack ids of a workspace's active members (who the next round may pair)."""
    return set(
        session.scalars(
            select(Member.slack_user_id)
            .join(Workspace, Workspace.id == Member.workspace_id)
            .where(Workspace.team_id == team_id, Member.status == MemberStatus.ACTIVE)
        )
    )


def auto_paused(*, session: Session, team_id: str, limit: int) -> tuple[list[str], int]:
    """Slack ids of the first ``limit`` members paused after an unanswered "Still up for
    swaps?" (still paused), and how many there are."""
    rows = session.scalars(
        select(Member.slack_user_id)
        .join(Workspace, Workspace.id == Member.workspace_id)
        .where(
            Workspace.team_id == team_id,
            Member.auto_paused.is_(True),
            Member.status == MemberStatus.PAUSED,
        )
        .order_by(Member.id)
    ).all()
    return list(rows[:limit]), len(rows)


def nudge_candidates(*, session: Session, quiet_since: datetime) -> list[Member]:
    """Members of active workspaces who accept reminders and had none since ``quiet_since``
    (their skills and workspace loaded with them)."""
    return list(
        session.scalars(
            select(Member)
            .join(Workspace, Workspace.id == Member.workspace_id)
            .where(
                Workspace.active.is_(True),
                Member.nudges_off.is_(False),
                Member.status != MemberStatus.LEFT,
                or_(Member.last_nudge_at.is_(None), Member.last_nudge_at < quiet_since),
            )
            .options(selectinload(Member.skills).selectinload(MemberSkill.skill))
            .order_by(Member.id)
        )
    )


def set_nudges_off(*, session: Session, team_id: str, slack_user_id: str) -> bool:
    member = member_of_team(session=session, team_id=team_id, slack_user_id=slack_user_id)
    if member is None:
        return False
    member.nudges_off = True
    return True

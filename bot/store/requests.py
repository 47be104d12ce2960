"""Data access for swap requests and the skills explorer. Functions take ``*, session`` and
never commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from bot.kinds import Direction, GroupState, MemberStatus, Origin, OutboxState, RequestState
from bot.store.models import (
    DoNotPair,
    Group,
    GroupMember,
    Member,
    MemberSkill,
    OutboxMessage,
    Round,
    Skill,
    SwapRequest,
)


def get_request(
    *, session: Session, workspace_id: int, request_id: int, for_update: bool = False
) -> SwapRequest | None:
    """One request of the workspace (``for_update``: locked until the unit of work ends, so two
    clicks on Accept are answered one after the other)."""
    stmt = select(SwapRequest).where(
        SwapRequest.id == request_id, SwapRequest.workspace_id == workspace_id
    )
    if for_update:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).first()


def open_count(*, session: Session, asker_id: int) -> int:
    return int(
        session.scalar(
            select(func.count(SwapRequest.id)).where(
                SwapRequest.asker_id == asker_id, SwapRequest.state == RequestState.OPEN
            )
        )
        or 0
    )


def open_between(*, session: Session, asker_id: int, teacher_id: int) -> SwapRequest | None:
    return session.scalars(
        select(SwapRequest).where(
            SwapRequest.asker_id == asker_id,
            SwapRequest.teacher_id == teacher_id,
            SwapRequest.state == RequestState.OPEN,
        )
    ).first()


def received_since(*, session: Session, teacher_id: int, since: datetime) -> int:
    """Requests the member received from ``since`` on (any answer): the monthly cap."""
    return int(
        session.scalar(
            select(func.count(SwapRequest.id)).where(
                SwapRequest.teacher_id == teacher_id, SwapRequest.created_at >= since
            )
        )
        or 0
    )


def do_not_pair(*, session: Session, first: int, second: int) -> bool:
    """Whether either member has a do-not-pair entry for the other."""
    found = session.scalar(
        select(DoNotPair.id)
        .where(
            or_(
                and_(DoNotPair.member_id == first, DoNotPair.other_member_id == second),
                and_(DoNotPair.member_id == second, DoNotPair.other_member_id == first),
            )
        )
        .limit(1)
    )
    return found is not None


def _shared_groups(first: int, second: int) -> Any:
    mine = aliased(GroupMember)
    theirs = aliased(GroupMember)
    return (
        select(Group.id)
        .join(mine, and_(mine.group_id == Group.id, mine.member_id == first))
        .join(theirs, and_(theirs.group_id == Group.id, theirs.member_id == second))
        .join(Round, Round.id == Group.round_id)
        .where(Group.state != GroupState.FAILED)
    )


def grouped_between(
    *, session: Session, first: int, second: int, start: date | None = None, end: date | None = None
) -> bool:
    """Whether the two members shared a group (a round's or a request's), optionally one whose
    round date falls in ``[start, end]``."""
    stmt = _shared_groups(first, second)
    if start is not None:
        stmt = stmt.where(Round.round_date >= start)
    if end is not None:
        stmt = stmt.where(Round.round_date <= end)
    return session.scalar(stmt.limit(1)) is not None


def teach_row(*, session: Session, member_id: int, skill_id: int) -> MemberSkill | None:
    return session.scalars(
        select(MemberSkill).where(
            MemberSkill.member_id == member_id,
            MemberSkill.skill_id == skill_id,
            MemberSkill.direction == Direction.TEACH,
        )
    ).first()


def due_to_expire(*, session: Session, now: datetime, limit: int = 500) -> list[SwapRequest]:
    return list(
        session.scalars(
            select(SwapRequest)
            .where(SwapRequest.state == RequestState.OPEN, SwapRequest.expires_at <= now)
            .order_by(SwapRequest.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )


@dataclass(frozen=True, slots=True)
class TeacherRow:
    member_id: int
    user_id: str
    level: int
    team: str | None
    teaches: tuple[str, ...]  # the labels of everything they teach, for their card


def teachers_of(
    *, session: Session, workspace_id: int, skill_id: int, exclude: Sequence[int], limit: int
) -> list[TeacherRow]:
    """Active members who teach the skill (experts first, then who listed it first), but not
    ``exclude`` (member ids) nor anyone with a do-not-pair entry with them."""
    blocked = select(DoNotPair.other_member_id).where(DoNotPair.member_id.in_(exclude or [0]))
    blocked_back = select(DoNotPair.member_id).where(DoNotPair.other_member_id.in_(exclude or [0]))
    rows = session.execute(
        select(Member.id, Member.slack_user_id, MemberSkill.level, Member.team_label)
        .join(MemberSkill, MemberSkill.member_id == Member.id)
        .where(
            Member.workspace_id == workspace_id,
            Member.status == MemberStatus.ACTIVE,
            Member.takes_requests.is_(True),
            MemberSkill.skill_id == skill_id,
            MemberSkill.direction == Direction.TEACH,
            Member.id.not_in(list(exclude) or [0]),
            Member.id.not_in(blocked),
            Member.id.not_in(blocked_back),
        )
        .order_by(MemberSkill.level.desc(), MemberSkill.created_at, MemberSkill.id)
        .limit(limit)
    ).all()
    labels: dict[int, list[str]] = {}
    ids = [r.id for r in rows]
    if ids:
        for member_id, label in session.execute(
            select(MemberSkill.member_id, MemberSkill.label)
            .where(MemberSkill.member_id.in_(ids), MemberSkill.direction == Direction.TEACH)
            .order_by(MemberSkill.created_at, MemberSkill.id)
        ):
            labels.setdefault(member_id, []).append(label)
    return [
        TeacherRow(r.id, r.slack_user_id, r.level, r.team_label, tuple(labels.get(r.id, ())))
        for r in rows
    ]


@dataclass(frozen=True, slots=True)
class SkillCount:
    skill_id: int
    name: str
    teach: int
    learn: int
    teams: int  # distinct teams among the people who teach it


def skills_map(
    *, session: Session, workspace_id: int, limit: int, skill_id: int | None = None
) -> list[SkillCount]:
    """The skills people here teach, most taught first, with how many teach and want each and
    across how many teams it is taught (members who left are not counted); ``skill_id``: only
    that one."""
    teach = func.sum(case((MemberSkill.direction == Direction.TEACH, 1), else_=0))
    learn = func.sum(case((MemberSkill.direction == Direction.LEARN, 1), else_=0))
    teams = func.count(
        func.distinct(case((MemberSkill.direction == Direction.TEACH, Member.team_label)))
    )
    stmt = (
        select(Skill.id, Skill.name, teach, learn, teams)
        .join(MemberSkill, MemberSkill.skill_id == Skill.id)
        .join(Member, Member.id == MemberSkill.member_id)
        .where(Skill.workspace_id == workspace_id, Member.status != MemberStatus.LEFT)
    )
    if skill_id is not None:
        stmt = stmt.where(Skill.id == skill_id)
    rows = session.execute(
        stmt.group_by(Skill.id, Skill.name)
        .having(teach > 0)
        .order_by(teach.desc(), learn.desc(), Skill.name)
        .limit(limit)
    ).all()
    return [SkillCount(r[0], r[1], int(r[2] or 0), int(r[3] or 0), int(r[4] or 0)) for r in rows]


def wanted_skill_ids(*, session: Session, member_id: int) -> set[int]:
    return set(
        session.scalars(
            select(MemberSkill.skill_id).where(
                MemberSkill.member_id == member_id, MemberSkill.direction == Direction.LEARN
            )
        )
    )


def request_pairs(
    *, session: Session, workspace_id: int, start: date, end: date
) -> frozenset[frozenset[str]]:
    """Slack user ids of the pairs an accepted request grouped with a date in ``[start, end]``
    (a round leaves them apart that week)."""
    groups: dict[int, set[str]] = {}
    for group_id, user_id in session.execute(
        select(Group.id, Member.slack_user_id)
        .join(Round, Round.id == Group.round_id)
        .join(GroupMember, GroupMember.group_id == Group.id)
        .join(Member, Member.id == GroupMember.member_id)
        .where(
            Round.workspace_id == workspace_id,
            Round.origin == Origin.REQUEST,
            Round.round_date >= start,
            Round.round_date <= end,
            Group.state != GroupState.FAILED,
        )
    ):
        groups.setdefault(group_id, set()).add(user_id)
    return frozenset(frozenset(users) for users in groups.values() if len(users) == 2)


def forget_card(*, session: Session, request_id: int) -> None:
    """Once a request is answered or expired, its DM's stored copy (with the asker's note) is
    no longer needed: keep the row (it proves the DM went out), drop the text."""
    session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.idempotency_key == f"request:{request_id}",
            OutboxMessage.state.in_([OutboxState.SENT, OutboxState.FAILED]),
        )
        .values(payload={"text": "", "blocks": []})
    )

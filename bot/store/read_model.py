"""Read models for the hot paths (``teach``, ``learn``, ``me``): plain rows, not ORM objects.

A slash command's reply has to be ready well inside Slack's 3 seconds while other requests
compete for the same two cores, and loading ORM entities (identity map, eager loaders) costs
several times what the query itself does. These functions run statements built once, at
import, in the session's transaction and return frozen dataclasses; the hottest reads go
straight to the driver's cursor (:class:`bot.store.prepared.PreparedSelect`), in a session or
on a light reader (:class:`bot.store.db.Reader`, see :meth:`bot.deps.Deps.read_light`).
The ORM is still what writes, except the one insert and update ``teach``/``learn`` need.

Functions take ``*, session`` (a session or a reader where they allow) and never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, case, exists, func, insert, select, update
from sqlalchemy.orm import Session, aliased

from bot.kinds import Cadence, Direction, MemberCadence, MemberStatus
from bot.store.db import Reads
from bot.store.models import (
    GroupMember,
    Member,
    MemberSkill,
    Round,
    Skill,
    SkillAlias,
    Workspace,
    utcnow,
)
from bot.store.prepared import PreparedSelect
from bot.store.rounds import NEWEST_FIRST, SCHEDULED


@dataclass(frozen=True, slots=True)
class WorkspaceRow:
    id: int
    team_id: str
    timezone: str
    active: bool
    cadence: Cadence
    round_weekday: int
    round_time: str


@dataclass(frozen=True, slots=True)
class SkillRow:
    """One skill on a member's profile."""

    id: int
    skill_id: int
    direction: Direction
    level: int
    label: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class MemberRow:
    id: int
    slack_user_id: str
    tz: str | None
    team_label: str | None
    cadence: MemberCadence
    status: MemberStatus
    paused_until: date | None
    skills: tuple[SkillRow, ...]
    work_days: int = 31
    work_start: int = 540
    work_end: int = 1020


@dataclass(frozen=True, slots=True)
class CatalogRow:
    id: int
    key: str
    name: str


@dataclass(frozen=True, slots=True)
class RoundRow:
    id: int
    round_date: date


def _labelled(prefix: str, *columns: Any) -> tuple[Any, ...]:
    """Columns labelled ``<prefix>_<key>``, so one row can carry several tables' columns."""
    return tuple(column.label(f"{prefix}_{column.key}") for column in columns)


_WORKSPACE_COLUMNS = _labelled(
    "w",
    Workspace.id,
    Workspace.team_id,
    Workspace.timezone,
    Workspace.active,
    Workspace.cadence,
    Workspace.round_weekday,
    Workspace.round_time,
)
_MEMBER_COLUMNS = _labelled(
    "m",
    Member.id,
    Member.slack_user_id,
    Member.tz,
    Member.team_label,
    Member.cadence,
    Member.status,
    Member.paused_until,
    Member.work_days,
    Member.work_start,
    Member.work_end,
)
_SKILL_COLUMNS = _labelled(
    "s",
    MemberSkill.id,
    MemberSkill.skill_id,
    MemberSkill.direction,
    MemberSkill.level,
    MemberSkill.label,
    MemberSkill.created_at,
)

_WORKSPACE = PreparedSelect(
    select(*_WORKSPACE_COLUMNS).where(Workspace.team_id == bindparam("team_id"))
)

# The member, their workspace and their skills: one row per skill (one with NULLs for none).
_MEMBER_SELECT = (
    select(*_WORKSPACE_COLUMNS, *_MEMBER_COLUMNS, *_SKILL_COLUMNS)
    .join(Member, Member.workspace_id == Workspace.id)
    .outerjoin(MemberSkill, MemberSkill.member_id == Member.id)
    .where(Workspace.team_id == bindparam("team_id"))
    .where(Member.slack_user_id == bindparam("user_id"))
    .order_by(MemberSkill.created_at, MemberSkill.id)
)


def _latest_round(*columns: Any, workspace_id: Any) -> Any:
    """The workspace's latest round (by date, then id): the one ordering `me` and pause use."""
    return (
        select(*columns)
        .where(Round.workspace_id == workspace_id, SCHEDULED)
        .order_by(*NEWEST_FIRST)
        .limit(1)
    )


_LATEST_ROUND = PreparedSelect(
    _latest_round(Round.id, Round.round_date, workspace_id=bindparam("workspace_id"))
)


_MEMBER = PreparedSelect(_MEMBER_SELECT)

# What `me` needs in one statement: _MEMBER plus the workspace's latest round and whether
# the member was ever in a group (two index lookups per row, not two more round trips).
_MEMBER_OVERVIEW_SELECT = _MEMBER_SELECT.add_columns(
    _latest_round(Round.id, workspace_id=Workspace.id).scalar_subquery().label("r_id"),
    _latest_round(Round.round_date, workspace_id=Workspace.id).scalar_subquery().label("r_date"),
    exists().where(GroupMember.member_id == Member.id).label("in_group"),
)
_MEMBER_OVERVIEW = PreparedSelect(_MEMBER_OVERVIEW_SELECT)


def _skill_matches(*columns: Any, workspace_id: Any) -> Any:
    """The workspace's skills whose alias is ``:spelling`` or ``:key``, or whose key is
    ``:key`` (joined to the alias that matched). Two plain parameters, not an expanding IN:
    SQLAlchemy rewrites an expanding IN's SQL on every execution (a tenth of teach's CPU)."""
    return (
        select(*columns)
        .select_from(Skill)
        .outerjoin(
            SkillAlias,
            (SkillAlias.skill_id == Skill.id)
            & (SkillAlias.workspace_id == workspace_id)
            & SkillAlias.alias_key.in_([bindparam("spelling"), bindparam("key")]),
        )
        .where(Skill.workspace_id == workspace_id)
        .where(SkillAlias.alias_key.is_not(None) | (Skill.key == bindparam("key")))
    )


# How well a skill found by _skill_matches matches: the alias typed, then the alias of the
# key, then the key. One expression for every statement, so that a statement ranking several
# times (_MEMBER_FINDING) binds its literals once.
_MATCH_RANK = case(
    (SkillAlias.alias_key == bindparam("spelling"), 0),
    (SkillAlias.alias_key.is_not(None), 1),
    else_=2,
)


def _best_match(*columns: Any, workspace_id: Any) -> Any:
    """The best of :func:`_skill_matches` by ``_MATCH_RANK``, then the oldest skill: the one
    ranking find_skill and _MEMBER_FINDING use."""
    matches = _skill_matches(*columns, workspace_id=workspace_id)
    return matches.order_by(_MATCH_RANK, Skill.id).limit(1)


# The best skill by alias or key (see find_skill).
_FIND_SKILL = PreparedSelect(
    _best_match(Skill.id, Skill.key, Skill.name, workspace_id=bindparam("workspace_id"))
)

# find_skill's best match as a value of _MEMBER_FINDING's rows. Not correlated with the outer
# query, so each is computed once per statement, not once per row.
_FOUND_IN = aliased(Workspace)
_FOUND_WORKSPACE = (
    select(_FOUND_IN.id).where(_FOUND_IN.team_id == bindparam("team_id")).scalar_subquery()
)


def _found(column: Any, label: str) -> Any:
    return (
        _best_match(column, workspace_id=_FOUND_WORKSPACE)
        .correlate(None)
        .scalar_subquery()
        .label(label)
    )


# _MEMBER and the skill a name finds (find_skill) in one statement: teach and learn's first
# name costs no round trip of its own.
_MEMBER_FINDING = PreparedSelect(
    _MEMBER_SELECT.add_columns(
        _found(Skill.id, "f_id"), _found(Skill.key, "f_key"), _found(Skill.name, "f_name")
    )
)

# Who lists a skill, in one statement: each side ranked (expert teachers first, then the
# earliest) and counted over member_skills alone; only the first `shown` of each side are
# joined to their member rows.
_RANKED = (
    select(
        MemberSkill.direction.label("direction"),
        MemberSkill.member_id.label("member_id"),
        MemberSkill.level.label("level"),
        func.count().over(partition_by=MemberSkill.direction).label("total"),
        func.row_number()
        .over(
            partition_by=MemberSkill.direction,
            order_by=(MemberSkill.level.desc(), MemberSkill.created_at, MemberSkill.id),
        )
        .label("rank"),
    )
    .where(MemberSkill.skill_id == bindparam("skill_id"))
    .where(MemberSkill.member_id != bindparam("exclude"))
    .subquery()
)
_DIRECTORY = PreparedSelect(
    select(_RANKED.c.direction, _RANKED.c.total, Member.slack_user_id, _RANKED.c.level)
    .join(Member, Member.id == _RANKED.c.member_id)
    .where(_RANKED.c.rank <= bindparam("shown"))
    .order_by(_RANKED.c.direction, _RANKED.c.rank)
)

_ADD_SKILL = insert(MemberSkill).returning(MemberSkill.id)
_SET_LEVEL = (
    update(MemberSkill).where(MemberSkill.id == bindparam("row_id")).values(level=bindparam("lv"))
)


def _workspace_row(row: Any) -> WorkspaceRow:
    return WorkspaceRow(
        id=row.w_id,
        team_id=row.w_team_id,
        timezone=row.w_timezone,
        active=row.w_active,
        cadence=row.w_cadence,
        round_weekday=row.w_round_weekday,
        round_time=row.w_round_time,
    )


def workspace_row(*, session: Reads, team_id: str) -> WorkspaceRow | None:
    found = _WORKSPACE.first(session, {"team_id": team_id})
    return _workspace_row(found) if found is not None else None


def member_row(
    *, session: Reads, team_id: str, slack_user_id: str
) -> tuple[WorkspaceRow, MemberRow] | None:
    """The member with their workspace and skills (oldest first); None if not a member."""
    rows = _MEMBER.rows(session, {"team_id": team_id, "user_id": slack_user_id})
    return (_workspace_row(rows[0]), _member_row(rows)) if rows else None


def member_row_finding(
    *, session: Reads, team_id: str, slack_user_id: str, spelling: str, key: str
) -> tuple[WorkspaceRow, MemberRow, CatalogRow | None] | None:
    """:func:`member_row`, and what :func:`find_skill` finds for ``spelling`` and ``key`` in
    the member's workspace, in one statement; None if not a member."""
    rows = _MEMBER_FINDING.rows(
        session, {"team_id": team_id, "user_id": slack_user_id, "spelling": spelling, "key": key}
    )
    if not rows:
        return None
    first = rows[0]
    found = (
        CatalogRow(id=first.f_id, key=first.f_key, name=first.f_name)
        if first.f_id is not None
        else None
    )
    return _workspace_row(first), _member_row(rows), found


@dataclass(frozen=True, slots=True)
class MemberOverview:
    workspace: WorkspaceRow
    member: MemberRow
    latest_round: RoundRow | None
    in_any_group: bool


def member_overview(*, session: Reads, team_id: str, slack_user_id: str) -> MemberOverview | None:
    """:func:`member_row`, the workspace's latest round and whether the member was ever in a
    group, in one statement; None if not a member."""
    rows = _MEMBER_OVERVIEW.rows(session, {"team_id": team_id, "user_id": slack_user_id})
    if not rows:
        return None
    first = rows[0]
    return MemberOverview(
        workspace=_workspace_row(first),
        member=_member_row(rows),
        latest_round=RoundRow(first.r_id, first.r_date) if first.r_id is not None else None,
        in_any_group=bool(first.in_group),
    )


def _member_row(rows: Sequence[Any]) -> MemberRow:
    """A member from _MEMBER's rows (one per skill, or one with NULL skill columns)."""
    skills = tuple(
        SkillRow(
            id=r.s_id,
            skill_id=r.s_skill_id,
            direction=r.s_direction,
            level=r.s_level,
            label=r.s_label,
            created_at=r.s_created_at,
        )
        for r in rows
        if r.s_id is not None
    )
    m = rows[0]
    return MemberRow(
        id=m.m_id,
        slack_user_id=m.m_slack_user_id,
        tz=m.m_tz,
        team_label=m.m_team_label,
        cadence=m.m_cadence,
        status=m.m_status,
        paused_until=m.m_paused_until,
        skills=skills,
        work_days=m.m_work_days,
        work_start=m.m_work_start,
        work_end=m.m_work_end,
    )


def latest_round(*, session: Reads, workspace_id: int) -> RoundRow | None:
    found = _LATEST_ROUND.first(session, {"workspace_id": workspace_id})
    return RoundRow(*found) if found is not None else None


def find_skill(*, session: Reads, workspace_id: int, spelling: str, key: str) -> CatalogRow | None:
    """The skill whose alias is ``spelling``, else the one whose alias is ``key``, else the
    skill whose key is ``key`` (one query, ranked by the database)."""
    best = _FIND_SKILL.first(
        session, {"workspace_id": workspace_id, "spelling": spelling, "key": key}
    )
    return CatalogRow(id=best.id, key=best.key, name=best.name) if best is not None else None


@dataclass(frozen=True, slots=True)
class SkillDirectory:
    """Who lists a skill: the first ``shown`` of each side (best first) and each side's total."""

    teachers: list[tuple[str, int]]  # (Slack user id, level), expert teachers first
    learners: list[str]  # Slack user ids, earliest first
    teachers_total: int
    learners_total: int


def skill_directory(
    *, session: Reads, skill_id: int, shown: int, exclude_member_id: int | None = None
) -> SkillDirectory:
    """Who teaches and who wants to learn a skill: each side's total and its first ``shown``
    (index lookups and one sort of the skill's rows, however many members there are)."""
    if shown < 1:
        raise ValueError("shown must be at least 1: the totals travel on the rows shown")
    rows = _DIRECTORY.rows(
        session, {"skill_id": skill_id, "exclude": exclude_member_id or 0, "shown": shown}
    )
    teachers: list[tuple[str, int]] = []
    learners: list[str] = []
    totals: dict[Direction, int] = {}
    for row in rows:
        totals[row.direction] = row.total
        if row.direction == Direction.TEACH:
            teachers.append((row.slack_user_id, row.level))
        else:
            learners.append(row.slack_user_id)
    return SkillDirectory(
        teachers=teachers,
        learners=learners,
        teachers_total=totals.get(Direction.TEACH, 0),
        learners_total=totals.get(Direction.LEARN, 0),
    )


def add_member_skill(
    *, session: Session, member_id: int, skill_id: int, direction: Direction, label: str, level: int
) -> SkillRow:
    created_at = utcnow()
    new_id = (
        session.connection()
        .execute(
            _ADD_SKILL,
            {
                "member_id": member_id,
                "skill_id": skill_id,
                "direction": direction,
                "label": label,
                "level": level,
                "created_at": created_at,
            },
        )
        .scalar_one()
    )
    return SkillRow(
        id=new_id,
        skill_id=skill_id,
        direction=direction,
        level=level,
        label=label,
        created_at=created_at,
    )


def set_level(*, session: Session, row_id: int, level: int) -> None:
    session.connection().execute(_SET_LEVEL, {"row_id": row_id, "lv": level})

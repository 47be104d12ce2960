"""Data access for a workspace's skills catalog. Functions take ``*, session`` and never commit."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import case, delete, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.kinds import Direction
from bot.store.models import MemberSkill, Skill, SkillAlias


def skill_by_key(*, session: Session, workspace_id: int, key: str) -> Skill | None:
    return session.scalars(
        select(Skill).where(Skill.workspace_id == workspace_id, Skill.key == key)
    ).first()


def skills_by_ids(*, session: Session, workspace_id: int, ids: Iterable[int]) -> dict[int, Skill]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.scalars(
        select(Skill).where(Skill.workspace_id == workspace_id, Skill.id.in_(wanted))
    )
    return {s.id: s for s in rows}


def all_skill_keys(*, session: Session, workspace_id: int) -> dict[str, int]:
    """Every canonical key in the catalog (key -> skill id)."""
    rows = session.execute(
        select(Skill.key, Skill.id).where(Skill.workspace_id == workspace_id)
    ).all()
    return {key: skill_id for key, skill_id in rows}


def create_skill(*, session: Session, workspace_id: int, key: str, name: str) -> Skill:
    """Insert a skill; if another request created the same key meanwhile, return that one."""
    skill = Skill(workspace_id=workspace_id, key=key, name=name)
    try:
        with session.begin_nested():
            session.add(skill)
            session.flush()
    except IntegrityError:
        again = skill_by_key(session=session, workspace_id=workspace_id, key=key)
        if again is None:
            raise
        return again
    return skill


def add_alias(*, session: Session, workspace_id: int, skill_id: int, alias_key: str) -> bool:
    """Record another spelling for a skill; False when that spelling is already taken."""
    taken = session.scalar(
        select(
            exists().where(
                SkillAlias.workspace_id == workspace_id, SkillAlias.alias_key == alias_key
            )
        )
    )
    if taken:
        return False
    try:
        with session.begin_nested():
            session.add(
                SkillAlias(workspace_id=workspace_id, skill_id=skill_id, alias_key=alias_key)
            )
            session.flush()
    except IntegrityError:
        return False
    return True


def search_skills(
    *, session: Session, workspace_id: int, needle: str, limit: int
) -> list[tuple[Skill, int]]:
    """Skills whose key or an alias contains ``needle`` (a normalised key), most listed first.

    Returns (skill, number of members listing it). ``needle`` is matched literally: ``%`` and
    ``_`` are escaped.
    """
    via_alias = (
        select(SkillAlias.skill_id)
        .where(
            SkillAlias.workspace_id == workspace_id,
            SkillAlias.alias_key.contains(needle, autoescape=True),
        )
        .scalar_subquery()
    )
    people = (
        select(func.count(func.distinct(MemberSkill.member_id)))
        .where(MemberSkill.skill_id == Skill.id)
        .correlate(Skill)
        .scalar_subquery()
    )
    condition = Skill.key.contains(needle, autoescape=True) | Skill.id.in_(via_alias)
    rows = session.execute(
        select(Skill, people)
        .where(Skill.workspace_id == workspace_id, condition)
        .order_by(people.desc(), Skill.key)
        .limit(limit)
    ).all()
    return [(skill, int(count or 0)) for skill, count in rows]


def popular_skills(
    *, session: Session, workspace_id: int, limit: int
) -> list[tuple[Skill, int, int]]:
    """(skill, teachers, learners) for the most listed skills of the workspace."""
    teach = func.sum(case((MemberSkill.direction == Direction.TEACH, 1), else_=0))
    learn = func.sum(case((MemberSkill.direction == Direction.LEARN, 1), else_=0))
    rows = session.execute(
        select(Skill, teach, learn)
        .join(MemberSkill, MemberSkill.skill_id == Skill.id)
        .where(Skill.workspace_id == workspace_id)
        .group_by(Skill.id)
        .order_by(func.count(MemberSkill.id).desc(), Skill.key)
        .limit(limit)
    ).all()
    return [(skill, int(t or 0), int(lr or 0)) for skill, t, lr in rows]


def delete_orphans(*, session: Session, workspace_id: int, skill_ids: Iterable[int]) -> int:
    """Remove the given skills when no member lists them any more (the catalog lists only
    skills someone has or wants). Lessons keep their label; their ``skill_id`` becomes NULL."""
    wanted = set(skill_ids)
    if not wanted:
        return 0
    used = select(MemberSkill.skill_id).where(MemberSkill.skill_id.in_(wanted))
    orphans = list(
        session.scalars(
            select(Skill.id).where(
                Skill.workspace_id == workspace_id, Skill.id.in_(wanted), Skill.id.not_in(used)
            )
        )
    )
    if not orphans:
        return 0
    session.execute(delete(SkillAlias).where(SkillAlias.skill_id.in_(orphans)))
    session.execute(delete(Skill).where(Skill.id.in_(orphans)))
    return len(orphans)

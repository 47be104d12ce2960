"""The skills explorer: the skills people here teach (most taught first) and, for one skill,
its teachers with an *Ask for a swap* button each."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.errors import NotFoundError
from bot.requests.views import TEACHERS_SHOWN, SkillLine, SkillTeachers, TeacherCard
from bot.slack.text import COMMAND
from bot.store import members as member_store
from bot.store import requests as store
from bot.store import skills as skill_store
from bot.store.workspaces import get_workspace

#: Skills the Home tab's explorer lists (the search finds the others).
EXPLORER_SHOWN = 8


def skill_lines(*, session: Session, workspace_id: int, limit: int) -> list[SkillLine]:
    return [
        SkillLine(c.skill_id, c.name, c.teach, c.learn, c.teams)
        for c in store.skills_map(session=session, workspace_id=workspace_id, limit=limit)
    ]


def explorer(*, session: Session, team_id: str) -> list[SkillLine]:
    workspace = get_workspace(session=session, team_id=team_id)
    if workspace is None:
        return []
    return skill_lines(session=session, workspace_id=workspace.id, limit=EXPLORER_SHOWN)


def skill_teachers(*, session: Session, team_id: str, viewer: str, skill_id: int) -> SkillTeachers:
    """Who teaches one skill, for ``viewer`` (not themselves, nor anyone they can't ask)."""
    workspace = get_workspace(session=session, team_id=team_id)
    skill = (
        skill_store.skills_by_ids(session=session, workspace_id=workspace.id, ids=[skill_id]).get(
            skill_id
        )
        if workspace
        else None
    )
    if workspace is None or skill is None:
        raise NotFoundError(
            f"That skill isn't listed any more. See what people teach with `{COMMAND} who`."
        )
    me = member_store.get_member(session=session, workspace_id=workspace.id, slack_user_id=viewer)
    teachers = store.teachers_of(
        session=session,
        workspace_id=workspace.id,
        skill_id=skill.id,
        exclude=[me.id] if me else [],
        limit=TEACHERS_SHOWN,
    )
    counts = store.skills_map(
        session=session, workspace_id=workspace.id, limit=1, skill_id=skill.id
    )
    return SkillTeachers(
        skill_id=skill.id,
        name=skill.name,
        viewer=viewer,
        teachers=tuple(TeacherCard(t.user_id, t.level, t.team, t.teaches) for t in teachers),
        learn=counts[0].learn if counts else 0,
    )

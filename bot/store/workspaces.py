"""Data access for workspaces. Functions take ``*, session`` and never commit."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.store.db import NeedsWrite, is_read_only
from bot.store.models import Workspace


def get_workspace(*, session: Session, team_id: str) -> Workspace | None:
    return session.scalars(select(Workspace).where(Workspace.team_id == team_id)).first()


def get_or_create_workspace(
    *, session: Session, team_id: str, enterprise_id: str | None = None
) -> Workspace:
    """The workspace row for ``team_id``, created with default settings on first contact."""
    found = get_workspace(session=session, team_id=team_id)
    if found is not None:
        return found
    if is_read_only(session):
        raise NeedsWrite(f"workspace {team_id} is new")
    workspace = Workspace(team_id=team_id, enterprise_id=enterprise_id)
    try:
        with session.begin_nested():
            session.add(workspace)
            session.flush()
    except IntegrityError:  # created concurrently by another request
        again = get_workspace(session=session, team_id=team_id)
        if again is None:
            raise
        return again
    return workspace


def active_workspaces(*, session: Session) -> list[Workspace]:
    return list(session.scalars(select(Workspace).where(Workspace.active.is_(True))))

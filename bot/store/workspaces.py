"""Data access for workspaces. Functions take ``*, session`` and never commit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.errors import NotFoundError
from bot.kinds import OutboxState, RoundState
from bot.store.db import NeedsWrite, Reads, is_read_only
from bot.store.models import OutboxMessage, Round, Workspace
from bot.store.prepared import PreparedSelect


def get_workspace(*, session: Session, team_id: str) -> Workspace | None:
    return session.scalars(select(Workspace).where(Workspace.team_id == team_id)).first()


# Asked by every admin check (and by the help, which shows admins their commands): built
# once, run on the driver's cursor (a light reader's, or in the session's transaction), no
# ORM entity loaded.
_SAVED_ADMINS = PreparedSelect(
    select(Workspace.admin_user_ids).where(Workspace.team_id == bindparam("team_id"))
)


def saved_admin_ids(*, session: Reads, team_id: str) -> list[str]:
    """The Slack ids an admin saved as SkillSwap admins of the workspace (none if it is new)."""
    found = _SAVED_ADMINS.first(session, {"team_id": team_id})
    return [str(user) for user in (found.admin_user_ids if found is not None else None) or ()]


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


def workspaces_of(
    *, session: Session, team_id: str | None, enterprise_id: str | None
) -> list[Workspace]:
    """The workspace (team-level install) or every workspace of an org (org-wide install)."""
    if team_id:
        query = select(Workspace).where(Workspace.team_id == team_id)
    elif enterprise_id:
        query = select(Workspace).where(Workspace.enterprise_id == enterprise_id)
    else:
        return []
    return list(session.scalars(query))


def stop_workspaces(
    *, session: Session, workspaces: list[Workspace], now: datetime, reason: str, delete_data: bool
) -> None:
    """Close the workspaces' open rounds, cancel what waits in their outbox (``reason`` is
    recorded on each message), mark them inactive; with ``delete_data``, delete them and
    everything under them (the schema cascades)."""
    ids = [ws.id for ws in workspaces]
    if not ids:
        return
    session.execute(
        update(Round)
        .where(Round.workspace_id.in_(ids), Round.state != RoundState.CLOSED)
        .values(state=RoundState.CLOSED, closed_at=now)
    )
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.workspace_id.in_(ids), OutboxMessage.state == OutboxState.PENDING)
        .values(state=OutboxState.FAILED, last_error=reason)
    )
    for ws in workspaces:
        ws.active = False
    if delete_data:
        session.execute(delete(Workspace).where(Workspace.id.in_(ids)))


def require_workspace(*, session: Session, team_id: str) -> Workspace:
    """The workspace row for ``team_id``; :class:`NotFoundError` when there is none (the CLI
    names a workspace that never installed SkillSwap)."""
    workspace = get_workspace(session=session, team_id=team_id)
    if workspace is None:
        raise NotFoundError(
            f"There is no SkillSwap workspace {team_id!r} here. Check the team id, or install "
            "SkillSwap there first."
        )
    return workspace

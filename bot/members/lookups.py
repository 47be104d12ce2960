"""Lookups the members' modules share: the member with their workspace, the workspace as a
read-model row, when its next round is. Functions take a ``session``.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from bot.members.views import RoundRecord, WorkspaceRecord
from bot.rounds import schedule as rounds_schedule
from bot.store import members as store
from bot.store import read_model
from bot.store.db import NeedsWrite, Reader, Reads
from bot.store.models import Member, Workspace
from bot.store.workspaces import get_or_create_workspace

log = logging.getLogger(__name__)


def member_of(
    session: Session, team_id: str, user_id: str, *, with_catalog: bool = False
) -> tuple[Workspace, Member | None]:
    member = store.member_of_team(
        session=session, team_id=team_id, slack_user_id=user_id, with_catalog=with_catalog
    )
    if member is not None:
        return member.workspace, member
    return get_or_create_workspace(session=session, team_id=team_id), None


def workspace_row(session: Reads, team_id: str) -> read_model.WorkspaceRow:
    """The workspace as a plain row, created on first contact (which raises
    :class:`NeedsWrite` in a light or read-only unit of work)."""
    workspace = read_model.workspace_row(session=session, team_id=team_id)
    if workspace is None:
        if isinstance(session, Reader):
            raise NeedsWrite(f"workspace {team_id} is new")
        get_or_create_workspace(session=session, team_id=team_id)
        session.flush()
        workspace = read_model.workspace_row(session=session, team_id=team_id)
        assert workspace is not None
    return workspace


def next_round(
    workspace: WorkspaceRecord, last: RoundRecord | None, now: datetime
) -> datetime | None:
    if not workspace.active:
        return None
    try:
        return rounds_schedule.next_round_at(
            workspace.cadence,
            workspace.round_weekday,
            workspace.round_time,
            workspace.timezone,
            now,
            last_round_on=last.round_date if last else None,
        )
    except ValueError:  # settings an admin must fix; say nothing rather than a wrong date
        log.warning("workspace round settings are invalid", extra={"team_id": workspace.team_id})
        return None

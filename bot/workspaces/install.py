"""A workspace arrives: the OAuth flow records its installation; any request Slack sends from
it makes it active again; its name is learnt for reports."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError
from slack_sdk.oauth.installation_store import Installation

from bot.deps import Deps
from bot.rounds.settings import profile_zone
from bot.slack.clients import make_client
from bot.store.workspaces import get_or_create_workspace, get_workspace, workspaces_of

log = logging.getLogger(__name__)


def record_installation(deps: Deps, installation: Installation) -> None:
    """After the OAuth flow: the workspace exists, is active, and its installer may admin it."""
    team_id = installation.team_id
    enterprise_id = installation.enterprise_id
    installer = installation.user_id
    zone = installer_zone(deps, installation)  # Slack first, before the unit of work
    with deps.unit_of_work() as session:
        if team_id:
            ws = get_or_create_workspace(
                session=session, team_id=team_id, enterprise_id=enterprise_id
            )
            ws.active = True
            ws.enterprise_id = enterprise_id or ws.enterprise_id
            if installation.team_name:
                ws.name = installation.team_name[:255]
            if zone and ws.settings_confirmed_at is None:
                ws.timezone = zone  # a default until an admin confirms the settings
            admins = [str(a) for a in (ws.admin_user_ids or [])]
            if installer and installer not in admins:
                ws.admin_user_ids = [*admins, installer]
        else:  # org-wide install: each workspace gets its row on first contact
            for ws in workspaces_of(session=session, team_id=None, enterprise_id=enterprise_id):
                ws.active = True
    log.info(
        "installed%s",
        " org-wide" if installation.is_enterprise_install else "",
        extra={"team_id": team_id, "enterprise_id": enterprise_id, "user_id": installer},
    )


def installer_zone(deps: Deps, installation: Installation) -> str | None:
    """The installer's Slack time zone: the workspace's default until an admin confirms."""
    if not installation.user_id or not installation.bot_token or not installation.team_id:
        return None
    client = make_client(deps, token=installation.bot_token)
    return profile_zone(client, team_id=installation.team_id, user_id=installation.user_id)


def reactivate(deps: Deps, team_id: str) -> None:
    """A workspace Slack sends authorised requests from is installed, hence active."""
    with deps.unit_of_work() as session:
        ws = get_workspace(session=session, team_id=team_id)
        if ws is not None and not ws.active:
            ws.active = True
            log.info(
                "workspace active again: Slack sent a request from it", extra={"team_id": team_id}
            )


def learn_workspace_name(deps: Deps, client: WebClient, *, team_id: str) -> None:
    """Reports are titled with the workspace's name; single-workspace installs learn it from
    ``auth.test`` the first time an admin asks for one (OAuth installs store it on install).
    Slack is asked between two units of work, never inside one."""
    with deps.read_only() as session:
        workspace = get_workspace(session=session, team_id=team_id)
        unnamed = workspace is not None and not workspace.name
    if not unnamed:
        return
    try:
        name = client.auth_test().get("team")
    except SlackClientError:
        log.info(
            "auth.test failed; the report is titled with the team id", extra={"team_id": team_id}
        )
        return
    if not name:
        return
    with deps.unit_of_work() as session:
        workspace = get_workspace(session=session, team_id=team_id)
        if workspace is not None and not workspace.name:
            workspace.name = str(name)[:255]

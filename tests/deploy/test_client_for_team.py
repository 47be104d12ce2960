"""``client_for_team``: the right bot token for work outside a request (rounds, delivery)."""

from __future__ import annotations

import pytest
from slack_sdk.oauth.installation_store import Installation

from bot.deps import Deps
from bot.errors import NotFoundError
from bot.slack.clients import client_for_team, installation_store
from bot.store.db import make_session_factory
from tests.support import BOT_TOKEN


@pytest.fixture
def multi(deps: Deps) -> Deps:
    from tests.deploy.deploy_kit import CLIENT_ID, CLIENT_SECRET
    from tests.support import make_settings

    settings = make_settings(
        deps.settings.database_url,
        deps.settings.slack_api_url,
        slack_client_id=CLIENT_ID,
        slack_client_secret=CLIENT_SECRET,
    )
    return Deps(
        settings=settings,
        engine=deps.engine,
        session_factory=make_session_factory(deps.engine),
        clock=deps.clock,
    )


def _save(deps: Deps, **fields: object) -> None:
    store = installation_store(deps)
    assert store is not None
    store.save(
        Installation(app_id="A0001", user_id="UINSTALLER", bot_id="B1", bot_user_id="UB1", **fields)
    )  # type: ignore[arg-type]


def test_single_workspace_mode_uses_the_configured_token(deps: Deps) -> None:
    assert client_for_team(deps, "T0001").token == BOT_TOKEN


def test_multi_workspace_mode_finds_each_workspace_and_never_falls_back(multi: Deps) -> None:
    _save(multi, team_id="TGRID", enterprise_id="E1", bot_token="xoxb-tgrid")
    _save(multi, enterprise_id="E2", team_id=None, is_enterprise_install=True, bot_token="xoxb-org")

    assert client_for_team(multi, "TGRID", "E1").token == "xoxb-tgrid"
    # A caller that does not know the workspace's org still finds its installation.
    assert client_for_team(multi, "TGRID").token == "xoxb-tgrid"
    # Enterprise Grid org-wide install: any workspace of the org uses the org's bot token.
    assert client_for_team(multi, "TANY", "E2").token == "xoxb-org"
    # Never another workspace's token, never SLACK_BOT_TOKEN.
    with pytest.raises(NotFoundError):
        client_for_team(multi, "TSTRANGER")
    with pytest.raises(NotFoundError):
        client_for_team(multi, "TANY", "E1")

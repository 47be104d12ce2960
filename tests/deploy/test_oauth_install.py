"""Multi-workspace installs: Bolt's OAuth flow against the simulator, and what comes after."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from bot.errors import NotFoundError
from bot.slack.clients import client_for_team
from bot.slack.oauth import BOT_SCOPES, NOT_INSTALLED_MESSAGE
from bot.store.models import Workspace
from bot.store.workspaces import get_workspace
from tests.deploy.deploy_kit import CLIENT_ID, STATE_COOKIE, OAuthHarness, tokens_used
from tests.support import shown_text


def _rows(oauth: OAuthHarness, table: str, team_id: str, user_id: str | None = None) -> int:
    """How many ``slack_bots`` / ``slack_installations`` rows the workspace has."""
    from bot.slack.clients import installation_store

    store = installation_store(oauth.deps)
    assert store is not None
    t = store.bots if table == "bots" else store.installations
    query = select(func.count()).select_from(t).where(t.c.team_id == team_id)
    if user_id is not None:
        query = query.where(t.c.user_id == user_id)
    with oauth.deps.engine.connect() as conn:
        return int(conn.scalar(query) or 0)


def _installed_bots(oauth: OAuthHarness, team_id: str) -> int:
    return _rows(oauth, "bots", team_id)


def test_install_page_asks_slack_for_exactly_our_scopes(oauth: OAuthHarness) -> None:
    state, cookie, page = oauth.start_install()
    start = page.body.index('href="https://slack.com/oauth/v2/authorize') + 6
    link = page.body[start:].split('"', 1)[0].replace("&amp;", "&")
    query = parse_qs(urlsplit(link).query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["scope"][0].split(",") == list(BOT_SCOPES)
    assert "user_scope" not in query or query["user_scope"] == [""]
    assert cookie == f"{STATE_COOKIE}={state}"


def test_oauth_install_then_the_workspace_is_authorised_with_its_own_token(
    oauth: OAuthHarness,
) -> None:
    token = oauth.install("TACME", team_name="Acme & Co", installer="UALICE")

    # The token exchange went to the simulator with our client credentials.
    [exchange] = oauth.sim.calls_to("oauth.v2.access")
    assert exchange.ok

    # The workspace exists, is active, is named, and its installer may administer it.
    with oauth.deps.unit_of_work() as session:
        ws = get_workspace(session=session, team_id="TACME")
        assert ws is not None
        assert (ws.active, ws.name) == (True, "Acme & Co")
        assert "UALICE" in ws.admin_user_ids

    # The next request from that workspace is authorised with the token it installed.
    answer = oauth.command("UALICE", "help", team_id="TACME")
    assert "/skillswap" in shown_text(answer)
    assert token in tokens_used(oauth.sim, "auth.test")
    assert client_for_team(oauth.deps, "TACME").token == token


def test_the_installers_slack_time_zone_is_the_default_until_an_admin_confirms(
    oauth: OAuthHarness,
) -> None:
    oauth.sim.add_user("TACME", "UALICE", name="alice", tz="America/Chicago")
    oauth.install("TACME", installer="UALICE")
    with oauth.deps.unit_of_work() as session:
        ws = get_workspace(session=session, team_id="TACME")
        assert ws is not None
        assert ws.timezone == "America/Chicago"
        assert ws.settings_confirmed_at is None  # no round before an admin saves the settings
        ws.timezone = "Europe/Paris"  # an admin chose and confirmed another zone
        ws.settings_confirmed_at = oauth.deps.clock.now()
    oauth.install("TACME", installer="UALICE")  # a reinstall keeps what the admin chose
    with oauth.deps.unit_of_work() as session:
        again = get_workspace(session=session, team_id="TACME")
        assert again is not None and again.timezone == "Europe/Paris"


def test_success_page_escapes_the_workspace_name(oauth: OAuthHarness) -> None:
    oauth.sim.register_oauth_code(
        "code-x", "TXSS", "<script>alert(1)</script>", "xoxb-txss-t", "UBX", "commands", "U1"
    )
    state, cookie, _ = oauth.start_install()
    page = oauth.finish_install(code="code-x", state=state, cookie=cookie)
    assert page.status == 200
    assert "<script>alert(1)</script>" not in page.body
    assert "&lt;script&gt;" in page.body


def test_a_workspace_that_never_installed_is_told_to_install(oauth: OAuthHarness) -> None:
    oauth.install("TACME")
    sent = oauth.send_command("U9", "help", team_id="TOTHER")
    assert sent.status == 200
    oauth.drain()
    [answer] = sent.replies()
    assert answer["text"] == NOT_INSTALLED_MESSAGE
    assert all(c.team_id != "TOTHER" for c in oauth.sim.calls)


@pytest.mark.parametrize(
    ("case", "status", "words"),
    [
        ("forged_state", 400, "expired or was already used"),
        ("no_cookie", 400, "same browser"),
        ("reused_code", 400, "did not accept the installation code"),
        ("cancelled", 200, "cancelled"),
    ],
)
def test_failed_installs_explain_what_to_do_and_store_nothing(
    oauth: OAuthHarness, case: str, status: int, words: str
) -> None:
    oauth.sim.register_oauth_code(
        "code-1", "TFAIL", "Fail Inc", "xoxb-tfail-t", "UBF", "commands", "U1"
    )
    state, cookie, _ = oauth.start_install()
    if case == "forged_state":
        page = oauth.finish_install(code="code-1", state="forged", cookie=f"{STATE_COOKIE}=forged")
    elif case == "no_cookie":
        page = oauth.finish_install(code="code-1", state=state, cookie=None)
    elif case == "reused_code":
        oauth.finish_install(code="code-1", state=state, cookie=cookie)
        state, cookie, _ = oauth.start_install()
        page = oauth.finish_install(code="code-1", state=state, cookie=cookie)
    else:
        page = oauth.get("/slack/oauth_redirect?error=access_denied&state=" + state, cookie=cookie)
    assert page.status == status
    assert words in page.body
    assert 'href="/slack/install"' in page.body
    if case != "reused_code":
        assert _installed_bots(oauth, "TFAIL") == 0
        with oauth.deps.unit_of_work() as session:
            assert get_workspace(session=session, team_id="TFAIL") is None


def test_a_state_is_good_for_one_install_only(oauth: OAuthHarness) -> None:
    oauth.sim.register_oauth_code("c1", "TONE", "One", "xoxb-tone-t", "UB1", "commands", "U1")
    oauth.sim.register_oauth_code("c2", "TTWO", "Two", "xoxb-ttwo-t", "UB2", "commands", "U2")
    state, cookie, _ = oauth.start_install()
    assert oauth.finish_install(code="c1", state=state, cookie=cookie).status == 200
    replay = oauth.finish_install(code="c2", state=state, cookie=cookie)
    assert replay.status == 400
    assert _installed_bots(oauth, "TTWO") == 0


def test_oauth_paths_reject_other_methods(oauth: OAuthHarness) -> None:
    reply = oauth.slack.post("/slack/install", b"x=1", "application/x-www-form-urlencoded")
    assert reply.status == 405
    assert oauth.get("/slack/nothing-here").status == 404


def test_uninstall_deletes_the_tokens_and_stops_only_that_workspace(oauth: OAuthHarness) -> None:
    oauth.install("TACME")
    beta_token = oauth.install("TBETA")

    reply = oauth.event({"type": "app_uninstalled"}, team_id="TACME")
    assert reply.status == 200

    def acme_stopped() -> bool:
        with oauth.deps.unit_of_work() as session:
            active = session.scalar(select(Workspace.active).where(Workspace.team_id == "TACME"))
        return active is False and _installed_bots(oauth, "TACME") == 0

    oauth.drain()
    assert acme_stopped()
    with pytest.raises(NotFoundError):
        client_for_team(oauth.deps, "TACME")
    assert client_for_team(oauth.deps, "TBETA").token == beta_token
    with oauth.deps.unit_of_work() as session:
        beta = get_workspace(session=session, team_id="TBETA")
        assert beta is not None and beta.active

    # Acme's members are told to reinstall; Beta's keep working.
    assert oauth.command("U1", "help", team_id="TACME")["text"] == NOT_INSTALLED_MESSAGE
    assert "/skillswap" in shown_text(oauth.command("U2", "help", team_id="TBETA"))

    # Installing again brings Acme back.
    oauth.install("TACME", bot_token="xoxb-tacme-second")
    with oauth.deps.unit_of_work() as session:
        again = get_workspace(session=session, team_id="TACME")
        assert again is not None and again.active
    assert client_for_team(oauth.deps, "TACME").token == "xoxb-tacme-second"


def test_bot_token_revoked_is_an_uninstall_user_tokens_revoked_is_not(oauth: OAuthHarness) -> None:
    oauth.install("TACME", installer="UALICE")
    assert _rows(oauth, "installations", "TACME", "UALICE") == 1
    oauth.event(
        {"type": "tokens_revoked", "tokens": {"oauth": ["UALICE"], "bot": []}}, team_id="TACME"
    )
    oauth.drain()
    assert _rows(oauth, "installations", "TACME", "UALICE") == 0
    with oauth.deps.unit_of_work() as session:
        assert session.scalar(select(Workspace.active).where(Workspace.team_id == "TACME"))
    assert _installed_bots(oauth, "TACME") == 1

    oauth.event(
        {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBTACME"]}}, team_id="TACME"
    )

    def stopped() -> bool:
        with oauth.deps.unit_of_work() as session:
            active = session.scalar(select(Workspace.active).where(Workspace.team_id == "TACME"))
        return active is False and _installed_bots(oauth, "TACME") == 0

    oauth.drain()
    assert stopped()

"""Helpers for the deployment tests: multi-workspace (OAuth) mode over HTTP with the simulator.

``oauth`` is an :class:`OAuthHarness`, the shared harness (``tests/support.py``) plus a
browser: ``install(team_id, ...)`` walks Bolt's OAuth flow the way a browser does
(``/slack/install`` → Slack's consent → ``/slack/oauth_redirect``), with the simulator playing
Slack's side of ``oauth.v2.access``.
"""

from __future__ import annotations

import http.client
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from sqlalchemy import Engine

from bot.clock import ManualClock
from bot.deps import Deps
from bot.sim import SlackSimulator
from bot.slack.oauth import BOT_SCOPES
from bot.store.db import make_session_factory
from tests.support import Harness, make_settings

CLIENT_ID = "1111.2222"
CLIENT_SECRET = "oauth-client-secret"
STATE_COOKIE = "slack-app-oauth-state"


@dataclass(frozen=True)
class Page:
    status: int
    headers: dict[str, str]
    body: str


@dataclass(kw_only=True)
class OAuthHarness(Harness):
    """The app in multi-workspace (OAuth) mode, driven from Slack's side and a browser's."""

    @property
    def base(self) -> str:
        """``http://127.0.0.1:<port>``"""
        return self.url.removesuffix("/slack/events")

    def get(self, path: str, *, cookie: str | None = None) -> Page:
        parts = urlsplit(self.base)
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
        try:
            conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
            response = conn.getresponse()
            body = response.read().decode()
            headers = {k.lower(): v for k, v in response.getheaders()}
            return Page(response.status, headers, body)
        finally:
            conn.close()

    def start_install(self) -> tuple[str, str, Page]:
        """Open ``/slack/install``: (state, cookie header to send back, the page)."""
        page = self.get("/slack/install")
        assert page.status == 200, page
        match = re.search(r'href="([^"]*/oauth/v2/authorize\?[^"]+)"', page.body)
        assert match, page.body
        authorize = urlsplit(match.group(1).replace("&amp;", "&"))
        state = parse_qs(authorize.query)["state"][0]
        cookie = page.headers["set-cookie"].split(";", 1)[0]
        assert cookie == f"{STATE_COOKIE}={state}"
        return state, cookie, page

    def finish_install(self, *, code: str, state: str, cookie: str | None) -> Page:
        return self.get(
            "/slack/oauth_redirect?" + urlencode({"code": code, "state": state}), cookie=cookie
        )

    def install(
        self,
        team_id: str,
        *,
        team_name: str | None = None,
        installer: str = "UINSTALLER",
        bot_token: str | None = None,
    ) -> str:
        """Install the app in ``team_id`` through the OAuth flow; returns its bot token."""
        token = bot_token or f"xoxb-{team_id.lower()}-oauth-token"
        code = f"code-{team_id}-{len(self.sim.calls_to('oauth.v2.access'))}"
        self.sim.register_oauth_code(
            code,
            team_id,
            team_name or f"Team {team_id}",
            token,
            f"UB{team_id}",
            list(BOT_SCOPES),
            installer,
        )
        state, cookie, _ = self.start_install()
        page = self.finish_install(code=code, state=state, cookie=cookie)
        assert page.status == 200, page.body
        assert "SkillSwap is installed" in page.body
        return token


def oauth_deps(database_url: str, engine: Engine, sim: SlackSimulator, clock: ManualClock) -> Deps:
    settings = make_settings(
        database_url,
        sim.api_url,
        slack_bot_token=None,
        slack_client_id=CLIENT_ID,
        slack_client_secret=CLIENT_SECRET,
    )
    return Deps(
        settings=settings,
        engine=engine,
        session_factory=make_session_factory(engine),
        clock=clock,
    )


def tokens_used(sim: SlackSimulator, method: str) -> set[Any]:
    return {c.token for c in sim.calls_to(method)}

"""Fixtures for the deployment tests (helpers live in ``deploy_kit``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from deploy_kit import OAuthHarness, oauth_deps
from sqlalchemy import Engine

from bot.clock import ManualClock
from bot.sim import SignedClient, SlackSimulator
from tests.support import SIGNING_SECRET, serve_app


@pytest.fixture
def oauth(
    database_url: str, engine: Engine, sim: SlackSimulator, clock: ManualClock
) -> Iterator[OAuthHarness]:
    deps = oauth_deps(database_url, engine, sim, clock)
    url, server = serve_app(deps)
    try:
        yield OAuthHarness(
            deps=deps,
            sim=sim,
            slack=SignedClient(url, SIGNING_SECRET, simulator=sim),
            base=url.removesuffix("/slack/events"),
        )
    finally:
        server.shutdown()
        server.server_close()

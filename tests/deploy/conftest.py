"""Fixtures for the deployment tests (helpers live in ``deploy_kit``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from bot.clock import ManualClock
from bot.sim import SlackSimulator
from tests.deploy.deploy_kit import OAuthHarness, oauth_deps
from tests.support import serve


@pytest.fixture
def oauth(
    database_url: str, engine: Engine, sim: SlackSimulator, clock: ManualClock
) -> Iterator[OAuthHarness]:
    deps = oauth_deps(database_url, engine, sim, clock)
    with serve(deps, sim, clock, kind=OAuthHarness) as harness:
        yield harness

"""Fixtures for the hardening tests: the real app over HTTP with a handle on its listeners."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.clock import ManualClock
from bot.deps import Deps
from bot.sim import SignedClient, SlackSimulator
from tests.hardening.hardening_support import Served
from tests.support import SIGNING_SECRET, TEAM, Harness, serve_app


@pytest.fixture
def served(deps: Deps, sim: SlackSimulator, clock: ManualClock) -> Iterator[Served]:
    """Like ``harness``, plus ``drain()``: wait for every listener started so far to finish.

    Lets a test assert that something did *not* happen (no reply, no Web API call) without
    sleeping: once drained, nothing more can happen.
    """
    sim.add_user(TEAM, "UADMIN", name="ada", is_admin=True)
    sim.add_user(TEAM, "UALICE", name="alice")
    sim.add_user(TEAM, "UBOB", name="bob")
    sim.add_user(TEAM, "UCAROL", name="carol")
    url, server = serve_app(deps)
    try:
        yield Served(
            harness=Harness(
                deps=deps,
                sim=sim,
                slack=SignedClient(url, SIGNING_SECRET, simulator=sim),
                url=url,
                clock=clock,
            ),
            wsgi=server.get_app(),
        )
    finally:
        server.shutdown()
        server.server_close()

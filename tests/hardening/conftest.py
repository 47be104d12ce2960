"""Fixtures for the hardening tests: the real app over HTTP with four colleagues in Slack."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.clock import ManualClock
from bot.deps import Deps
from bot.sim import SlackSimulator
from tests.support import TEAM, Harness, serve


@pytest.fixture
def served(deps: Deps, sim: SlackSimulator, clock: ManualClock) -> Iterator[Harness]:
    """The shared harness with an admin and three members in Slack's directory.

    A test asserts that something did *not* happen (no reply, no Web API call) after
    ``served.drain()``: once drained, nothing more can happen.
    """
    sim.add_user(TEAM, "UADMIN", name="ada", is_admin=True)
    sim.add_user(TEAM, "UALICE", name="alice")
    sim.add_user(TEAM, "UBOB", name="bob")
    sim.add_user(TEAM, "UCAROL", name="carol")
    with serve(deps, sim, clock) as harness:
        yield harness

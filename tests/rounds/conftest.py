"""Fixtures for the rounds tests."""

from __future__ import annotations

import pytest
from rounds_kit import Team

from bot.clock import ManualClock
from bot.deps import Deps
from bot.sim import SlackSimulator


@pytest.fixture
def team(deps: Deps, sim: SlackSimulator, clock: ManualClock) -> Team:
    return Team(deps=deps, sim=sim, clock=clock)

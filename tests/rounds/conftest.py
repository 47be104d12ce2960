"""Fixtures for the rounds tests."""

from __future__ import annotations

import pytest

from bot.clock import ManualClock
from bot.deps import Deps
from bot.sim import SlackSimulator
from tests.rounds.rounds_kit import Team


@pytest.fixture
def team(deps: Deps, sim: SlackSimulator, clock: ManualClock) -> Team:
    return Team(deps=deps, sim=sim, clock=clock)

"""Fixtures for the insights tests: the hand-computed scenario written to each database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from bot.insights.stats import Insights, InsightsInput, compute_insights
from bot.store.db import make_session_factory
from bot.store.insights import load_input
from tests.insights import insights_kit as sc

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


@pytest.fixture
def scenario(engine: Engine) -> sc.Built:
    with make_session_factory(engine).begin() as session:
        return sc.build(session)


@pytest.fixture
def scenario_input(engine: Engine, scenario: sc.Built) -> InsightsInput:
    with make_session_factory(engine).begin() as session:
        return load_input(session=session, team_id=sc.TEAM)


@pytest.fixture
def insights(scenario_input: InsightsInput) -> Insights:
    return compute_insights(scenario_input, generated_at=NOW)

"""Fixtures for the members' Slack surface tests."""

from __future__ import annotations

import pytest

from tests.members.members_kit import ANA, BEN, CAL, DEV
from tests.support import Harness


@pytest.fixture
def driver(harness: Harness) -> Harness:
    """The real app with four colleagues in Slack's directory (none of them members yet)."""
    for user, name, tz in (
        (ANA, "ana", "Europe/Madrid"),
        (BEN, "ben", "Europe/London"),
        (CAL, "cal", "America/New_York"),
        (DEV, "dev", "Asia/Kolkata"),
    ):
        harness.sim.add_user(harness.team_id, user, name=name, real_name=name.title(), tz=tz)
    return harness

"""Constants and small helpers for the simulator's tests (fixtures live in conftest.py)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from slack_bolt import App

from tests.support import SlackDriver

TOKEN = "xoxb-sim-test"
TEAM = "T0SIM"
SECRET = "sim-signing-secret"


class DrivenClock:
    """Seconds since the epoch that only move when told to."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.value = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.value

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.value += seconds


@dataclass(kw_only=True)
class BoltHarness(SlackDriver):
    """The shared Slack driver over a tiny Bolt app that a test registers listeners on."""

    app: App
    url: str

"""Slash commands must be acknowledged within 3 s: an ack guard per command, one watchdog
thread per process that acknowledges empty when a command runs past its budget."""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from typing import Any

from slack_bolt import Ack

log = logging.getLogger(__name__)

# Slack shows "operation timed out" after 3 s without an ack; past this budget we ack empty.
ACK_BUDGET_SECONDS = 2.0


class AckGuard:
    """Slack needs the ack within 3 s. Replies normally travel in the ack; if the work runs
    past ``budget`` seconds (a busy database, say), acknowledge empty and reply later."""

    def __init__(self, ack: Ack, *, budget: float) -> None:
        self._ack = ack
        self._lock = threading.Lock()
        self._acked = False
        self.finished = False
        if budget <= 0:
            self.expire()
        else:
            _WATCHDOG.watch(time.monotonic() + budget, self)

    def expire(self) -> None:
        """Acknowledge empty, unless the reply went out already."""
        with self._lock:
            if not self._acked:
                self._acked = True
                self._ack()

    def stop(self) -> None:
        self.finished = True

    def answer(self, text: str | None, blocks: list[dict[str, Any]]) -> bool:
        """Ack with the reply; False when the ack went out already (reply another way)."""
        with self._lock:
            if self._acked:
                return False
            self._acked = True
        if text is None:
            self._ack()
        else:
            self._ack(text=text, blocks=blocks or None, response_type="ephemeral")
        return True


class _Watchdog:
    """One thread per process expires every command's ack budget (a timer thread per
    command would cost more than most commands do)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._due: list[tuple[float, int, AckGuard]] = []
        self._serial = itertools.count()
        self._thread: threading.Thread | None = None

    def watch(self, deadline: float, guard: AckGuard) -> None:
        with self._cond:
            heapq.heappush(self._due, (deadline, next(self._serial), guard))
            if self._thread is None or not self._thread.is_alive():  # first use, or forked
                self._thread = threading.Thread(target=self._run, name="ack-watchdog", daemon=True)
                self._thread.start()
            elif self._due[0][2] is guard:
                self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while True:
                    while self._due and self._due[0][2].finished:
                        heapq.heappop(self._due)
                    if not self._due:
                        self._cond.wait()
                        continue
                    delay = self._due[0][0] - time.monotonic()
                    if delay <= 0:
                        guard = heapq.heappop(self._due)[2]
                        break
                    self._cond.wait(delay)
            try:
                guard.expire()
            except Exception:  # never let one failed ack stop the watchdog
                log.exception("could not acknowledge a slow command")


_WATCHDOG = _Watchdog()

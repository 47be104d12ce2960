"""Acks: the request thread is woken the moment its listener acks, and slash commands meet
Slack's 3 s with an ack guard per command and one watchdog thread per process that
acknowledges empty when a command runs past its budget."""

from __future__ import annotations

import contextvars
import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

from slack_bolt import Ack, BoltContext, BoltResponse

from bot.logs import ContextThreadPoolExecutor

log = logging.getLogger(__name__)

# Slack shows "operation timed out" after 3 s without an ack; past this budget we ack empty.
ACK_BUDGET_SECONDS = 2.0
# The request thread waits this long at most for its listener's ack (Bolt's default ack
# timeout, Slack's limit); past it Bolt gives up as it always did.
ACK_WAIT_SECONDS = 3.0

P = ParamSpec("P")
T = TypeVar("T")


class SignallingAck(Ack):
    """Bolt's ``ack`` that also wakes the request thread waiting for it."""

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # Bolt's own is untyped
        # Set once the ack went out, or the listener ended without one (Bolt then answers
        # from its error handler, or not at all).
        self.settled = threading.Event()

    def __call__(self, *args: Any, **kwargs: Any) -> BoltResponse:
        try:
            return super().__call__(*args, **kwargs)
        finally:
            self.settled.set()


_awaited: contextvars.ContextVar[SignallingAck | None] = contextvars.ContextVar(
    "skillswap_awaited_ack", default=None
)


@contextmanager
def awaiting_ack(context: BoltContext) -> Iterator[None]:
    """Around Bolt's dispatch of one request: its ``ack`` signals, and the listener pool's
    ``submit`` (called from this thread) waits for that signal; see :class:`AckWaitExecutor`."""
    if "ack" in context:  # someone chose this request's ack already: leave it be
        yield
        return
    ack = SignallingAck()
    context["ack"] = ack
    token = _awaited.set(ack)
    try:
        yield
    finally:
        _awaited.reset(token)


class AckWaitExecutor(ContextThreadPoolExecutor):
    """The listener pool. Bolt (``process_before_response=False``) submits the listener here,
    then polls for its ack every 10 ms: each request would cost one 10 ms tick at least and
    two when the ack comes after the first look, whatever the work. Instead the request
    thread waits here until the listener acks (or ends), so Bolt's first look finds the ack
    and never sleeps. Work after the ack (Slack calls, ``response_url`` replies) still runs
    in the pool while the ack travels back."""

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        ack = _awaited.get()
        if ack is None:
            return super().submit(fn, *args, **kwargs)
        _awaited.set(None)  # one listener per request; anything it submits does not wait
        settled = ack.settled

        def settle(_: Future[T]) -> None:
            if not settled.is_set():  # most listeners have acked by the time they end
                settled.set()

        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(settle)
        ack.settled.wait(ACK_WAIT_SECONDS)
        return future


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

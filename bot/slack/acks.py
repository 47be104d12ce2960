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
from typing import Any, Generic, ParamSpec, TypeVar

from slack_bolt import Ack, BoltContext, BoltResponse

from bot.logs import ContextThreadPoolExecutor

log = logging.getLogger(__name__)

# Slack shows "operation timed out" after 3 s without an ack; past this budget we ack empty.
ACK_BUDGET_SECONDS = 2.0
# The request thread waits this long at most for its listener's ack (Bolt's default ack
# timeout, Slack's limit); past it Bolt gives up as it always did.
ACK_WAIT_SECONDS = 3.0
# A listener no steady thread has taken after this long goes to a spare thread as well.
SPARE_AFTER_SECONDS = 0.1

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


class _Once(Generic[T]):
    """A listener handed to two pools (see :class:`AckWaitExecutor`): the first thread to
    take it runs it, the other finds it taken and returns; ``future`` is its outcome."""

    def __init__(self, fn: Callable[[], T]) -> None:
        self._fn = fn
        self._taken = threading.Lock()
        self.future: Future[T] = Future()

    @property
    def taken(self) -> bool:
        return self._taken.locked()

    def run(self) -> None:
        if not self._taken.acquire(blocking=False):
            return
        if not self.future.set_running_or_notify_cancel():
            return
        try:
            result = self._fn()
        except BaseException as error:
            self.future.set_exception(error)
        else:
            self.future.set_result(result)


class AckWaitExecutor(ContextThreadPoolExecutor):
    """The listener pool. Bolt (``process_before_response=False``) submits the listener here,
    then polls for its ack every 10 ms: each request would cost one 10 ms tick at least and
    two when the ack comes after the first look, whatever the work. Instead the request
    thread waits here until the listener acks (or ends), so Bolt's first look finds the ack
    and never sleeps. Work after the ack (Slack calls, ``response_url`` replies) still runs
    in the pool while the ack travels back.

    ``max_workers`` threads take listeners as they come. With ``spare_workers``, a listener
    that none of them has taken within ``patience`` seconds (they are all waiting on
    something: Slack's Retry-After, say) is handed to a spare pool as well, and whichever
    thread takes it first runs it: acks keep going out within Slack's 3 s while the steady
    threads are stuck. Few steady threads suit work that mostly computes: one interpreter
    lock per process runs one thread at a time, and every extra thread taking a turn
    lengthens the others' requests (see RELIABILITY.md, issue 20's seventh pass).
    """

    def __init__(
        self,
        max_workers: int,
        *,
        spare_workers: int = 0,
        patience: float = SPARE_AFTER_SECONDS,
        thread_name_prefix: str = "",
    ) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix=thread_name_prefix)
        self.patience = patience
        self.spare: ContextThreadPoolExecutor | None = (
            ContextThreadPoolExecutor(
                max_workers=spare_workers, thread_name_prefix=f"{thread_name_prefix}-spare"
            )
            if spare_workers > 0
            else None
        )

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        ack = _awaited.get()
        if ack is None:
            return super().submit(fn, *args, **kwargs)
        _awaited.set(None)  # one listener per request; anything it submits does not wait
        settled = ack.settled

        def settle(_: Future[T]) -> None:
            if not settled.is_set():  # most listeners have acked by the time they end
                settled.set()

        once: _Once[T] = _Once(lambda: fn(*args, **kwargs))
        once.future.add_done_callback(settle)
        super().submit(once.run)
        waited = 0.0
        if self.spare is not None:
            waited = self.patience
            if not settled.wait(self.patience) and not once.taken:
                log.info(
                    "every listener thread is busy after %.0f ms: a spare one takes this request",
                    self.patience * 1000,
                )
                self.spare.submit(once.run)
        settled.wait(ACK_WAIT_SECONDS - waited)
        return once.future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        # Spares first: a listener running on one may still hand work to the steady pool.
        if self.spare is not None:
            self.spare.shutdown(wait=wait, cancel_futures=cancel_futures)
        super().shutdown(wait=wait, cancel_futures=cancel_futures)


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

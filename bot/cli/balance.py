"""Even out kept-alive connections across ``skillswap serve``'s gunicorn workers.

Why: each worker listens on its own ``SO_REUSEPORT`` socket, and the kernel hashes every new
connection to one of them once. A kept-alive connection then stays with that worker for as
long as the client keeps it. Ten connections held for a whole load level often land 8/2 or
9/1: one worker (one GIL) serves eight or nine of them while the other idles, and p99 at c=10
went from ~1.5x the floor's (6/4) to 2.6-3x (8/2, 9/1). Slack, or a proxy in front of us,
keeps its connections alive too, so the same unevenness happens in production.

How: the gunicorn master makes a small table in shared memory before the first fork, one slot
per worker. At every request a worker writes into its slot how many connections it holds
(gthread's ``nr_conns``) and when. A worker that holds more than the least loaded peer plus
one answers the request it is serving as usual, with ``Connection: close``; the client opens a
new connection for its next request, which the kernel hashes afresh, so after a few closes the
connections are spread. A peer that has not written for ``STALE_AFTER`` seconds counts as
holding none (it serves no traffic worth counting). With one worker nothing is ever closed.

Trade-off: every forced close costs the client a reconnect (a TCP handshake; behind a
TLS-terminating proxy, only the proxy's plain hop to us) and the worker an accept. A worker
closes at most one connection per ``MIN_INTERVAL``, so that its threads, which all see the
same counts, do not close several at once and cause a burst of reconnects; once the counts
differ by one at most, nothing is closed any more.

No cross-process lock: a slot is written by its own worker (and by the master once that worker
is gone), and each 8-byte field is read whole. A lock held by a worker that gunicorn kills in
the middle of an update (it kills stuck workers) would stall every other worker's requests; a
stale or mixed read costs at most one needless or one missed close.
"""

from __future__ import annotations

import ctypes
import threading
import time
from collections.abc import Callable, Iterable
from multiprocessing.sharedctypes import RawArray, RawValue
from typing import Any

STALE_AFTER = 1.0  # seconds without a write after which a peer counts as holding nothing
MIN_INTERVAL = 0.03  # seconds between two forced closes in one worker
CAPACITY = 64  # slots; a worker beyond that (gunicorn's TTIN) does not take part


def should_close(
    held: int,
    peers: Iterable[tuple[int, float]],
    now: float,
    last_close: float,
    *,
    stale_after: float = STALE_AFTER,
    min_interval: float = MIN_INTERVAL,
) -> bool:
    """Whether a worker holding ``held`` connections closes the one it is serving now.

    ``peers`` are the other workers' (connections held, monotonic time written); one not
    written for more than ``stale_after`` seconds counts as 0. ``last_close`` is when this
    worker last closed one. Close when it holds more than the least loaded peer + 1 and its
    last close is at least ``min_interval`` old; never without a peer.
    """
    if held <= 1 or now - last_close < min_interval:
        return False
    least: int | None = None
    for peer_held, written_at in peers:
        active = peer_held if now - written_at <= stale_after else 0
        if least is None or active < least:
            least = active
    return least is not None and held > least + 1


class _Slot(ctypes.Structure):
    _fields_ = (
        ("taken", ctypes.c_int64),  # 1 while a worker owns the slot
        ("held", ctypes.c_int64),  # its connections, as of ``written_at``
        ("written_at", ctypes.c_double),  # the worker's clock
    )


class ConnectionBalancer:
    """Gunicorn server hooks: ``on_starting``, ``pre_fork`` and ``child_exit`` run in the
    master, ``post_fork`` and ``pre_request`` in a worker (see :func:`hooks`)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock  # time.monotonic: one clock across processes
        self._table: Any = None  # ctypes array of _Slot in shared memory, made by the master
        self._top: Any = None  # shared: slots [0, top) have ever been handed out
        self._slot_of: dict[int, int] = {}  # master: worker age -> slot index
        self._mine: int | None = None  # in a worker: its slot (None: it does not take part)
        self._looked_at = 0.0  # in a worker: when it last read its peers' counts
        self._closed_at = 0.0  # in a worker: when it last closed a connection
        self._deciding = threading.Lock()

    def on_starting(self, server: Any) -> None:
        self._table = RawArray(_Slot, CAPACITY)
        self._top = RawValue(ctypes.c_int64, 0)

    def pre_fork(self, server: Any, worker: Any) -> None:
        """Master, before forking ``worker``: hand it the first free slot."""
        if self._table is None:
            return
        for index in range(CAPACITY):
            slot = self._table[index]
            if not slot.taken:
                slot.held, slot.written_at, slot.taken = 0, 0.0, 1
                self._slot_of[worker.age] = index
                self._top.value = max(self._top.value, index + 1)
                return

    def post_fork(self, server: Any, worker: Any) -> None:
        """The new worker: find its slot. Only gthread workers count their connections."""
        self._mine = self._slot_of.get(worker.age) if hasattr(worker, "nr_conns") else None
        self._looked_at = self._closed_at = 0.0
        self._deciding = threading.Lock()

    def child_exit(self, server: Any, worker: Any) -> None:
        """Master, once a worker is gone: free its slot for the worker that replaces it."""
        index = self._slot_of.pop(worker.age, None)
        if index is not None:
            slot = self._table[index]
            slot.taken, slot.held, slot.written_at = 0, 0, 0.0

    def pre_request(self, worker: Any, req: Any) -> None:
        """A worker, before serving ``req``: publish its count; close if it holds too many.

        Every request writes the count (two stores); one request per ``MIN_INTERVAL`` also
        reads the peers' counts and decides, and ``should_close`` keeps the closes of a
        worker's threads at least ``MIN_INTERVAL`` apart whichever thread looks."""
        worker.log.debug("%s %s", req.method, req.path)  # what gunicorn's default hook does
        mine = self._mine
        if mine is None:
            return
        table = self._table
        now = self._clock()
        held = worker.nr_conns
        slot = table[mine]
        slot.held, slot.written_at = held, now
        if now - self._looked_at < MIN_INTERVAL or not self._deciding.acquire(blocking=False):
            return  # this worker looked a moment ago, or another thread is looking now
        try:
            self._looked_at = now
            peers = (
                (s.held, s.written_at)
                for index, s in enumerate(table[: self._top.value])
                if s.taken and index != mine
            )
            if should_close(held, peers, now, self._closed_at) and not req.should_close():
                self._closed_at = now
                req.force_close()
        finally:
            self._deciding.release()


def hooks() -> dict[str, Any]:
    """The gunicorn settings that balance connections, for ``gunicorn_options``."""
    balancer = ConnectionBalancer()
    return {
        "on_starting": balancer.on_starting,
        "pre_fork": balancer.pre_fork,
        "post_fork": balancer.post_fork,
        "child_exit": balancer.child_exit,
        "pre_request": balancer.pre_request,
    }

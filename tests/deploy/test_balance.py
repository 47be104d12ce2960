"""Kept-alive connections spread over gunicorn's workers (``bot.cli.balance``).

The decision is a pure function of counts and times; the hooks are exercised in one process,
each worker's view a copy of the master's balancer as a fork would make it (the shared table
is the same object). The real server is in ``test_serve_gunicorn``.
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.cli.balance import MIN_INTERVAL, STALE_AFTER, ConnectionBalancer, should_close
from bot.cli.serve import _Gunicorn, gunicorn_options
from tests.support import make_settings

NOW = 1000.0
FAR_BACK = 0.0  # this worker never closed a connection
AGAIN = MIN_INTERVAL * 1.1  # long enough for a worker to look at its peers again


def test_a_worker_with_8_of_10_connections_closes_one_and_with_5_of_10_does_not() -> None:
    assert should_close(8, [(2, NOW)], NOW, FAR_BACK)
    assert should_close(6, [(4, NOW)], NOW, FAR_BACK)
    assert not should_close(5, [(5, NOW)], NOW, FAR_BACK)
    assert not should_close(6, [(5, NOW)], NOW, FAR_BACK)  # 11 connections: 6/5 is even
    assert not should_close(2, [(8, NOW)], NOW, FAR_BACK)


def test_with_one_worker_nothing_is_ever_closed() -> None:
    assert not should_close(50, [], NOW, FAR_BACK)


def test_the_least_loaded_peer_decides() -> None:
    assert should_close(4, [(9, NOW), (1, NOW)], NOW, FAR_BACK)
    assert not should_close(4, [(9, NOW), (3, NOW)], NOW, FAR_BACK)


def test_a_peer_silent_for_more_than_a_second_counts_as_holding_nothing() -> None:
    quiet = NOW - STALE_AFTER - 0.1
    assert should_close(2, [(9, quiet)], NOW, FAR_BACK)
    assert not should_close(2, [(9, NOW - STALE_AFTER / 2)], NOW, FAR_BACK)
    assert not should_close(1, [(9, quiet)], NOW, FAR_BACK)  # its only connection moves nothing


def test_a_worker_closes_at_most_one_connection_per_interval() -> None:
    assert not should_close(9, [(1, NOW)], NOW, NOW - MIN_INTERVAL / 2)
    assert should_close(9, [(1, NOW)], NOW, NOW - MIN_INTERVAL - 0.001)


@settings(max_examples=200, deadline=None)
@given(
    workers=st.integers(min_value=2, max_value=4),
    connections=st.integers(min_value=1, max_value=60),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_closing_and_rehashing_evens_out_any_split_and_then_closes_nothing(
    workers: int, connections: int, seed: int
) -> None:
    """Every connection starts on worker 0 (the worst hash); each close sends one to a random
    worker, as the kernel does with a new connection."""
    rng = random.Random(seed)
    held = [connections] + [0] * (workers - 1)

    def closes(worker: int) -> bool:
        peers = [(n, NOW) for w, n in enumerate(held) if w != worker]
        return should_close(held[worker], peers, NOW, FAR_BACK)

    for _ in range(2000):
        busiest = held.index(max(held))
        if not closes(busiest):
            break
        held[busiest] -= 1
        held[rng.randrange(workers)] += 1
    assert max(held) - min(held) <= 1, held
    assert sum(held) == connections
    assert not any(closes(w) for w in range(workers))


@dataclass
class FakeRequest:
    method: str = "POST"
    path: str = "/slack/events"
    must_close: bool = False

    def force_close(self) -> None:
        self.must_close = True

    def should_close(self) -> bool:
        return self.must_close


class FakeLog:
    def debug(self, msg: str, *args: Any) -> None:
        pass


@dataclass
class FakeWorker:
    age: int
    nr_conns: int = 0
    log: FakeLog = field(default_factory=FakeLog)


@dataclass
class FakeSyncWorker:
    """gunicorn's sync worker: one connection at a time, no ``nr_conns``."""

    age: int
    log: FakeLog = field(default_factory=FakeLog)


class Cluster:
    """The master's balancer and, per live worker, the copy its process would hold."""

    def __init__(self) -> None:
        self.now = NOW
        self.master = ConnectionBalancer(clock=lambda: self.now)
        self.master.on_starting(None)
        self.ages = 0
        self.views: dict[int, ConnectionBalancer] = {}

    def spawn(self, nr_conns: int | None) -> Any:
        self.ages += 1
        worker = (
            FakeWorker(self.ages, nr_conns) if nr_conns is not None else FakeSyncWorker(self.ages)
        )
        self.master.pre_fork(None, worker)
        view = copy.copy(self.master)  # a fork copies the master's memory ...
        view._slot_of = dict(self.master._slot_of)  # ... the shared table stays shared
        view.post_fork(None, worker)
        self.views[worker.age] = view
        return worker

    def slot(self, worker: Any) -> int | None:
        return self.views[worker.age]._mine

    def exit(self, worker: Any) -> None:
        del self.views[worker.age]
        self.master.child_exit(None, worker)

    def request(self, worker: Any, *, later: float = 0.0) -> bool:
        """One request served by ``worker`` ``later`` seconds after the last one: whether its
        connection is closed afterwards."""
        self.now += later
        req = FakeRequest()
        self.views[worker.age].pre_request(worker, req)
        return req.must_close


def test_the_busier_worker_closes_once_its_peer_has_shown_its_count() -> None:
    cluster = Cluster()
    busy, idle = cluster.spawn(nr_conns=8), cluster.spawn(nr_conns=1)
    assert not cluster.request(idle)
    assert cluster.request(busy)
    assert not cluster.request(busy, later=MIN_INTERVAL / 2)  # its other threads wait
    assert cluster.request(busy, later=AGAIN)
    busy.nr_conns, idle.nr_conns = 5, 4
    assert not cluster.request(idle, later=AGAIN)
    assert not cluster.request(busy, later=AGAIN)  # 5/4 is even


def test_a_lone_worker_never_closes_and_a_replacement_takes_part_again() -> None:
    cluster = Cluster()
    busy, other = cluster.spawn(nr_conns=8), cluster.spawn(nr_conns=1)
    freed = cluster.slot(other)
    cluster.exit(other)
    assert not cluster.request(busy)  # the only worker left
    replacement = cluster.spawn(nr_conns=1)
    assert cluster.slot(replacement) == freed
    assert not cluster.request(replacement)
    assert cluster.request(busy, later=AGAIN)


def test_a_peer_that_stopped_serving_counts_as_holding_nothing() -> None:
    cluster = Cluster()
    light, heavy = cluster.spawn(nr_conns=2), cluster.spawn(nr_conns=8)
    assert cluster.request(heavy)  # 8 against a peer not heard from yet
    assert not cluster.request(light, later=AGAIN)  # 2 against 8: no excess
    assert cluster.request(light, later=STALE_AFTER + 0.1)  # ``heavy`` silent since: 2 > 0 + 1


def test_a_worker_that_does_not_count_its_connections_takes_no_part() -> None:
    cluster = Cluster()
    sync, _ = cluster.spawn(nr_conns=None), cluster.spawn(nr_conns=0)
    assert cluster.slot(sync) is None
    assert not cluster.request(sync)


def test_gunicorn_accepts_the_balancing_hooks() -> None:
    options = gunicorn_options(make_settings("sqlite:///unused.db"))
    cfg = _Gunicorn(options).cfg  # validates every hook's arity
    for hook in ("on_starting", "pre_fork", "post_fork", "child_exit", "pre_request"):
        assert cfg.settings[hook].get() == options[hook]

"""Acks keep going out when every steady listener thread (those that take work as it comes)
is stuck, on Slack's Retry-After say: a listener not taken within the pool's patience is run
by a spare thread, once, and its outcome is the one Bolt and the trackers see."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from slack_bolt import BoltContext

from bot.blocks.members import LeaveValue, MemberAction
from bot.slack.acks import AckWaitExecutor, SignallingAck, awaiting_ack
from bot.slack.acks import _Once as Once
from tests.support import Harness, make_settings, shown_text

WAIT = 10.0


@pytest.fixture
def pool() -> Iterator[AckWaitExecutor]:
    executor = AckWaitExecutor(1, spare_workers=2, patience=0.05, thread_name_prefix="listener")
    yield executor
    executor.shutdown(wait=True)


class _Request:
    """One request as Bolt hands it to the pool: the request thread submits the listener
    while it waits for that listener's ack."""

    def __init__(self, pool: AckWaitExecutor, body: Callable[[SignallingAck], str]) -> None:
        self.context = BoltContext()
        self.thread = ""
        with awaiting_ack(self.context):
            ack = self.context["ack"]
            assert isinstance(ack, SignallingAck)
            self.ack = ack

            def listener() -> str:
                self.thread = threading.current_thread().name
                return body(ack)

            self.future = pool.submit(listener)

    @property
    def acked(self) -> bool:
        return self.ack.settled.is_set()


def test_a_request_behind_a_stuck_listener_is_acked_by_a_spare_thread(
    pool: AckWaitExecutor,
) -> None:
    release = threading.Event()

    def stuck(ack: SignallingAck) -> str:
        ack()
        release.wait(WAIT)  # the work after the ack waits (Slack's Retry-After)
        return "stuck"

    def quick(ack: SignallingAck) -> str:
        ack()
        return "quick"

    first = _Request(pool, stuck)
    assert first.acked
    second = _Request(pool, quick)
    # submit() returned with the ack out, while the only steady thread is still stuck.
    assert second.acked
    assert not first.future.done()
    assert second.thread.startswith("listener-spare")
    assert second.future.result(WAIT) == "quick"
    release.set()
    assert first.future.result(WAIT) == "stuck"
    assert first.thread == "listener_0"


def test_without_a_stall_the_steady_thread_takes_every_request(pool: AckWaitExecutor) -> None:
    def quick(ack: SignallingAck) -> str:
        ack()
        return "quick"

    requests = [_Request(pool, quick) for _ in range(5)]
    assert all(r.acked for r in requests)
    assert [r.future.result(WAIT) for r in requests] == ["quick"] * 5
    assert {r.thread for r in requests} == {"listener_0"}


def test_a_listener_failing_on_a_spare_thread_reports_its_error(pool: AckWaitExecutor) -> None:
    release = threading.Event()

    def stuck(ack: SignallingAck) -> str:
        ack()
        release.wait(WAIT)
        return "stuck"

    def broken(ack: SignallingAck) -> str:
        raise RuntimeError("database on fire")

    first = _Request(pool, stuck)
    second = _Request(pool, broken)
    # It never acked: the request thread stopped waiting when the listener ended.
    assert second.acked
    with pytest.raises(RuntimeError, match="on fire"):
        second.future.result(WAIT)
    release.set()
    assert first.future.result(WAIT) == "stuck"


def test_a_listener_handed_to_both_pools_runs_once() -> None:
    runs: list[str] = []
    once = Once(lambda: runs.append(threading.current_thread().name) or len(runs))
    threads = [threading.Thread(target=once.run, name=f"t{i}") for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    assert len(runs) == 1
    assert once.future.result(WAIT) == 1


def test_postgresql_keeps_four_listener_threads_busy_and_sqlite_more() -> None:
    sqlite = make_settings("sqlite:///x.db")
    postgres = make_settings("postgresql+psycopg://postgres@127.0.0.1:5432/test")
    # One spare per request thread: each waits for one ack at a time.
    assert (sqlite.steady_listener_threads, sqlite.spare_listener_threads) == (8, 8)
    assert (postgres.steady_listener_threads, postgres.spare_listener_threads) == (4, 8)
    assert postgres.listener_threads == 12
    few = make_settings("postgresql+psycopg://db/x", web_threads=1)
    assert (few.steady_listener_threads, few.spare_listener_threads) == (4, 1)
    few_sqlite = make_settings("sqlite:///x.db", web_threads=1)
    assert (few_sqlite.steady_listener_threads, few_sqlite.spare_listener_threads) == (5, 1)


def test_a_command_is_answered_at_once_while_every_steady_listener_thread_waits_on_slack(
    harness: Harness,
) -> None:
    steady = harness.deps.settings.steady_listener_threads
    leavers = [f"U{i}" for i in range(1, steady + 1)]
    for user in leavers:
        harness.command(user, "teach Python")
    harness.drain()
    # Each leaver's click is acked, then its Home tab update waits out Slack's Retry-After
    # on one of the steady listener threads.
    harness.sim.rate_limit_next("views.publish", times=steady, retry_after=3)
    for user in leavers:
        harness.click(
            user, MemberAction.LEAVE_CONFIRM.value, value=LeaveValue(u=user).model_dump_json()
        )
    helped = harness.send_command("U99", "help")
    assert helped.status == 200
    assert "SkillSwap" in shown_text(helped.ack)
    published = [c for c in harness.sim.calls_to("views.publish") if c.status == 200]
    assert published == []  # every steady thread was still waiting when help was answered
    harness.drain()
    assert len([c for c in harness.sim.calls_to("views.publish") if c.status == 200]) == steady

"""Two clock processes at the same moment: each check-in and each reminder goes out once.

Both ``process_due`` calls really overlap: the first holds its transaction open right after
queueing its messages, the second starts and runs until the database makes it wait, and only
then does the first commit. Without the per-workspace lock (``bot/rounds/locks.py``) the
second one reads the round as still due, queues the same messages and fails on their keys.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text

from bot.delivery.outbox import OutboxKind
from bot.rounds import checkins
from bot.rounds.checkins import CheckinReport, process_due
from bot.scheduler import tick
from tests.rounds.rounds_kit import ANA, BEN, CAL, DEV, Team, pair_world
from tests.support import Harness, shown_text, wait_until

MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # the round (London = UTC in December)
THURSDAY = MONDAY + timedelta(days=3)  # check-ins
FRIDAY = MONDAY + timedelta(days=4)  # reminders

# step: (what the clock queues, the function that queues it, when it is due)
STEPS: dict[str, tuple[OutboxKind, str, datetime]] = {
    "checkins": (OutboxKind.CHECKIN, "queue_checkins", THURSDAY),
    "reminders": (OutboxKind.REMINDER, "queue_reminders", FRIDAY),
}


@contextmanager
def _someone_waits(engine: Engine) -> Iterator[Callable[[], bool]]:
    """Is a second connection waiting for the database's locks? PostgreSQL says so in
    ``pg_stat_activity``. SQLite's writer lock is taken in this process before ``BEGIN``, so
    a second connection checked out while the first holds it is one that waits."""
    if engine.dialect.name == "sqlite":
        pool: Any = engine.pool
        yield lambda: bool(pool.checkedout() >= 2)
        return
    watcher = create_engine(engine.url, isolation_level="AUTOCOMMIT")
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )

    def waiting() -> bool:
        with watcher.connect() as conn:
            return bool(conn.scalar(query))

    try:
        yield waiting
    finally:
        watcher.dispose()


@pytest.mark.parametrize("step", list(STEPS))
def test_two_clocks_at_once_queue_each_message_once(
    harness: Harness,
    team: Team,
    monkeypatch: pytest.MonkeyPatch,
    step: str,
) -> None:
    kind, queue_name, due = STEPS[step]
    pair_world(team)
    team.member(CAL, "Cal", teach=["Guitar"], learn=["Drawing"])
    team.member(DEV, "Dev", teach=["Drawing"], learn=["Guitar"])
    for moment in (MONDAY, THURSDAY):  # the round goes out, then (for reminders) check-ins
        if moment < due:
            team.clock.set(moment)
            tick(team.deps)

    # The first clock holds its transaction open once it has queued its messages.
    queue = getattr(checkins, queue_name)
    queued = threading.Event()
    release = threading.Event()

    def held(session: Any, round_: Any, *, now: datetime, **options: Any) -> int:
        count: int = queue(session, round_, now=now, **options)
        if not queued.is_set():
            queued.set()
            assert release.wait(timeout=30), "the test never let the first clock commit"
        return count

    monkeypatch.setattr(checkins, queue_name, held)
    reports: list[CheckinReport] = []
    errors: list[BaseException] = []

    def clock_process() -> None:
        try:
            reports.append(process_due(team.deps, due))
        except BaseException as exc:  # reported below
            errors.append(exc)

    first = threading.Thread(target=clock_process, name="clock-1")
    second = threading.Thread(target=clock_process, name="clock-2")
    with _someone_waits(team.deps.engine) as someone_waits:
        try:
            first.start()
            wait_until(queued.is_set, what="the first clock queued its messages")
            second.start()
            # The second clock runs until the database makes it wait for the first.
            wait_until(
                lambda: someone_waits() or not second.is_alive(),
                what="the second clock waiting for the database",
            )
        finally:
            release.set()
            first.join(timeout=60)
            second.join(timeout=60)

    assert errors == []
    assert sorted(getattr(r, step) for r in reports) == [0, 2]
    rows = team.outbox(kind=kind)
    assert len(rows) == 2 and len({r.group_id for r in rows}) == 2
    # And in Slack: each pair gets the message once.
    team.clock.set(due)
    tick(team.deps)
    for pair in ((ANA, BEN), (CAL, DEV)):
        said = [shown_text(m) for m in harness.dm(*pair)]
        assert len(said) == (2 if step == "checkins" else 3), said

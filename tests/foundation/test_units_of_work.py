"""Units of work under concurrency: readers never queue behind a writer, a write inside a
read-only unit fails loudly, and many writers at once on SQLite all get through."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.store.db import _driver_sql, make_engine
from bot.store.models import Workspace
from bot.store.workspaces import get_or_create_workspace, get_workspace
from tests.support import Harness, writer_holding_its_transaction


def _count(deps: Deps) -> int:
    with deps.read_only() as session:
        return int(session.scalar(select(func.count()).select_from(Workspace)) or 0)


def test_a_reader_does_not_wait_for_a_writer_holding_its_transaction_open(deps: Deps) -> None:
    with writer_holding_its_transaction(deps, "T0WRITER") as pool:
        # The writer is still open: the reader answers anyway, without its row.
        assert pool.submit(_count, deps).result(timeout=5) == 0
    assert _count(deps) == 1


def test_a_write_inside_a_read_only_unit_fails_and_stores_nothing(deps: Deps) -> None:
    with pytest.raises(DBAPIError), deps.read_only() as session:
        session.add(Workspace(team_id="T0SNEAKY"))
        session.flush()
    assert _count(deps) == 0
    # The same pooled connections still write normally afterwards.
    with deps.unit_of_work() as session:
        session.add(Workspace(team_id="T0HONEST"))
    assert _count(deps) == 1


def test_read_mostly_writes_only_when_it_has_to(deps: Deps) -> None:
    calls: list[bool] = []

    def work(session: Session) -> int:
        calls.append(True)
        return get_or_create_workspace(session=session, team_id="T0FRESH").id

    first = deps.read_mostly(work)  # unknown workspace: read-only try, then a writing one
    second = deps.read_mostly(work)  # known now: one read-only try
    assert first == second
    assert len(calls) == 3
    with deps.read_only() as session:
        assert get_workspace(session=session, team_id="T0FRESH") is not None


def test_many_writers_at_once_all_get_through(deps: Deps) -> None:
    def write(i: int) -> None:
        for j in range(5):
            with deps.unit_of_work() as session:
                session.add(Workspace(team_id=f"T{i:03d}{j}"))

    with ThreadPoolExecutor(max_workers=16) as pool:
        for future in [pool.submit(write, i) for i in range(16)]:
            future.result(timeout=60)
    assert _count(deps) == 80


def test_me_from_a_workspace_never_seen_before_answers(harness: Harness) -> None:
    sent = harness.send_command("U0NEW", "me", team_id="T0NEWTEAM")
    assert sent.status == 200
    assert sent.ack.get("text")
    with harness.deps.read_only() as session:
        assert get_workspace(session=session, team_id="T0NEWTEAM") is not None


def test_sqlite_transaction_statements_fail_as_sqlalchemy_errors(tmp_path: Path) -> None:
    """BEGIN and PRAGMA go straight to sqlite3 (cheaper); their failures still come out as
    SQLAlchemy's errors, which is what callers and the error handler expect."""
    engine = make_engine(f"sqlite:///{tmp_path}/begin.db")
    try:
        with engine.connect() as conn:
            with pytest.raises(OperationalError) as raised:
                _driver_sql(conn, "BEGIN SIDEWAYS")
            assert isinstance(raised.value.orig, sqlite3.OperationalError)
            # The connection is still usable, in a transaction begun as usual.
            assert conn.execute(select(func.count())).scalar() == 1
    finally:
        engine.dispose()

"""A PostgreSQL connection that died in the pool (server restart, failover, a proxy's idle
timeout) is found before use if it sat idle; one back in use at once is not checked, so the
statement that finds it dead fails, and the pool then replaces every connection it held."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from bot.store.db import make_engine

pytestmark = pytest.mark.postgres


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(url: str, pids: set[int]) -> None:
    """Kill those server processes and wait until PostgreSQL no longer lists them."""
    admin = create_engine(url, poolclass=NullPool)
    try:
        with admin.connect() as conn:
            for pid in pids:
                conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            deadline = time.monotonic() + 10
            while conn.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(:pids)"),
                {"pids": list(pids)},
            ).scalar_one():
                assert time.monotonic() < deadline, "the server processes did not exit"
                conn.rollback()  # a new snapshot of pg_stat_activity
    finally:
        admin.dispose()


def test_an_idle_connection_found_dead_is_replaced_before_anyone_uses_it(pg_url: str) -> None:
    engine = make_engine(pg_url, ping_after_idle=0.0, pool_size=1, max_overflow=0)
    try:
        dead = _backend_pid(engine)
        _terminate(pg_url, {dead})
        assert _backend_pid(engine) != dead  # no error: checked, discarded, replaced
    finally:
        engine.dispose()


def test_a_connection_back_in_use_at_once_is_not_checked(pg_url: str) -> None:
    engine = make_engine(pg_url, ping_after_idle=3600.0, pool_size=2, max_overflow=0)
    try:
        with engine.connect() as first, engine.connect() as second:
            pooled = {
                int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())
                for conn in (first, second)
            }
        _terminate(pg_url, pooled)
        with pytest.raises(DBAPIError) as failed:
            _backend_pid(engine)
        assert failed.value.connection_invalidated
        # That failure made the pool drop the other dead connection too.
        assert _backend_pid(engine) not in pooled
        assert _backend_pid(engine) not in pooled
    finally:
        engine.dispose()

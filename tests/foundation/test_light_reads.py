"""Light read-only units of work (``Deps.reading``: hot reads on a pooled driver connection, no
session, no BEGIN/COMMIT round trips on PostgreSQL) keep what a read-only unit promises: a
write inside one fails, a reader never waits for a writer, and the pooled connection they
share with writers still writes afterwards."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import DBAPIError

from bot.deps import Deps
from bot.store.db import NeedsWrite, Reader, Reads, make_engine, make_session_factory
from bot.store.models import Workspace
from bot.store.prepared import PreparedSelect
from bot.store.workspaces import saved_admin_ids
from tests.foundation.test_reconnect import _terminate
from tests.support import make_settings, writer_holding_its_transaction

ANA, BEN = "U0ANA0001", "U0BEN0002"

_BACKEND_PID = PreparedSelect(select(func.pg_backend_pid().label("pid")))
_TEAMS = PreparedSelect(
    select(Workspace.team_id).where(Workspace.team_id != bindparam("not")).order_by(Workspace.id)
)


def _one_connection(url: str, **kwargs: float) -> Deps:
    """The database through a pool of exactly one connection: readers and writers take turns
    on it, and a reader that kept it would make the next checkout time out."""
    engine = make_engine(url, pool_size=1, max_overflow=0, pool_timeout=5, **kwargs)
    return Deps(
        settings=make_settings(url, "http://127.0.0.1:9"),
        engine=engine,
        session_factory=make_session_factory(engine),
    )


@pytest.fixture
def one(deps: Deps) -> Iterator[Deps]:
    shared = _one_connection(deps.settings.database_url)
    yield shared
    shared.engine.dispose()


def _teams(deps: Deps) -> list[str]:
    with deps.reading() as reader:
        return [row.team_id for row in _TEAMS.rows(reader, {"not": ""})]


def test_a_write_in_a_light_read_fails_and_the_connection_still_writes_after(one: Deps) -> None:
    with one.unit_of_work() as session:
        session.add(Workspace(team_id="T0FIRST", admin_user_ids=[ANA]))
    with one.reading() as reader:
        assert saved_admin_ids(session=reader, team_id="T0FIRST") == [ANA]
        cursor = reader.driver_connection().cursor()
        with pytest.raises(one.engine.dialect.loaded_dbapi.Error):
            cursor.execute("DELETE FROM workspaces")
    assert _teams(one) == ["T0FIRST"]
    # The one pooled connection, just used for reading, writes in a unit of work...
    with one.unit_of_work() as session:
        session.add(Workspace(team_id="T0SECOND", admin_user_ids=[BEN]))
    assert _teams(one) == ["T0FIRST", "T0SECOND"]
    # ...and still refuses a write in a read-only one.
    with pytest.raises(DBAPIError), one.read_only() as session:
        session.add(Workspace(team_id="T0SNEAKY"))
        session.flush()
    assert _teams(one) == ["T0FIRST", "T0SECOND"]
    with one.reading() as reader:
        assert saved_admin_ids(session=reader, team_id="T0SECOND") == [BEN]
        assert saved_admin_ids(session=reader, team_id="T0NOBODY") == []


def test_work_that_needs_a_session_gets_a_read_only_one_on_the_same_pool(one: Deps) -> None:
    with one.unit_of_work() as session:
        session.add(Workspace(team_id="T0FIRST", admin_user_ids=[ANA]))
    with one.reading() as reader:
        assert saved_admin_ids(session=reader, team_id="T0FIRST") == [ANA]
        # The reader hands its connection back first: with a pool of one, keeping it would
        # leave the session waiting until the checkout times out.
        session = reader.session()
        assert session.scalars(select(Workspace.team_id)).all() == ["T0FIRST"]
        assert saved_admin_ids(session=reader, team_id="T0FIRST") == [ANA]
        assert reader.session() is session
        with pytest.raises(DBAPIError):
            session.add(Workspace(team_id="T0SNEAKY"))
            session.flush()
    assert _teams(one) == ["T0FIRST"]


def test_read_light_writes_only_when_the_work_needs_it(deps: Deps) -> None:
    tried: list[bool] = []

    def work(session: Reads) -> list[str]:
        tried.append(isinstance(session, Reader))
        if isinstance(session, Reader):
            raise NeedsWrite("say the workspace is new")
        session.add(Workspace(team_id="T0CREATED"))
        session.flush()
        return [row.team_id for row in _TEAMS.rows(session, {"not": ""})]

    assert deps.read_light(work) == ["T0CREATED"]
    assert tried == [True, False]
    assert _teams(deps) == ["T0CREATED"]


def test_a_light_read_does_not_wait_for_a_writer_holding_its_transaction_open(
    deps: Deps,
) -> None:
    with writer_holding_its_transaction(deps, "T0WRITER") as pool:
        # The writer is still open: the reader answers anyway, without its row.
        assert pool.submit(_teams, deps).result(timeout=5) == []
    assert _teams(deps) == ["T0WRITER"]


@pytest.mark.postgres
def test_a_light_read_on_a_connection_found_dead_while_idle_gets_a_new_one(pg_url: str) -> None:
    one = _one_connection(pg_url, ping_after_idle=0.0)
    try:
        with one.reading() as reader:
            dead = _BACKEND_PID.rows(reader, {})[0].pid
        _terminate(pg_url, {dead})
        with one.reading() as reader:  # no error: checked, discarded, replaced
            assert _BACKEND_PID.rows(reader, {})[0].pid != dead
    finally:
        one.engine.dispose()


@pytest.mark.postgres
def test_a_light_read_that_finds_its_connection_dead_fails_once(pg_url: str) -> None:
    one = _one_connection(pg_url, ping_after_idle=3600.0)
    try:
        with one.reading() as reader:
            dead = _BACKEND_PID.rows(reader, {})[0].pid
        _terminate(pg_url, {dead})
        with pytest.raises(DBAPIError) as failed, one.reading() as reader:
            _BACKEND_PID.rows(reader, {})
        assert failed.value.connection_invalidated
        with one.reading() as reader:  # the pool replaced it
            assert _BACKEND_PID.rows(reader, {})[0].pid != dead
        with one.unit_of_work() as session:  # and the new one writes as usual
            session.add(Workspace(team_id="T0AFTER"))
        assert "T0AFTER" in _teams(one)
    finally:
        one.engine.dispose()

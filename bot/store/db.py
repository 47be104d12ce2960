"""Engine, session factory and light readers. One session per request or job:
``with factory.begin() as s``; a request's hot reads may use a :class:`Reader` instead."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import PoolProxiedConnection, StaticPool

# How long a writer waits for SQLite's lock before "database is locked".
BUSY_TIMEOUT_SECONDS = 30

# The web server checks a pooled server connection before use only if it sat idle this long
# (see _ping_when_idle); jobs and the CLI check every time, as pool_pre_ping would.
WEB_PING_AFTER_IDLE_SECONDS = 1.0
_IDLE_SINCE = "skillswap_idle_since"

# Execution option marking a read-only unit of work (see :func:`read_only_engine`).
READ_ONLY = "skillswap_read_only"


# Marks a pooled PostgreSQL connection whose server default is a read-only transaction
# (see :class:`Reader`); writers on it say ``BEGIN READ WRITE``.
_SERVER_READ_ONLY = "skillswap_server_read_only"


class NeedsWrite(Exception):
    """Raised by data access asked to write inside a read-only unit of work (say, the first
    request from a new workspace must create its row): run the work again in a writing one."""


def is_read_only(session: Session) -> bool:
    return bool(session.info.get(READ_ONLY))


class _WriterQueue:
    """SQLite has one writer, and its busy handler is unfair: a waiting writer sleeps in
    steps of up to 100 ms while the other process takes the lock again and again. So writers
    queue here instead, held from BEGIN until the connection goes back to the pool: first on
    this process's lock, then on an ``flock`` of ``<database>-writer.lock`` shared by every
    process on the file, which a waiter polls every millisecond or two."""

    HELD = "skillswap_writer"

    def __init__(self, database: str, timeout: float = BUSY_TIMEOUT_SECONDS) -> None:
        self._lock = threading.Lock()
        self._timeout = timeout
        self._path = f"{database}-writer.lock"
        self._fd: int | None = None
        self._pid = 0

    def _file(self) -> int:
        if self._fd is None or self._pid != os.getpid():  # a forked worker opens its own
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._fd

    def enter(self, info: dict[Any, Any]) -> None:
        if info.get(self.HELD):
            return  # this connection holds it already (another transaction, same checkout)
        deadline = time.monotonic() + self._timeout
        if not self._lock.acquire(timeout=self._timeout):
            raise _locked()
        try:
            fd, pause = self._file(), 0.0005
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise _locked() from None
                    time.sleep(pause)
                    pause = min(pause * 2, 0.002)
        except BaseException:
            self._lock.release()
            raise
        info[self.HELD] = True

    def leave(self, info: dict[Any, Any]) -> None:
        if info.pop(self.HELD, False):
            try:
                fcntl.flock(self._file(), fcntl.LOCK_UN)
            finally:
                self._lock.release()


def _driver_sql(conn: Any, sql: str) -> None:
    """``sql`` (a BEGIN or a PRAGMA: no parameters, no rows) straight on the sqlite3
    connection: through SQLAlchemy's statement path each one cost as much CPU as the query the
    transaction is for. A failure is raised as SQLAlchemy raises it (``OperationalError`` with
    sqlite3's error as ``orig``)."""
    try:
        conn.connection.driver_connection.execute(sql)
    except sqlite3.Error as exc:
        raise DBAPIError.instance(sql, None, exc, sqlite3.Error, hide_parameters=True) from exc


def _locked() -> OperationalError:
    return OperationalError("BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked"))


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def make_engine(
    url: str, *, ping_after_idle: float = 0.0, pool_size: int | None = None, **kwargs: Any
) -> Engine:
    """Create the engine with the settings each backend needs to be safe under concurrency.

    Bound parameters never appear in error messages or logs: they hold what members typed.
    A server connection idle for ``ping_after_idle`` seconds or more is checked before use
    (0: every time). ``pool_size`` connections stay open for reuse, as many again may open
    for a burst (a pool smaller than the threads using it opens and closes connections all
    the time under load; each PostgreSQL connection is a new server process).
    """
    kwargs.setdefault("hide_parameters", True)
    if pool_size is not None and url not in ("sqlite://", "sqlite:///:memory:"):
        kwargs.setdefault("pool_size", pool_size)
        kwargs.setdefault("max_overflow", pool_size)
    if is_sqlite(url):
        connect_args = {"check_same_thread": False, "timeout": BUSY_TIMEOUT_SECONDS}
        if url in ("sqlite://", "sqlite:///:memory:"):
            kwargs.setdefault("poolclass", StaticPool)
        engine = create_engine(url, connect_args=connect_args, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy emit BEGIN itself so that "BEGIN IMMEDIATE" can serialise writers.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
            cur.close()

        database = make_url(url).database
        writers = None if not database or database == ":memory:" else _WriterQueue(database)

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # Writers take the write lock up front: SQLite's single writer is our lock, and
            # upgrading a read transaction later would fail with "database is locked".
            # Readers never wait for it (WAL): a deferred transaction, and query_only makes
            # any write in it an error instead of a lock upgrade that fails under load.
            read_only = bool(conn.get_execution_options().get(READ_ONLY))
            if conn.info.get(READ_ONLY, False) != read_only:
                _driver_sql(conn, f"PRAGMA query_only={int(read_only)}")
                conn.info[READ_ONLY] = read_only
            if read_only:
                _driver_sql(conn, "BEGIN")
                return
            if writers is not None:
                writers.enter(conn.info)
            try:
                _driver_sql(conn, "BEGIN IMMEDIATE")
            except BaseException:
                if writers is not None:
                    writers.leave(conn.info)
                raise

        if writers is not None:

            @event.listens_for(engine, "checkin")
            def _sqlite_checkin(_dbapi_conn: Any, record: Any) -> None:
                if record is not None:
                    writers.leave(record.info)

            @event.listens_for(engine, "invalidate")
            def _sqlite_invalidate(_dbapi_conn: Any, record: Any, _exc: Any) -> None:
                if record is not None:
                    writers.leave(record.info)

        return engine
    if "poolclass" not in kwargs:
        kwargs.setdefault("pool_size", 5)
        kwargs.setdefault("max_overflow", 10)
    engine = create_engine(url, **kwargs)
    _ping_when_idle(engine, ping_after_idle)
    return engine


def _ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """Check a pooled connection before use if it sat idle for ``idle_seconds`` or more.

    A restarted or failed-over server, or a proxy's idle timeout, leaves dead connections in
    the pool; a connection found dead here is replaced before anyone uses it (SQLAlchemy
    discards it and checks out another when the checkout event raises DisconnectionError).
    A connection back in use within ``idle_seconds`` skips the check: ``pool_pre_ping`` would
    spend a round trip on every unit of work (one of the 4 to 7 of ``me`` or ``teach``). If
    the server went away in that moment, the one statement that finds out fails, and
    SQLAlchemy then replaces every connection the pool held before the failure.
    """

    @event.listens_for(engine, "checkin")
    def _idle_since(_dbapi_conn: Any, record: Any) -> None:
        if record is not None:
            record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _check_if_idle(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get(_IDLE_SINCE)
        if idle_since is None or time.monotonic() - idle_since < idle_seconds:
            return  # new (just connected) or back in use within moments
        try:
            engine.dialect.do_ping(dbapi_conn)  # the check pool_pre_ping runs (autocommit)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError(f"connection found dead before use: {exc}") from exc


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def make_read_only_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(
        bind=read_only_engine(engine), expire_on_commit=False, info={READ_ONLY: True}
    )


def read_only_engine(engine: Engine) -> Engine:
    """The same engine and pool, for transactions that only read: on SQLite a deferred
    transaction that never waits for the writer's lock; on PostgreSQL ``BEGIN READ ONLY``.
    Either way a write inside one fails loudly."""
    if engine.dialect.name == "sqlite":
        return engine.execution_options(**{READ_ONLY: True})
    if engine.dialect.name == "postgresql":
        return engine.execution_options(postgresql_readonly=True)
    return engine


def ping(engine: Engine) -> bool:
    """True when the database answers a trivial query."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


class Reader:
    """A light read-only unit of work: hot reads (:class:`bot.store.prepared.PreparedSelect`)
    straight on a pooled driver connection, with no ORM session around them and, on
    PostgreSQL, no ``BEGIN`` and ``COMMIT`` round trips. Built by :meth:`bot.deps.Deps.reading`.

    Each statement runs in autocommit, in a read-only transaction of its own: on PostgreSQL
    the connection's server default is ``default_transaction_read_only`` (set once per pooled
    connection, the first time it reads here; every transaction the app begins on it says
    ``BEGIN READ WRITE`` or ``BEGIN READ ONLY`` itself from then on); on SQLite ``PRAGMA
    query_only``, as in a read-only session. So a write attempted here fails, and a reader
    never waits for a writer (WAL). Each statement sees the database as of its own start, as
    every statement of a PostgreSQL transaction at READ COMMITTED does already.

    Work that needs the ORM asks :meth:`session`: the driver connection goes back to the
    pool and a read-only session carries on (one connection per thread at any time). The
    connection is checked out at the first statement, with the pool's checks (a connection
    idle for a while is pinged first) and returned when the unit ends.
    """

    def __init__(
        self,
        engine: Engine,
        open_session: Callable[[], AbstractContextManager[Session]],
        stack: ExitStack,
    ) -> None:
        self.dialect = engine.dialect
        self._engine = engine
        self._open_session = open_session
        self._stack = stack
        self._pooled: PoolProxiedConnection | None = None
        self.orm: Session | None = None  # the read-only session, once work asked for one

    def session(self) -> Session:
        """A read-only session for the rest of the unit (statements here go through it)."""
        if self.orm is None:
            self._release()
            self.orm = self._stack.enter_context(self._open_session())
        return self.orm

    def driver_connection(self) -> Any:
        """The driver's connection, checked out and set up for reading at the first call."""
        if self._pooled is None:
            pooled = self._engine.raw_connection()
            self._pooled = pooled
            self._stack.callback(self._release)
            try:
                self._set_up(pooled)
            except self.dialect.loaded_dbapi.Error as exc:
                self.invalidate(exc)
                raise DBAPIError.instance(
                    None, None, exc, self.dialect.loaded_dbapi.Error, hide_parameters=True
                ) from exc
        return self._pooled.dbapi_connection

    def _set_up(self, pooled: PoolProxiedConnection) -> None:
        driver: Any = pooled.dbapi_connection
        if self.dialect.name == "postgresql":
            # psycopg sends no BEGIN in autocommit (and ignores its own read_only there).
            driver.autocommit = True
            if not pooled.info.get(_SERVER_READ_ONLY):
                driver.read_only = False  # BEGIN READ WRITE, whatever the server's default
                driver.execute("SET SESSION default_transaction_read_only = on")
                pooled.info[_SERVER_READ_ONLY] = True
        elif self.dialect.name == "sqlite":
            # In autocommit already (see make_engine); the begin event switches it back.
            if pooled.info.get(READ_ONLY) is not True:
                driver.execute("PRAGMA query_only=1")
                pooled.info[READ_ONLY] = True
        else:
            raise NotImplementedError(f"no light reads on {self.dialect.name}")

    def invalidate(self, exception: BaseException | None = None) -> None:
        """The connection is dead: the pool discards it instead of taking it back."""
        if self._pooled is not None:
            self._pooled.invalidate(exception)

    def _release(self) -> None:
        pooled, self._pooled = self._pooled, None
        if pooled is None:
            return
        try:
            if pooled.is_valid and self.dialect.name == "postgresql":
                driver: Any = pooled.dbapi_connection
                driver.autocommit = False
        except self.dialect.loaded_dbapi.Error as exc:
            pooled.invalidate(exc)
        finally:
            pooled.close()


#: Where data access may read: a session, or a light read-only unit of work.
Reads = Session | Reader

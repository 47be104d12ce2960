"""What every listener, job and command needs, built once in ``main()`` and passed down."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock, SystemClock
from bot.settings import Settings
from bot.store.db import (
    NeedsWrite,
    Reader,
    Reads,
    make_engine,
    make_read_only_session_factory,
    make_session_factory,
)

T = TypeVar("T")


@dataclass
class Deps:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    clock: Clock = field(default_factory=SystemClock)
    _reader: sessionmaker[Session] | None = field(default=None, init=False, repr=False)

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        with self.session_factory.begin() as session:
            yield session

    @contextmanager
    def read_only(self) -> Iterator[Session]:
        """One transaction that only reads: it never waits for a writer (SQLite), and a write
        attempted inside it fails."""
        if self._reader is None:
            self._reader = make_read_only_session_factory(self.engine)
        with self._reader.begin() as session:
            yield session

    def read_mostly(self, work: Callable[[Session], T]) -> T:
        """``work`` in a read-only unit of work; if it turns out to need a write (data access
        raised :class:`NeedsWrite`), again in a writing one."""
        try:
            with self.read_only() as session:
                return work(session)
        except NeedsWrite:
            with self.unit_of_work() as session:
                return work(session)

    @contextmanager
    def reading(self) -> Iterator[Reader]:
        """A light read-only unit of work for a request's hot reads: no ORM session, and on
        PostgreSQL no BEGIN and COMMIT round trips (see :class:`bot.store.db.Reader`); a write
        attempted inside it fails, as in :meth:`read_only`."""
        with ExitStack() as stack:
            yield Reader(self.engine, self.read_only, stack)

    def read_light(self, work: Callable[[Reads], T]) -> T:
        """:meth:`read_mostly` for work that reads through :class:`bot.store.db.Reads`: in a
        light read-only unit of work, or a writing one if it raises :class:`NeedsWrite`."""
        try:
            with self.reading() as reader:
                return work(reader)
        except NeedsWrite:
            with self.unit_of_work() as session:
                return work(session)


def build_deps(
    settings: Settings,
    *,
    clock: Clock | None = None,
    ping_after_idle: float = 0.0,
    pool_size: int | None = None,
) -> Deps:
    """``ping_after_idle``: see :func:`bot.store.db.make_engine` (the web server passes
    ``WEB_PING_AFTER_IDLE_SECONDS``; jobs keep checking every connection before use).
    ``pool_size``: connections kept open for reuse (default: SQLAlchemy's 5)."""
    engine = make_engine(
        settings.database_url, ping_after_idle=ping_after_idle, pool_size=pool_size
    )
    return Deps(
        settings=settings,
        engine=engine,
        session_factory=make_session_factory(engine),
        clock=clock or SystemClock(),
    )

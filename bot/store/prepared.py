"""Hot reads straight on the database driver's cursor, with SQLAlchemy's own SQL and types.

``Connection.execute`` spends about 90 µs of CPU per statement before and after the
database's own work (execution context, parameter and result set-up, events), several times
what SQLite takes to answer an indexed lookup: on ``teach`` and ``me`` that was most of the
request. A :class:`PreparedSelect` is a Core ``select`` compiled once per dialect; each call
puts its parameters through the bind processors and each row's values through the result
processors SQLAlchemy itself would use (enums, dates and booleans come back as they would
from ``execute``), runs in the session's transaction and connection (or on a light reader's
connection, :class:`bot.store.db.Reader`), and returns named tuples.

Only for hot, read-only statements with plain named parameters (no expanding ``IN``, no
statement-time defaults). A driver error is raised as SQLAlchemy raises it
(:class:`sqlalchemy.exc.DBAPIError` subclasses, parameters hidden), and a connection the
error shows dead is invalidated, so the pool replaces it.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError

from bot.store.db import Reader, Reads

Processor = Callable[[Any], Any]


@dataclass
class _Compiled:
    sql: str
    names: tuple[str, ...]  # parameter names in the order the driver takes them
    positional: bool
    defaults: Mapping[str, Any]  # values the statement carries itself (LIMIT 1, literals)
    binds: tuple[tuple[str, Processor], ...]
    types: tuple[Any, ...]  # each result column's SQLAlchemy type
    row: Any  # the named tuple class
    results: tuple[tuple[int, Processor], ...] | None = None  # found at the first rows


class PreparedSelect:
    """A Core ``select`` run through the driver's cursor: compiled once per dialect."""

    def __init__(self, statement: Select[*tuple[Any, ...]]) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def _compile(self, dialect: Dialect) -> _Compiled:
        found = self._compiled.get(dialect.name)
        if found is not None:
            return found
        compiled: Any = self.statement.compile(dialect=dialect)
        if compiled.literal_execute_params or compiled.post_compile_params:
            raise ValueError("PreparedSelect takes plain parameters only (no expanding IN)")
        if compiled.escaped_bind_names:
            raise ValueError("PreparedSelect takes parameter names that need no escaping")
        columns = compiled._result_columns
        found = _Compiled(
            sql=compiled.string,
            names=tuple(compiled.positiontup or ()) if compiled.positional else (),
            positional=bool(compiled.positional),
            defaults={
                key: value
                for key, value in compiled.construct_params(_check=False).items()
                if value is not None
            },
            binds=tuple(compiled._bind_processors.items()),
            types=tuple(column[3] for column in columns),
            row=namedtuple("Row", [column[0] for column in columns]),
        )
        self._compiled[dialect.name] = found  # two threads compiling at once: either wins
        return found

    def rows(self, session: Reads, params: Mapping[str, Any]) -> list[Any]:
        """Every row, in the session's transaction (begun here if it has not been), or on the
        light reader's connection."""
        if isinstance(session, Reader) and session.orm is None:
            dialect = session.dialect
            dbapi_connection: Any = session.driver_connection()
            invalidate = session.invalidate
        else:
            connection = (
                session.session() if isinstance(session, Reader) else session
            ).connection()
            dialect = connection.dialect
            dbapi_connection = connection.connection.dbapi_connection
            invalidate = connection.invalidate
        compiled = self._compile(dialect)
        values = {**compiled.defaults, **params}
        for name, bind in compiled.binds:
            if name in values:
                values[name] = bind(values[name])
        args: Any = tuple(values[n] for n in compiled.names) if compiled.positional else values
        results = compiled.results
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(compiled.sql, args)
            fetched = cursor.fetchall()
            # Only the first answer's: psycopg builds the description afresh at each reading
            # (an object per column: ~160 calls for _MEMBER's 26 columns).
            description: Any = cursor.description if results is None else ()
        except dialect.loaded_dbapi.Error as exc:
            invalid = bool(dialect.is_disconnect(exc, dbapi_connection, cursor))
            if invalid:
                invalidate(exc)
            raise DBAPIError.instance(
                compiled.sql,
                None,
                exc,
                dialect.loaded_dbapi.Error,
                hide_parameters=True,
                connection_invalidated=invalid,
                dialect=dialect,
            ) from exc
        finally:
            cursor.close()
        make = compiled.row._make
        if results is None:
            # The driver's type codes are known from the first answer (PostgreSQL's differ
            # from SQLite's None); SQLAlchemy picks each column's processor with them too.
            results = tuple(
                (index, processor)
                for index, (kind, described) in enumerate(
                    zip(compiled.types, description, strict=True)
                )
                if (processor := kind._cached_result_processor(dialect, described[1])) is not None
            )
            compiled.results = results
        if not results:
            return [make(row) for row in fetched]
        out = []
        for row in fetched:
            processed = list(row)
            for index, processor in results:
                processed[index] = processor(processed[index])
            out.append(make(processed))
        return out

    def first(self, session: Reads, params: Mapping[str, Any]) -> Any | None:
        found = self.rows(session, params)
        return found[0] if found else None

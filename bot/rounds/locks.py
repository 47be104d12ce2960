"""The per-workspace lock that serialises round creation and check-in bookkeeping."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

#: First key of the two-key PostgreSQL advisory lock ("SS"); the second is the workspace id.
LOCK_NAMESPACE = 0x5353


def lock_workspace(session: Session, workspace_id: int) -> None:
    """Hold the workspace's lock until the transaction ends.

    PostgreSQL: a transaction-level advisory lock. SQLite: nothing to do — every write
    transaction starts with ``BEGIN IMMEDIATE`` (see :mod:`bot.store.db`) and holds the
    database's only write lock.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(:ns, :ws)"),
            {"ns": LOCK_NAMESPACE, "ws": workspace_id},
        )

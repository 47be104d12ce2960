"""Events API deliveries already processed (``processed_events``). Functions take ``*, session``."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from bot.store.models import ProcessedEvent

#: Slack stops retrying an event after minutes; a day is plenty.
EVENTS_KEPT_FOR = timedelta(hours=24)


def record_event(*, session: Session, event_id: str, team_id: str | None, now: datetime) -> None:
    """Insert the event id; a second insert of the same id fails with ``IntegrityError``."""
    session.add(ProcessedEvent(event_id=event_id, team_id=team_id, received_at=now))


def prune_events(*, session: Session, before: datetime) -> int:
    """Forget event ids received before ``before``; returns how many."""
    result = session.execute(delete(ProcessedEvent).where(ProcessedEvent.received_at < before))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]

"""Events API retries and repeated ``event_id``s are processed once.

Slack retries an event up to three times (``X-Slack-Retry-Num``) and, rarely, sends the same
``event_id`` again. A unique insert into ``processed_events`` decides who handles it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltResponse
from sqlalchemy.exc import IntegrityError

from bot.deps import Deps
from bot.store.events import record_event

log = logging.getLogger(__name__)


def first_time(deps: Deps, event_id: str, team_id: str | None) -> bool:
    """Record ``event_id``; False when it was recorded before."""
    try:
        with deps.unit_of_work() as session:
            record_event(session=session, event_id=event_id, team_id=team_id, now=deps.clock.now())
    except IntegrityError:
        return False
    return True


def make_middleware(deps: Deps) -> Callable[..., Any]:
    def dedupe_events(body: dict[str, Any], next: Callable[[], Any]) -> Any:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if (
            isinstance(event_id, str)
            and event_id
            and not first_time(deps, event_id[:64], body.get("team_id"))
        ):
            log.info(
                "duplicate event skipped",
                extra={"team_id": body.get("team_id"), "event_id": event_id},
            )
            return BoltResponse(status=200, body="")
        return next()

    return dedupe_events

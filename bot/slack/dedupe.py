"""Events API retries and repeated ``event_id``s are processed once.

Slack retries an event up to three times (``X-Slack-Retry-Num``) and, rarely, sends the same
``event_id`` again. A unique insert into ``processed_events`` decides who handles it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware
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


class DedupeEvents(Middleware):
    """Answers a repeated event with an empty 200 before any listener sees it.

    A :class:`Middleware` subclass (``app.use``), not a function: Bolt hands a function
    middleware its arguments by building every injectable one for each request, which costs
    more than this check. Commands and clicks carry no ``event_id`` and pass straight on."""

    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        body = req.body
        if body.get("type") != "event_callback":
            return next()
        event_id = body.get("event_id")
        if (
            isinstance(event_id, str)
            and event_id
            and not first_time(self._deps, event_id[:64], body.get("team_id"))
        ):
            log.info(
                "duplicate event skipped",
                extra={"team_id": body.get("team_id"), "event_id": event_id},
            )
            return BoltResponse(status=200, body="")
        return next()

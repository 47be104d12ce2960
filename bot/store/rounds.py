"""Data access for rounds. Functions take ``*, session`` and never commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.kinds import Origin
from bot.store.models import Round

#: The one ordering of a workspace's rounds, newest first (by date, then id): which round is
#: "the latest" for ``me``, pause, the Home tab, the schedule and a member's history.
NEWEST_FIRST: tuple[Any, ...] = (Round.round_date.desc(), Round.id.desc())

#: Scheduled rounds only: a request's swap is stored as a round of its own (origin
#: "request"), which must not move the rhythm or count as "the latest round".
SCHEDULED: Any = Round.origin == Origin.ROUND


def latest_round(*, session: Session, workspace_id: int) -> Round | None:
    return session.scalars(
        select(Round)
        .where(Round.workspace_id == workspace_id, SCHEDULED)
        .order_by(*NEWEST_FIRST)
        .limit(1)
    ).first()

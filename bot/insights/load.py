"""A workspace's insights: its rows (:mod:`bot.store.insights`) through the pure computation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.insights.stats import Insights, compute_insights
from bot.store.insights import load_input


def load_insights(*, session: Session, team_id: str, now: datetime) -> Insights:
    return compute_insights(load_input(session=session, team_id=team_id), generated_at=now)

"""Requests nobody answered within the week expire; both people are told, once."""

from __future__ import annotations

import logging
from datetime import datetime

from bot.blocks.requests import expired_blocks, expired_text
from bot.blocks.rounds import dump
from bot.delivery.outbox import NewMessage, OutboxKind, enqueue
from bot.deps import Deps
from bot.kinds import RequestState
from bot.requests.views import Expired
from bot.store import requests as store
from bot.store.models import Member

log = logging.getLogger(__name__)


def expire_due(deps: Deps, now: datetime) -> int:
    """Expire every open request past its date (the scheduler's job); returns how many."""
    with deps.unit_of_work() as session:
        due = store.due_to_expire(session=session, now=now)
        for request in due:
            asker = session.get_one(Member, request.asker_id)
            teacher = session.get_one(Member, request.teacher_id)
            request.state = RequestState.EXPIRED
            request.note = None
            store.forget_card(session=session, request_id=request.id)
            messages = []
            for member in (asker, teacher):
                view = Expired(
                    request_id=request.id,
                    user_id=member.slack_user_id,
                    asker=asker.slack_user_id,
                    teacher=teacher.slack_user_id,
                    skill=request.skill_label,
                )
                messages.append(
                    NewMessage(
                        key=f"request-expired:{request.id}:{member.id}",
                        kind=OutboxKind.REQUEST_EXPIRED,
                        text=expired_text(view),
                        blocks=dump(expired_blocks(view)),
                        target_users=(member.slack_user_id,),
                        member_id=member.id,
                    )
                )
            enqueue(messages, session=session, workspace_id=request.workspace_id, now=now)
            log.info(
                "swap request expired",
                extra={"user_id": asker.slack_user_id, "request_id": request.id},
            )
        return len(due)

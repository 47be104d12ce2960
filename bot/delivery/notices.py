"""One-off DMs (a refusal, a confirmation) through the outbox like every other message, but
delivered at once instead of at the next delivery run.

The row's key is unique per notice (a notice is never deduplicated); it names the person, so
``leave`` erases it with the rest of their data.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from bot.delivery.outbox import NewMessage, OutboxKind, enqueue_one
from bot.delivery.worker import DeliveryEvent, DeliveryWorker
from bot.deps import Deps
from bot.store.workspaces import get_or_create_workspace


def send_notice(
    deps: Deps,
    *,
    team_id: str,
    user_id: str,
    text: str,
    blocks: Sequence[dict[str, Any]] = (),
) -> bool:
    """DM ``user_id`` now; True when Slack took it (a retryable failure is retried later)."""
    message = NewMessage(
        key=f"notice:{team_id}:{user_id}:{uuid.uuid4().hex}",
        kind=OutboxKind.NOTICE,
        text=text,
        blocks=list(blocks),
        target_users=(user_id,),
    )
    with deps.unit_of_work() as session:
        workspace = get_or_create_workspace(session=session, team_id=team_id)
        outbox_id = enqueue_one(
            message, session=session, workspace_id=workspace.id, now=deps.clock.now()
        )
    if outbox_id is None:  # pragma: no cover - the key is new by construction
        return False
    event = DeliveryWorker(deps).deliver_now(outbox_id)
    return event in (DeliveryEvent.SENT, DeliveryEvent.RESOLVED)

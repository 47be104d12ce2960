"""An invitation for someone who just joined the Slack workspace (``team_join``).

Nobody is enrolled without acting: the newcomer gets a friendly DM and nothing is stored about
them but the outbox row that sends it and the record that they were invited (``invitations``),
so they get one invitation from SkillSwap whoever sends it: this welcome, or an admin's
*Invite people* later. The DM goes
through the outbox like every other message, delivered at once rather than at the next
delivery run.
"""

from __future__ import annotations

import logging

from bot.blocks.members import welcome_blocks, welcome_text
from bot.delivery.outbox import NewMessage, OutboxKind, enqueue_one
from bot.delivery.worker import DeliveryEvent, DeliveryWorker
from bot.deps import Deps
from bot.members.leaving import is_member
from bot.store import invitations
from bot.store.workspaces import get_or_create_workspace

log = logging.getLogger(__name__)


def send_welcome(deps: Deps, team_id: str, user_id: str) -> bool:
    """DM a newcomer an invitation, once per person per workspace. True when sent now."""
    message = NewMessage(
        key=f"welcome:{team_id}:{user_id}",
        kind=OutboxKind.WELCOME,
        text=welcome_text(user_id),
        blocks=[b.to_dict() for b in welcome_blocks(user_id)],
        target_users=(user_id,),
    )
    with deps.unit_of_work() as session:
        workspace = get_or_create_workspace(session=session, team_id=team_id)
        if is_member(session=session, team_id=team_id, user_id=user_id):
            return False
        if not invitations.record_invited(
            session=session,
            workspace_id=workspace.id,
            user_ids=[user_id],
            channel_id=None,
            now=deps.clock.now(),
        ):
            log.info("already invited", extra={"team_id": team_id, "user_id": user_id})
            return False
        outbox_id = enqueue_one(
            message, session=session, workspace_id=workspace.id, now=deps.clock.now()
        )
    if outbox_id is None:
        log.info("welcome already sent", extra={"team_id": team_id, "user_id": user_id})
        return False
    event = DeliveryWorker(deps).deliver_now(outbox_id)
    return event in (DeliveryEvent.SENT, DeliveryEvent.RESOLVED)

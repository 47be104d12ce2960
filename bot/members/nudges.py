"""Gentle nudges: a member with one side of their profile empty hears once, a week after
joining, what colleagues here want or offer; a member whose break ends tomorrow is told.

At most one nudge per member in :data:`NUDGE_GAP`, none for who clicked *Don't remind me*,
each at most once (outbox keys), all through the outbox. :func:`queue_due_nudges` is a plain
function of ``(deps, now)`` that the scheduler's tick calls.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.blocks.invitations import (
    break_ends_blocks,
    break_ends_text,
    one_sided_blocks,
    one_sided_text,
)
from bot.delivery.outbox import NewMessage, OutboxKind, enqueue
from bot.deps import Deps
from bot.kinds import Direction, MemberStatus
from bot.members.dates import zone
from bot.store import members as store
from bot.store.models import Member
from bot.store.skills import popular_skills

log = logging.getLogger(__name__)

#: A one-sided profile is nudged this long after joining.
ONE_SIDED_AFTER = timedelta(days=7)
#: At most one nudge per member in this window ("a month").
NUDGE_GAP = timedelta(days=30)
SUGGESTIONS = 3


def _missing_side(member: Member) -> Direction | None:
    sides = {row.direction for row in member.skills}
    if sides == {Direction.TEACH}:
        return Direction.LEARN
    if sides == {Direction.LEARN}:
        return Direction.TEACH
    return None


def _suggestions(session: Session, member: Member, missing: Direction) -> list[str]:
    """Skills colleagues offer (to learn) or want (to teach), not already on the profile."""
    own = {row.skill_id for row in member.skills}
    found: list[str] = []
    for skill, teachers, learners in popular_skills(
        session=session, workspace_id=member.workspace_id, limit=30
    ):
        wanted = teachers if missing == Direction.LEARN else learners
        if skill.id in own or wanted <= 0:
            continue
        found.append(skill.name)
        if len(found) == SUGGESTIONS:
            break
    return found


def _nudge_for(session: Session, member: Member, now: datetime) -> NewMessage | None:
    today = now.astimezone(zone(member.tz or member.workspace.timezone)).date()
    if member.status == MemberStatus.PAUSED and member.paused_until is not None:
        if member.paused_until == today + timedelta(days=1):
            return NewMessage(
                key=f"nudge:break:{member.id}:{member.paused_until.isoformat()}",
                kind=OutboxKind.NUDGE,
                text=break_ends_text(),
                blocks=[b.to_dict() for b in break_ends_blocks(member.paused_until)],
                target_users=(member.slack_user_id,),
                member_id=member.id,
            )
        return None
    missing = _missing_side(member)
    if missing is None or member.status != MemberStatus.ACTIVE:
        return None
    if now - member.joined_at < ONE_SIDED_AFTER:
        return None
    offered = _suggestions(session, member, missing)
    return NewMessage(
        key=f"nudge:one-sided:{member.id}",
        kind=OutboxKind.NUDGE,
        text=one_sided_text(missing),
        blocks=[b.to_dict() for b in one_sided_blocks(missing, offered)],
        target_users=(member.slack_user_id,),
        member_id=member.id,
    )


def queue_due_nudges(deps: Deps, now: datetime) -> int:
    """Queue the nudges due at ``now`` (one unit of work); returns how many were queued."""
    queued = 0
    with deps.unit_of_work() as session:
        for member in store.nudge_candidates(session=session, quiet_since=now - NUDGE_GAP):
            message = _nudge_for(session, member, now)
            if message is None:
                continue
            if enqueue([message], session=session, workspace_id=member.workspace_id, now=now):
                member.last_nudge_at = now
                queued += 1
    if queued:
        log.info("%d nudges queued", queued)
    return queued


def stop_nudges(*, session: Session, team_id: str, user_id: str) -> bool:
    """*Don't remind me*: no nudges for this member any more."""
    return store.set_nudges_off(session=session, team_id=team_id, slack_user_id=user_id)

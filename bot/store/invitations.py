"""Invitations (``invitations``): who was invited, who joined from an invitation, who left.

Functions take ``*, session`` and never commit. A person has at most one row per workspace
(a unique key), which is what makes an invitation go out once, whoever sends it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, case, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.invitations.people import Adoption, ChannelAdoption
from bot.kinds import OutboxState
from bot.store.models import Group, Invitation, Lesson, Member, OutboxMessage, Round

#: The outbox kind of an invitation DM (``OutboxKind.INVITE``; the store imports nothing above it).
INVITE_KIND = "invite"


@dataclass(frozen=True)
class Known:
    """What the workspace already knows about some user ids."""

    members: frozenset[str]
    invited: frozenset[str]
    left: frozenset[str]


def known(*, session: Session, workspace_id: int, user_ids: Sequence[str]) -> Known:
    """Which of ``user_ids`` are members, were invited, or left SkillSwap (two statements)."""
    ids = list(dict.fromkeys(user_ids))
    members = set(
        session.scalars(
            select(Member.slack_user_id).where(
                Member.workspace_id == workspace_id, Member.slack_user_id.in_(ids)
            )
        )
    )
    invited: set[str] = set()
    left: set[str] = set()
    rows = session.execute(
        select(Invitation.slack_user_id, Invitation.invited_at, Invitation.left).where(
            Invitation.workspace_id == workspace_id, Invitation.slack_user_id.in_(ids)
        )
    )
    for user_id, invited_at, has_left in rows:
        if has_left:
            left.add(user_id)
        elif invited_at is not None:
            invited.add(user_id)
    return Known(frozenset(members), frozenset(invited), frozenset(left))


def _insert(session: Session):  # type: ignore[no-untyped-def]
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def record_invited(
    *,
    session: Session,
    workspace_id: int,
    user_ids: Iterable[str],
    channel_id: str | None,
    now: datetime,
) -> list[str]:
    """Record an invitation for each id that has no row yet; returns the ids recorded now.

    ``INSERT … ON CONFLICT DO NOTHING RETURNING``: two admins inviting the same channel at the
    same moment each get back only the people they recorded, so nobody is invited twice.
    """
    rows = [
        {
            "workspace_id": workspace_id,
            "slack_user_id": user_id,
            "channel_id": channel_id,
            "invited_at": now,
            "left": False,
        }
        for user_id in dict.fromkeys(user_ids)
    ]
    if not rows:
        return []
    insert = _insert(session)
    stmt = (
        insert(Invitation)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["workspace_id", "slack_user_id"])
        .returning(Invitation.slack_user_id)
    )
    return [str(u) for u in session.scalars(stmt)]


def mark_joined(
    *,
    session: Session,
    workspace_id: int,
    user_id: str,
    now: datetime,
    from_channel: str | None = None,
) -> bool:
    """A person joined: stamp their invitation (or, if they came from an invitation card
    without a DM, record that card's channel). True when the join counts as from an
    invitation."""
    row = session.scalars(
        select(Invitation).where(
            Invitation.workspace_id == workspace_id, Invitation.slack_user_id == user_id
        )
    ).first()
    if row is None:
        if from_channel is None:
            return False
        session.add(
            Invitation(
                workspace_id=workspace_id,
                slack_user_id=user_id,
                channel_id=from_channel,
                invited_at=None,
                joined_at=now,
                left=False,
            )
        )
        return True
    if row.invited_at is None and from_channel is None and not row.left:
        return False
    row.left = False
    if row.joined_at is None:
        row.joined_at = now
    if row.channel_id is None and from_channel is not None:
        row.channel_id = from_channel
    return True


def mark_left(*, session: Session, workspace_id: int, user_id: str) -> None:
    """They left SkillSwap: never invite them again (their user id is all that is kept)."""
    found = session.execute(
        update(Invitation)
        .where(Invitation.workspace_id == workspace_id, Invitation.slack_user_id == user_id)
        .values(left=True)
    )
    if not found.rowcount:  # type: ignore[attr-defined]
        session.add(Invitation(workspace_id=workspace_id, slack_user_id=user_id, left=True))


def example_swap(*, session: Session, workspace_id: int) -> tuple[str, str] | None:
    """Two skills swapped in one group of the workspace's latest rounds (no names), if any."""
    group_id = session.scalar(
        select(Lesson.group_id)
        .join(Group, Group.id == Lesson.group_id)
        .join(Round, Round.id == Group.round_id)
        .where(Round.workspace_id == workspace_id)
        .group_by(Lesson.group_id)
        .having(func.count(func.distinct(Lesson.skill_label)) >= 2)
        .order_by(Lesson.group_id.desc())
        .limit(1)
    )
    if group_id is None:
        return None
    labels = list(
        dict.fromkeys(
            session.scalars(
                select(Lesson.skill_label).where(Lesson.group_id == group_id).order_by(Lesson.id)
            )
        )
    )
    return (labels[0], labels[1]) if len(labels) >= 2 else None


def adoption(*, session: Session, workspace_id: int) -> Adoption:
    sent_col = func.sum(case((Invitation.invited_at.is_not(None), 1), else_=0)).cast(Integer)
    joined_col = func.sum(case((Invitation.joined_at.is_not(None), 1), else_=0)).cast(Integer)
    totals = session.execute(
        select(sent_col, joined_col).where(Invitation.workspace_id == workspace_id)
    ).one()
    by_channel = session.execute(
        select(Invitation.channel_id, sent_col, joined_col)
        .where(Invitation.workspace_id == workspace_id, Invitation.channel_id.is_not(None))
        .group_by(Invitation.channel_id)
        .order_by(Invitation.channel_id)
    )
    failed = session.execute(
        select(OutboxMessage.last_error, func.count(OutboxMessage.id))
        .where(
            OutboxMessage.workspace_id == workspace_id,
            OutboxMessage.kind == INVITE_KIND,
            OutboxMessage.state == OutboxState.FAILED,
        )
        .group_by(OutboxMessage.last_error)
    )
    return Adoption(
        sent=int(totals[0] or 0),
        joined=int(totals[1] or 0),
        channels=tuple(ChannelAdoption(str(c), int(s or 0), int(j or 0)) for c, s, j in by_channel),
        failed={str(e or "unknown"): int(n) for e, n in failed},
    )

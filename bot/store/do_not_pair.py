"""A member's private do-not-pair list ("Not a fit", or "Would you swap again? No").

Each entry is one member's own wish: only they see it (Home tab) and only they remove it; the
matching engine reads it through the round snapshot. Functions take ``*, session`` and never
commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from bot.store.models import DoNotPair, Member, Workspace

#: Entries shown in the Home tab (the list is rarely longer).
SHOWN = 20


@dataclass(frozen=True)
class Entry:
    id: int
    other_user_id: str


def never_again(*, session: Session, workspace_id: int, member_id: int, other_id: int) -> bool:
    """Add ``member_id``'s entry for ``other_id``; False when it was there already."""
    exists = session.scalars(
        select(DoNotPair.id).where(
            DoNotPair.member_id == member_id, DoNotPair.other_member_id == other_id
        )
    ).first()
    if exists is not None:
        return False
    try:
        with session.begin_nested():
            session.add(
                DoNotPair(workspace_id=workspace_id, member_id=member_id, other_member_id=other_id)
            )
    except IntegrityError:  # a concurrent click stored it first
        return False
    return True


def forget(*, session: Session, member_id: int, other_ids: Iterable[int]) -> int:
    """Remove ``member_id``'s entries for ``other_ids``; returns how many were removed."""
    ids = list(other_ids)
    if not ids:
        return 0
    result = session.execute(
        delete(DoNotPair).where(
            DoNotPair.member_id == member_id, DoNotPair.other_member_id.in_(ids)
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def entries_of(*, session: Session, team_id: str, slack_user_id: str) -> tuple[list[Entry], int]:
    """The first ``SHOWN`` entries of a member (oldest first) and how many there are."""
    owner = aliased(Member)
    other = aliased(Member)
    rows = session.execute(
        select(DoNotPair.id, other.slack_user_id)
        .join(owner, owner.id == DoNotPair.member_id)
        .join(Workspace, Workspace.id == owner.workspace_id)
        .join(other, other.id == DoNotPair.other_member_id)
        .where(Workspace.team_id == team_id, owner.slack_user_id == slack_user_id)
        .order_by(DoNotPair.id)
    ).all()
    return [Entry(id=row[0], other_user_id=row[1]) for row in rows[:SHOWN]], len(rows)


def remove_entry(*, session: Session, team_id: str, slack_user_id: str, entry_id: int) -> bool:
    """Remove entry ``entry_id`` if it belongs to ``slack_user_id`` in ``team_id``; False
    when it does not (already removed, or someone else's: a forged button)."""
    owner = (
        select(Member.id)
        .join(Workspace, Workspace.id == Member.workspace_id)
        .where(Workspace.team_id == team_id, Member.slack_user_id == slack_user_id)
        .scalar_subquery()
    )
    result = session.execute(
        delete(DoNotPair).where(DoNotPair.id == entry_id, DoNotPair.member_id == owner)
    )
    return bool(getattr(result, "rowcount", 0))

"""What ``/skillswap me`` and the Home tab show: the profile, the next round, the current
partner and past groups.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.kinds import MemberStatus
from bot.members.dates import zone
from bot.members.lookups import next_round, workspace_row
from bot.members.views import (
    GroupView,
    Lesson,
    Overview,
    PartnerRecord,
    is_paused,
    member_today,
    profile_of,
)
from bot.store import members as store
from bot.store import read_model
from bot.store.db import Reader, Reads
from bot.store.rounds import lesson_counts

HISTORY_LIMIT = 10


def _time_hint(me: PartnerRecord, partners: Sequence[PartnerRecord], today: date) -> str | None:
    mine = zone(me.tz)
    for other in partners:
        theirs = zone(other.tz)
        if str(theirs) == str(mine):
            continue
        at = datetime(today.year, today.month, today.day, 10, 0, tzinfo=mine)
        there = at.astimezone(theirs)
        if there.utcoffset() == at.utcoffset():
            continue
        return f"When it's 10:00 for you, it's {there:%H:%M} for <@{other.slack_user_id}>."
    return None


def _orm(session: Reads) -> Session:
    return session.session() if isinstance(session, Reader) else session


def overview(
    *, session: Reads, deps: Deps, team_id: str, user_id: str, with_balance: bool = False
) -> Overview:
    """``with_balance``: also count the lessons the member gave and received (the Home tab),
    the way the round service counts them for the engine.

    On a light reader (:meth:`Deps.read_light`) a member never in a group (or someone not a
    member yet) costs one or two statements and no session; a member's groups are read in a
    read-only session the reader opens then."""
    found = read_model.member_overview(session=session, team_id=team_id, slack_user_id=user_id)
    if found is not None:
        workspace, member = found.workspace, found.member
        latest, in_a_group = found.latest_round, found.in_any_group
    else:
        workspace, member = workspace_row(session, team_id), None
        latest = read_model.latest_round(session=session, workspace_id=workspace.id)
        in_a_group = False
    now = deps.clock.now()
    today = member_today(member, workspace, now)
    tz = (member.tz if member else None) or workspace.timezone or "UTC"
    upcoming = next_round(workspace, latest, now)
    if member is None:
        return Overview(
            user_id=user_id,
            profile=None,
            next_round=upcoming,
            current=None,
            history=[],
            tz=tz,
            today=today,
        )
    rows = (
        store.groups_of(session=_orm(session), member_id=member.id, limit=HISTORY_LIMIT + 1)
        if in_a_group
        else []
    )
    current: GroupView | None = None
    history: list[GroupView] = []
    for row in rows:
        view = GroupView(
            round_date=row.round.round_date,
            kind=row.group.kind,
            state=row.group.state,
            partners=[p.slack_user_id for p in row.partners],
            lessons=[Lesson(teacher=t, learner=lr, skill=s) for t, lr, s in row.lessons],
            time_hint=None,
        )
        if current is None and latest is not None and row.round.id == latest.id:
            current = GroupView(
                round_date=view.round_date,
                kind=view.kind,
                state=view.state,
                partners=view.partners,
                lessons=view.lessons,
                time_hint=_time_hint(member, row.partners, today),
            )
        else:
            history.append(view)
    balance: tuple[int, int] | None = None
    if with_balance and in_a_group:  # before their first group there is nothing to count
        counted = lesson_counts(
            session=_orm(session), workspace_id=workspace.id, member_id=member.id
        )
        balance = counted.get(member.id, (0, 0))
    profile = profile_of(member)
    if member.status == MemberStatus.PAUSED and not is_paused(member, today):
        profile = replace(profile, status=MemberStatus.ACTIVE)
    return Overview(
        user_id=user_id,
        profile=profile,
        next_round=upcoming,
        current=current,
        history=history[:HISTORY_LIMIT],
        tz=tz,
        today=today,
        balance=balance,
    )


#: Auto-paused members named in the admins' Home section.
AUTO_PAUSED_SHOWN = 20


def auto_paused(*, session: Session, team_id: str) -> tuple[list[str], int]:
    """Who was paused because "Still up for swaps?" went unanswered (for admins)."""
    return store.auto_paused(session=session, team_id=team_id, limit=AUTO_PAUSED_SHOWN)

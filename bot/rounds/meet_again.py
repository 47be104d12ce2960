"""Meet again, outside the rounds: after "We met", a group may ask for a nudge in its group DM
in 1, 2 or 4 weeks. It takes no round slot (the group is not matched by it).

- One meet-again per group; a second choice changes the interval, the same choice twice (a
  double click) changes nothing.
- When due, the clock queues one nudge through the outbox (key ``meet-again:<id>:<n>``) with
  [We met again] [Stop these]. "We met again" counts once per nudge (a repeat swap: a tie that
  lasts) and schedules the next nudge after the same interval; a nudge nobody answers is the
  last until someone does.
- Any member of the group may stop it. When a nudge falls due while a member is paused (or
  the group lost a member), it stops instead; a member who leaves deletes their groups'.

Each function is one unit of work and returns what to show; handlers call Slack after it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.blocks.common import NOT_YOURS, SWAP_GONE
from bot.blocks.meet_again import MeetAgainView, NudgeView, nudge_blocks, nudge_text
from bot.blocks.rounds import dump
from bot.delivery.outbox import NewMessage, OutboxKind, enqueue
from bot.deps import Deps
from bot.errors import NotAllowedError, NotFoundError, UserInputError
from bot.kinds import GroupState, MeetAgainState, MemberStatus
from bot.meetings.slots import next_working_morning
from bot.members.hours import working_week
from bot.store import meet_again as store
from bot.store import rounds as store_rounds
from bot.store.models import Group, MeetAgain, Member, Workspace

log = logging.getLogger(__name__)

STOPPED = "cancelled: meet-again nudges stopped"
NOT_MET = (
    "Meet again is for swaps that happened: once one of you clicks *We met*, pick when to "
    "meet again."
)


@dataclass(frozen=True)
class MeetAgainResult:
    view: MeetAgainView
    changed: bool
    nudge: NudgeView | None = None  # the nudge as it looks now (clicks on a nudge)


def _group_for(session: Session, *, team_id: str, user_id: str, group_id: int) -> Group:
    """The group, locked until the unit of work ends, if ``user_id`` is in it."""
    group = store_rounds.locked_group(session=session, group_id=group_id)
    if group is None:
        raise NotFoundError(SWAP_GONE)
    workspace = session.get_one(Workspace, group.round.workspace_id)
    if workspace.team_id != team_id or not any(
        gm.member.slack_user_id == user_id for gm in group.members
    ):
        raise NotAllowedError(NOT_YOURS)
    return group


def _tz(group: Group, user_id: str, session: Session) -> str:
    member = next((gm.member for gm in group.members if gm.member.slack_user_id == user_id), None)
    if member is not None and member.tz:
        return member.tz
    return session.get_one(Workspace, group.round.workspace_id).timezone or "UTC"


def view_of(
    row: MeetAgain | None,
    group_id: int,
    *,
    tz: str,
    stopped_by: str | None = None,
    answered_by: str | None = None,
) -> MeetAgainView:
    if row is None:
        return MeetAgainView(group_id=group_id, tz=tz)
    return MeetAgainView(
        group_id=group_id,
        weeks=row.weeks,
        stopped=row.state is MeetAgainState.STOPPED,
        stopped_by=stopped_by,
        next_at=row.due_at,
        tz=tz,
        nudge=row.nudges,
        answered_by=answered_by,
    )


def for_checkin(session: Session, group: Group, *, tz: str) -> MeetAgainView | None:
    """What the check-in shows under it: nothing until the group met, then the offer or the
    choice made."""
    if group.state is not GroupState.MET:
        return None
    return view_of(store.of_group(session=session, group_id=group.id), group.id, tz=tz)


def choose(
    deps: Deps, *, team_id: str, user_id: str, group_id: int, weeks: int, now: datetime
) -> MeetAgainResult:
    """A member picked "in 1, 2 or 4 weeks" under the check-in."""
    with deps.unit_of_work() as session:
        group = _group_for(session, team_id=team_id, user_id=user_id, group_id=group_id)
        if group.state is not GroupState.MET:
            raise UserInputError(NOT_MET)
        row, changed = store.start(
            session=session,
            workspace_id=group.round.workspace_id,
            group_id=group.id,
            weeks=weeks,
            due_at=now + timedelta(weeks=weeks),
        )
        session.flush()
        log.info(
            "meet again every %d weeks (%s)",
            weeks,
            "recorded" if changed else "unchanged",
            extra={"team_id": team_id, "user_id": user_id, "group_id": group_id},
        )
        return MeetAgainResult(
            view=view_of(row, group.id, tz=_tz(group, user_id, session)), changed=changed
        )


def stop(
    deps: Deps, *, team_id: str, user_id: str, group_id: int, now: datetime
) -> MeetAgainResult:
    """*Stop these*, from any member of the group (on the check-in or on a nudge)."""
    with deps.unit_of_work() as session:
        group = _group_for(session, team_id=team_id, user_id=user_id, group_id=group_id)
        row = store.of_group(session=session, group_id=group.id)
        changed = row is not None and row.state is not MeetAgainState.STOPPED
        if row is not None and changed:
            row.state = MeetAgainState.STOPPED
            row.due_at = None
            row.stopped_at = now
        # A nudge queued before the click (waiting for the group's working morning, say)
        # does not go out after it.
        store.cancel_queued(
            session=session, group_id=group.id, kind=OutboxKind.MEET_AGAIN.value, reason=STOPPED
        )
        log.info(
            "meet again %s",
            "stopped" if changed else "already stopped",
            extra={"team_id": team_id, "user_id": user_id, "group_id": group_id},
        )
        tz = _tz(group, user_id, session)
        view = (
            view_of(row, group.id, tz=tz, stopped_by=user_id)
            if row is not None
            else MeetAgainView(group_id=group.id, stopped=True, stopped_by=user_id, tz=tz)
        )
        return MeetAgainResult(view=view, changed=changed, nudge=_nudge_view(group, view))


def met_again(
    deps: Deps, *, team_id: str, user_id: str, group_id: int, nudge: int, now: datetime
) -> MeetAgainResult:
    """*We met again* on nudge number ``nudge``: counted once per nudge, and the next nudge is
    due after the same interval."""
    with deps.unit_of_work() as session:
        group = _group_for(session, team_id=team_id, user_id=user_id, group_id=group_id)
        row = store.of_group(session=session, group_id=group.id)
        if row is None:
            raise NotFoundError(SWAP_GONE)
        tz = _tz(group, user_id, session)
        if row.state is MeetAgainState.STOPPED:
            view = view_of(row, group.id, tz=tz)
            return MeetAgainResult(view=view, changed=False, nudge=_nudge_view(group, view))
        changed = row.answered < nudge <= row.nudges
        if changed:
            row.answered = nudge
            row.met_again += 1
            if nudge == row.nudges:  # the latest nudge: the next one is due after the interval
                row.due_at = now + timedelta(weeks=row.weeks)
        log.info(
            "met again (%s)",
            "recorded" if changed else "unchanged",
            extra={"team_id": team_id, "user_id": user_id, "group_id": group_id},
        )
        view = view_of(row, group.id, tz=tz, answered_by=user_id)
        return MeetAgainResult(view=view, changed=changed, nudge=_nudge_view(group, view))


def _nudge_view(group: Group, state: MeetAgainView) -> NudgeView:
    people = tuple(gm.member.slack_user_id for gm in sorted(group.members, key=lambda gm: gm.id))
    skills: list[str] = []
    for lesson in sorted(group.lessons, key=lambda item: item.id):
        if lesson.skill_label not in skills:
            skills.append(lesson.skill_label)
    return NudgeView(state=state, people=people, skills=tuple(skills), kind=group.kind)


def _stops(group: Group) -> str | None:
    """Why a due nudge stops instead of going out, or None."""
    members: list[Member] = [gm.member for gm in group.members]
    if len(members) < 2:
        return "a member left"
    if any(m.status is not MemberStatus.ACTIVE for m in members):
        return "a member is paused"
    if not group.channel_id:
        return "no group DM"
    return None


def process_due(deps: Deps, now: datetime, *, humane: bool = False) -> int:
    """Queue the meet-again nudges due at ``now`` (the clock's tick); returns how many.
    ``humane`` (the clock process): each nudge waits for the group's shared working morning,
    like check-ins."""
    queued = 0
    with deps.unit_of_work() as session:
        for row in store.due(session=session, now=now):
            group = store.group_of(session=session, group_id=row.group_id)
            why = _stops(group) if group is not None else "the group is gone"
            extra = {"group_id": row.group_id, "workspace_id": row.workspace_id}
            if group is None or why is not None:
                row.state = MeetAgainState.STOPPED
                row.due_at = None
                row.stopped_at = now
                log.info("meet-again nudges stopped: %s", why, extra=extra)
                continue
            row.nudges += 1
            row.due_at = None  # the next one after "We met again"
            view = _nudge_view(group, view_of(row, group.id, tz="UTC"))
            assert group.channel_id is not None
            not_before = None
            if humane:
                default_tz = session.get_one(Workspace, row.workspace_id).timezone
                weeks = [working_week(gm.member, default_tz=default_tz) for gm in group.members]
                not_before = next_working_morning(weeks, after=now)
            queued += enqueue(
                [
                    NewMessage(
                        key=f"meet-again:{row.id}:{row.nudges}",
                        kind=OutboxKind.MEET_AGAIN,
                        text=nudge_text(view),
                        blocks=dump(nudge_blocks(view)),
                        channel=group.channel_id,
                        group_id=group.id,
                        not_before=not_before,
                    )
                ],
                session=session,
                workspace_id=row.workspace_id,
                now=now,
            )
    if queued:
        log.info("%d meet-again nudges queued", queued)
    return queued

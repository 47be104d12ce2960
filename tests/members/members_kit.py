"""Helpers for the members tests: colleagues, and members' rows read back from the database.

Slack's side (commands, clicks, replies) is the shared driver, ``tests/support.py``.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.kinds import GroupKind, GroupState, RoundState
from bot.store.models import (
    Group,
    GroupMember,
    Lesson,
    Member,
    MemberSkill,
    Round,
    Skill,
    Workspace,
)
from tests.support import Harness, Snapshot, snapshot

ANA, BEN, CAL, DEV = "U0ANA0001", "U0BEN0002", "U0CAL0003", "U0DEV0004"


def member_row(h: Harness, user: str) -> Member | None:
    with h.deps.unit_of_work() as s:
        return s.scalars(select(Member).where(Member.slack_user_id == user)).first()


def skills(h: Harness, user: str) -> set[tuple[str, str, int]]:
    """{(direction, label, level)} of a member."""
    with h.deps.unit_of_work() as s:
        rows = s.execute(
            select(MemberSkill.direction, MemberSkill.label, MemberSkill.level)
            .join(Member, Member.id == MemberSkill.member_id)
            .where(Member.slack_user_id == user)
        ).all()
    return {(str(d.value), label, level) for d, label, level in rows}


def catalog(h: Harness) -> dict[str, str]:
    """{key: display name} of the workspace's skills."""
    with h.deps.unit_of_work() as s:
        return {k: n for k, n in s.execute(select(Skill.key, Skill.name)).all()}


def stored(h: Harness) -> Snapshot:
    """Every row of every table but the event log, to compare before and after."""
    return snapshot(h.deps.engine, skip=("processed_events",))


def make_round(
    h: Harness,
    groups: list[tuple[list[str], list[tuple[str, str, str]]]],
    *,
    round_date: date,
    period: str,
    state: GroupState = GroupState.INTRODUCED,
    reason: str = "",
) -> int:
    """Store a round as the rounds feature would: groups of members with their lessons."""
    with h.deps.unit_of_work() as s:
        ws = s.scalars(select(Workspace).where(Workspace.team_id == h.team_id)).one()
        rnd = Round(
            workspace_id=ws.id,
            period=period,
            round_date=round_date,
            state=RoundState.DELIVERED,
            eligible_count=sum(len(m) for m, _ in groups),
            group_count=len(groups),
        )
        s.add(rnd)
        s.flush()
        by_user = {
            m.slack_user_id: m
            for m in s.scalars(select(Member).where(Member.workspace_id == ws.id))
        }
        for users, lessons in groups:
            group = Group(
                round_id=rnd.id,
                kind=GroupKind.SWAP,
                state=state,
                reason=reason or " and ".join(f"<@{u}>" for u in users) + " swap skills",
            )
            s.add(group)
            s.flush()
            for u in users:
                s.add(GroupMember(group_id=group.id, member_id=by_user[u].id))
            for teacher, learner, label in lessons:
                s.add(
                    Lesson(
                        group_id=group.id,
                        teacher_id=by_user[teacher].id,
                        learner_id=by_user[learner].id,
                        skill_label=label,
                    )
                )
        return rnd.id

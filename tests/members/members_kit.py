"""Helpers for the members' Slack surface tests: a driver over the harness."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import (
    Base,
    Group,
    GroupKind,
    GroupMember,
    GroupState,
    Lesson,
    Member,
    MemberSkill,
    Round,
    RoundState,
    Skill,
    Workspace,
)
from tests.support import Harness

ANA, BEN, CAL, DEV = "U0ANA0001", "U0BEN0002", "U0CAL0003", "U0DEV0004"


@dataclass
class Driver:
    """Signed requests in, simulator and database out, for one test."""

    h: Harness

    # ----------------------------------------------------------------- Slack side

    def command(self, user: str, text: str, **kwargs: Any) -> dict[str, Any]:
        """Run ``/skillswap <text>`` and return the ephemeral reply it produced."""
        before = len(self.h.sim.responses())
        reply = self.h.slack.slash_command(
            team_id=self.h.team_id, user_id=user, text=text, **kwargs
        )
        assert reply.status == 200, reply.body
        return self.h.sim.wait_for_response(count=before + 1)[-1]

    def click(self, user: str, button: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        """Click a button (a block dict) in an ephemeral reply; returns the next response."""
        before = len(self.h.sim.responses())
        reply = self.h.slack.block_action(
            team_id=self.h.team_id,
            user_id=user,
            action_id=button["action_id"],
            value=button.get("value"),
            **kwargs,
        )
        assert reply.status == 200, reply.body
        return self.h.sim.wait_for_response(count=before + 1)[-1]

    # ----------------------------------------------------------------- database side

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.h.deps.unit_of_work() as session:
            yield session

    def member(self, user: str) -> Member | None:
        with self.session() as s:
            return s.scalars(select(Member).where(Member.slack_user_id == user)).first()

    def skills(self, user: str) -> set[tuple[str, str, int]]:
        """{(direction, label, level)} of a member."""
        with self.session() as s:
            rows = s.execute(
                select(MemberSkill.direction, MemberSkill.label, MemberSkill.level)
                .join(Member, Member.id == MemberSkill.member_id)
                .where(Member.slack_user_id == user)
            ).all()
        return {(str(d.value), label, level) for d, label, level in rows}

    def catalog(self) -> dict[str, str]:
        """{key: display name} of the workspace's skills."""
        with self.session() as s:
            return {k: n for k, n in s.execute(select(Skill.key, Skill.name)).all()}

    def snapshot(self) -> dict[str, list[str]]:
        """Every row of every table (but the event log), to compare before and after."""
        out: dict[str, list[str]] = {}
        with self.session() as s:
            for table in Base.metadata.sorted_tables:
                if table.name == "processed_events":
                    continue
                rows = s.execute(select(table)).all()
                out[table.name] = sorted(json.dumps(list(r), default=str) for r in rows)
        return out

    def make_round(
        self,
        groups: list[tuple[list[str], list[tuple[str, str, str]]]],
        *,
        round_date: date,
        period: str,
        state: GroupState = GroupState.INTRODUCED,
        reason: str = "",
    ) -> int:
        """Store a round as the rounds feature would: groups of members with their lessons."""
        with self.session() as s:
            ws = s.scalars(select(Workspace).where(Workspace.team_id == self.h.team_id)).one()
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


def text_of(payload: dict[str, Any]) -> str:
    """Everything a person would read in a reply (text and blocks), as one string."""
    return json.dumps(payload, ensure_ascii=False)


def buttons(payload: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{action_id: element} of every button or select in a reply's or view's blocks."""
    found: dict[str, dict[str, Any]] = {}
    for block in payload.get("blocks") or []:
        elements = list(block.get("elements") or [])
        if block.get("accessory"):
            elements.append(block["accessory"])
        for element in elements:
            if isinstance(element, dict) and element.get("action_id"):
                found[element["action_id"]] = element
    return found


def rows_mentioning(driver: Driver, needle: str) -> list[tuple[str, str]]:
    """(table, row) for every row of every table whose text contains ``needle``."""
    found = []
    with driver.session() as s:
        for table in Base.metadata.sorted_tables:
            for row in s.execute(select(table)).all():
                dumped = json.dumps([str(v) for v in row], ensure_ascii=False)
                if needle in dumped:
                    found.append((table.name, dumped))
    return found


def rows_referencing_member(driver: Driver, member_id: int) -> list[tuple[str, str]]:
    """(table.column, row) for every row with a foreign key to ``members.id == member_id``."""
    found = []
    with driver.session() as s:
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                if any(fk.column.table.name == "members" for fk in column.foreign_keys):
                    for row in s.execute(select(table).where(column == member_id)).all():
                        found.append((f"{table.name}.{column.name}", str(row)))
    return found


def eventually(check: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll ``check`` until it holds or the deadline passes (listeners run after the ack)."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition still false after {timeout}s")
        pause.wait(0.01)

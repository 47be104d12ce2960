"""Helpers for the rounds tests: a workspace of members written straight to the database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from bot.clock import ManualClock
from bot.deps import Deps
from bot.matching.skills import canonical_key, display_name_for
from bot.sim import SlackSimulator
from bot.store.models import (
    Direction,
    Member,
    MemberSkill,
    OutboxMessage,
    OutboxState,
    Skill,
    Workspace,
)
from tests.support import TEAM

ANA, BEN, CAL, DEV, EVE, FAY = (
    "U0ANA0001",
    "U0BEN0002",
    "U0CAL0003",
    "U0DEV0004",
    "U0EVE0005",
    "U0FAY0006",
)

SkillSpec = tuple[str, int] | str


@dataclass
class Team:
    """One workspace: its database rows and its Slack directory in the simulator."""

    deps: Deps
    sim: SlackSimulator
    clock: ManualClock
    team_id: str = TEAM
    skills: dict[str, int] = field(default_factory=dict)

    def workspace(self, **settings: Any) -> int:
        """Create (or update) the workspace row; it 'exists' from a month before the clock."""
        with self.deps.unit_of_work() as session:
            ws = session.scalars(select(Workspace).where(Workspace.team_id == self.team_id)).first()
            if ws is None:
                ws = Workspace(
                    team_id=self.team_id,
                    timezone="Europe/London",
                    created_at=self.clock.now() - timedelta(days=30),
                    # an admin confirmed the settings when it was set up
                    settings_confirmed_at=self.clock.now() - timedelta(days=30),
                )
                session.add(ws)
            for key, value in settings.items():
                setattr(ws, key, value)
            session.flush()
            return ws.id

    def member(
        self,
        user_id: str,
        name: str,
        *,
        tz: str = "Europe/London",
        team: str | None = None,
        teach: Sequence[SkillSpec] = (),
        learn: Sequence[SkillSpec] = (),
        in_slack: bool = True,
        **columns: Any,
    ) -> int:
        ws_id = self.workspace()
        if in_slack:
            self.sim.add_user(self.team_id, user_id, name=name.lower(), real_name=name, tz=tz)
        with self.deps.unit_of_work() as session:
            member = Member(
                workspace_id=ws_id,
                slack_user_id=user_id,
                display_name=name,
                tz=tz,
                team_label=team,
                joined_at=self.clock.now(),
                **columns,
            )
            session.add(member)
            session.flush()
            for direction, specs in ((Direction.TEACH, teach), (Direction.LEARN, learn)):
                for spec in specs:
                    label, level = (spec, 1) if isinstance(spec, str) else spec
                    skill_id = self._skill(session, ws_id, label)
                    session.add(
                        MemberSkill(
                            member_id=member.id,
                            skill_id=skill_id,
                            direction=direction,
                            level=level,
                            label=label,
                        )
                    )
            return member.id

    def _skill(self, session: Any, ws_id: int, label: str) -> int:
        key = canonical_key(label)
        found = session.scalars(
            select(Skill).where(Skill.workspace_id == ws_id, Skill.key == key)
        ).first()
        if found is None:
            found = Skill(workspace_id=ws_id, key=key, name=display_name_for(key))
            session.add(found)
            session.flush()
        return int(found.id)

    def outbox(self, **filters: Any) -> list[OutboxMessage]:
        with self.deps.unit_of_work() as session:
            stmt = select(OutboxMessage).order_by(OutboxMessage.id)
            for key, value in filters.items():
                stmt = stmt.where(getattr(OutboxMessage, key) == value)
            return list(session.scalars(stmt))

    def unfinished(self) -> int:
        with self.deps.unit_of_work() as session:
            return int(
                session.scalar(
                    select(func.count(OutboxMessage.id)).where(
                        OutboxMessage.state.in_([OutboxState.PENDING, OutboxState.SENDING])
                    )
                )
                or 0
            )


def pair_world(team: Team, **settings: Any) -> None:
    """Ana (Design, Madrid) and Ben (Data, London): a perfect two-way swap."""
    team.workspace(**settings)
    team.member(
        ANA, "Ana Alvarez", tz="Europe/Madrid", team="Design",
        teach=[("Spanish", 2)], learn=["SQL"],
    )  # fmt: skip
    team.member(
        BEN, "Ben Brown", tz="Europe/London", team="Data", teach=[("SQL", 2)], learn=["Spanish"]
    )


def button(message: dict[str, Any], action_id: str) -> dict[str, Any]:
    """The button ``action_id`` in a message the simulator stored."""
    for block in message.get("blocks") or []:
        for element in block.get("elements") or []:
            if element.get("action_id") == action_id:
                return dict(element)
    raise AssertionError(f"no button {action_id!r} in {message.get('text')!r}")


def click(harness: Any, user: str, message: dict[str, Any], action_id: str) -> None:
    """``user`` clicks a button of a stored message, as Slack would send it."""
    found = button(message, action_id)
    reply = harness.slack.block_action(
        team_id=harness.team_id,
        user_id=user,
        action_id=action_id,
        value=found.get("value"),
        message=message,
    )
    assert reply.status == 200, reply.body


def text_of(message: dict[str, Any]) -> str:
    """Every mrkdwn/plain text in a message, joined."""
    parts = [str(message.get("text") or "")]
    for block in message.get("blocks") or []:
        if isinstance(block.get("text"), dict):
            parts.append(block["text"].get("text", ""))
        for element in block.get("elements") or []:
            if isinstance(element.get("text"), str):
                parts.append(element["text"])
    return "\n".join(parts)

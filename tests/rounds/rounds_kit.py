"""Helpers for the rounds tests: a workspace of members written straight to the database.

Slack's side (clicks, messages, replies) is the shared driver, ``tests/support.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from bot.blocks.admin import AdminCallback
from bot.clock import ManualClock
from bot.deps import Deps
from bot.kinds import Direction, OutboxState
from bot.matching.skills import canonical_key, display_name_for
from bot.sim import SlackSimulator
from bot.store.models import (
    Feedback,
    GroupMember,
    Member,
    MemberSkill,
    OutboxMessage,
    Skill,
    Workspace,
)
from tests.support import TEAM, Harness

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


# --------------------------------------------------------------------------- admin settings

BOSS = "U0BOSS001"


def settings_values(**overrides: Any) -> dict[str, Any]:
    """``view.state.values`` of the admin settings modal: sensible answers, with overrides."""
    given = {
        "cadence": "biweekly",
        "weekday": "2",
        "time": "10:30",
        "timezone": "America/New_York",
        "checkin_delay": "4",
        "cooldown": "6",
        "home_channel": "C0ANNOUNCE",
        "admins": [BEN],
        "channels": [],
        "excluded_users": [],
        "excluded_groups": [],
        "guests": False,
    }
    given.update(overrides)
    return {
        "cadence": {
            "value": {"type": "static_select", "selected_option": {"value": given["cadence"]}}
        },
        "weekday": {
            "value": {"type": "static_select", "selected_option": {"value": given["weekday"]}}
        },
        "time": {"value": {"type": "timepicker", "selected_time": given["time"]}},
        "timezone": {
            "value": {"type": "static_select", "selected_option": {"value": given["timezone"]}}
        },
        "checkin_delay": {"value": {"type": "number_input", "value": given["checkin_delay"]}},
        "cooldown": {"value": {"type": "number_input", "value": given["cooldown"]}},
        "home_channel": {
            "value": {"type": "channels_select", "selected_channel": given["home_channel"]}
        },
        "admins": {"value": {"type": "multi_users_select", "selected_users": given["admins"]}},
        "channels": {
            "value": {
                "type": "multi_conversations_select",
                "selected_conversations": given["channels"],
            }
        },
        "excluded_users": {
            "value": {"type": "multi_users_select", "selected_users": given["excluded_users"]}
        },
        "excluded_groups": {
            "value": {
                "type": "multi_static_select",
                "selected_options": [{"value": g} for g in given["excluded_groups"]],
            }
        },
        "guests": {
            "value": {
                "type": "checkboxes",
                "selected_options": [{"value": "include"}] if given["guests"] else [],
            }
        },
        **(
            {"discovery": {"value": {"type": "checkboxes", "selected_options": given["discovery"]}}}
            if "discovery" in given
            else {}
        ),
    }


def submit_settings(harness: Harness, user: str, **overrides: Any) -> dict[str, Any]:
    """Submit the admin settings modal; the ack's JSON once every listener is done."""
    answer = harness.submit(user, AdminCallback.SETTINGS, settings_values(**overrides))
    harness.drain()
    return answer


def workspace_row(team: Team) -> Workspace:
    with team.deps.unit_of_work() as session:
        return session.scalars(select(Workspace)).one()


def would_swap_again(team: Team) -> None:
    """Everyone in every group so far answered yes to "Would you swap with them again?" (a
    repeat needs both, after the cooldown), as if through the feedback form."""
    with team.deps.unit_of_work() as session:
        answered = {
            (g, m) for g, m in session.execute(select(Feedback.group_id, Feedback.member_id))
        }
        for group_id, member_id in session.execute(
            select(GroupMember.group_id, GroupMember.member_id)
        ):
            if (group_id, member_id) not in answered:
                session.add(
                    Feedback(
                        group_id=group_id, member_id=member_id, rating=5, would_swap_again=True
                    )
                )

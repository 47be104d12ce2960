"""Who is acting: the workspace and the person behind a request, from Bolt's context.

Bolt reads them from every payload shape (slash commands, block actions, view submissions,
options, events; org-wide installs included) into ``context``; listeners take ``Actor.of(context)``
instead of digging in the payload.
"""

from __future__ import annotations

from dataclasses import dataclass

from slack_bolt import BoltContext


@dataclass(frozen=True)
class Actor:
    team_id: str
    user_id: str
    enterprise_id: str | None = None

    @classmethod
    def of(cls, context: BoltContext) -> Actor:
        return cls(
            team_id=str(context.team_id or ""),
            user_id=str(context.user_id or ""),
            enterprise_id=context.enterprise_id or None,
        )

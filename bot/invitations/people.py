"""Who gets an invitation DM, and the run's summary (pure: Slack user objects in, data out)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

SLACKBOT = "USLACKBOT"
#: Public (C…) and private (G… for older ones, C… today) channel ids.
CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,31}$")


class Skip(StrEnum):
    """Why someone in an invited channel gets no DM (the summary's wording)."""

    BOT = "bots and apps"
    SLACKBOT = "Slackbot"
    GUEST = "guests"
    DEACTIVATED = "deactivated accounts"
    LEFT = "people who left SkillSwap"
    INVITED = "invited before"
    UNKNOWN = "not in this workspace"


def skip_reason(user_id: str, user: Mapping[str, Any] | None) -> Skip | None:
    """Why this Slack user is not invited, or ``None`` if they may be (members and people
    invited before are checked against the database, not here)."""
    if user_id == SLACKBOT:
        return Skip.SLACKBOT
    if user is None:
        return Skip.UNKNOWN  # e.g. someone from another organisation in a shared channel
    if user.get("deleted"):
        return Skip.DEACTIVATED
    if user.get("is_bot") or user.get("is_app_user"):
        return Skip.BOT
    if user.get("is_restricted") or user.get("is_ultra_restricted"):
        return Skip.GUEST
    return None


class ChannelProblem(StrEnum):
    """Why a channel was refused, each with what to do about it."""

    DM = "dm"
    MALFORMED = "malformed"
    NOT_FOUND = "channel_not_found"
    ARCHIVED = "is_archived"
    NOT_IN_CHANNEL = "not_in_channel"
    SLACK = "slack"


def channel_problem(channel_id: str) -> ChannelProblem | None:
    """Refuse ids that cannot be channels before asking Slack."""
    if channel_id[:1] in ("D", "U", "W"):
        return ChannelProblem.DM
    if not CHANNEL_ID.match(channel_id):
        return ChannelProblem.MALFORMED
    return None


def explain(problem: ChannelProblem, channel_id: str, error: str | None = None) -> str:
    """The message an admin reads, with the fix."""
    shown = f"<#{channel_id}>" if CHANNEL_ID.match(channel_id) else f"`{channel_id[:40]}`"
    if problem is ChannelProblem.DM:
        return f"{shown} is a direct message or a person, not a channel: pick a channel."
    if problem is ChannelProblem.MALFORMED:
        return f"{shown} is not a channel id (they look like C0123ABCD): pick a channel."
    if problem is ChannelProblem.NOT_FOUND:
        return (
            f"I can't find {shown}: it doesn't exist, or it's private and SkillSwap isn't in "
            "it. In the channel, type `/invite @SkillSwap`, then try again."
        )
    if problem is ChannelProblem.ARCHIVED:
        return f"{shown} is archived, so nobody reads it: pick another channel."
    if problem is ChannelProblem.NOT_IN_CHANNEL:
        return (
            f"SkillSwap isn't in {shown} yet. In the channel, type `/invite @SkillSwap`, "
            "then try again."
        )
    return f"Slack refused {shown} ({error or 'unknown error'}). Please try again later."


@dataclass(frozen=True)
class ChannelResult:
    channel_id: str
    problem: ChannelProblem | None = None
    error: str | None = None  # Slack's error code, when Slack refused
    people: int = 0  # people invited from this channel in this run

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def message(self) -> str:
        return explain(self.problem, self.channel_id, self.error) if self.problem else ""


@dataclass
class InviteSummary:
    """What one invitation run did."""

    dm: bool
    channels: list[ChannelResult] = field(default_factory=list)
    invited: int = 0
    already_members: int = 0
    skipped: Counter[Skip] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)  # by Slack error (DMs)

    @property
    def refused(self) -> list[ChannelResult]:
        return [c for c in self.channels if not c.ok]

    @property
    def accepted(self) -> list[ChannelResult]:
        return [c for c in self.channels if c.ok]


@dataclass(frozen=True)
class ChannelAdoption:
    channel_id: str
    invited: int
    joined: int

    @property
    def conversion(self) -> float:
        return self.joined / self.invited if self.invited else 0.0


@dataclass(frozen=True)
class Adoption:
    """Invitations sent, people who joined from one, and by channel (anonymous counts)."""

    sent: int
    joined: int
    channels: tuple[ChannelAdoption, ...]
    failed: dict[str, int]

    @property
    def conversion(self) -> float:
        return self.joined / self.sent if self.sent else 0.0

    @classmethod
    def none(cls) -> Adoption:
        return cls(sent=0, joined=0, channels=(), failed={})

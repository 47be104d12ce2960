"""The domain's kinds and states: plain enums shared by the schema, the domain and the builders.

No SQLAlchemy here, so a Block Kit builder can name a ``GroupKind`` without loading the ORM.
``bot/store/models.py`` maps these onto columns (stored as their string values).
"""

from __future__ import annotations

from enum import StrEnum


class Cadence(StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"


class MemberCadence(StrEnum):
    EVERY_ROUND = "every_round"
    EVERY_OTHER = "every_other"
    MONTHLY = "monthly"


class MemberStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    LEFT = "left"


class Direction(StrEnum):
    TEACH = "teach"
    LEARN = "learn"


class RoundState(StrEnum):
    MATCHED = "matched"  # groups and outbox stored, delivery pending
    DELIVERED = "delivered"  # every intro sent or given up on
    CHECKING_IN = "checking_in"  # check-ins sent
    CLOSED = "closed"


class Origin(StrEnum):
    """How a round's groups came about: the scheduled round, or a member's request."""

    ROUND = "round"
    REQUEST = "request"


class RequestState(StrEnum):
    OPEN = "open"  # waiting for the teacher's answer
    ACCEPTED = "accepted"
    DECLINED = "declined"  # "Not now"
    EXPIRED = "expired"  # nobody answered within the week


class GroupKind(StrEnum):
    SWAP = "swap"
    CIRCLE = "circle"
    ONE_WAY = "one-way"
    TRIO = "trio"
    DISCOVERY = "discovery"  # two new colleagues, no fitting lesson: each shows one thing


class GroupState(StrEnum):
    PENDING = "pending"  # stored, intro not yet delivered
    INTRODUCED = "introduced"  # intro DM delivered
    SCHEDULED = "scheduled"
    SKIPPED = "skipped"
    NOT_A_FIT = "not_a_fit"
    MET = "met"
    NOT_MET = "not_met"
    FAILED = "failed"  # delivery gave up (permanent Slack error)


class MeetAgainState(StrEnum):
    ACTIVE = "active"  # nudging: one nudge when due, the next after "We met again"
    STOPPED = "stopped"  # "Stop these", or a member paused when a nudge fell due


class Decline(StrEnum):
    """One member's "not this round" inside a group (the others may carry on)."""

    SKIPPED = "skipped"
    NOT_A_FIT = "not_a_fit"


class CheckinAnswer(StrEnum):
    MET = "met"
    SCHEDULED = "scheduled"
    NOT_YET = "not_yet"
    COULD_NOT = "could_not"


class OutboxState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a worker; if it crashed, the send is "in doubt"
    SENT = "sent"
    FAILED = "failed"

"""The SkillSwap schema (SQLAlchemy 2 typed ORM). Every change here needs an Alembic migration.

Personal data lives in ``members`` and the rows that hang off a member (skills, pairings,
check-ins, feedback, do-not-pair, outbox messages). Deleting a member cascades through all of
them; rounds keep only anonymous counts.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from bot.kinds import (
    Cadence,
    CheckinAnswer,
    Decline,
    Direction,
    GroupKind,
    GroupState,
    MeetAgainState,
    MemberCadence,
    MemberStatus,
    Origin,
    OutboxState,
    RequestState,
    RoundState,
)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware timestamps on every backend (SQLite stores no offset; we store UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; SkillSwap stores timezone-aware times only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


def _enum(cls: type[StrEnum], name: str) -> SAEnum:
    return SAEnum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=False,
        length=24,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class Workspace(Base):
    __tablename__ = "workspaces"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), unique=True)
    enterprise_id: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    cadence: Mapped[Cadence] = mapped_column(_enum(Cadence, "cadence"), default=Cadence.WEEKLY)
    round_weekday: Mapped[int] = mapped_column(SmallInteger, default=0)  # Monday
    round_time: Mapped[str] = mapped_column(String(5), default="09:00")  # local HH:MM
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    checkin_delay_days: Mapped[int] = mapped_column(SmallInteger, default=3)
    cooldown_rounds: Mapped[int] = mapped_column(SmallInteger, default=8)
    # Members without a new partner for a fitting lesson meet a new colleague (issue 15).
    discovery_swaps: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    #: The SkillSwap channel: round summaries post there; people who join it are invited.
    home_channel: Mapped[str | None] = mapped_column(String(32))
    #: A custom Slack profile field (``Xf…``) that names a person's team, if an admin chose one.
    team_field: Mapped[str | None] = mapped_column(String(32))
    admin_user_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # No scheduled round before an admin has saved the settings once.
    settings_confirmed_at: Mapped[datetime | None]
    skip_period: Mapped[str | None] = mapped_column(String(16))  # the next round, skipped
    # Preview pairs: the period previewed, the seed its round will use, and whether the
    # one re-roll is spent.
    preview_period: Mapped[str | None] = mapped_column(String(16))
    preview_seed: Mapped[int | None] = mapped_column(Integer)
    preview_rerolled: Mapped[bool] = mapped_column(Boolean, default=False)
    # Who takes part: everyone, or members of these channels; minus these people and groups.
    participation_channels: Mapped[list[Any]] = mapped_column(JSON, default=list)
    excluded_user_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    excluded_usergroup_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    include_guests: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (
        CheckConstraint("round_weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("checkin_delay_days BETWEEN 1 AND 27", name="checkin_delay_range"),
        CheckConstraint("cooldown_rounds BETWEEN 0 AND 52", name="cooldown_range"),
    )


class Member(Base):
    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    slack_user_id: Mapped[str] = mapped_column(String(32))
    display_name: Mapped[str | None] = mapped_column(String(255))
    tz: Mapped[str | None] = mapped_column(String(64))
    team_label: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[MemberStatus] = mapped_column(
        _enum(MemberStatus, "member_status"), default=MemberStatus.ACTIVE
    )
    paused_until: Mapped[date | None] = mapped_column(Date)
    cadence: Mapped[MemberCadence] = mapped_column(
        _enum(MemberCadence, "member_cadence"), default=MemberCadence.EVERY_ROUND
    )
    unanswered_checkins: Mapped[int] = mapped_column(SmallInteger, default=0)
    unmatched_streak: Mapped[int] = mapped_column(SmallInteger, default=0)
    #: When "Still up for swaps?" was asked (after the third check-in missed in a row); cleared
    #: by any answer. Silence until the next round closes pauses the member.
    pause_asked_at: Mapped[datetime | None] = mapped_column()
    #: Paused by that silence rather than by the member (admins see who); cleared on resume.
    auto_paused: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    takes_requests: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    requests_per_month: Mapped[int] = mapped_column(SmallInteger, default=4, server_default="4")
    #: Working week, local to ``tz`` (``bot.members.working_week`` reads it): the days as a
    #: bitmask (bit 0 Monday .. bit 6 Sunday; 31 is Monday to Friday), the hours as minutes
    #: after local midnight.
    work_days: Mapped[int] = mapped_column(SmallInteger, default=31, server_default="31")
    work_start: Mapped[int] = mapped_column(SmallInteger, default=540, server_default="540")
    work_end: Mapped[int] = mapped_column(SmallInteger, default=1020, server_default="1020")
    last_nudge_at: Mapped[datetime | None] = mapped_column()
    nudges_off: Mapped[bool] = mapped_column(Boolean, default=False)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    workspace: Mapped[Workspace] = relationship()
    skills: Mapped[list[MemberSkill]] = relationship(
        back_populates="member", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (
        UniqueConstraint("workspace_id", "slack_user_id"),
        Index("ix_members_workspace_status", "workspace_id", "status"),
        CheckConstraint("requests_per_month BETWEEN 1 AND 20", name="requests_per_month_range"),
        CheckConstraint(
            "work_days BETWEEN 1 AND 127 AND work_start >= 0 AND work_end <= 1440 "
            "AND work_start < work_end",
            name="working_week",
        ),
    )


class Skill(Base):
    __tablename__ = "skills"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(80))  # normalised, what matching sees
    name: Mapped[str] = mapped_column(String(80))  # display name
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    aliases: Mapped[list[SkillAlias]] = relationship(
        back_populates="skill", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (UniqueConstraint("workspace_id", "key"),)


class SkillAlias(Base):
    """Another normalised spelling that reaches the same skill in this workspace."""

    __tablename__ = "skill_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"))
    alias_key: Mapped[str] = mapped_column(String(80))

    skill: Mapped[Skill] = relationship(back_populates="aliases")

    __table_args__ = (UniqueConstraint("workspace_id", "alias_key"),)


class MemberSkill(Base):
    __tablename__ = "member_skills"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"))
    direction: Mapped[Direction] = mapped_column(_enum(Direction, "direction"))
    level: Mapped[int] = mapped_column(SmallInteger, default=1)
    label: Mapped[str] = mapped_column(String(80))  # the name as this member typed it
    note: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    member: Mapped[Member] = relationship(back_populates="skills")
    skill: Mapped[Skill] = relationship()

    __table_args__ = (
        UniqueConstraint("member_id", "skill_id", "direction"),
        CheckConstraint("level BETWEEN 1 AND 3", name="level_range"),
        Index("ix_member_skills_skill_direction", "skill_id", "direction"),
    )


class Round(Base):
    __tablename__ = "rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(16))  # e.g. "2026-W49", "2026-12" (monthly)
    # A request's accepted swap is a round of its own (period "req-<id>") with one group, so
    # check-ins, history, the cooldown and the numbers treat it like a round's.
    origin: Mapped[Origin] = mapped_column(
        _enum(Origin, "origin"), default=Origin.ROUND, server_default=Origin.ROUND.value
    )
    state: Mapped[RoundState] = mapped_column(
        _enum(RoundState, "round_state"), default=RoundState.MATCHED
    )
    round_date: Mapped[date] = mapped_column(Date)
    seed: Mapped[int] = mapped_column(Integer, default=0)
    eligible_count: Mapped[int] = mapped_column(Integer, default=0)
    group_count: Mapped[int] = mapped_column(Integer, default=0)
    unmatched_count: Mapped[int] = mapped_column(Integer, default=0)
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # anonymous counts only
    checkins_due_at: Mapped[datetime | None] = mapped_column()
    reminders_due_at: Mapped[datetime | None] = mapped_column()
    checkins_sent_at: Mapped[datetime | None] = mapped_column()
    reminders_sent_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column()

    groups: Mapped[list[Group]] = relationship(
        back_populates="round", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (UniqueConstraint("workspace_id", "period"),)


class Group(Base):
    """A pair (or a trio / circle of three) in a round."""

    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    kind: Mapped[GroupKind] = mapped_column(_enum(GroupKind, "group_kind"))
    score: Mapped[float] = mapped_column(Float, default=0.0)
    reason: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[GroupState] = mapped_column(
        _enum(GroupState, "group_state"), default=GroupState.PENDING
    )
    new_connection: Mapped[bool] = mapped_column(Boolean, default=False)
    cross_team: Mapped[bool] = mapped_column(Boolean, default=False)
    channel_id: Mapped[str | None] = mapped_column(String(32))
    intro_ts: Mapped[str | None] = mapped_column(String(32))
    checkin_ts: Mapped[str | None] = mapped_column(String(32))
    delivery_error: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    round: Mapped[Round] = relationship(back_populates="groups")
    members: Mapped[list[GroupMember]] = relationship(
        back_populates="group", cascade="all, delete-orphan", passive_deletes=True
    )
    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="group", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (Index("ix_groups_round_state", "round_id", "state"),)


class GroupMember(Base):
    __tablename__ = "group_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    #: This member's Skip or Not a fit for this round (undone: back to None).
    declined: Mapped[Decline | None] = mapped_column(_enum(Decline, "decline"))

    group: Mapped[Group] = relationship(back_populates="members")
    member: Mapped[Member] = relationship()

    __table_args__ = (
        UniqueConstraint("group_id", "member_id"),
        Index("ix_group_members_member", "member_id"),
    )


class Lesson(Base):
    """Who teaches whom what inside a group."""

    __tablename__ = "lessons"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    teacher_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    learner_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    skill_id: Mapped[int | None] = mapped_column(ForeignKey("skills.id", ondelete="SET NULL"))
    skill_label: Mapped[str] = mapped_column(String(80))

    group: Mapped[Group] = relationship(back_populates="lessons")


class MeetAgain(Base):
    """A group that chose to meet again outside the rounds: a nudge in its group DM every
    ``weeks`` weeks. One per group (a second choice changes the interval). It takes no round
    slot; each "We met again" counts toward the repeat swaps (ties that last)."""

    __tablename__ = "meet_again"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), unique=True)
    weeks: Mapped[int] = mapped_column(SmallInteger)
    state: Mapped[MeetAgainState] = mapped_column(
        _enum(MeetAgainState, "meet_again_state"), default=MeetAgainState.ACTIVE
    )
    #: When the next nudge is due; None while a nudge waits for "We met again", or stopped.
    due_at: Mapped[datetime | None] = mapped_column()
    nudges: Mapped[int] = mapped_column(SmallInteger, default=0)  # nudges queued so far
    #: The nudge last answered "We met again" (so a double click counts once).
    answered: Mapped[int] = mapped_column(SmallInteger, default=0)
    met_again: Mapped[int] = mapped_column(SmallInteger, default=0)  # times they met again
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    stopped_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (
        CheckConstraint("weeks IN (1, 2, 4)", name="weeks_choice"),
        Index("ix_meet_again_state_due", "state", "due_at"),
    )


class SwapRequest(Base):
    """A member asking a teacher for a swap. Only the two of them ever see it."""

    __tablename__ = "swap_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    asker_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    teacher_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    skill_id: Mapped[int | None] = mapped_column(ForeignKey("skills.id", ondelete="SET NULL"))
    skill_label: Mapped[str] = mapped_column(String(80))
    offer_skill_id: Mapped[int | None] = mapped_column(ForeignKey("skills.id", ondelete="SET NULL"))
    offer_label: Mapped[str | None] = mapped_column(String(80))
    note: Mapped[str | None] = mapped_column(String(300))  # cleared once answered or expired
    state: Mapped[RequestState] = mapped_column(
        _enum(RequestState, "request_state"), default=RequestState.OPEN
    )
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    answered_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (
        CheckConstraint("asker_id <> teacher_id", name="not_self"),
        Index("ix_swap_requests_asker_state", "asker_id", "state"),
        Index("ix_swap_requests_teacher_created", "teacher_id", "created_at"),
        Index("ix_swap_requests_state_expires", "state", "expires_at"),
    )


class Checkin(Base):
    """A member's answer to "Did you meet?"."""

    __tablename__ = "checkins"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    answer: Mapped[CheckinAnswer] = mapped_column(_enum(CheckinAnswer, "checkin_answer"))
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("group_id", "member_id"),)


class Feedback(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    rating: Mapped[int] = mapped_column(SmallInteger)
    learned: Mapped[str | None] = mapped_column(Text)
    taught: Mapped[str | None] = mapped_column(Text)
    would_swap_again: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("group_id", "member_id"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
    )


class MeetingPoll(Base):
    """A group's "Pick a time" poll: the slots offered (the same for everyone), the slot
    booked, the calendar invite's sequence and the scheduled reminder. Times are UTC ISO
    strings in ``offered`` / ``past_offers``."""

    __tablename__ = "meeting_polls"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), unique=True)
    offered: Mapped[list[Any]] = mapped_column(JSON, default=list)  # the current offer
    past_offers: Mapped[list[Any]] = mapped_column(JSON, default=list)  # offered before
    booked_at: Mapped[datetime | None] = mapped_column()  # the booked slot's start
    booked_on: Mapped[datetime | None] = mapped_column()  # when it was booked
    #: The calendar invite's SEQUENCE (RFC 5545): 0 first, +1 on every update or cancel.
    sequence: Mapped[int] = mapped_column(SmallInteger, default=0)
    #: Start of the invite last sent and not cancelled (so Skip or leave can cancel it).
    invite_start: Mapped[datetime | None] = mapped_column()
    reminder_id: Mapped[str | None] = mapped_column(String(32))  # chat.scheduleMessage id
    reminder_channel: Mapped[str | None] = mapped_column(String(32))
    #: "Did you meet?" for a booked group: the working day after its slot.
    checkin_due_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    answers: Mapped[list[MeetingAnswer]] = relationship(
        back_populates="poll", cascade="all, delete-orphan", passive_deletes=True
    )


class MeetingAnswer(Base):
    """The slots one member ticked in their group's poll (goes with the member)."""

    __tablename__ = "meeting_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("meeting_polls.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    slots: Mapped[list[Any]] = mapped_column(JSON, default=list)
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)

    poll: Mapped[MeetingPoll] = relationship(back_populates="answers")

    __table_args__ = (
        UniqueConstraint("poll_id", "member_id"),
        Index("ix_meeting_answers_member", "member_id"),
    )


class OutboxMessage(Base):
    """A message to deliver to Slack, recorded before it is sent and after."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    target_users: Mapped[str | None] = mapped_column(String(255))  # "U1,U2" to open a DM with
    channel: Mapped[str | None] = mapped_column(String(32))  # or a channel id
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)  # text + blocks
    state: Mapped[OutboxState] = mapped_column(
        _enum(OutboxState, "outbox_state"), default=OutboxState.PENDING
    )
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Held until then (the recipients' working morning); ``next_attempt_at`` starts there.
    not_before: Mapped[datetime | None] = mapped_column()
    claimed_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(String(200))
    slack_channel: Mapped[str | None] = mapped_column(String(32))
    slack_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (Index("ix_outbox_state_next", "state", "next_attempt_at"),)


class Invitation(Base):
    """That SkillSwap invited someone (or that they must not be invited), and nothing else.

    One row per person per workspace, so an invitation DM goes out once whoever sends it.
    ``invited_at`` is set when an invitation DM was queued; ``channel_id`` is the channel they
    were invited from (for conversion per channel; ``None`` for a workspace newcomer);
    ``joined_at`` is when they joined after an invitation or from an invitation card;
    ``left`` marks someone who left SkillSwap, so they are never invited again. No name, no
    profile, no message text.
    """

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    slack_user_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str | None] = mapped_column(String(32))
    invited_at: Mapped[datetime | None] = mapped_column()
    joined_at: Mapped[datetime | None] = mapped_column()
    left: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (UniqueConstraint("workspace_id", "slack_user_id"),)


class ProcessedEvent(Base):
    """Events API ``event_id``s already handled, so retries are processed once."""

    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    team_id: Mapped[str | None] = mapped_column(String(32))
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class DoNotPair(Base):
    __tablename__ = "do_not_pair"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    other_member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("member_id", "other_member_id"),
        CheckConstraint("member_id <> other_member_id", name="not_self"),
    )


def _register_slack_oauth_tables() -> None:
    """slack_sdk's installation and OAuth-state tables, owned by our Alembic migrations."""
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

    SQLAlchemyInstallationStore.build_installations_table(Base.metadata, "slack_installations")
    SQLAlchemyInstallationStore.build_bots_table(Base.metadata, "slack_bots")
    SQLAlchemyOAuthStateStore.build_oauth_states_table(Base.metadata, "slack_oauth_states")


_register_slack_oauth_tables()

"""What the members' builders render: plain frozen dataclasses, and the derivations shared by
the services that build them (a profile from rows, "today" where the member is). Pure: no
Slack, no SQL; builders import this module, never the services.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from bot.kinds import Cadence, Direction, GroupKind, GroupState, MemberCadence, MemberStatus
from bot.members.dates import zone
from bot.members.hours import hours_text
from bot.members.names import Level, OptionRef

# How many people a reply names before "and N more": after teach/learn, and in `who`.
MENTIONS_SHOWN = 10
DIRECTORY_SHOWN = 40


@dataclass(frozen=True)
class SkillEntry:
    skill_id: int
    label: str
    level: Level
    direction: Direction


@dataclass(frozen=True)
class ProfileView:
    user_id: str
    teach: list[SkillEntry]
    learn: list[SkillEntry]
    team: str | None
    cadence: MemberCadence
    status: MemberStatus
    paused_until: date | None
    hours: str = "Mon-Fri 09:00-17:00"  # the working week, e.g. "Mon-Thu 08:00-16:00"

    @property
    def is_empty(self) -> bool:
        return not self.teach and not self.learn


@dataclass(frozen=True)
class SkillPeople:
    """Who else lists a skill: the answer to "who already teaches or wants it"."""

    label: str
    direction: Direction  # the member's own direction for it
    teachers: list[str]  # Slack user ids, the first MENTIONS_SHOWN
    learners: list[str]
    teachers_total: int = 0
    learners_total: int = 0


@dataclass(frozen=True)
class NearMiss:
    """A skill the member just added that looks like a misspelling of an existing one."""

    direction: Direction
    skill_id: int
    label: str
    suggestion_id: int
    suggestion: str


@dataclass(frozen=True)
class SkillsAdded:
    direction: Direction
    added: list[str]
    already: list[str]
    profile: ProfileView
    people: list[SkillPeople]
    near_misses: list[NearMiss]
    joined: bool
    levels_given: bool = False  # a level was typed, e.g. "SQL (expert)": no tip needed


@dataclass(frozen=True)
class SkillsDropped:
    dropped: list[str]
    missing: list[str]
    hints: list[str]  # "did you mean" labels from the member's own skills
    profile: ProfileView


@dataclass(frozen=True)
class Lesson:
    teacher: str  # Slack user id
    learner: str
    skill: str


@dataclass(frozen=True)
class GroupView:
    round_date: date
    kind: GroupKind
    state: GroupState
    partners: list[str]  # Slack user ids
    lessons: list[Lesson]
    time_hint: str | None = None  # "when it's 10:00 for you, it's 09:00 for <@U2>"


@dataclass(frozen=True)
class Overview:
    """Everything ``/skillswap me`` and the Home tab show."""

    user_id: str
    profile: ProfileView | None  # None: not a member yet
    next_round: datetime | None  # None: rounds are off in this workspace
    current: GroupView | None
    history: list[GroupView]
    tz: str
    today: date
    #: Lessons given and received in groups that met (the Home tab's line); None: not shown.
    balance: tuple[int, int] | None = None


@dataclass(frozen=True)
class WhoView:
    query: str
    skill: str | None  # the catalog name, None when nobody lists it
    teachers: list[tuple[str, Level]]  # the first DIRECTORY_SHOWN
    learners: list[str]
    suggestion: str | None = None
    popular: list[tuple[str, int, int]] = field(default_factory=list)
    teachers_total: int = 0
    learners_total: int = 0
    skill_id: int | None = None  # for the *Ask for a swap* buttons


@dataclass(frozen=True)
class PauseResult:
    paused_until: date | None  # None: until they resume
    next_round: datetime | None


@dataclass(frozen=True)
class PickedSkill:
    """One skill picked in the modal: an option (existing skill or "Add …") or typed text."""

    ref: OptionRef
    text: str  # the option's text, or what was typed
    level: Level = Level.BEGINNER


@dataclass(frozen=True)
class ProfileSubmission:
    """The modal's state, read but not yet validated. Field names match the modal's blocks."""

    teach: list[PickedSkill]  # from the three level menus
    teach_new: str
    teach_new_level: Level
    learn: list[PickedSkill]
    learn_new: str
    team: str
    cadence: str | None
    pause_until: str | None  # "YYYY-MM-DD"
    takes_requests: str | None = None  # "yes" / "no"; None keeps what they had
    requests_per_month: str | None = None  # "1".."10"; None keeps what they had
    # The working week; None (a form from before these fields) keeps what they had.
    work_days: list[str] | None = None  # "0".."6", Monday first
    work_start: str | None = None  # "HH:MM"
    work_end: str | None = None


@dataclass(frozen=True)
class ProfileForm:
    """What the modal shows when it opens."""

    teach: list[SkillEntry]
    learn: list[SkillEntry]
    team: str | None
    cadence: MemberCadence
    paused_until: date | None
    paused_indefinitely: bool
    today: date
    is_member: bool
    takes_requests: bool = True
    requests_per_month: int = 4
    name: str | None = None  # a newcomer's Slack name, shown when the form opens
    tz: str | None = None  # a newcomer's Slack time zone
    work_days: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday=0
    work_start: int = 9 * 60  # minutes after local midnight
    work_end: int = 17 * 60


def level_of(value: int) -> Level:
    return Level(value) if value in (1, 2, 3) else Level.BEGINNER


class SkillRecord(Protocol):
    """One skill on a profile: an ORM ``MemberSkill`` or a :class:`read_model.SkillRow`."""

    @property
    def id(self) -> int: ...
    @property
    def skill_id(self) -> int: ...
    @property
    def direction(self) -> Direction: ...
    @property
    def level(self) -> int: ...
    @property
    def label(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...


class MemberRecord(Protocol):
    """What views need of a member: an ORM ``Member`` or a :class:`read_model.MemberRow`."""

    @property
    def slack_user_id(self) -> str: ...
    @property
    def tz(self) -> str | None: ...
    @property
    def team_label(self) -> str | None: ...
    @property
    def cadence(self) -> MemberCadence: ...
    @property
    def status(self) -> MemberStatus: ...
    @property
    def paused_until(self) -> date | None: ...
    @property
    def skills(self) -> Sequence[SkillRecord]: ...
    @property
    def work_days(self) -> int: ...
    @property
    def work_start(self) -> int: ...
    @property
    def work_end(self) -> int: ...


class WorkspaceRecord(Protocol):
    """What views need of a workspace: an ORM ``Workspace`` or a ``WorkspaceRow``."""

    @property
    def team_id(self) -> str: ...
    @property
    def timezone(self) -> str: ...
    @property
    def active(self) -> bool: ...
    @property
    def cadence(self) -> Cadence: ...
    @property
    def round_weekday(self) -> int: ...
    @property
    def round_time(self) -> str: ...


class RoundRecord(Protocol):
    @property
    def round_date(self) -> date: ...


class PartnerRecord(Protocol):
    @property
    def slack_user_id(self) -> str: ...
    @property
    def tz(self) -> str | None: ...


def skill_entry(row: SkillRecord) -> SkillEntry:
    return SkillEntry(
        skill_id=row.skill_id, label=row.label, level=level_of(row.level), direction=row.direction
    )


def profile_of(member: MemberRecord) -> ProfileView:
    rows = sorted(member.skills, key=lambda r: (r.created_at, r.id or 0))
    return ProfileView(
        user_id=member.slack_user_id,
        teach=[skill_entry(r) for r in rows if r.direction == Direction.TEACH],
        learn=[skill_entry(r) for r in rows if r.direction == Direction.LEARN],
        team=member.team_label,
        cadence=member.cadence,
        status=member.status,
        paused_until=member.paused_until,
        hours=hours_text(member),
    )


def member_today(
    member: MemberRecord | None, workspace: WorkspaceRecord | None, now: datetime
) -> date:
    """Today's date where the member is (their Slack time zone, else the workspace's)."""
    tz = (member.tz if member else None) or (workspace.timezone if workspace else None)
    return now.astimezone(zone(tz)).date()


def is_paused(member: MemberRecord, today: date) -> bool:
    """Paused now: ``paused_until`` is the first day back (None: until they resume)."""
    if member.status != MemberStatus.PAUSED:
        return False
    return member.paused_until is None or member.paused_until > today

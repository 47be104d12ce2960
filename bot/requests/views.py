"""Plain data the request builders render (no ORM, no Slack)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

#: Open requests one member may have waiting at a time.
MAX_OPEN_PER_ASKER = 3
#: Days a request waits for an answer.
EXPIRY_DAYS = 7
#: Longest note an asker may add.
NOTE_MAX_CHARS = 300
#: Requests a month a member takes unless they choose otherwise, and the most they may choose.
DEFAULT_PER_MONTH = 4
MAX_PER_MONTH = 10
#: Other teachers suggested after a "Not now", and teachers shown for a skill.
OTHERS_SHOWN = 3
TEACHERS_SHOWN = 10


@dataclass(frozen=True)
class Offer:
    skill_id: int
    label: str
    wanted: bool  # the teacher wants to learn it


@dataclass(frozen=True)
class AskForm:
    """What the ask form shows: who, which skill, what the asker could teach back."""

    teacher: str  # Slack user id
    skill_id: int
    skill: str
    teaches: tuple[tuple[int, str], ...]  # (skill id, label): what the teacher teaches
    offers: tuple[Offer, ...]  # the asker's teach list, skills the teacher wants first


@dataclass(frozen=True)
class RequestCard:
    """The teacher's DM: who asks, for what, what they offer back, their note."""

    request_id: int
    asker: str
    teacher: str
    skill: str
    offer: str | None
    note: str | None
    expires_at: datetime


@dataclass(frozen=True)
class TeacherCard:
    user_id: str
    level: int
    team: str | None
    teaches: tuple[str, ...]


@dataclass(frozen=True)
class Declined:
    """The asker's kind "not now", with others who teach the skill."""

    asker: str
    teacher: str
    skill: str
    skill_id: int | None
    others: tuple[str, ...]


@dataclass(frozen=True)
class Expired:
    request_id: int
    user_id: str  # who is told
    asker: str
    teacher: str
    skill: str


@dataclass(frozen=True)
class SkillLine:
    skill_id: int
    name: str
    teach: int
    learn: int
    teams: int


@dataclass(frozen=True)
class SkillTeachers:
    """One skill in the explorer: its teachers, each with an Ask button."""

    skill_id: int
    name: str
    viewer: str
    teachers: tuple[TeacherCard, ...]
    learn: int

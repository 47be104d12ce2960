"""Plain data in and out of the matching engine: frozen dataclasses, no behaviour."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any


class GroupKind(StrEnum):
    SWAP = "swap"  # two people, each teaches the other
    CIRCLE = "circle"  # three people, A teaches B, B teaches C, C teaches A
    ONE_WAY = "one-way"  # two people, one lesson
    TRIO = "trio"  # three people, at least one lesson among them
    # Two never-met colleagues from different teams who share working hours, no fitting lesson:
    # each shows the other one thing from their teach list. Only for members left without a
    # never-met partner for a fitting lesson, and only when ``MatchSettings.discovery`` is on.
    DISCOVERY = "discovery"


class MemberCadence(StrEnum):
    EVERY_ROUND = "every_round"
    EVERY_OTHER = "every_other"
    MONTHLY = "monthly"


@dataclass(frozen=True, slots=True)
class SkillClaim:
    """One skill a member can teach or wants to learn.

    ``skill`` is the canonical key (see :func:`bot.matching.skills.canonical_key`), ``label``
    the display name. ``level`` is 1 (beginner-friendly), 2 (intermediate) or 3 (expert) for a
    teach claim, and the learner's *current* level for a learn claim. A lesson fits when the
    teacher's level is at least the learner's level.
    """

    skill: str
    label: str
    level: int = 1


@dataclass(frozen=True, slots=True)
class WorkHours:
    """A member's working days and hours, local to their time zone (no overnight shifts)."""

    days: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday=0 .. Sunday=6
    start: int = 9 * 60  # minutes after local midnight
    end: int = 17 * 60  # after ``start``, at most 24 * 60


@dataclass(frozen=True, slots=True)
class MemberInput:
    id: str  # Slack user id
    team: str | None
    tz: str | None  # IANA name; None is treated as UTC
    teach: tuple[SkillClaim, ...] = ()
    learn: tuple[SkillClaim, ...] = ()
    cadence: MemberCadence = MemberCadence.EVERY_ROUND
    unmatched_streak: int = 0  # rounds in a row left unmatched
    name: str | None = None
    taught: int = 0  # lessons given in past groups
    learned: int = 0  # lessons received in past groups
    # None: Monday to Friday, MatchSettings.work_start_hour to work_end_hour
    hours: WorkHours | None = None


@dataclass(frozen=True, slots=True)
class PastPairing:
    """A group of a past round (two or three members); every pair in it has met.

    ``again`` holds the members who answered yes to "Would you swap with them again?" after
    it. Two members may meet again (after the cooldown) only if both are in ``again`` of their
    latest group together, and only when neither has a never-met partner for a fitting lesson.
    """

    members: frozenset[str]
    round_date: date
    again: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class MatchSettings:
    cooldown_rounds: int = 8  # a pair that met this many rounds ago or less is forbidden
    # Score of one lesson that fits, plus a bonus per level the teacher is above the learner.
    lesson: float = 10.0
    level_gap_bonus: float = 1.0
    swap_bonus: float = 10.0  # on top of the two lessons
    new_connection: float = 6.0  # never paired before (fit; the strict priority is on top)
    cross_team: float = 3.0  # different (known) teams
    repeat_penalty: float = 3.0  # per earlier pairing, outside the cooldown
    good_overlap_hours: float = 4.0  # less shared working time than this is penalised ...
    overlap_penalty: float = 2.0  # ... by this much per missing hour
    priority_bonus: float = 100.0  # per member of the pair left unmatched last round
    circle_bonus: float = 5.0
    # At most this share of a round's groups of strangers with a lesson may give way (one
    # fewer new group each) so that someone alone, a member left out last round first, joins.
    give_way: float = 0.02
    # One-way lessons: per lesson of imbalance (taught - learned) the direction evens out.
    balance: float = 1.0
    balance_cap: int = 3
    discovery: bool = True  # pair members without a new fitting lesson with a new colleague
    work_start_hour: int = 9
    work_end_hour: int = 17
    candidates_per_member: int = 28  # kept per member: its heaviest pairs ...
    oversample: int = 5  # ... out of this many times as many sampled ones
    block_size: int = 12_000  # larger workspaces are solved in blocks, then leftovers pooled


@dataclass(frozen=True, slots=True)
class MatchInput:
    """One round. ``members`` are the eligible ones (the caller has already removed paused,
    left and deactivated members); the engine enforces cadence and cooldown from ``history``.
    """

    round_date: date
    members: tuple[MemberInput, ...]
    history: tuple[PastPairing, ...] = ()
    do_not_pair: frozenset[frozenset[str]] = frozenset()
    settings: MatchSettings = field(default_factory=MatchSettings)
    round_interval_days: int = 7


@dataclass(frozen=True, slots=True)
class Teach:
    from_id: str
    to_id: str
    skill_key: str
    skill_label: str


@dataclass(frozen=True, slots=True)
class Group:
    members: tuple[str, ...]
    kind: GroupKind
    teaches: tuple[Teach, ...]
    score: float
    reason: str
    new_connection: bool = False  # no two members of the group were paired before
    cross_team: bool = False  # at least two different known teams
    guest: str | None = None  # a trio's third member who joined to discover, without a lesson


@dataclass(frozen=True, slots=True)
class Unmatched:
    member: str
    why: str


@dataclass(frozen=True, slots=True)
class MatchStats:
    members: int  # members given
    eligible: int  # due this round (cadence)
    groups: int
    matched: int
    unmatched: int
    skipped: int  # not due this round (cadence)
    swaps: int
    circles: int
    one_way: int
    trios: int
    new_connections: int  # groups with a lesson whose members never met (discovery apart)
    cross_team: int
    candidate_edges: int
    pair_weight: float  # objective of the matching stage (pairs only, with priority bonuses)
    weight: float  # the same for the final groups (trios and circles included)
    upper_bound: float  # LP bound on the candidate graph (>= optimum there)
    seconds: float
    seconds_candidates: float = 0.0
    seconds_matching: float = 0.0
    discovery: int = 0  # discovery swaps (GroupKind.DISCOVERY)
    repeats: int = 0  # groups with a lesson where two members met before (by mutual consent)

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True, slots=True)
class MatchResult:
    groups: tuple[Group, ...]
    unmatched: tuple[Unmatched, ...]  # due this round but left out: priority next round
    skipped: tuple[Unmatched, ...]  # not due this round (slower cadence): no priority
    stats: MatchStats

"""The numbers leaders see: participation, meetings, ratings, new connections and skill gaps.

:func:`bot.store.insights.load_input` reads one workspace's rows; ``compute_insights`` here is
a pure function of those rows (no SQL, no Slack: the builders import this module). Members who
left are invisible here: their rows are deleted by ``leave`` (and any member still marked
``left`` is filtered out), so no number, picture or export carries anything of theirs.
Definitions are in the README ("Insights").
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import combinations

from bot.invitations.people import Adoption
from bot.kinds import (
    Direction,
    GroupKind,
    GroupState,
    MemberCadence,
    MemberStatus,
    Origin,
    RoundState,
)

# A skill is a gap when at least this many members want to learn it…
GAP_MIN_LEARNERS = 2
# …and there is less than one teacher for every this many learners (no teacher at all included).
GAP_LEARNERS_PER_TEACHER = 3
# An average of fewer ratings than this could point at a person, so it is not shown.
MIN_RATINGS_SHOWN = 3
NO_TEAM = "No team"

Pair = tuple[int, int]


# --- rows in (plain data, as read from the database) ---------------------------------------


@dataclass(frozen=True)
class MemberRow:
    id: int
    slack_user_id: str
    display_name: str | None
    team_label: str | None
    status: MemberStatus
    cadence: MemberCadence
    joined_at: datetime


@dataclass(frozen=True)
class RoundRow:
    id: int
    period: str
    round_date: date
    state: RoundState
    checkins_sent: bool
    eligible_count: int
    unmatched_count: int
    origin: Origin = Origin.ROUND  # an accepted request is a round of its own


@dataclass(frozen=True)
class GroupRow:
    id: int
    round_id: int
    state: GroupState
    member_ids: tuple[int, ...]
    met_checkin: bool  # someone answered "We met"
    introduced_at: datetime | None = None  # when the group was formed
    booked_at: datetime | None = None  # the slot booked with "Pick a time", if any
    kind: GroupKind = GroupKind.SWAP


@dataclass(frozen=True)
class LessonRow:
    group_id: int
    teacher_id: int
    learner_id: int
    skill_id: int | None
    skill_label: str


@dataclass(frozen=True)
class FeedbackRow:
    group_id: int
    member_id: int
    rating: int
    would_swap_again: bool | None


@dataclass(frozen=True)
class SkillRow:
    id: int
    name: str


@dataclass(frozen=True)
class MemberSkillRow:
    member_id: int
    skill_id: int
    direction: Direction


@dataclass(frozen=True)
class InsightsInput:
    """Everything the insights are computed from, for one workspace."""

    team_id: str
    workspace_name: str | None
    members: tuple[MemberRow, ...]
    rounds: tuple[RoundRow, ...]
    groups: tuple[GroupRow, ...]
    lessons: tuple[LessonRow, ...]
    feedback: tuple[FeedbackRow, ...]
    skills: tuple[SkillRow, ...]
    member_skills: tuple[MemberSkillRow, ...]
    adoption: Adoption = field(default_factory=Adoption.none)
    #: ``(group_id, times met again)`` of groups that chose Meet again and met again.
    met_again: tuple[tuple[int, int], ...] = ()

    @classmethod
    def empty(cls, team_id: str) -> InsightsInput:
        return cls(team_id, None, (), (), (), (), (), (), ())


# --- numbers out ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SkillSummary:
    name: str
    teachers: int  # members (active or paused) who offer to teach it
    learners: int  # members (active or paused) who want to learn it
    taught: int  # lessons of it in groups that met (once more each time they met again)
    gap: bool
    teams: int = 0  # distinct teams among the members who teach it


@dataclass(frozen=True)
class RoundPoint:
    round_id: int
    period: str
    round_date: date
    state: RoundState
    eligible: int
    unmatched: int
    groups: int  # pairs made (delivery failures excluded)
    met: int  # groups that met
    asked: bool  # the check-in has gone out, so the round counts in the meeting rate
    introduced: int  # pairs put in a group together for the first time in this round
    new_connections: int  # pairs who met for the first time in this round
    cross_team_new_connections: int  # of those, pairs across teams
    ratings: int
    average_rating: float | None  # None under MIN_RATINGS_SHOWN ratings
    would_swap_again_yes: int
    would_swap_again_no: int
    booked: int = 0  # groups that booked a time with "Pick a time"
    booked_met: int = 0  # of those, groups that met
    discovery: int = 0  # of groups: discovery swaps (new colleagues, no fitting lesson)
    met_again: int = 0  # times this round's groups met again after a Meet again nudge


@dataclass(frozen=True)
class NetworkNode:
    member_id: int
    label: str
    team: str  # NO_TEAM when the member has no team label


@dataclass(frozen=True)
class NetworkEdge:
    a: int  # member ids, a < b
    b: int
    times_paired: int
    times_met: int  # rounds in which they met
    latest: bool  # first paired in the latest round: a new tie
    cross_team: bool


@dataclass(frozen=True)
class Network:
    nodes: tuple[NetworkNode, ...]
    edges: tuple[NetworkEdge, ...]
    latest_period: str | None
    latest_date: date | None = None  # the latest round's date (labels say "week of 7 Dec")

    @property
    def teams(self) -> tuple[str, ...]:
        """Teams, largest first (ties by name), ``NO_TEAM`` last."""
        sizes = Counter(n.team for n in self.nodes)
        named = sorted((t for t in sizes if t != NO_TEAM), key=lambda t: (-sizes[t], t.lower()))
        return (*named, *((NO_TEAM,) if NO_TEAM in sizes else ()))


@dataclass(frozen=True)
class Insights:
    team_id: str
    workspace_name: str | None
    generated_at: datetime
    members: int  # active + paused
    active: int
    paused: int
    rounds: int
    pairs_made: int
    swaps_completed: int
    groups_asked: int  # denominator of the meeting rate
    meeting_rate: float | None  # None until a check-in has gone out
    ratings: int
    average_rating: float | None  # None under MIN_RATINGS_SHOWN ratings
    new_connections: int  # pairs of people who met (PRODUCT.md: a pair who have swapped)
    cross_team_new_connections: int  # of those, pairs across teams
    pairs_introduced: int  # pairs of people put in a group together, met or not
    repeat_swaps: int
    skills: tuple[SkillSummary, ...]  # every skill a current member teaches, learns or taught
    per_round: tuple[RoundPoint, ...]  # oldest first, scheduled rounds only
    network: Network
    request_pairs: int = 0  # of pairs_made: groups made by an accepted request
    request_swaps_completed: int = 0  # of swaps_completed: those that met
    discovery_pairs: int = 0  # of pairs_made: discovery swaps
    discovery_swaps_completed: int = 0  # of swaps_completed: discovery swaps that met
    met_again: int = 0  # meetings after a Meet again nudge (each also makes a repeat swap)
    adoption: Adoption = field(default_factory=Adoption.none)  # invitations (counts only)
    booked: int = 0  # groups that booked a time with "Pick a time"
    booked_share: float | None = None  # booked ÷ groups formed (None without groups)
    median_days_to_slot: float | None = None  # introduction → booked slot, in days
    booked_asked: int = 0  # booked groups among the groups asked
    booked_met: int = 0
    unbooked_asked: int = 0
    unbooked_met: int = 0

    @property
    def meeting_rate_booked(self) -> float | None:
        return self.booked_met / self.booked_asked if self.booked_asked else None

    @property
    def meeting_rate_unbooked(self) -> float | None:
        return self.unbooked_met / self.unbooked_asked if self.unbooked_asked else None

    @property
    def title(self) -> str:
        return self.workspace_name or self.team_id

    @property
    def latest_round(self) -> RoundPoint | None:
        return self.per_round[-1] if self.per_round else None

    def top_taught(self, limit: int = 5) -> tuple[SkillSummary, ...]:
        """Skills taught most in swaps that happened."""
        taught = [s for s in self.skills if s.taught > 0]
        taught.sort(key=lambda s: (-s.taught, s.name.lower()))
        return tuple(taught[:limit])

    def skills_map(self, limit: int | None = None) -> tuple[SkillSummary, ...]:
        """The skills people here teach, most taught first (the talent the company has)."""
        taught = [s for s in self.skills if s.teachers > 0]
        taught.sort(key=lambda s: (-s.teachers, -s.learners, s.name.casefold()))
        return tuple(taught[:limit] if limit is not None else taught)

    def skill_gaps(self, limit: int | None = None) -> tuple[SkillSummary, ...]:
        """Gaps, nobody-teaches first, then by how many want to learn."""
        gaps = [s for s in self.skills if s.gap]
        gaps.sort(key=lambda s: (s.teachers > 0, -s.learners, s.teachers, s.name.lower()))
        return tuple(gaps if limit is None else gaps[:limit])


# --- queries --------------------------------------------------------------------------------


# --- pure computation -----------------------------------------------------------------------


def group_met(group: GroupRow) -> bool:
    """A group met when it is marked met or someone answered "We met" at the check-in."""
    return group.state == GroupState.MET or group.met_checkin


def counts_as_paired(group: GroupRow) -> bool:
    """Groups whose introduction could not be delivered never happened for their members."""
    return group.state != GroupState.FAILED


def round_asked(rnd: RoundRow) -> bool:
    return rnd.checkins_sent or rnd.state in (RoundState.CHECKING_IN, RoundState.CLOSED)


def average(values: Iterable[int]) -> float | None:
    items = list(values)
    if len(items) < MIN_RATINGS_SHOWN:
        return None
    return sum(items) / len(items)


def is_gap(*, learners: int, teachers: int) -> bool:
    return learners >= GAP_MIN_LEARNERS and teachers * GAP_LEARNERS_PER_TEACHER < learners


def member_label(member: MemberRow) -> str:
    return (member.display_name or "").strip() or member.slack_user_id


def team_of(member: MemberRow) -> str:
    return (member.team_label or "").strip() or NO_TEAM


def cross_team(a: MemberRow, b: MemberRow) -> bool:
    """Both have a team and the teams differ (case-insensitively)."""
    ta, tb = (a.team_label or "").strip(), (b.team_label or "").strip()
    return bool(ta and tb and ta.casefold() != tb.casefold())


@dataclass(frozen=True)
class _PairHistory:
    first_round: dict[Pair, int]  # round id in which the pair was first paired
    paired: Counter[Pair]
    met_rounds: dict[Pair, set[int]]
    first_met: dict[Pair, int]  # round id in which the pair first met: a new connection


def pair_history(data: InsightsInput) -> _PairHistory:
    """Walk rounds oldest first; pairs of current members in every delivered group."""
    current = {m.id for m in data.members}
    groups_by_round: dict[int, list[GroupRow]] = defaultdict(list)
    for group in data.groups:
        groups_by_round[group.round_id].append(group)
    first: dict[Pair, int] = {}
    paired: Counter[Pair] = Counter()
    met_rounds: dict[Pair, set[int]] = defaultdict(set)
    first_met: dict[Pair, int] = {}
    for rnd in data.rounds:
        for group in sorted(groups_by_round.get(rnd.id, []), key=lambda g: g.id):
            if not counts_as_paired(group):
                continue
            people = sorted(m for m in set(group.member_ids) if m in current)
            for pair in combinations(people, 2):
                first.setdefault(pair, rnd.id)
                paired[pair] += 1
                if group_met(group):
                    met_rounds[pair].add(rnd.id)
                    first_met.setdefault(pair, rnd.id)
    return _PairHistory(first, paired, dict(met_rounds), first_met)


def compute_insights(data: InsightsInput, *, generated_at: datetime) -> Insights:
    members = {m.id: m for m in data.members}
    active = sum(1 for m in data.members if m.status == MemberStatus.ACTIVE)
    paused = sum(1 for m in data.members if m.status == MemberStatus.PAUSED)
    rounds_by_id = {r.id: r for r in data.rounds}
    groups = [g for g in data.groups if g.round_id in rounds_by_id and counts_as_paired(g)]
    met_ids = {g.id for g in groups if group_met(g)}
    asked = [g for g in groups if g.id in met_ids or round_asked(rounds_by_id[g.round_id])]

    history = pair_history(data)
    cross = {p for p in history.first_met if cross_team(members[p[0]], members[p[1]])}

    feedback = [f for f in data.feedback if f.member_id in members]
    feedback_by_group: dict[int, list[FeedbackRow]] = defaultdict(list)
    for f in feedback:
        feedback_by_group[f.group_id].append(f)

    groups_by_round: dict[int, list[GroupRow]] = defaultdict(list)
    for g in groups:
        groups_by_round[g.round_id].append(g)
    introduced_by_round: Counter[int] = Counter(history.first_round.values())
    new_pairs_by_round: dict[int, list[Pair]] = defaultdict(list)
    for pair, round_id in history.first_met.items():
        new_pairs_by_round[round_id].append(pair)

    met_again = {g: n for g, n in data.met_again if n > 0 and g in met_ids}
    repeats = {p for p, rounds in history.met_rounds.items() if len(rounds) >= 2}
    for group in groups:
        if group.id in met_again:
            people = sorted(m for m in set(group.member_ids) if m in members)
            repeats.update(combinations(people, 2))

    requested = {r.id for r in data.rounds if r.origin is Origin.REQUEST}
    per_round: list[RoundPoint] = []
    for rnd in data.rounds:
        if rnd.id in requested:
            continue  # counted in the totals, not as a round
        in_round = groups_by_round.get(rnd.id, [])
        new_pairs = new_pairs_by_round.get(rnd.id, [])
        round_feedback = [f for g in in_round for f in feedback_by_group.get(g.id, [])]
        per_round.append(
            RoundPoint(
                round_id=rnd.id,
                period=rnd.period,
                round_date=rnd.round_date,
                state=rnd.state,
                eligible=rnd.eligible_count,
                unmatched=rnd.unmatched_count,
                groups=len(in_round),
                met=sum(1 for g in in_round if g.id in met_ids),
                asked=round_asked(rnd),
                introduced=introduced_by_round[rnd.id],
                new_connections=len(new_pairs),
                cross_team_new_connections=sum(1 for p in new_pairs if p in cross),
                ratings=len(round_feedback),
                average_rating=average(f.rating for f in round_feedback),
                would_swap_again_yes=sum(1 for f in round_feedback if f.would_swap_again is True),
                would_swap_again_no=sum(1 for f in round_feedback if f.would_swap_again is False),
                booked=sum(1 for g in in_round if g.booked_at is not None),
                booked_met=sum(1 for g in in_round if g.booked_at is not None and g.id in met_ids),
                discovery=sum(1 for g in in_round if g.kind is GroupKind.DISCOVERY),
                met_again=sum(met_again.get(g.id, 0) for g in in_round),
            )
        )

    booked = [g for g in groups if g.booked_at is not None]
    lead_days = [
        (g.booked_at - g.introduced_at).total_seconds() / 86400
        for g in booked
        if g.booked_at is not None and g.introduced_at is not None
    ]
    booked_asked = [g for g in asked if g.booked_at is not None]
    unbooked_asked = [g for g in asked if g.booked_at is None]

    return Insights(
        team_id=data.team_id,
        workspace_name=data.workspace_name,
        generated_at=generated_at,
        members=len(data.members),
        active=active,
        paused=paused,
        rounds=len(data.rounds) - len(requested),
        pairs_made=len(groups),
        swaps_completed=len(met_ids),
        groups_asked=len(asked),
        meeting_rate=(len(met_ids) / len(asked)) if asked else None,
        ratings=len(feedback),
        average_rating=average(f.rating for f in feedback),
        new_connections=len(history.first_met),
        cross_team_new_connections=len(cross),
        pairs_introduced=len(history.first_round),
        repeat_swaps=len(repeats),
        skills=skill_summaries(data, met_ids),
        per_round=tuple(per_round),
        network=build_network(data, history),
        request_pairs=sum(1 for g in groups if g.round_id in requested),
        request_swaps_completed=sum(
            1 for g in groups if g.round_id in requested and g.id in met_ids
        ),
        discovery_pairs=sum(1 for g in groups if g.kind is GroupKind.DISCOVERY),
        discovery_swaps_completed=sum(
            1 for g in groups if g.kind is GroupKind.DISCOVERY and g.id in met_ids
        ),
        met_again=sum(met_again.values()),
        adoption=data.adoption,
        booked=len(booked),
        booked_share=(len(booked) / len(groups)) if groups else None,
        median_days_to_slot=statistics.median(lead_days) if lead_days else None,
        booked_asked=len(booked_asked),
        booked_met=sum(1 for g in booked_asked if g.id in met_ids),
        unbooked_asked=len(unbooked_asked),
        unbooked_met=sum(1 for g in unbooked_asked if g.id in met_ids),
    )


def skill_summaries(data: InsightsInput, met_group_ids: set[int]) -> tuple[SkillSummary, ...]:
    current = {m.id for m in data.members}
    names = {s.id: s.name for s in data.skills}
    teachers: Counter[str] = Counter()
    learners: Counter[str] = Counter()
    teams: dict[str, set[str]] = defaultdict(set)
    team_by_member = {m.id: team_of(m) for m in data.members}
    display: dict[str, str] = {}

    def key_for(skill_id: int | None, label: str) -> str:
        name = names.get(skill_id, label) if skill_id is not None else label
        name = name.strip() or label
        key = f"id:{skill_id}" if skill_id in names else f"label:{name.casefold()}"
        display.setdefault(key, name)
        return key

    for ms in data.member_skills:
        if ms.member_id not in current or ms.skill_id not in names:
            continue
        key = key_for(ms.skill_id, names[ms.skill_id])
        (teachers if ms.direction == Direction.TEACH else learners)[key] += 1
        if ms.direction == Direction.TEACH:
            teams[key].add(team_by_member[ms.member_id])
    # A group that met again by choice gave its lessons once more (as the Home tab's and the
    # engine's counts have it: store.rounds.lesson_counts).
    again = dict(data.met_again)
    taught: Counter[str] = Counter()
    for lesson in data.lessons:
        if lesson.group_id in met_group_ids and lesson.teacher_id in current:
            taught[key_for(lesson.skill_id, lesson.skill_label)] += 1 + again.get(
                lesson.group_id, 0
            )
    keys = set(teachers) | set(learners) | set(taught)
    summaries = [
        SkillSummary(
            name=display[k],
            teachers=teachers[k],
            learners=learners[k],
            taught=taught[k],
            gap=is_gap(learners=learners[k], teachers=teachers[k]),
            teams=len(teams.get(k, ())),
        )
        for k in keys
    ]
    summaries.sort(key=lambda s: (s.name.casefold(), s.name))
    return tuple(summaries)


def build_network(data: InsightsInput, history: _PairHistory) -> Network:
    members = {m.id: m for m in data.members}
    latest = data.rounds[-1] if data.rounds else None
    # One team per label whatever its case ("Data", "data "): the first spelling wins.
    spelling: dict[str, str] = {}
    for m in sorted(data.members, key=lambda m: m.id):
        spelling.setdefault(team_of(m).casefold(), team_of(m))
    nodes = tuple(
        NetworkNode(m.id, member_label(m), spelling[team_of(m).casefold()]) for m in data.members
    )
    edges = tuple(
        NetworkEdge(
            a=a,
            b=b,
            times_paired=history.paired[(a, b)],
            times_met=len(history.met_rounds.get((a, b), ())),
            latest=latest is not None and first == latest.id,
            cross_team=cross_team(members[a], members[b]),
        )
        for (a, b), first in sorted(history.first_round.items())
    )
    return Network(
        nodes=nodes,
        edges=edges,
        latest_period=latest.period if latest else None,
        latest_date=latest.round_date if latest else None,
    )

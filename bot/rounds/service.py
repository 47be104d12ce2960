"""Making a round: snapshot → match → store round, groups, lessons and outbox in one transaction.

A round for a (workspace, period) happens once. :func:`start_round` takes a per-workspace lock
first — a PostgreSQL transaction-level advisory lock, or SQLite's single writer (every write
transaction starts with ``BEGIN IMMEDIATE``) — then checks the period under the lock; the
unique ``(workspace_id, period)`` constraint is the last line of defence. Delivery happens
after the commit, from the outbox (:mod:`bot.delivery`).
"""

from __future__ import annotations

import logging
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from bot.blocks.rounds import (
    IntroView,
    LessonLine,
    Person,
    SuggestedSkill,
    SummaryView,
    UnmatchedView,
    WantedSkill,
    dump,
    intro_blocks,
    intro_fallback,
    level_detail,
    summary_blocks,
    summary_text,
    unmatched_blocks,
    unmatched_fallback,
)
from bot.delivery.outbox import NewMessage, OutboxKind, enqueue, enqueue_one
from bot.deps import Deps
from bot.errors import SkillSwapError
from bot.kinds import Direction, GroupKind, GroupState, MemberStatus, RoundState
from bot.matching import match
from bot.matching.model import Group as EngineGroup
from bot.matching.model import (
    MatchInput,
    MatchResult,
    MatchSettings,
    MemberInput,
    PastPairing,
    SkillClaim,
)
from bot.matching.model import MemberCadence as EngineCadence
from bot.meetings.slots import WorkingWeek, next_working_morning
from bot.members.hours import work_hours, working_week
from bot.rounds import growth
from bot.rounds.checkins import close_finished_rounds
from bot.rounds.eligibility import Eligibility, Participation, resolve
from bot.rounds.locks import lock_workspace
from bot.rounds.schedule import Due, Rhythm, due_slot, interval_days, round_times
from bot.slack.clients import client_for_team
from bot.store import requests as request_store
from bot.store.models import (
    DoNotPair,
    Feedback,
    Group,
    GroupMember,
    Lesson,
    Member,
    MemberSkill,
    Round,
    Workspace,
)
from bot.store.rounds import latest_round, lesson_counts
from bot.store.workspaces import active_workspaces, require_workspace

log = logging.getLogger(__name__)

#: How many teachers an unmatched member is told about, per skill.
TEACHERS_SHOWN = 3
WAITING_FOR_CONFIRMATION = "waiting for an admin to confirm the settings once"
SKIPPED = "an admin skipped this round"
#: One-click skill suggestions in the "no partner" DM.
SUGGESTED = 3


# --------------------------------------------------------------------------- snapshot


@dataclass(frozen=True)
class SkillFacts:
    key: str
    skill_id: int
    name: str
    level: int
    note: str | None


@dataclass(frozen=True)
class MemberFacts:
    """What a round needs to know about a member, read once."""

    member_id: int
    user_id: str
    name: str | None
    tz: str | None
    team: str | None
    teach: tuple[SkillFacts, ...]
    learn: tuple[SkillFacts, ...]
    week: WorkingWeek = field(default_factory=lambda: WorkingWeek(tz=None))

    def person(self) -> Person:
        return Person(user_id=self.user_id, name=self.name, tz=self.tz, team=self.team)

    def teaches(self, key: str) -> SkillFacts | None:
        return next((s for s in self.teach if s.key == key), None)


@dataclass(frozen=True)
class Snapshot:
    members: dict[str, MemberFacts]  # by Slack user id
    inputs: tuple[MemberInput, ...]
    history: tuple[PastPairing, ...]
    do_not_pair: frozenset[frozenset[str]]


def reactivate_due(session: Session, workspace_id: int, today: date) -> int:
    """Members whose pause ended (``paused_until`` is the first day back) are active again."""
    due = list(
        session.scalars(
            select(Member).where(
                Member.workspace_id == workspace_id,
                Member.status == MemberStatus.PAUSED,
                Member.paused_until.is_not(None),
                Member.paused_until <= today,
            )
        )
    )
    for member in due:
        member.status = MemberStatus.ACTIVE
        member.paused_until = None
    return len(due)


def _skill_facts(row: MemberSkill) -> SkillFacts:
    return SkillFacts(
        key=row.skill.key, skill_id=row.skill_id, name=row.skill.name, level=row.level,
        note=row.note,
    )  # fmt: skip


def take_snapshot(
    session: Session, workspace: Workspace, *, eligible: Eligibility | None = None
) -> Snapshot:
    """Active members with at least one skill (and, with ``eligible``, only those who take
    part), every past pairing, and the do-not-pair list."""
    rows = session.scalars(
        select(Member)
        .where(Member.workspace_id == workspace.id, Member.status == MemberStatus.ACTIVE)
        .options(selectinload(Member.skills).selectinload(MemberSkill.skill))
        .order_by(Member.id)
    ).all()
    members: dict[str, MemberFacts] = {}
    inputs: list[MemberInput] = []
    lessons = lesson_counts(session=session, workspace_id=workspace.id)
    for member in rows:
        teach = tuple(_skill_facts(s) for s in member.skills if s.direction is Direction.TEACH)
        learn = tuple(_skill_facts(s) for s in member.skills if s.direction is Direction.LEARN)
        if not teach and not learn:
            continue  # nothing to swap yet; they are not nagged every round
        if eligible is not None and not eligible.takes_part(member.slack_user_id):
            continue  # outside the chosen channels, excluded, or a guest
        facts = MemberFacts(
            member_id=member.id,
            user_id=member.slack_user_id,
            name=member.display_name,
            tz=member.tz or workspace.timezone,
            team=member.team_label,
            teach=teach,
            learn=learn,
            week=working_week(member, default_tz=workspace.timezone),
        )
        members[facts.user_id] = facts
        inputs.append(
            MemberInput(
                id=facts.user_id,
                team=facts.team,
                tz=facts.tz,
                teach=tuple(SkillClaim(s.key, s.name, s.level) for s in teach),
                learn=tuple(SkillClaim(s.key, s.name, s.level) for s in learn),
                cadence=EngineCadence(member.cadence.value),
                unmatched_streak=member.unmatched_streak,
                name=facts.name,
                taught=lessons.get(member.id, (0, 0))[0],
                learned=lessons.get(member.id, (0, 0))[1],
                hours=work_hours(member),
            )
        )
    return Snapshot(
        members=members,
        inputs=tuple(inputs),
        history=_history(session, workspace.id),
        do_not_pair=_do_not_pair(session, workspace.id),
    )


def _history(session: Session, workspace_id: int) -> tuple[PastPairing, ...]:
    """Every delivered group of the workspace's past rounds (cooldown, new connections), with
    who answered yes to "Would you swap with them again?" (a repeat needs both)."""
    stmt = (
        select(Group.id, Round.round_date, Member.slack_user_id, Feedback.would_swap_again)
        .join(Round, Round.id == Group.round_id)
        .join(GroupMember, GroupMember.group_id == Group.id)
        .join(Member, Member.id == GroupMember.member_id)
        .outerjoin(Feedback, (Feedback.group_id == Group.id) & (Feedback.member_id == Member.id))
        .where(Round.workspace_id == workspace_id, Group.state != GroupState.FAILED)
    )
    groups: dict[int, tuple[date, set[str], set[str]]] = {}
    for group_id, round_date, user_id, again in session.execute(stmt):
        _day, users, yes = groups.setdefault(group_id, (round_date, set(), set()))
        users.add(user_id)
        if again:
            yes.add(user_id)
    return tuple(
        PastPairing(members=frozenset(users), round_date=day, again=frozenset(yes))
        for day, users, yes in groups.values()
        if len(users) >= 2
    )


def _do_not_pair(session: Session, workspace_id: int) -> frozenset[frozenset[str]]:
    first = Member.__table__.alias("a")
    second = Member.__table__.alias("b")
    stmt = (
        select(first.c.slack_user_id, second.c.slack_user_id)
        .select_from(DoNotPair)
        .join(first, first.c.id == DoNotPair.member_id)
        .join(second, second.c.id == DoNotPair.other_member_id)
        .where(DoNotPair.workspace_id == workspace_id)
    )
    return frozenset(frozenset((a, b)) for a, b in session.execute(stmt))


# --------------------------------------------------------------------------- planning


def round_seed(team_id: str, period: str) -> int:
    """Deterministic per round, so a dry run shows what the real run will do."""
    return zlib.crc32(f"{team_id}:{period}".encode()) & 0x7FFFFFFF


def rhythm_of(workspace: Workspace, last_round_on: date | None = None) -> Rhythm:
    return Rhythm.of(
        workspace.cadence,
        workspace.round_weekday,
        workspace.round_time,
        workspace.timezone,
        last_round_on=last_round_on,
    )


@dataclass(frozen=True)
class RoundPlan:
    """A matched round, not stored: what a dry run shows and what a real run stores."""

    team_id: str
    workspace_id: int
    period: str
    round_date: date
    start: datetime
    seed: int
    snapshot: Snapshot
    result: MatchResult
    inp: MatchInput  # what the engine was given (the simulator's oracle reads it)

    def name_of(self, user_id: str) -> str:
        facts = self.snapshot.members.get(user_id)
        return (facts.name if facts and facts.name else None) or user_id


def plan(
    session: Session,
    workspace: Workspace,
    *,
    period: str,
    round_date: date,
    start: datetime,
    eligible: Eligibility | None = None,
) -> RoundPlan:
    snapshot = take_snapshot(session, workspace, eligible=eligible)
    seed = round_seed(workspace.team_id, period)
    if workspace.preview_period == period and workspace.preview_seed is not None:
        seed = workspace.preview_seed  # an admin previewed this round: the same groups
    # A request accepted this ISO week already paired them: a round never pairs them again.
    monday = round_date - timedelta(days=round_date.weekday())
    requested = request_store.request_pairs(
        session=session, workspace_id=workspace.id, start=monday, end=monday + timedelta(days=6)
    )
    inp = MatchInput(
        round_date=round_date,
        members=snapshot.inputs,
        history=snapshot.history,
        do_not_pair=snapshot.do_not_pair | requested,
        settings=MatchSettings(
            cooldown_rounds=workspace.cooldown_rounds, discovery=workspace.discovery_swaps
        ),
        round_interval_days=interval_days(workspace.cadence),
    )
    result = match(inp, seed=seed)
    return RoundPlan(
        team_id=workspace.team_id,
        workspace_id=workspace.id,
        period=period,
        round_date=round_date,
        start=start,
        seed=seed,
        snapshot=snapshot,
        result=result,
        inp=inp,
    )


def dry_run(deps: Deps, team_id: str, *, now: datetime) -> RoundPlan:
    """Match a round as :func:`start_round` would right now, storing nothing."""
    session = deps.session_factory()
    try:
        with session.begin():
            workspace = require_workspace(session=session, team_id=team_id)
            rhythm = rhythm_of(workspace)
            today = rhythm.local_date(now)
            reactivate_due(session, workspace.id, today)  # rolled back below
            result = plan(
                session, workspace, period=rhythm.period_of(now), round_date=today, start=now
            )
            session.rollback()
            return result
    finally:
        session.close()


# --------------------------------------------------------------------------- storing


@dataclass(frozen=True)
class RoundOutcome:
    team_id: str
    period: str | None
    round_id: int | None
    created: bool
    groups: int = 0
    unmatched: int = 0
    eligible: int = 0
    messages: int = 0
    note: str = ""  # why nothing was created, for people
    plan: RoundPlan | None = None  # the round just matched (the simulator reads its input)


def start_round(
    deps: Deps,
    team_id: str,
    *,
    now: datetime,
    scheduled: bool = False,
    eligible: Eligibility | None = None,
) -> RoundOutcome:
    """Create this period's round for ``team_id`` if it does not exist yet.

    ``scheduled``: only if a slot is due now (the clock process); otherwise the round is for
    the period that contains ``now`` (``skillswap round run``). Safe to call concurrently
    from several processes: at most one round per period is ever stored.
    """
    try:
        with deps.unit_of_work() as session:
            workspace = require_workspace(session=session, team_id=team_id)
            lock_workspace(session, workspace.id)
            previous = latest_round(session=session, workspace_id=workspace.id)
            rhythm = rhythm_of(workspace, previous.round_date if previous else None)
            due: Due | None
            if scheduled:
                due = due_slot(rhythm, now, not_before=workspace.created_at)
                if due is None:
                    return RoundOutcome(team_id, None, None, False, note="no round due")
                if workspace.settings_confirmed_at is None:
                    return RoundOutcome(
                        team_id, due.period, None, False, note=WAITING_FOR_CONFIRMATION
                    )
                if workspace.skip_period == due.period:
                    return RoundOutcome(team_id, due.period, None, False, note=SKIPPED)
            else:
                due = Due(slot=now, period=rhythm.period_of(now), round_date=rhythm.local_date(now))
            existing = session.scalars(
                select(Round).where(Round.workspace_id == workspace.id, Round.period == due.period)
            ).first()
            if existing is not None:
                return RoundOutcome(
                    team_id,
                    due.period,
                    existing.id,
                    False,
                    groups=existing.group_count,
                    unmatched=existing.unmatched_count,
                    eligible=existing.eligible_count,
                    note=f"the round for {due.period} already exists",
                )
            close_finished_rounds(session, workspace, now=now, force=True)
            reactivate_due(session, workspace.id, due.round_date)
            planned = plan(
                session,
                workspace,
                period=due.period,
                round_date=due.round_date,
                start=now,
                eligible=eligible,
            )
            if not planned.snapshot.inputs:
                return RoundOutcome(
                    team_id,
                    due.period,
                    None,
                    False,
                    note="nobody is available: no active member has a skill yet",
                )
            stored = store_round(session, workspace, planned, now=now, humane=scheduled)
            return replace(stored, plan=planned)
    except IntegrityError:
        # Another process stored the same period between our check and our insert (only
        # possible without the lock, e.g. a database that ignores it). Theirs stands.
        log.info("round already stored by another process", extra={"team_id": team_id})
        with deps.unit_of_work() as session:
            workspace = require_workspace(session=session, team_id=team_id)
            found = latest_round(session=session, workspace_id=workspace.id)
            return RoundOutcome(
                team_id,
                found.period if found else None,
                found.id if found else None,
                False,
                note="the round already exists",
            )


def store_round(
    session: Session,
    workspace: Workspace,
    planned: RoundPlan,
    *,
    now: datetime,
    humane: bool = False,
) -> RoundOutcome:
    """Store the round, its groups, lessons and outbox, and update members (caller commits).

    ``humane`` (the clock process): each introduction waits for its group's shared working
    morning and each "no partner" DM for its member's (``next_working_morning``); without
    it (``skillswap round run``, an admin asking now) they go at once."""
    result = planned.result
    snapshot = planned.snapshot
    rhythm = rhythm_of(workspace, planned.round_date)
    times = round_times(rhythm, planned.start, workspace.checkin_delay_days)
    stats: dict[str, Any] = {
        k: v for k, v in result.stats.as_dict().items() if isinstance(v, int | float)
    }
    round_ = Round(
        workspace_id=workspace.id,
        period=planned.period,
        state=RoundState.MATCHED,
        round_date=planned.round_date,
        seed=planned.seed,
        eligible_count=result.stats.eligible,
        group_count=len(result.groups),
        unmatched_count=len(result.unmatched),
        stats=stats,
        checkins_due_at=times.checkins_due_at,
        reminders_due_at=times.reminders_due_at,
        created_at=now,
    )
    session.add(round_)
    session.flush()

    rows: list[tuple[Group, EngineGroup]] = []
    for engine_group in result.groups:
        group = Group(
            round_id=round_.id,
            kind=GroupKind(engine_group.kind.value),
            score=float(engine_group.score),
            reason=engine_group.reason[:2000],
            state=GroupState.PENDING,
            new_connection=engine_group.new_connection,
            cross_team=engine_group.cross_team,
            created_at=now,
        )
        rows.append((group, engine_group))
    session.add_all(g for g, _ in rows)
    session.flush()

    links: list[GroupMember | Lesson] = []
    for group, engine_group in rows:
        for user_id in engine_group.members:
            links.append(
                GroupMember(group_id=group.id, member_id=snapshot.members[user_id].member_id)
            )
        for teach in engine_group.teaches:
            teacher = snapshot.members[teach.from_id]
            facts = teacher.teaches(teach.skill_key)
            links.append(
                Lesson(
                    group_id=group.id,
                    teacher_id=teacher.member_id,
                    learner_id=snapshot.members[teach.to_id].member_id,
                    skill_id=facts.skill_id if facts else None,
                    skill_label=(facts.name if facts else teach.skill_label)[:80],
                )
            )
    session.add_all(links)

    matched = {u for g in result.groups for u in g.members}
    unmatched = {u.member for u in result.unmatched}
    _update_streaks(session, snapshot, matched, unmatched)

    messages: list[NewMessage] = []
    for group, engine_group in rows:
        view = plan_intro_view(planned, workspace, group.id, engine_group)
        messages.append(
            NewMessage(
                key=f"intro:{group.id}",
                kind=OutboxKind.INTRO,
                text=intro_fallback(view),
                blocks=dump(intro_blocks(view)),
                target_users=tuple(engine_group.members),
                round_id=round_.id,
                group_id=group.id,
                not_before=_morning(snapshot, engine_group.members, now) if humane else None,
            )
        )
    streaks = {m.id: m.unmatched_streak for m in snapshot.inputs}
    for left_out in result.unmatched:
        if streaks.get(left_out.member, 0) > 0:
            continue  # told at their first miss; they keep their priority without a DM a week
        alone = snapshot.members[left_out.member]
        unmatched_view = UnmatchedView(
            user_id=left_out.member,
            why=left_out.why,
            cadence=workspace.cadence,
            wanted=_teachers_for(snapshot, alone),
            suggestions=suggest_skills(snapshot, alone),
        )
        messages.append(
            NewMessage(
                key=f"unmatched:{round_.id}:{alone.member_id}",
                kind=OutboxKind.UNMATCHED,
                text=unmatched_fallback(unmatched_view),
                blocks=dump(unmatched_blocks(unmatched_view)),
                target_users=(left_out.member,),
                round_id=round_.id,
                member_id=alone.member_id,
                not_before=_morning(snapshot, (left_out.member,), now) if humane else None,
            )
        )
    grow = growth.nudges(
        session,
        workspace_id=workspace.id,
        period=planned.period,
        members=snapshot.inputs,
        member_ids={u: facts.member_id for u, facts in snapshot.members.items()},
        history=snapshot.history,
        blocked=snapshot.do_not_pair,
        groups=[g.members for g in result.groups],
        told=[m.target_users[0] for m in messages if m.kind is OutboxKind.UNMATCHED],
        now=now,
    )
    messages += [
        replace(m, not_before=_morning(snapshot, m.target_users, now)) if humane else m
        for m in grow
    ]
    if workspace.home_channel and result.groups:
        summary = summary_of(planned.period, result)
        messages.append(
            NewMessage(
                key=f"summary:{round_.id}",
                kind=OutboxKind.SUMMARY,
                text=summary_text(summary),
                blocks=dump(summary_blocks(summary)),
                channel=workspace.home_channel,
                round_id=round_.id,
            )
        )
    count = enqueue(messages, session=session, workspace_id=workspace.id, now=now)
    round_.stats = {**stats, "messages": count}
    log.info(
        "round stored: %d groups, %d unmatched, %d messages (%d held for a working morning)",
        len(result.groups),
        len(result.unmatched),
        count,
        sum(1 for m in messages if m.not_before is not None and m.not_before > now),
        extra={"team_id": workspace.team_id, "round_id": round_.id},
    )
    return RoundOutcome(
        team_id=workspace.team_id,
        period=planned.period,
        round_id=round_.id,
        created=True,
        groups=len(result.groups),
        unmatched=len(result.unmatched),
        eligible=result.stats.eligible,
        messages=count,
    )


def _morning(snapshot: Snapshot, user_ids: Iterable[str], now: datetime) -> datetime:
    """When a message to these members should arrive: now if they are all at work, else the
    start of their next shared working time (~09:00 of whoever starts latest)."""
    return next_working_morning([snapshot.members[u].week for u in user_ids], after=now)


def _update_streaks(
    session: Session, snapshot: Snapshot, matched: set[str], unmatched: set[str]
) -> None:
    ids_matched = [snapshot.members[u].member_id for u in matched]
    ids_unmatched = [snapshot.members[u].member_id for u in unmatched]
    for chunk in _chunks(ids_matched):
        for member in session.scalars(select(Member).where(Member.id.in_(chunk))):
            member.unmatched_streak = 0
    for chunk in _chunks(ids_unmatched):
        for member in session.scalars(select(Member).where(Member.id.in_(chunk))):
            member.unmatched_streak = min(member.unmatched_streak + 1, 999)


def _chunks(ids: Sequence[int], size: int = 500) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def _teachers_for(snapshot: Snapshot, facts: MemberFacts) -> tuple[WantedSkill, ...]:
    teachers: dict[str, list[str]] = defaultdict(list)
    wanted_keys = {s.key for s in facts.learn}
    for other in snapshot.members.values():
        if other.user_id == facts.user_id:
            continue
        if frozenset((facts.user_id, other.user_id)) in snapshot.do_not_pair:
            continue  # someone they said was "not a fit"
        for skill in other.teach:
            if skill.key in wanted_keys and len(teachers[skill.key]) < TEACHERS_SHOWN:
                teachers[skill.key].append(other.user_id)
    return tuple(
        WantedSkill(skill=s.name, teachers=tuple(teachers.get(s.key, ()))) for s in facts.learn
    )


def suggest_skills(snapshot: Snapshot, facts: MemberFacts) -> tuple[SuggestedSkill, ...]:
    """Up to ``SUGGESTED`` skills that would give ``facts`` a partner: what most colleagues
    want to learn (to teach), then what most colleagues teach (to learn), leaving out what
    the member lists already."""
    wanted: Counter[int] = Counter()
    taught: Counter[int] = Counter()
    names: dict[int, str] = {}
    for other in snapshot.members.values():
        if other.user_id == facts.user_id:
            continue
        for skill in other.learn:
            wanted[skill.skill_id] += 1
            names[skill.skill_id] = skill.name
        for skill in other.teach:
            taught[skill.skill_id] += 1
            names[skill.skill_id] = skill.name
    listed = {s.skill_id for s in (*facts.teach, *facts.learn)}

    def top(counts: Counter[int], direction: Direction, limit: int) -> list[SuggestedSkill]:
        ranked = sorted(
            (c for c in counts.items() if c[0] not in listed), key=lambda c: (-c[1], names[c[0]])
        )
        return [SuggestedSkill(i, names[i], direction, n) for i, n in ranked[:limit]]

    teach = top(wanted, Direction.TEACH, SUGGESTED - 1)
    learn = top(taught, Direction.LEARN, SUGGESTED - len(teach))
    return (*teach, *learn)


def summary_of(period: str, result: MatchResult) -> SummaryView:
    stats = result.stats
    return SummaryView(
        period=period,
        swaps=stats.swaps,
        lessons=stats.one_way,
        circles=stats.circles,
        trios=stats.trios,
        paired=stats.matched,
        waiting=stats.unmatched,
        new_connections=stats.new_connections,
        cross_team=stats.cross_team,
        discovery=stats.discovery,
    )


def plan_intro_view(
    planned: RoundPlan, workspace: Workspace, group_id: int, engine_group: EngineGroup
) -> IntroView:
    members = planned.snapshot.members
    people = tuple(members[u].person() for u in engine_group.members)
    by_id = {p.user_id: p for p in people}
    lessons = []
    for teach in engine_group.teaches:
        facts = members[teach.from_id].teaches(teach.skill_key)
        lessons.append(
            LessonLine(
                teacher=by_id[teach.from_id],
                learner=by_id[teach.to_id],
                skill=facts.name if facts else teach.skill_label,
                detail=level_detail(facts.level, facts.note) if facts else None,
            )
        )
    kind = GroupKind(engine_group.kind.value)
    shows = (
        tuple((u, tuple(s.name for s in members[u].teach)) for u in engine_group.members)
        if kind is GroupKind.DISCOVERY
        else ()
    )
    return IntroView(
        group_id=group_id,
        kind=kind,
        people=people,
        lessons=tuple(lessons),
        cadence=workspace.cadence,
        round_date=planned.round_date,
        new_connection=engine_group.new_connection,
        cross_team=engine_group.cross_team,
        shows=shows,
    )


def load_intro_view(session: Session, group: Group, *, actor: str | None = None) -> IntroView:
    """The intro of a stored group, as it should look now (for updating it in place)."""
    round_ = group.round
    workspace = session.get_one(Workspace, round_.workspace_id)
    member_rows = [gm.member for gm in group.members]
    by_member_id = {
        m.id: Person(
            user_id=m.slack_user_id,
            name=m.display_name,
            tz=m.tz or workspace.timezone,
            team=m.team_label,
        )
        for m in member_rows
    }
    teach_rows = {
        (row.member_id, row.skill_id): row
        for row in session.scalars(
            select(MemberSkill).where(
                MemberSkill.member_id.in_(list(by_member_id)),
                MemberSkill.direction == Direction.TEACH,
            )
        )
    }
    lessons = []
    for lesson in sorted(group.lessons, key=lambda item: item.id):
        if lesson.teacher_id not in by_member_id or lesson.learner_id not in by_member_id:
            continue
        row = teach_rows.get((lesson.teacher_id, lesson.skill_id or -1))
        lessons.append(
            LessonLine(
                teacher=by_member_id[lesson.teacher_id],
                learner=by_member_id[lesson.learner_id],
                skill=lesson.skill_label,
                detail=level_detail(row.level, row.note) if row else None,
            )
        )
    ordered = _intro_order(group, by_member_id)
    shows: tuple[tuple[str, tuple[str, ...]], ...] = ()
    if group.kind is GroupKind.DISCOVERY:
        names: dict[int, list[str]] = {}
        for (member_id, _skill_id), row in sorted(teach_rows.items(), key=lambda kv: kv[1].id):
            names.setdefault(member_id, []).append(row.skill.name)
        shows = tuple(
            (person.user_id, tuple(names.get(member_id, [])))
            for member_id, person in by_member_id.items()
        )
    return IntroView(
        group_id=group.id,
        kind=group.kind,
        people=ordered,
        lessons=tuple(lessons),
        cadence=workspace.cadence,
        round_date=round_.round_date,
        new_connection=group.new_connection,
        cross_team=group.cross_team,
        state=group.state,
        actor=actor,
        out=tuple(
            by_member_id[gm.member_id].user_id
            for gm in sorted(group.members, key=lambda gm: gm.id)
            if gm.declined is not None and gm.member_id in by_member_id
        ),
        origin=round_.origin,
        shows=shows,
    )


def _intro_order(group: Group, people: dict[int, Person]) -> tuple[Person, ...]:
    """Members in the engine's order (the order the group members were stored in)."""
    return tuple(people[gm.member_id] for gm in sorted(group.members, key=lambda gm: gm.id))


# --------------------------------------------------------------------------- the clock


@dataclass
class RoundsReport:
    started: list[RoundOutcome] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def eligibility_for(deps: Deps, team_id: str, client: WebClient) -> Eligibility:
    """Who takes part in ``team_id``'s next round, asked of Slack (no unit of work open while
    Slack answers). Raises ``SlackApiError`` when a chosen channel or group can't be read."""
    with deps.read_only() as session:
        rules = Participation.of(require_workspace(session=session, team_id=team_id))
    return resolve(client, rules)


def tell_admins_no_round(
    deps: Deps, *, team_id: str, period: str, error: str, now: datetime
) -> None:
    """DM the workspace's SkillSwap admins, once per round, that it waits for them."""
    with deps.unit_of_work() as session:
        workspace = require_workspace(session=session, team_id=team_id)
        admins = [str(a) for a in workspace.admin_user_ids or ()]
        text = (
            f"This round couldn't start: Slack said `{error[:60]}` when I asked who takes "
            "part (a channel or user group chosen in `/skillswap admin`, perhaps archived, "
            "private without @SkillSwap, or deleted). Fix it in `/skillswap admin`; I'll keep "
            "trying for two days."
        )
        for admin in admins:
            enqueue_one(
                NewMessage(
                    key=f"no-round:{workspace.id}:{period}:{admin}",
                    kind=OutboxKind.NOTICE,
                    text=text,
                    blocks=[],
                    target_users=(admin,),
                ),
                session=session,
                workspace_id=workspace.id,
                now=now,
            )


def run_due_rounds(
    deps: Deps, now: datetime, *, client_for: Callable[[str], WebClient] | None = None
) -> RoundsReport:
    """Start every workspace's round whose slot is due (the scheduler's job).

    Who takes part is asked of Slack (``client_for(team_id)``, the team's bot by default)
    between the read that finds the due workspaces and the round's own write transaction."""
    report = RoundsReport()
    with deps.unit_of_work() as session:
        candidates: list[tuple[str, Participation, str]] = []
        for workspace in active_workspaces(session=session):
            if workspace.settings_confirmed_at is None:
                continue  # the first round waits for an admin to confirm the settings
            previous = latest_round(session=session, workspace_id=workspace.id)
            rhythm = rhythm_of(workspace, previous.round_date if previous else None)
            due = due_slot(rhythm, now, not_before=workspace.created_at)
            if due is not None and due.period != workspace.skip_period:
                candidates.append((workspace.team_id, Participation.of(workspace), due.period))
    for team_id, rules, period in candidates:
        try:
            client = (client_for or (lambda team: client_for_team(deps, team)))(team_id)
            eligible = resolve(client, rules)
        except (SlackApiError, SkillSwapError) as exc:
            # A chosen channel the app can no longer read, a deleted group: no round rather
            # than a round with the wrong people. Retried on the next tick while it is due.
            error = str(exc.response.get("error") if isinstance(exc, SlackApiError) else exc)
            log.warning(
                "who takes part is unknown, no round: %s", error, extra={"team_id": team_id}
            )
            tell_admins_no_round(deps, team_id=team_id, period=period, error=error, now=now)
            report.errors.append(team_id)
            continue
        try:
            outcome = start_round(deps, team_id, now=now, scheduled=True, eligible=eligible)
        except Exception:  # one workspace's failure must not stop the others
            log.exception("round failed", extra={"team_id": team_id})
            report.errors.append(team_id)
            continue
        if outcome.created:
            report.started.append(outcome)
    return report

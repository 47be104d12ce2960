"""``skillswap simulate``: many weekly rounds at a synthetic company, through the real product.

Members come from :func:`bot.matching.synthetic.workspace` (seeded: teams of 8 to 15, a dozen time
zones, Zipf-popular skills) and join through the members service; every week the round
service matches and stores the round, the outbox worker delivers the introductions to the
Slack simulator, the check-ins go out when due and members answer them (a seeded, plausible
behaviour: most groups meet, a few skip, some never answer). The per-round numbers are the
insights' own. It shows leaders what to expect and is our regression check for matching
quality: the numbers must add up, and :func:`check` says when they do not.
"""

from __future__ import annotations

import itertools
import random
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich import box
from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select

from bot.demo import render
from bot.demo.files import write_report_files
from bot.demo.stage import Person, Stage, scratch_dir
from bot.kinds import GroupState, MemberStatus
from bot.matching import weekly
from bot.matching.weekly import Year
from bot.store.models import Group, GroupMember, Member, OutboxMessage, Round

DEFAULT_OUTPUT = Path("skillswap-demo-simulation")
#: The first round of every simulation (a Monday): runs are reproducible whatever the date.
FIRST_ROUND = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
LEVEL_WORDS = {1: "beginner", 2: "intermediate", 3: "expert"}
# fmt: off
_FIRST_NAMES = (
    "Ana", "Ben", "Chloé", "Dev", "Elif", "Femi", "Grace", "Hiro", "Ines", "Jonas", "Kofi",
    "Lena", "Maya", "Nils", "Olu", "Priya", "Quinn", "Rafael", "Sofia", "Tomás", "Uma", "Vik",
    "Wei", "Ximena", "Yuki", "Zara", "Amir", "Bea", "Carlos", "Dana", "Emil", "Farah", "Goran",
    "Hana", "Ivan", "Jia", "Kai", "Lucía", "Mateo", "Noor",
)
# fmt: on
_LAST_INITIALS = "ABCDEFGHIJKLMNOPRSTVWYZ"


@dataclass(frozen=True)
class Behaviour:
    """How the synthetic members answer (probabilities per group)."""

    skip: float = 0.04  # "Skip this round" on the introduction
    not_a_fit: float = 0.01
    met: float = 0.68  # of the groups asked: "We met" at the check-in
    not_yet: float = 0.12
    could_not: float = 0.06  # the rest never answer
    both_answer: float = 0.5  # the partner answers "We met" too
    feedback: float = 0.7  # a member who met rates the swap


@dataclass(frozen=True)
class RoundLine:
    """One round, as the table shows it."""

    week: int
    period: str
    members: int  # active members with a skill at the round (eligible + not due)
    eligible: int
    not_due: int  # slower cadence: not due this round
    groups: int
    in_groups: int  # people in groups
    unmatched: int
    met: int
    introduced: int  # pairs put together for the first time
    new_connections: int  # pairs who met for the first time
    cross_team: int
    never_matched: int  # members so far who have never been in a group
    paused: int
    discovery: int = 0  # discovery swaps (no lesson fitted; two new colleagues)
    repeats: int = 0  # groups of people who met before and both chose to meet again


@dataclass
class SimulationResult:
    members: int
    weeks: int
    seed: int
    lines: list[RoundLine] = field(default_factory=list)
    never_matched: dict[str, str] = field(default_factory=dict)  # user → latest reason
    network_png: Path | None = None
    rounds_png: Path | None = None
    report_html: Path | None = None
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    # Per week against the most new groups possible (the same table as bench/social.py).
    year: Year = field(default_factory=Year)

    @property
    def groups(self) -> int:
        return sum(line.groups for line in self.lines)

    @property
    def met(self) -> int:
        return sum(line.met for line in self.lines)


def synthetic_people(members: int, seed: int) -> list[tuple[Person, str, str, str, str]]:
    """(person, team, teach text, learn text, cadence) for a seeded synthetic company."""
    from bot.matching.synthetic import workspace

    inp = workspace(members, seed=seed)
    rng = random.Random(seed)
    out: list[tuple[Person, str, str, str, str]] = []
    for m in inp.members:
        name = f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_INITIALS)}."
        teach = ", ".join(f"{c.label} ({LEVEL_WORDS.get(c.level, 'beginner')})" for c in m.teach)
        learn = ", ".join(c.label for c in m.learn)
        person = Person(user_id=m.id, name=name, tz=m.tz or "UTC")
        out.append((person, m.team or "", teach, learn, m.cadence.value))
    return out


def join(stage: Stage, people: Sequence[tuple[Person, str, str, str, str]]) -> None:
    """Everyone saves a profile (skills with levels, team, rhythm) through the members service."""
    from bot.members.identity import SlackPerson
    from bot.members.names import Level
    from bot.members.profile import save_profile
    from bot.members.views import ProfileSubmission

    stage.add_people([p for p, *_rest in people])
    for person, team, teach, learn, cadence in people:
        with stage.deps.unit_of_work() as session:
            save_profile(
                session=session,
                deps=stage.deps,
                team_id=stage.team_id,
                user_id=person.user_id,
                person=SlackPerson(user_id=person.user_id, display_name=person.name, tz=person.tz),
                form=ProfileSubmission(
                    teach=[],
                    teach_new=teach,
                    teach_new_level=Level.BEGINNER,
                    learn=[],
                    learn_new=learn,
                    team=team,
                    cadence=cadence,
                    pause_until=None,
                ),
            )


def _groups_of(stage: Stage, round_id: int) -> list[tuple[int, tuple[str, ...], GroupState]]:
    with stage.deps.unit_of_work() as session:
        rows = session.execute(
            select(Group.id, Group.state, Member.slack_user_id)
            .join(GroupMember, GroupMember.group_id == Group.id)
            .join(Member, Member.id == GroupMember.member_id)
            .where(Group.round_id == round_id)
            .order_by(Group.id, GroupMember.id)
        ).all()
    groups: dict[int, tuple[list[str], GroupState]] = {}
    for group_id, state, user_id in rows:
        groups.setdefault(group_id, ([], state))[0].append(user_id)
    return [(gid, tuple(users), state) for gid, (users, state) in groups.items()]


def _deliver(stage: Stage) -> None:
    from bot.delivery.worker import deliver_pending

    deliver_pending(stage.deps, until_idle=True)


def _answer_intros(stage: Stage, round_id: int, behaviour: Behaviour, rng: random.Random) -> None:
    from bot.blocks.rounds import IntroAction
    from bot.rounds.responses import respond_to_intro

    for group_id, users, _state in _groups_of(stage, round_id):
        roll = rng.random()
        if roll < behaviour.not_a_fit:
            action = IntroAction.NOT_A_FIT
        elif roll < behaviour.not_a_fit + behaviour.skip:
            action = IntroAction.SKIP
        else:
            continue
        respond_to_intro(
            stage.deps,
            team_id=stage.team_id,
            user_id=rng.choice(users),
            group_id=group_id,
            action=action,
        )


def _answer_checkins(stage: Stage, round_id: int, behaviour: Behaviour, rng: random.Random) -> None:
    from bot.kinds import CheckinAnswer
    from bot.rounds.responses import FeedbackInput, answer_checkin, save_feedback

    now = stage.clock.now()
    for group_id, users, state in _groups_of(stage, round_id):
        if state not in (GroupState.INTRODUCED, GroupState.SCHEDULED):
            continue  # skipped, not a fit, or never delivered: not asked
        roll = rng.random()
        answers: list[tuple[str, CheckinAnswer]] = []
        first = rng.choice(users)
        if roll < behaviour.met:
            answers.append((first, CheckinAnswer.MET))
            if rng.random() < behaviour.both_answer:
                answers += [(u, CheckinAnswer.MET) for u in users if u != first]
        elif roll < behaviour.met + behaviour.not_yet:
            answers.append((first, CheckinAnswer.NOT_YET))
        elif roll < behaviour.met + behaviour.not_yet + behaviour.could_not:
            answers.append((first, CheckinAnswer.COULD_NOT))
        for user_id, answer in answers:
            answer_checkin(
                stage.deps,
                team_id=stage.team_id,
                user_id=user_id,
                group_id=group_id,
                answer=answer,
                message_ts=None,
                now=now,
            )
            if answer is CheckinAnswer.MET and rng.random() < behaviour.feedback:
                save_feedback(
                    stage.deps,
                    team_id=stage.team_id,
                    user_id=user_id,
                    group_id=group_id,
                    feedback=FeedbackInput(
                        rating=rng.choice((5, 5, 4, 4, 4, 3, 2)),
                        learned=None,
                        taught=None,
                        would_swap_again=rng.random() < 0.85,
                    ),
                    now=now,
                )


def _round_facts(stage: Stage, round_id: int) -> tuple[str, int, int, int, int, int]:
    """(period, eligible, not due, in groups, unmatched, paused members) of a stored round."""
    with stage.deps.unit_of_work() as session:
        rnd = session.get_one(Round, round_id)
        in_groups = session.scalar(
            select(func.count(GroupMember.id))
            .join(Group, Group.id == GroupMember.group_id)
            .where(Group.round_id == round_id)
        )
        paused = session.scalar(
            select(func.count(Member.id)).where(Member.status == MemberStatus.PAUSED)
        )
        not_due = int((rnd.stats or {}).get("skipped", 0))
        return (
            rnd.period,
            rnd.eligible_count,
            not_due,
            int(in_groups or 0),
            rnd.unmatched_count,
            int(paused or 0),
        )


def never_matched(stage: Stage) -> list[str]:
    """Members who have never been in a group (delivered or not), by Slack user id."""
    with stage.deps.unit_of_work() as session:
        grouped = select(GroupMember.member_id)
        return list(
            session.scalars(
                select(Member.slack_user_id)
                .where(Member.id.not_in(grouped))
                .order_by(Member.slack_user_id)
            )
        )


def latest_reasons(stage: Stage, user_ids: Sequence[str]) -> dict[str, str]:
    """The reason each member was last told they had no partner (their last such DM)."""
    from bot.delivery.outbox import OutboxKind

    if not user_ids:
        return {}
    with stage.deps.unit_of_work() as session:
        rows = session.execute(
            select(Member.slack_user_id, OutboxMessage.payload)
            .join(Member, Member.id == OutboxMessage.member_id)
            .where(
                OutboxMessage.kind == OutboxKind.UNMATCHED.value,
                Member.slack_user_id.in_(list(user_ids)),
            )
            .order_by(OutboxMessage.id)
        ).all()
    name_of = render.name_lookup({})
    reasons: dict[str, str] = {}
    for user_id, payload in rows:
        text = render.plain(payload or {}, name_of).split("\n")[0]
        reasons[user_id] = text.split(", sorry. ", 1)[-1]
    return reasons


def check(result: SimulationResult, members: int) -> list[str]:
    """What does not add up (empty when everything does)."""
    problems: list[str] = []
    for line in result.lines:
        where = f"week {line.week} ({line.period})"
        if line.in_groups + line.unmatched != line.eligible:
            problems.append(
                f"{where}: {line.in_groups} in groups + {line.unmatched} unmatched "
                f"≠ {line.eligible} eligible"
            )
        if not 2 * line.groups <= line.in_groups <= 3 * line.groups:
            problems.append(f"{where}: {line.in_groups} people in {line.groups} groups")
        if line.eligible + line.not_due > members:
            problems.append(f"{where}: more people in the round than members")
        if line.met > line.groups:
            problems.append(f"{where}: {line.met} groups met of {line.groups}")
        if line.cross_team > line.new_connections:
            problems.append(f"{where}: more cross-team ties than new connections")
    nevers = [line.never_matched for line in result.lines]
    if any(later > earlier for earlier, later in itertools.pairwise(nevers)):
        problems.append(f"never-matched went up between rounds: {nevers}")
    missing = [u for u in result.never_matched if not result.never_matched[u]]
    if missing:
        problems.append(f"{len(missing)} never-matched members were never told why")
    return problems


def run_simulation(
    console: Console,
    *,
    members: int = 200,
    weeks: int = 12,
    seed: int = 0,
    output: Path = DEFAULT_OUTPUT,
    behaviour: Behaviour | None = None,
    log_level: str = "WARNING",
    progress: Callable[[str], None] | None = None,
) -> SimulationResult:
    """Run ``weeks`` weekly rounds at a synthetic ``members``-person company; print the table."""
    from bot.insights.charts import render_images
    from bot.insights.load import load_insights
    from bot.rounds.checkins import process_due
    from bot.rounds.service import start_round

    if members < 2:
        raise ValueError("a simulation needs at least two members")
    if weeks < 1:
        raise ValueError("a simulation needs at least one week")
    began = time.monotonic()
    behaviour = behaviour or Behaviour()
    rng = random.Random(seed)
    result = SimulationResult(members=members, weeks=weeks, seed=seed)
    team_id = f"T0SIM{seed % 1_000_000:06d}"
    people = synthetic_people(members, seed)
    teams = len({team for _p, team, *_rest in people})
    facts: list[tuple[int, str, int, int, int, int, int, int]] = []
    note = progress or (lambda _message: None)
    with (
        tempfile.TemporaryDirectory(prefix="skillswap-simulate-", dir=scratch_dir()) as workdir,
        Stage(
            Path(workdir),
            start=FIRST_ROUND - timedelta(days=3),
            team_id=team_id,
            team_name=f"Synthetic company ({members} people, seed {seed})",
            log_level=log_level,
        ) as stage,
    ):
        note(f"{members} members join…")
        join(stage, people)
        kinds: dict[int, tuple[int, int]] = {}
        for week in range(1, weeks + 1):
            note(f"Week {week} of {weeks}…")
            monday = FIRST_ROUND + timedelta(weeks=week - 1)
            stage.set_time(monday)
            outcome = start_round(stage.deps, stage.team_id, now=monday)
            if outcome.round_id is None or outcome.plan is None:
                result.problems.append(f"week {week}: no round ({outcome.note})")
                continue
            # What the engine was given and gave: the weekly table's oracle reads the input.
            result.year.add(outcome.plan.inp, outcome.plan.result)
            _deliver(stage)
            _answer_intros(stage, outcome.round_id, behaviour, rng)
            with stage.deps.unit_of_work() as session:
                rnd = session.get_one(Round, outcome.round_id)
                due = [t for t in (rnd.checkins_due_at, rnd.reminders_due_at) if t]
                kinds[week] = (int(rnd.stats.get("discovery", 0)), int(rnd.stats.get("repeats", 0)))
            for moment in due:
                stage.set_time(moment)
                process_due(stage.deps, moment)
                _deliver(stage)
                if moment == due[0]:
                    _answer_checkins(stage, outcome.round_id, behaviour, rng)
            period, eligible, not_due, in_groups, unmatched, paused = _round_facts(
                stage, outcome.round_id
            )
            facts.append(
                (
                    week,
                    period,
                    eligible,
                    not_due,
                    in_groups,
                    unmatched,
                    len(never_matched(stage)),
                    paused,
                )
            )
        stage.set_time(FIRST_ROUND + timedelta(weeks=weeks))
        process_due(stage.deps, stage.clock.now())
        with stage.deps.unit_of_work() as session:
            insights = load_insights(session=session, team_id=stage.team_id, now=stage.clock.now())
        nevers = never_matched(stage)
        result.never_matched = {u: "" for u in nevers} | latest_reasons(stage, nevers)
        names = {p.user_id: p.name for p, *_rest in people}
    points = {p.period: p for p in insights.per_round}
    for week, period, eligible, not_due, in_groups, unmatched, never, paused in facts:
        point = points.get(period)
        result.lines.append(
            RoundLine(
                week=week,
                period=period,
                members=eligible + not_due,
                eligible=eligible,
                not_due=not_due,
                groups=point.groups if point else 0,
                in_groups=in_groups,
                unmatched=unmatched,
                met=point.met if point else 0,
                introduced=point.introduced if point else 0,
                new_connections=point.new_connections if point else 0,
                cross_team=point.cross_team_new_connections if point else 0,
                discovery=kinds.get(week, (0, 0))[0],
                repeats=kinds.get(week, (0, 0))[1],
                never_matched=never,
                paused=paused,
            )
        )
    note("Drawing the network…")
    images = render_images(insights)
    result.network_png, result.rounds_png, result.report_html = write_report_files(
        output, insights, images
    )
    result.problems += check(result, members)
    result.seconds = time.monotonic() - began
    _print(console, result, teams, names)
    return result


LEGEND = (
    "Eligible: due this round · Not due: on a slower rhythm this week · Paired: people in "
    "pairs and trios · Alone: no partner, told why · Met: groups that met · Introduced: pairs "
    "put together for the first time · New connections: pairs who met for the first time · "
    "Discovery: two new colleagues whose skills don't line up, each showing the other one "
    "thing · Repeats: pairs who met before and both chose to meet again · "
    "Never matched: members not yet in any group · Paused: after three unanswered check-ins"
)


def _print(console: Console, result: SimulationResult, teams: int, names: dict[str, str]) -> None:
    periods = f"{result.lines[0].period} to {result.lines[-1].period}" if result.lines else ""
    table = Table(
        title=(
            f"{result.weeks} weekly rounds ({periods}) at a synthetic company of "
            f"{result.members} people in {teams} teams, seed {result.seed}"
        ),
        title_justify="left",
        header_style="bold",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    headers = (
        "Week", "Eligible", "Not due", "Pairs", "Paired", "Alone", "Met", "Introduced",
        "New connections", "Cross-team", "Discovery", "Repeats", "Never matched",
        "Paused",
    )  # fmt: skip
    for header in headers:
        table.add_column(header, justify="right", no_wrap=True)
    for line in result.lines:
        table.add_row(
            str(line.week),
            str(line.eligible),
            str(line.not_due),
            str(line.groups),
            str(line.in_groups),
            str(line.unmatched),
            f"{line.met} {_percent(line.met, line.groups)}",
            str(line.introduced),
            str(line.new_connections),
            str(line.cross_team),
            str(line.discovery),
            str(line.repeats),
            str(line.never_matched),
            str(line.paused),
        )
    console.print(table)
    console.print(f"[dim]{LEGEND}[/]")
    _print_year(console, result)
    new = sum(line.new_connections for line in result.lines)
    cross = sum(line.cross_team for line in result.lines)
    introduced = sum(line.introduced for line in result.lines)
    console.print(
        f"In total: {result.groups} groups, {result.met} swaps that happened "
        f"({_percent(result.met, result.groups)}), {new} new connections (pairs who met; "
        f"{cross} across teams) of {introduced} pairs introduced. "
        f"{len(result.never_matched)} of {result.members} people were never matched."
    )
    for user_id, reason in list(result.never_matched.items())[:10]:
        console.print(f"  [dim]{names.get(user_id, user_id)}: {reason or 'no reason recorded'}[/]")
    if len(result.never_matched) > 10:
        console.print(f"  [dim]…and {len(result.never_matched) - 10} more.[/]")
    console.print(
        f"Network picture: [bold]{_where(result.network_png)}[/]\n"
        f"Rounds chart:    [bold]{_where(result.rounds_png)}[/]\n"
        f"Full report:     [bold]{_where(result.report_html)}[/]",
        soft_wrap=True,
    )
    if result.problems:
        console.print("[bold red]The numbers do not add up:[/]")
        for problem in result.problems:
            console.print(f"  [red]{problem}[/]")
    else:
        console.print(
            "[green]Checked:[/] in every round, paired + alone = eligible, "
            "and no one was left out without a reason."
        )
    console.print(f"Finished in {result.seconds:.1f} s.")


def _print_year(console: Console, result: SimulationResult) -> None:
    """New connections week by week against the most possible (bench/social.py's table)."""
    table = Table(
        title="New connections against the most possible, week by week",
        title_justify="left",
        header_style="bold",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    for name, _width, _cell in weekly.COLUMNS:
        table.add_column(name, justify="right", no_wrap=True)
    for week in result.year.weeks:
        table.add_row(*(cell(week) for _name, _width, cell in weekly.COLUMNS))
    console.print(table)
    console.print(f"[dim]{weekly.LEGEND}[/]")
    if result.year.first_week_swaps:
        console.print(result.year.first_week_swaps)
    console.print(result.year.verdict(), highlight=False)


def _where(path: Path | None) -> str:
    return str(path.resolve()) if path is not None else "—"


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "—"

"""``skillswap demo``: one week of SkillSwap at a fictional company, in the terminal.

The real app (the same listeners, store, matching engine, round service, outbox worker and
insights) runs against the built-in Slack simulator on a temporary SQLite database:

1. forty colleagues send signed ``/skillswap teach …`` and ``/skillswap learn …`` commands and
   set their team in the profile modal;
2. Monday's round pairs them and the outbox delivers the introductions (shown as each pair
   sees them, buttons included);
3. some pairs click "We've scheduled it", one skips;
4. Thursday's check-in asks "Did you meet?"; most answer "We met" and rate the swap in the
   feedback modal;
5. the SkillSwap admin asks for ``/skillswap stats`` and ``/skillswap report``: the leaders'
   summary, the network picture and the HTML report land in the output folder.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.demo import company, render
from bot.demo.files import write_report_files
from bot.demo.stage import Person, Stage, StageError, button_labels, form_values, scratch_dir
from bot.kinds import OutboxState
from bot.store.models import Group, GroupMember, OutboxMessage, Round

DEFAULT_OUTPUT = Path("skillswap-demo-out")
#: The colleague who set SkillSwap up for the company (a SkillSwap admin).
ADMIN_ID = "U0DEMO0030"
#: Intros and check-ins drawn in full; the rest are listed in one line each.
SHOWN_IN_FULL = 6
SEED = 7

FEEDBACK_NOTES = (
    ("how to order coffee without switching to English", "a quick way to pivot a table"),
    ("three chords and a strumming pattern", "how to read a query plan"),
    ("why my sourdough never rose", "the basics of portrait lighting"),
    ("how to open a negotiation", "how to keep a spreadsheet honest"),
    ("a warm-up before talking to a room", "how to sketch an idea in five lines"),
)


class DemoError(Exception):
    """The demo could not finish; the message says what happened."""


@dataclass
class DemoResult:
    """What happened, for the closing lines and for the tests."""

    members: int = 0
    teams: int = 0
    learners: set[str] = field(default_factory=set)  # asked to learn something
    partnered: dict[str, tuple[str, ...]] = field(default_factory=dict)  # user → partners
    reasons: dict[str, str] = field(default_factory=dict)  # user → why no partner
    eligible: int = 0
    group_sizes: list[int] = field(default_factory=list)
    unmatched: int = 0
    intros_delivered: int = 0
    scheduled: int = 0
    skipped: int = 0
    checkins_delivered: int = 0
    met: int = 0
    feedback: int = 0
    stats_text: str = ""
    network_png: Path | None = None
    rounds_png: Path | None = None
    report_html: Path | None = None
    seconds: float = 0.0


def first_monday(today: date) -> datetime:
    """The demo's round day: the coming Monday (today if it is Monday), 09:00 UTC."""
    monday = today + timedelta(days=(7 - today.weekday()) % 7)
    return datetime.combine(monday, dtime(9, 0), tzinfo=UTC)


def _person(colleague: company.Colleague) -> Person:
    return Person(
        user_id=colleague.user_id,
        name=colleague.name,
        tz=colleague.tz,
        title=colleague.title,
    )


def _step(console: Console, number: int, title: str) -> None:
    console.print()
    console.rule(f"[bold]{number} · {title}", align="left", style="blue")


def _said(console: Console, who: str, what: str) -> None:
    console.print(Text.assemble((who, render.NAME_STYLE), " types  ", (what, "bold magenta")))


def _reply_panel(reply: Mapping[str, Any], name_of: render.NameOf, title: str) -> Panel:
    return Panel(
        render.message(reply, name_of),
        title=title,
        title_align="left",
        border_style="grey50",
        padding=(0, 1),
    )


def _one(replies: Sequence[dict[str, Any]], what: str) -> dict[str, Any]:
    if not replies:
        raise DemoError(f"SkillSwap did not answer {what}.")
    return replies[-1]


# --------------------------------------------------------------------------- 1. people join


def name_workspace(stage: Stage) -> None:
    """Give the workspace its name, as the OAuth install records it in a real deployment
    (single-workspace mode has nothing that sets it; the report title would read the id)."""
    from bot.store.workspaces import get_workspace

    with stage.deps.unit_of_work() as session:
        workspace = get_workspace(session=session, team_id=stage.team_id)
        if workspace is not None and not workspace.name:
            workspace.name = stage.team_name


def join(stage: Stage, console: Console, result: DemoResult, name_of: render.NameOf) -> None:
    people = company.colleagues()
    stage.add_people([_person(p) for p in people])
    for index, colleague in enumerate(people):
        shown = index == 0
        uid = colleague.user_id
        if colleague.teach:
            text = f"teach {colleague.teach_text()}"
            replies = stage.command(uid, text)
            if shown:
                _said(console, colleague.name, f"/skillswap {text}")
                console.print(_reply_panel(_one(replies, text), name_of, "only visible to you"))
        if colleague.learn:
            text = f"learn {colleague.learn_text()}"
            replies = stage.command(uid, text)
            _one(replies, text)
            result.learners.add(uid)
            if shown:
                _said(console, colleague.name, f"/skillswap {text}")
                console.print(_reply_panel(replies[-1], name_of, "only visible to you"))
        before = len(stage.modals("profile_modal"))
        stage.command(uid, "profile")
        modals = stage.modals("profile_modal")
        if len(modals) <= before:
            raise DemoError(f"/skillswap profile did not open the profile form for {uid}.")
        modal = modals[-1]
        values = form_values(
            modal, {"team": {"value": {"type": "plain_text_input", "value": colleague.team}}}
        )
        if shown:
            _said(console, colleague.name, "/skillswap profile   (types their team, clicks Save)")
            console.print(render.view(modal, name_of, values))
        answer = stage.submit(uid, modal, values)
        if isinstance(answer, dict) and answer.get("response_action") == "errors":
            raise DemoError(f"The profile form refused {colleague.name}: {answer.get('errors')}")
        if index == 0:
            name_workspace(stage)
    result.members = len(people)
    result.teams = len(company.teams(people))
    table = Table(
        title=f"{company.COMPANY_NAME}: {len(people)} colleagues in {result.teams} teams",
        title_justify="left",
        show_lines=False,
        header_style="bold",
        pad_edge=False,
    )
    table.add_column("Who")
    table.add_column("Team")
    table.add_column("Time zone")
    table.add_column("Can teach")
    table.add_column("Wants to learn")
    for p in people:
        table.add_row(
            p.name,
            p.team,
            p.tz.split("/")[-1].replace("_", " "),
            ", ".join(s.split(" (")[0] for s in p.teach),
            ", ".join(p.learn),
        )
    console.print(table)


# --------------------------------------------------------------------------- 2. the round


@dataclass(frozen=True)
class Delivered:
    kind: str
    users: tuple[str, ...]
    message: dict[str, Any]
    group_id: int | None


def _delivered(stage: Stage, round_id: int, kinds: Sequence[str]) -> list[Delivered]:
    """Messages of the round the outbox sent, as the simulator holds them now."""
    with stage.deps.unit_of_work() as session:
        rows = list(
            session.scalars(
                select(OutboxMessage)
                .where(
                    OutboxMessage.round_id == round_id,
                    OutboxMessage.kind.in_(list(kinds)),
                    OutboxMessage.state == OutboxState.SENT,
                )
                .order_by(OutboxMessage.id)
            )
        )
        found = [(r.kind, r.target_users, r.slack_channel, r.slack_ts, r.group_id) for r in rows]
    members = _group_users(stage, [g for *_rest, g in found if g is not None])
    out: list[Delivered] = []
    for kind, targets, channel, ts, group_id in found:
        message = next(
            (m for m in stage.sim.messages(channel) if m.get("ts") == ts),
            None,
        )
        if message is None:
            continue
        users = (
            members.get(group_id, ())
            if group_id is not None
            else tuple(u for u in (targets or "").split(",") if u)
        )
        out.append(Delivered(kind=kind, users=users, message=message, group_id=group_id))
    return out


def _group_users(stage: Stage, group_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    if not group_ids:
        return {}
    with stage.deps.unit_of_work() as session:
        groups = session.scalars(
            select(Group)
            .where(Group.id.in_(list(group_ids)))
            .options(selectinload(Group.members).selectinload(GroupMember.member))
        )
        return {
            g.id: tuple(gm.member.slack_user_id for gm in sorted(g.members, key=lambda gm: gm.id))
            for g in groups
        }


def run_round(
    stage: Stage, console: Console, result: DemoResult, name_of: render.NameOf
) -> tuple[int, list[Delivered]]:
    from bot.delivery.worker import deliver_pending
    from bot.rounds.service import start_round

    now = stage.clock.now()
    outcome = start_round(stage.deps, stage.team_id, now=now)
    if not outcome.created or outcome.round_id is None:
        raise DemoError(f"No round was created: {outcome.note or 'no reason given'}.")
    report = deliver_pending(stage.deps, until_idle=True)
    if report.failed:
        raise DemoError(f"{report.failed} messages could not be delivered: {report.errors}")
    result.eligible = outcome.eligible
    result.unmatched = outcome.unmatched
    console.print(
        f"Monday {now:%d %B %Y}, {now:%H:%M} UTC: round [bold]{outcome.period}[/] pairs "
        f"{outcome.eligible} people into [bold]{outcome.groups}[/] groups"
        + (f"; {outcome.unmatched} without a partner this time" if outcome.unmatched else "")
        + f". The outbox delivers {report.delivered} direct messages."
    )
    delivered = _delivered(stage, outcome.round_id, ["intro", "unmatched"])
    intros = [d for d in delivered if d.kind == "intro"]
    alone = [d for d in delivered if d.kind == "unmatched"]
    result.intros_delivered = len(intros)
    for intro in intros:
        result.group_sizes.append(len(intro.users))
        for uid in intro.users:
            result.partnered[uid] = tuple(u for u in intro.users if u != uid)
    for note in alone:
        for uid in note.users:
            result.reasons[uid] = render.plain(note.message, name_of).split("\n")[0]

    _step(console, 3, "The introductions, as each pair sees them in Slack")
    for intro in intros[:SHOWN_IN_FULL]:
        console.print(
            render.message_panel(
                intro.message,
                name_of,
                title="Group DM · " + ", ".join(name_of(u) for u in intro.users),
                subtitle="from SkillSwap",
            )
        )
    rest = intros[SHOWN_IN_FULL:]
    if rest:
        console.print(f"[dim]…and {len(rest)} more introductions:[/]")
        for intro in rest:
            console.print("  • " + _one_liner(intro, name_of))
    for note in alone:
        console.print(
            render.message_panel(
                note.message,
                name_of,
                title="DM · " + ", ".join(name_of(u) for u in note.users),
                subtitle="no partner this round",
            )
        )
    return outcome.round_id, intros


def _one_liner(intro: Delivered, name_of: render.NameOf) -> str:
    text = render.plain(intro.message, name_of).split("\n")
    lessons = [line.lstrip("• ").split(" — ")[0] for line in text if line.startswith("•")]
    who = " + ".join(name_of(u) for u in intro.users)
    return f"{who}: " + "; ".join(lessons)


# --------------------------------------------------------------------------- 3. clicks


def _current(stage: Stage, message: Mapping[str, Any]) -> dict[str, Any]:
    """The message as it is now (after chat.update)."""
    channel, ts = message.get("channel"), message.get("ts")
    for m in stage.sim.messages(str(channel)):
        if m.get("ts") == ts:
            return m
    return dict(message)


def intro_clicks(
    stage: Stage,
    console: Console,
    result: DemoResult,
    name_of: render.NameOf,
    intros: Sequence[Delivered],
    rng: random.Random,
) -> None:
    from bot.blocks.rounds import IntroAction

    shown = False
    for index, intro in enumerate(intros):
        if index == len(intros) - 1 and len(intros) > 3:
            action, verb = IntroAction.SKIP, "skipped"
        elif rng.random() < 0.6:
            action, verb = IntroAction.SCHEDULED, "scheduled"
        else:
            continue
        clicker = intro.users[rng.randrange(len(intro.users))]
        message = _current(stage, intro.message)
        label = button_labels(message).get(action.value, action.value)
        replies = stage.click(clicker, message, action.value)
        if verb == "scheduled":
            result.scheduled += 1
        else:
            result.skipped += 1
        if not shown or action is IntroAction.SKIP:
            shown = True
            console.print(
                Text.assemble(
                    (name_of(clicker), render.NAME_STYLE), " clicks ", (f"[{label}]", "bold")
                )
            )
            for reply in replies[-1:]:
                console.print(_reply_panel(reply, name_of, "only visible to them"))
            console.print(
                render.message_panel(
                    _current(stage, intro.message),
                    name_of,
                    title="The introduction, updated in place",
                )
            )
    console.print(
        f"{result.scheduled} pairs clicked [bold][We've scheduled it][/], "
        f"{result.skipped} skipped this round — no questions asked."
    )


# --------------------------------------------------------------------------- 4. check-ins


def checkins(
    stage: Stage,
    console: Console,
    result: DemoResult,
    name_of: render.NameOf,
    round_id: int,
    rng: random.Random,
) -> None:
    from bot.blocks.checkins import CheckinAction, FeedbackCallback
    from bot.delivery.worker import deliver_pending
    from bot.rounds.checkins import process_due

    with stage.deps.unit_of_work() as session:
        due = session.get_one(Round, round_id).checkins_due_at
    if due is None:
        raise DemoError("The round has no check-in time.")
    stage.set_time(due)
    process_due(stage.deps, due)
    deliver_pending(stage.deps, until_idle=True)
    asked = _delivered(stage, round_id, ["checkin"])
    result.checkins_delivered = len(asked)
    console.print(
        f"{due:%A %d %B}, {due:%H:%M} UTC: {len(asked)} check-ins go out "
        "(groups that skipped are not asked)."
    )
    shown_modal = False
    answers: dict[str, int] = {}
    for index, checkin in enumerate(asked):
        roll = rng.random()
        if roll < 0.72:
            action = CheckinAction.MET
        elif roll < 0.9:
            action = CheckinAction.NOT_YET
        else:
            action = CheckinAction.COULD_NOT
        clicker = checkin.users[rng.randrange(len(checkin.users))]
        message = _current(stage, checkin.message)
        if index == 0:
            console.print(
                render.message_panel(
                    message,
                    name_of,
                    title="Group DM · " + ", ".join(name_of(u) for u in checkin.users),
                    subtitle="from SkillSwap",
                )
            )
        label = button_labels(message).get(action.value, action.value)
        answers[label] = answers.get(label, 0) + 1
        before = len(stage.modals(FeedbackCallback.FEEDBACK.value))
        stage.click(clicker, message, action.value)
        if action is not CheckinAction.MET:
            continue
        result.met += 1
        modals = stage.modals(FeedbackCallback.FEEDBACK.value)
        if len(modals) <= before:
            raise DemoError("“We met” did not open the feedback form.")
        modal = modals[-1]
        rating = rng.choice((5, 5, 4, 4, 4, 3))
        learned, taught = FEEDBACK_NOTES[index % len(FEEDBACK_NOTES)]
        values = form_values(modal, _feedback_values(rating, learned, taught))
        answer = stage.submit(clicker, modal, values)
        if isinstance(answer, dict) and answer.get("response_action") == "errors":
            raise DemoError(f"The feedback form refused the answer: {answer.get('errors')}")
        result.feedback += 1
        if not shown_modal:
            shown_modal = True
            console.print(
                Text.assemble(
                    (name_of(clicker), render.NAME_STYLE),
                    " clicks ",
                    (f"[{label}]", "bold green"),
                    " and the feedback form opens; they fill it in and click ",
                    ("[Save]", "bold"),
                    ":",
                )
            )
            console.print(render.view(modal, name_of, values))
            console.print(
                render.message_panel(
                    _current(stage, checkin.message),
                    name_of,
                    title="The check-in, updated in place",
                )
            )
    summary = ", ".join(f"{n}x [{label}]" for label, n in answers.items())
    console.print(f"Answers: {summary}. {result.feedback} feedback forms saved.")


def _feedback_values(rating: int, learned: str, taught: str) -> dict[str, dict[str, Any]]:
    from bot.blocks.checkins import FIELD_ACTION, RATINGS, FeedbackField

    return {
        FeedbackField.RATING.value: {
            FIELD_ACTION: {
                "type": "static_select",
                "selected_option": {
                    "text": {"type": "plain_text", "text": RATINGS[rating]},
                    "value": str(rating),
                },
            }
        },
        FeedbackField.LEARNED.value: {FIELD_ACTION: {"type": "plain_text_input", "value": learned}},
        FeedbackField.TAUGHT.value: {FIELD_ACTION: {"type": "plain_text_input", "value": taught}},
        FeedbackField.AGAIN.value: {
            FIELD_ACTION: {
                "type": "radio_buttons",
                "selected_option": {"text": {"type": "plain_text", "text": "Yes"}, "value": "yes"},
            }
        },
    }


# --------------------------------------------------------------------------- 5. leaders


def leaders(
    stage: Stage,
    console: Console,
    result: DemoResult,
    name_of: render.NameOf,
    output: Path,
) -> None:
    from bot.insights.charts import ReportImages, network_alt_text, render_images, rounds_alt_text
    from bot.insights.delivery import NETWORK_FILENAME, ROUNDS_FILENAME
    from bot.insights.load import load_insights

    admin = name_of(ADMIN_ID)
    _said(console, admin, "/skillswap stats")
    stats = _one(stage.command(ADMIN_ID, "stats"), "/skillswap stats")
    result.stats_text = render.plain(stats, name_of)
    console.print(_reply_panel(stats, name_of, "only visible to them"))

    _said(console, admin, "/skillswap report   (admins only)")
    uploads_before = len(stage.sim.uploaded_files())
    messages_before = len(stage.sim.messages())
    for reply in stage.command(ADMIN_ID, "report")[-1:]:
        console.print(_reply_panel(reply, name_of, "only visible to them"))
    uploads = stage.sim.uploaded_files()[uploads_before:]
    by_name = {f.filename: f.content for f in uploads}
    for message in stage.sim.messages()[messages_before:]:
        text = render.plain(message, name_of).splitlines()
        shown = text if len(text) <= 3 else [*text[:2], f"… ({len(text) - 2} more lines)"]
        console.print(
            Panel(
                "\n".join(shown),
                title=f"DM · {admin}",
                title_align="left",
                subtitle="from SkillSwap",
                subtitle_align="right",
                border_style="blue",
                padding=(0, 1),
            )
        )

    with stage.deps.unit_of_work() as session:
        insights = load_insights(session=session, team_id=stage.team_id, now=stage.clock.now())
    if NETWORK_FILENAME in by_name and ROUNDS_FILENAME in by_name:
        images = ReportImages(
            network_png=by_name[NETWORK_FILENAME],
            rounds_png=by_name[ROUNDS_FILENAME],
            network_alt=network_alt_text(insights),
            rounds_alt=rounds_alt_text(insights),
        )
    else:  # the report DM did not carry them: draw them here (same functions)
        images = render_images(insights)
    result.network_png, result.rounds_png, result.report_html = write_report_files(
        output, insights, images
    )


# --------------------------------------------------------------------------- the whole demo


def run_demo(
    console: Console,
    *,
    output: Path = DEFAULT_OUTPUT,
    start: datetime | None = None,
    log_level: str = "WARNING",
) -> DemoResult:
    """Run the demo, printing to ``console``; raises :class:`DemoError` when it cannot finish."""
    began = time.monotonic()
    result = DemoResult()
    when = start or first_monday(datetime.now(UTC).date())
    people = company.colleagues()
    name_of = render.name_lookup(company.names_by_id(people))
    rng = random.Random(SEED)
    console.rule(f"[bold]SkillSwap demo · {company.COMPANY_NAME}", style="blue")
    console.print(
        "The real SkillSwap app — its Slack listeners, database, matching engine, rounds and "
        "reports — runs here against a built-in Slack simulator on a throw-away database. "
        "Nothing is sent to Slack."
    )
    with tempfile.TemporaryDirectory(prefix="skillswap-demo-", dir=scratch_dir()) as workdir:
        try:
            with Stage(
                Path(workdir),
                start=when - timedelta(minutes=30),
                team_id=company.TEAM_ID,
                team_name=company.COMPANY_NAME,
                admin_user_ids=(ADMIN_ID,),
                log_level=log_level,
            ) as stage:
                _step(console, 1, "Colleagues say what they can teach and want to learn")
                join(stage, console, result, name_of)
                _step(console, 2, "Monday: the round")
                stage.set_time(when)
                round_id, intros = run_round(stage, console, result, name_of)
                _step(console, 4, "The pairs answer")
                intro_clicks(stage, console, result, name_of, intros, rng)
                _step(console, 5, "Thursday: “Did you meet?”")
                checkins(stage, console, result, name_of, round_id, rng)
                _step(console, 6, "What the leaders see")
                leaders(stage, console, result, name_of, output)
        except StageError as exc:
            raise DemoError(str(exc)) from exc
    result.seconds = time.monotonic() - began
    if not _closing(console, result, name_of):
        raise DemoError("Some members who asked to learn got neither a partner nor a reason.")
    return result


def _closing(console: Console, result: DemoResult, name_of: render.NameOf) -> bool:
    """The closing lines; False when a learner got neither a partner nor a reason."""
    matched = sorted(u for u in result.learners if u in result.partnered)
    told = sorted(u for u in result.learners if u not in result.partnered and u in result.reasons)
    console.print()
    console.rule("[bold]Done", style="green")
    console.print(
        f"Everyone who asked to learn something ({len(result.learners)}) got a partner "
        f"({len(matched)}) or a reason ({len(told)})."
        if len(matched) + len(told) == len(result.learners)
        else f"[red]{len(result.learners) - len(matched) - len(told)} learners got neither "
        "a partner nor a reason.[/]"
    )
    for uid in told:
        console.print(f"  [dim]{name_of(uid)}: {result.reasons[uid]}[/]")
    paths = [p.resolve() if p else None for p in (result.network_png, result.rounds_png)]
    report = result.report_html.resolve() if result.report_html else None
    console.print(
        f"Network picture: [bold]{paths[0]}[/]\n"
        f"Rounds chart:    [bold]{paths[1]}[/]\n"
        f"Full report:     [bold]{report}[/] (open it in a browser)",
        soft_wrap=True,
    )
    console.print(
        f"Finished in {result.seconds:.1f} s. Next: [bold]skillswap simulate[/] shows twelve "
        "weeks at a 200-person company; docs/DEVELOPING.md and the README show how to connect "
        "your own Slack workspace."
    )
    return len(matched) + len(told) == len(result.learners)

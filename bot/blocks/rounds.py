"""Round messages: the pair introduction, the "no partner this time" DM, the round summary.

Pure functions of plain data, built with ``slack_sdk.models``; no database, no Slack calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from pydantic import AliasChoices, BaseModel, ConfigDict, Field
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.blocks.common import DB_ID_MAX, SECTION_TEXT_LIMIT
from bot.blocks.meetings import pick_button
from bot.kinds import Cadence, Direction, GroupKind, GroupState, Origin
from bot.matching.tz import meeting_slot, same_moment
from bot.slack.text import clip, isolate

INTRO_ACTIONS_BLOCK = "intro_actions"
OPEN_STATES = (GroupState.PENDING, GroupState.INTRODUCED, GroupState.SCHEDULED)
LEVEL_WORDS = {1: "beginner-friendly", 2: "intermediate", 3: "expert"}


class IntroAction(StrEnum):
    SCHEDULED = "intro_scheduled"
    SKIP = "intro_skip"
    NOT_A_FIT = "intro_not_a_fit"


class DeclineAction(StrEnum):
    UNDO = "intro_undo"  # in the ephemeral reply to Skip / Not a fit


class PairingAction(StrEnum):
    REMOVE = "home_do_not_pair_remove"  # Home tab: take someone off one's do-not-pair list


class EntryRef(BaseModel):
    """Button value naming a do-not-pair entry: ``{"entry": 7}`` (checked against the
    clicker)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    entry: int = Field(ge=1, le=DB_ID_MAX)  # a database id: anything else is forged


class GroupRef(BaseModel):
    """Button value naming a group: ``{"group": 42}`` (buttons posted before the field was
    renamed say ``{"g": 42}``, still read)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # A database id: anything else (a 400-digit number, say) is forged or garbled, and gets
    # the "didn't come through" answer rather than a database error.
    group: int = Field(validation_alias=AliasChoices("group", "g"), ge=1, le=DB_ID_MAX)


@dataclass(frozen=True)
class Person:
    user_id: str
    name: str | None  # display name, if known
    tz: str | None
    team: str | None

    @property
    def mention(self) -> str:
        return f"<@{self.user_id}>"

    @property
    def called(self) -> str:
        """The Slack display name as the person wrote it (all of it: "Fatima Zahra" is not
        "Fatima"), isolated when it is right-to-left; the mention when no name is known."""
        name = " ".join((self.name or "").split())
        if not name:
            return self.mention
        return isolate(name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


@dataclass(frozen=True)
class LessonLine:
    teacher: Person
    learner: Person
    skill: str
    detail: str | None  # the teacher's note, else the level word


@dataclass(frozen=True)
class IntroView:
    group_id: int
    kind: GroupKind
    people: tuple[Person, ...]
    lessons: tuple[LessonLine, ...]
    cadence: Cadence
    round_date: date
    new_connection: bool
    cross_team: bool
    state: GroupState = GroupState.PENDING
    actor: str | None = None  # who clicked last, for the status line
    # Discovery swaps: what each person (by user id) teaches, to pick one thing to show.
    shows: tuple[tuple[str, tuple[str, ...]], ...] = ()
    out: tuple[str, ...] = ()  # user ids of members who skipped or stepped out this round
    origin: Origin = Origin.ROUND  # a round's pairing, or an accepted request

    @property
    def carries_on(self) -> bool:
        """Someone stepped out and the others still have a lesson together."""
        return bool(self.out) and self.state in OPEN_STATES


def period_phrase(cadence: Cadence) -> str:
    return {
        Cadence.WEEKLY: "this week's",
        Cadence.BIWEEKLY: "this round's",
        Cadence.MONTHLY: "this month's",
    }[cadence]


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def level_detail(level: int, note: str | None) -> str | None:
    if note and note.strip():
        return clip(note.strip(), 60)
    return LEVEL_WORDS.get(level)


def lesson_lines(lessons: tuple[LessonLine, ...]) -> list[str]:
    """One line per teacher and skill: "• Ana can teach *Spanish* (expert) — Ben wants to
    learn it" (or "— Ben and Cal want to learn it")."""
    learners: dict[tuple[str, str], list[LessonLine]] = {}
    for lesson in lessons:
        learners.setdefault((lesson.teacher.user_id, lesson.skill), []).append(lesson)
    lines = []
    for same in learners.values():
        first = same[0]
        detail = f" ({first.detail})" if first.detail else ""
        who = _join([lesson.learner.called for lesson in same])
        wants = "wants" if len(same) == 1 else "want"
        teacher = first.teacher.called
        lines.append(f"• {teacher} can teach *{first.skill}*{detail} — {who} {wants} to learn it")
    return lines


def reason_line(view: IntroView) -> str:
    teams = list(dict.fromkeys(p.team for p in view.people if p.team))
    plural = len(view.people) > 2
    cross = view.cross_team and len(teams) > 1
    where = f"work in different teams ({', '.join(teams)})"
    if view.new_connection:
        start = (
            "None of you have been paired before" if plural else "You've never been paired before"
        )
        return f"{start} and {where}." if cross else f"{start}."
    again = "You've been paired before: a chance to go further."
    return f"{again} You {where}." if cross else again


def _circle_chain(view: IntroView) -> str:
    """ "Ana → Ben → Cal → Ana": each arrow points from a teacher to their learner, starting
    with the first person; member order when the lessons do not make a full circle."""
    learner_of = {lesson.teacher.user_id: lesson.learner for lesson in view.lessons}
    chain = [view.people[0]]
    while len(chain) <= len(view.people):
        following = learner_of.get(chain[-1].user_id)
        if following is None:
            break
        chain.append(following)
        if following.user_id == chain[0].user_id:
            break
    if len(chain) != len(view.people) + 1 or chain[-1].user_id != chain[0].user_id:
        chain = [*view.people, view.people[0]]
    return " → ".join(p.called for p in chain)


def discovery_lines(view: IntroView) -> list[str]:
    """A discovery swap: both teach lists, since no lesson fits this time."""
    by_id = {p.user_id: p for p in view.people}
    lines = ["Your skills don't line up this time, so this is a *discovery swap*:"]
    for user_id, skills in view.shows:
        person = by_id.get(user_id)
        if person is None:
            continue
        if skills:
            listed = _join([f"*{clip(s, 40)}*" for s in skills[:5]])
            lines.append(f"• {person.called} can show {listed}")
        else:
            lines.append(
                f"• {person.called} hasn't listed anything to teach yet — bring a favourite"
            )
    return lines


def session_idea(view: IntroView) -> str:
    lessons = view.lessons
    if view.kind is GroupKind.DISCOVERY:
        return (
            "First session idea: 30 minutes — each pick one thing from the other's list "
            "and show each other."
        )
    if view.kind is GroupKind.SWAP:
        return "First session idea: 30 minutes, 15 each way."
    if view.kind is GroupKind.CIRCLE:
        return f"First session idea: 30 minutes, 10 each, round the circle ({_circle_chain(view)})."
    if view.kind is GroupKind.ONE_WAY and lessons:
        first = lessons[0]
        return (
            f"First session idea: 30 minutes where {first.teacher.called} shows "
            f"{first.learner.called} one thing in *{first.skill}* they can try this week."
        )
    return "First session idea: 30 minutes together, one short lesson each."


WORK_START, WORK_END = 9, 17


def _outside_hours(moment: datetime, tz: str | None) -> float:
    """Hours a 30-minute session starting at ``moment`` lies outside 09:00-17:00 in ``tz``."""
    local = same_moment(moment, tz)
    hour = local.hour + local.minute / 60
    return max(0.0, WORK_START - hour, hour + 0.5 - WORK_END)


def meeting_moment(people: tuple[Person, ...], on: date) -> tuple[datetime, bool]:
    """A half-hour that suits everyone best on ``on`` (the first person's day), and whether it
    is inside everyone's working hours. For two people it is the start of their overlap."""
    first = people[0]
    if len(people) == 2:
        slot = meeting_slot(first.tz, people[1].tz, on)
        if slot is not None:
            return slot[0], True
    start = same_moment(datetime.combine(on, time(0), tzinfo=UTC), first.tz).replace(
        hour=0, minute=0
    )
    best: tuple[float, datetime] | None = None
    for step in range(48):
        moment = start + timedelta(minutes=30 * step)
        if _outside_hours(moment, first.tz):
            continue  # the first person's own working day
        cost = sum(_outside_hours(moment, p.tz) for p in people)
        if best is None or cost < best[0]:
            best = (cost, moment)
    assert best is not None
    return best[1], best[0] == 0


def times_line(people: tuple[Person, ...], on: date) -> str:
    """``"Ana's 10:00 is Ben's 09:00."`` at a time inside everyone's working hours if any."""
    if len(people) < 2:
        return ""
    zones = {p.tz or "UTC" for p in people}
    if len(zones) == 1:
        zone_name = next(iter(zones)).split("/")[-1].replace("_", " ")
        everyone = "both" if len(people) == 2 else "all"
        return f"You're {everyone} on {zone_name} time."
    moment, fits = meeting_moment(people, on)
    first, *rest = people
    prefix = "" if fits else "Your working days barely overlap: "
    others = [f"{p.called}'s {same_moment(moment, p.tz):%H:%M}" for p in rest]
    local = same_moment(moment, first.tz)
    fallback = f"{local:%a} {local.day} {local:%b}, {local:%H:%M} {first.tz or 'UTC'} time"
    yours = f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"
    return (
        f"{prefix}{first.called}'s {local:%H:%M} is {_join(others)}"
        f" ({yours} in your own time zone)."
    )


def intro_text(view: IntroView) -> str:
    mentions = _join([p.mention for p in view.people])
    noun = {
        GroupKind.SWAP: "you're {period} skill swap!",
        GroupKind.ONE_WAY: "you're paired for {period} lesson!",
        GroupKind.CIRCLE: "you're {period} skill circle!",
        GroupKind.TRIO: "you're {period} trio!",
        GroupKind.DISCOVERY: "you're {period} discovery swap!",
    }.get(view.kind, "you're paired for {period} round!")
    if view.origin is Origin.REQUEST:
        return f":wave: {mentions}, you said yes to a skill swap!"
    return f":wave: {mentions}, " + noun.format(period=period_phrase(view.cadence))


def status_line(view: IntroView) -> str | None:
    who = f"<@{view.actor}>" if view.actor else "Someone"
    out = _join([f"<@{u}>" for u in view.out])
    staying = _join([p.mention for p in view.people if p.user_id not in view.out])
    if view.carries_on:
        line = f"{out} can't make it this round; {staying}, your lessons still fit — carry on!"
        if view.state is GroupState.SCHEDULED and view.actor:
            line += f" :calendar: {who} marked this as scheduled."
        return line
    if view.state is GroupState.SCHEDULED:
        return f":calendar: {who} marked this as scheduled. Enjoy the swap!"
    if view.state is GroupState.SKIPPED:
        if len(view.people) > 2 and view.out:
            return (
                f"{out} can't make it this round, which leaves no lesson between "
                f"{staying}, so this one is off. No problem — you'll all be paired again "
                "next round."
            )
        skipper = out or who
        return f"{skipper} skipped this round. No problem — see you next round."
    if view.state is GroupState.NOT_A_FIT:
        return "This swap won't go ahead this round. You'll be paired again next round."
    if view.state is GroupState.MET:
        return ":tada: You met — thanks for sharing what you know."
    return None


def intro_blocks(view: IntroView) -> list[Block]:
    lines = [intro_text(view)]
    lessons = view.lessons
    if view.carries_on:  # only the lessons that still run
        lessons = tuple(
            lesson
            for lesson in lessons
            if lesson.teacher.user_id not in view.out and lesson.learner.user_id not in view.out
        )
    lines.extend(lesson_lines(lessons))
    if view.kind is GroupKind.DISCOVERY:
        lines.extend(discovery_lines(view))
    lines.append(reason_line(view))
    idea = session_idea(view)
    when = times_line(view.people, view.round_date)
    lines.append(f"{idea} {when}".strip())
    blocks: list[Block] = [
        SectionBlock(
            block_id="intro",
            text=MarkdownTextObject(text=clip("\n".join(lines), SECTION_TEXT_LIMIT)),
        )
    ]
    value = GroupRef(group=view.group_id).model_dump_json()
    if view.state in OPEN_STATES:
        buttons = []
        if view.state is not GroupState.SCHEDULED:
            buttons.append(
                ButtonElement(
                    text=PlainTextObject(text="We've scheduled it"),
                    action_id=IntroAction.SCHEDULED.value,
                    value=value,
                    style="primary",
                )
            )
        if len(view.people) > 1:
            buttons.append(pick_button(view.group_id))
        buttons.append(
            ButtonElement(
                text=PlainTextObject(text="Skip this round"),
                action_id=IntroAction.SKIP.value,
                value=value,
            )
        )
        buttons.append(
            ButtonElement(
                text=PlainTextObject(text="Not a fit"),
                action_id=IntroAction.NOT_A_FIT.value,
                value=value,
                confirm=ConfirmObject(
                    title="Not a fit?",
                    text=(
                        "Only you will know. The others see that this swap won't go ahead "
                        "this round, not who said so, and we won't pair you with them again "
                        "(you can change that in the Home tab)."
                    ),
                    confirm="Not a fit",
                    deny="Keep it",
                ),
            )
        )
        blocks.append(ActionsBlock(block_id=INTRO_ACTIONS_BLOCK, elements=buttons))
    status = status_line(view)
    if status:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=clip(status, 2000))]))
    return blocks


def decline_note_blocks(note: str, group_id: int, *, undo: bool) -> list[Block]:
    """The private reply to Skip / Not a fit, with Undo while it can still be undone."""
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=clip(note, SECTION_TEXT_LIMIT)))
    ]
    if undo:
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text=PlainTextObject(text="Undo"),
                        action_id=DeclineAction.UNDO.value,
                        value=GroupRef(group=group_id).model_dump_json(),
                    )
                ]
            )
        )
    return blocks


def do_not_pair_blocks(entries: Sequence[tuple[int, str]], total: int) -> list[Block]:
    """Home tab: the people a member asked not to be paired with, each removable. Nothing
    when the list is empty."""
    if not entries:
        return []
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text="*Not paired with you*\nOnly you see this list. Remove someone and they can "
                "be paired with you again from the next round."
            )
        )
    ]
    for entry_id, user_id in entries:
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(text=f"<@{user_id}>"),
                accessory=ButtonElement(
                    text=PlainTextObject(text="Remove"),
                    action_id=PairingAction.REMOVE.value,
                    value=EntryRef(entry=entry_id).model_dump_json(),
                ),
            )
        )
    if total > len(entries):
        blocks.append(
            ContextBlock(elements=[MarkdownTextObject(text=f"And {total - len(entries)} more.")])
        )
    return blocks


def intro_fallback(view: IntroView) -> str:
    """Notification text: who and what, no buttons."""
    skills = _join(sorted({lesson.skill for lesson in view.lessons}))
    text = intro_text(view).replace(":wave: ", "")
    return clip(f"{text} {skills}".strip() if skills else text, 3000)


@dataclass(frozen=True)
class WantedSkill:
    skill: str
    teachers: tuple[str, ...]  # user ids of people who teach it


@dataclass(frozen=True)
class SuggestedSkill:
    """A skill to add in one click: one colleagues want taught, or one colleagues teach."""

    skill_id: int
    name: str
    direction: Direction
    people: int  # how many colleagues want it taught (teach) or teach it (learn)


class SuggestAction(StrEnum):
    ADD = "unmatched_add_skill"  # one per section: "I can teach it" / "I'd like to learn it"


class SuggestValue(BaseModel):
    """Button value of a suggested skill: direction and skill id (checked on the server)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    direction: Direction
    skill: int


@dataclass(frozen=True)
class UnmatchedView:
    user_id: str
    why: str
    cadence: Cadence
    wanted: tuple[WantedSkill, ...] = ()
    suggestions: tuple[SuggestedSkill, ...] = ()


def unmatched_blocks(view: UnmatchedView) -> list[Block]:
    """ "No partner this time": the engine's reason, priority next round, who teaches what."""
    period = {Cadence.WEEKLY: "this week", Cadence.BIWEEKLY: "this round"}.get(
        view.cadence, "this month"
    )
    why = view.why.strip() or "You're first in line next round."
    lines = [f"Hi <@{view.user_id}> — no skill swap for you {period}, sorry. {why}"]
    known = [w for w in view.wanted if w.teachers]
    if known:
        lines.append("Meanwhile, these colleagues teach what you want to learn — say hi:")
        for wanted in known[:3]:
            people = _join([f"<@{u}>" for u in wanted.teachers[:3]])
            lines.append(f"• *{wanted.skill}*: {people}")
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=clip("\n".join(lines), SECTION_TEXT_LIMIT)))
    ]
    if view.suggestions:
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(text="One more skill makes a partner likelier. One click:")
                ]
            )
        )
    for skill in view.suggestions:
        if skill.direction is Direction.TEACH:
            wants = "colleague wants" if skill.people == 1 else "colleagues want"
            text, label = f"*{skill.name}*: {skill.people} {wants} to learn it", "I can teach it"
        else:
            teach = "colleague teaches" if skill.people == 1 else "colleagues teach"
            text, label = f"*{skill.name}*: {skill.people} {teach} it", "I'd like to learn it"
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(text=clip(text, SECTION_TEXT_LIMIT)),
                accessory=ButtonElement(
                    text=PlainTextObject(text=label),
                    action_id=SuggestAction.ADD.value,
                    value=SuggestValue(
                        direction=skill.direction, skill=skill.skill_id
                    ).model_dump_json(),
                ),
            )
        )
    return blocks


def unmatched_fallback(view: UnmatchedView) -> str:
    return "No skill swap for you this time — you have priority next round."


@dataclass(frozen=True)
class SummaryView:
    period: str
    swaps: int
    lessons: int
    circles: int
    trios: int
    paired: int
    waiting: int
    new_connections: int
    cross_team: int
    discovery: int = 0  # discovery swaps: new colleagues without a fitting lesson


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def summary_text(view: SummaryView) -> str:
    parts = [
        _count(n, one, many)
        for n, one, many in (
            (view.swaps, "swap", "swaps"),
            (view.lessons, "lesson", "lessons"),
            (view.circles, "circle", "circles"),
            (view.trios, "trio", "trios"),
            (view.discovery, "discovery swap", "discovery swaps"),
        )
        if n
    ]
    groups = _join(parts) or "no pairs"
    line = (
        f":handshake: This round of SkillSwap is out: {groups}, "
        f"{_count(view.paired, 'person', 'people')} paired"
    )
    if view.waiting:
        line += f", {view.waiting} first in line next time"
    line += "."
    if view.new_connections:
        line += f" {_count(view.new_connections, 'new connection', 'new connections')}"
        if view.cross_team:
            line += f", {view.cross_team} across teams"
        line += "."
    return line


def summary_blocks(view: SummaryView) -> list[Block]:
    return [
        SectionBlock(text=MarkdownTextObject(text=summary_text(view))),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="Want in? `/skillswap teach <skill>` and `/skillswap learn <skill>`."
                )
            ]
        ),
    ]


def dump(blocks: list[Block]) -> list[dict[str, object]]:
    """Blocks as JSON-ready dicts (validated by ``slack_sdk.models`` on the way)."""
    return [b.to_dict() for b in blocks]

"""Replies to the members' ``/skillswap`` subcommands. Pure: plain data in, blocks out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from enum import StrEnum

from pydantic import AliasChoices, BaseModel, Field, ValidationError
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.blocks.common import SECTION_TEXT_LIMIT
from bot.blocks.profile import ProfileAction
from bot.blocks.requests import ask_button
from bot.kinds import Direction, GroupKind, GroupState, MemberCadence, MemberStatus
from bot.members.dates import zone
from bot.members.names import LEVEL_LABELS
from bot.members.views import (
    DIRECTORY_SHOWN,
    MENTIONS_SHOWN,
    GroupView,
    NearMiss,
    Overview,
    PauseResult,
    ProfileView,
    SkillEntry,
    SkillPeople,
    SkillsAdded,
    SkillsDropped,
    WhoView,
)
from bot.slack.text import COMMAND, clip


class MemberAction(StrEnum):
    LEAVE_CONFIRM = "member_leave_confirm"
    LEAVE_CANCEL = "member_leave_cancel"
    SWITCH_SKILL = "member_switch_skill"


class SwitchValue(BaseModel):
    """Button value of "Use Spanish instead": the side, the near miss's skill id and the id of
    the skill meant (buttons posted before the fields were renamed say ``d``, ``f``, ``t``)."""

    direction: Direction = Field(validation_alias=AliasChoices("direction", "d"))
    from_id: int = Field(validation_alias=AliasChoices("from_id", "f"))
    to_id: int = Field(validation_alias=AliasChoices("to_id", "t"))

    @classmethod
    def load(cls, raw: str | None) -> SwitchValue | None:
        try:
            return cls.model_validate_json(raw or "")
        except ValidationError:
            return None


class LeaveValue(BaseModel):
    """Button value of the leave confirmation: who asked (only they may confirm); ``u`` on
    buttons posted before the field was renamed."""

    user: str = Field(validation_alias=AliasChoices("user", "u"))

    @classmethod
    def load(cls, raw: str | None) -> LeaveValue | None:
        try:
            return cls.model_validate_json(raw or "")
        except ValidationError:
            return None


# --------------------------------------------------------------------------- text helpers


def esc(text: str) -> str:
    """Escape what Slack's mrkdwn treats as markup (``<!channel>``, ``<@U1>``, links)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


def mentions(user_ids: Sequence[str], limit: int = MENTIONS_SHOWN, total: int = 0) -> str:
    """Up to ``limit`` mentions, then "and N more" (of ``total``, if more exist than given)."""
    shown = [mention(u) for u in user_ids[:limit]]
    more = max(total, len(user_ids)) - len(shown)
    if more > 0:
        return ", ".join(shown) + f" and {more} more"
    if len(shown) > 1:
        return ", ".join(shown[:-1]) + " and " + shown[-1]
    return shown[0] if shown else ""


def quoted(labels: Sequence[str]) -> str:
    items = [f"*{esc(label)}*" for label in labels]
    if len(items) > 1:
        return ", ".join(items[:-1]) + " and " + items[-1]
    return items[0] if items else ""


def slack_date(moment: datetime, tz: str, *, with_time: bool = True) -> str:
    """A date Slack shows in the reader's own time zone (fallback: ``tz``)."""
    local = moment.astimezone(zone(tz))
    fallback = f"{local:%A} {local.day} {local:%B}" + (
        f", {local:%H:%M} ({tz})" if with_time else ""
    )
    token = "{date_long_pretty} at {time}" if with_time else "{date_long_pretty}"
    return f"<!date^{int(moment.astimezone(UTC).timestamp())}^{token}|{fallback}>"


def day_text(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=clip(text, SECTION_TEXT_LIMIT)))


def _context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=clip(text, SECTION_TEXT_LIMIT))])


def _button(text: str, action_id: str, value: str = "", style: str | None = None) -> ButtonElement:
    return ButtonElement(
        text=PlainTextObject(text=clip(text, 75), emoji=True),
        action_id=action_id,
        value=value or None,
        style=style,
    )


def edit_profile_button(text: str = "Edit profile") -> ButtonElement:
    return _button(text, ProfileAction.OPEN, "open")


# --------------------------------------------------------------------------- profile


def skill_list(entries: Sequence[SkillEntry], *, levels: bool) -> str:
    if not entries:
        return "_nothing yet_"
    parts = [
        f"{esc(e.label)} ({LEVEL_LABELS[e.level]})" if levels else esc(e.label) for e in entries
    ]
    return ", ".join(parts)


RHYTHM_WORDS: dict[MemberCadence, str] = {
    MemberCadence.EVERY_ROUND: "every round",
    MemberCadence.EVERY_OTHER: "every other round",
    MemberCadence.MONTHLY: "about one round a month",
}


def status_text(profile: ProfileView) -> str:
    """Where the member stands, in a sentence: "You're taking part in every round."."""
    if profile.status == MemberStatus.PAUSED:
        if profile.paused_until is None:
            return f"You're paused until you resume (`{COMMAND} resume`)."
        return f"You're paused, back on {day_text(profile.paused_until)}."
    return f"You're taking part in {RHYTHM_WORDS[profile.cadence]}."


def profile_text(profile: ProfileView) -> str:
    lines = [
        f"*You can teach:* {skill_list(profile.teach, levels=True)}",
        f"*You'd like to learn:* {skill_list(profile.learn, levels=False)}",
    ]
    if profile.team:
        lines.append(f"*Team:* {esc(profile.team)}")
    lines.append(f"*Working hours:* {profile.hours}, your time")
    lines.append(status_text(profile))
    return "\n".join(lines)


def waiting_text(view: Overview) -> str:
    """No partner in the latest round: what happens next, not just what is missing."""
    profile = view.profile
    when = (
        f"the next round, {slack_date(view.next_round, view.tz)}"
        if view.next_round is not None
        else "the next round"
    )
    if profile is None or profile.is_empty:
        return f"Add a skill and you're in for {when}."
    if profile.status == MemberStatus.PAUSED:
        return "You're on a break, so rounds go ahead without you until you resume."
    return f"No partner right now: you're in for {when}."


def profile_blocks(profile: ProfileView) -> list[Block]:
    blocks: list[Block] = [_section(profile_text(profile))]
    if profile.is_empty:
        blocks.append(
            _context(
                "Your profile is empty, so you won't be paired until you add a skill: "
                f"`{COMMAND} teach <skill>` or `{COMMAND} learn <skill>`."
            )
        )
    blocks.append(ActionsBlock(elements=[edit_profile_button()]))
    return blocks


# --------------------------------------------------------------------------- teach / learn


def _people_line(people: SkillPeople) -> str:
    label = f"*{esc(people.label)}*"
    if people.direction == Direction.TEACH:
        first, first_text, first_total = people.learners, "want to learn it", people.learners_total
        second, second_text = people.teachers, "also teach it"
        second_total = people.teachers_total
    else:
        first, first_text, first_total = people.teachers, "can teach it", people.teachers_total
        second, second_text = people.learners, "also want to learn it"
        second_total = people.learners_total
    parts = []
    if first:
        parts.append(f"{mentions(first, total=first_total)} {first_text}")
    if second:
        parts.append(f"{mentions(second, total=second_total)} {second_text}")
    if not parts:
        nobody = (
            "nobody wants to learn it yet; you'll be first in line when someone does"
            if people.direction == Direction.TEACH
            else "nobody teaches it yet; ask around, it might be a great first swap"
        )
        parts.append(nobody)
    return f"• {label}: " + "; ".join(parts)


def _near_miss_block(miss: NearMiss) -> SectionBlock:
    value = SwitchValue(
        direction=miss.direction, from_id=miss.skill_id, to_id=miss.suggestion_id
    ).model_dump_json()
    return SectionBlock(
        text=MarkdownTextObject(
            text=clip(
                f"You wrote *{esc(miss.label)}*. Did you mean *{esc(miss.suggestion)}*, "
                "which colleagues already list?",
                SECTION_TEXT_LIMIT,
            )
        ),
        accessory=_button(f"Use {miss.suggestion}", MemberAction.SWITCH_SKILL, value),
    )


def skills_added(result: SkillsAdded) -> list[Block]:
    side = "can teach" if result.direction == Direction.TEACH else "would like to learn"
    lines: list[str] = []
    if result.joined:
        lines.append(":wave: Welcome to SkillSwap! You'll be paired from the next round.")
    if result.added:
        lines.append(f"Added {quoted(result.added)} to what you {side}.")
    if result.already:
        lines.append(f"You already list {quoted(result.already)}.")
    blocks: list[Block] = [_section("\n".join(lines))]
    if result.people:
        blocks.append(_section("\n".join(_people_line(p) for p in result.people)))
    blocks += [_near_miss_block(m) for m in result.near_misses]
    blocks.append(DividerBlock())
    blocks += profile_blocks(result.profile)
    if result.direction == Direction.TEACH and not result.levels_given:
        blocks.append(
            _context(
                "Tip: add a level, like `/skillswap teach Spanish (expert)`, or set levels in "
                f"`{COMMAND} profile`."
            )
        )
    return blocks


def skills_added_text(result: SkillsAdded) -> str:
    if result.added:
        return "Added " + esc(", ".join(result.added)) + "."
    return "No change: you already list " + esc(", ".join(result.already)) + "."


def switched(profile: ProfileView, suggestion: str) -> list[Block]:
    return [
        _section(f"Done: you now list *{esc(suggestion)}*."),
        DividerBlock(),
        *profile_blocks(profile),
    ]


def skills_dropped(result: SkillsDropped) -> list[Block]:
    lines = [f"Removed {quoted(result.dropped)} from your profile."]
    if result.missing:
        lines.append(f"You didn't list {quoted(result.missing)}.")
    return [_section("\n".join(lines)), DividerBlock(), *profile_blocks(result.profile)]


# --------------------------------------------------------------------------- me


def _lesson_lines(group: GroupView, me: str) -> list[str]:
    lines = []
    for lesson in group.lessons:
        if lesson.teacher == me:
            lines.append(f"you teach {mention(lesson.learner)} *{esc(lesson.skill)}*")
        elif lesson.learner == me:
            lines.append(f"{mention(lesson.teacher)} teaches you *{esc(lesson.skill)}*")
        else:
            lines.append(
                f"{mention(lesson.teacher)} teaches {mention(lesson.learner)} *{esc(lesson.skill)}*"
            )
    return lines


_STATE_TEXT: dict[GroupState, str] = {
    GroupState.PENDING: "intro on its way",
    GroupState.INTRODUCED: "introduced",
    GroupState.SCHEDULED: "scheduled",
    GroupState.SKIPPED: "skipped",
    GroupState.NOT_A_FIT: "not a fit",
    GroupState.MET: "met :white_check_mark:",
    GroupState.NOT_MET: "didn't meet",
    GroupState.FAILED: "intro couldn't be delivered",
}


def current_text(group: GroupView, me: str) -> str:
    who = mentions(group.partners) or "nobody"
    kind = "circle" if group.kind == GroupKind.CIRCLE else "swap"
    lines = [f"*This round ({day_text(group.round_date)}):* your {kind} with {who}."]
    lines += [f"• {line}" for line in _lesson_lines(group, me)]
    if group.state in (GroupState.PENDING, GroupState.INTRODUCED):
        lines.append(
            f"Say hi to {who} and book 30 minutes: 15 minutes each way is plenty for a start."
        )
    else:
        lines.append(f"Status: {_STATE_TEXT[group.state]}.")
    if group.time_hint:
        lines.append(group.time_hint)
    return "\n".join(lines)


def history_line(group: GroupView, me: str) -> str:
    what = "; ".join(_lesson_lines(group, me)) or "a swap"
    who = mentions(group.partners) or "a former member"
    return f"• {day_text(group.round_date)}, with {who}: {what} ({_STATE_TEXT[group.state]})"


def times(count: int) -> str:
    """ "once", "twice", "4 times"."""
    return {1: "once", 2: "twice"}.get(count, f"{count} times")


def balance_text(taught: int, learned: int) -> str:
    """Lessons given and received in swaps that happened, in words (the Home tab)."""
    if taught and learned:
        return f"You've taught {times(taught)} and learned {times(learned)}."
    if taught:
        return f"You've taught {times(taught)} and not learned yet: your turn will come."
    if learned:
        return f"You've learned {times(learned)} and not taught yet: your turn will come."
    return "No lessons counted yet: once you meet, what you teach and learn adds up here."


def next_round_text(view: Overview) -> str:
    if view.next_round is None:
        return "Rounds are switched off in this workspace for now."
    return f"*Next round:* {slack_date(view.next_round, view.tz)}"


def me_blocks(view: Overview) -> list[Block]:
    if view.profile is None:
        return [
            _section(
                "You're not in SkillSwap yet. It takes ten seconds: "
                f"`{COMMAND} teach <something you know>` and "
                f"`{COMMAND} learn <something you'd like to learn>`."
            ),
            _context(next_round_text(view)),
            ActionsBlock(elements=[edit_profile_button("Set up my profile")]),
        ]
    blocks: list[Block] = [_section(profile_text(view.profile))]
    round_lines = [next_round_text(view)]
    if view.current is not None:
        round_lines.insert(0, current_text(view.current, view.user_id))
    else:
        round_lines = [waiting_text(view)]
    blocks.append(_section("\n".join(round_lines)))
    if view.profile.is_empty:
        blocks.append(
            _context(
                "Your profile is empty, so you won't be paired until you add a skill: "
                f"`{COMMAND} teach <skill>` or `{COMMAND} learn <skill>`."
            )
        )
    blocks.append(ActionsBlock(elements=[edit_profile_button()]))
    return blocks


def me_text(view: Overview) -> str:
    return "Your SkillSwap profile" if view.profile else "You're not in SkillSwap yet."


# --------------------------------------------------------------------------- who


#: Teachers in a ``who`` reply that get an *Ask for a swap* button of their own.
ASK_SHOWN = 5


def who_blocks(view: WhoView, viewer: str = "") -> list[Block]:
    if not view.query:
        if not view.popular:
            return [
                _section(
                    "Nobody has listed a skill yet. Be the first: "
                    f"`{COMMAND} teach <skill>`. Then try `{COMMAND} who <skill>`."
                )
            ]
        lines = [
            f"• *{esc(name)}*: {teach} can teach, {learn} want to learn"
            for name, teach, learn in view.popular
        ]
        return [
            _section("*Most listed skills here*\n" + "\n".join(lines)),
            _context(f"Ask about one: `{COMMAND} who Spanish`."),
        ]
    if view.skill is None:
        text = f"Nobody lists *{esc(view.query)}* yet."
        if view.suggestion:
            guess = esc(view.suggestion)
            text += f" Did you mean *{guess}*? Try `{COMMAND} who {guess}`."
        else:
            text += (
                f" Be the first: `{COMMAND} teach {esc(view.query)}` or "
                f"`{COMMAND} learn {esc(view.query)}`."
            )
        return [_section(text)]
    teachers = (
        ", ".join(
            f"{mention(u)} ({LEVEL_LABELS[level]})" for u, level in view.teachers[:DIRECTORY_SHOWN]
        )
        + (
            f" and {more} more"
            if (more := max(view.teachers_total, len(view.teachers)) - DIRECTORY_SHOWN) > 0
            else ""
        )
        if view.teachers
        else "nobody yet"
    )
    learners = (
        mentions(view.learners, DIRECTORY_SHOWN, total=view.learners_total)
        if view.learners
        else "nobody yet"
    )
    blocks: list[Block] = [
        _section(f"*{esc(view.skill)}*\n*Can teach it:* {teachers}\n*Want to learn it:* {learners}")
    ]
    if view.skill_id is not None:
        askable = [u for u, _ in view.teachers if u != viewer][:ASK_SHOWN]
        blocks += [
            SectionBlock(
                text=MarkdownTextObject(text=f"{mention(u)} teaches *{esc(view.skill)}*"),
                accessory=ask_button(u, view.skill_id),
            )
            for u in askable
        ]
    blocks.append(
        _context("Pairs are made each round; or ask someone above for a swap of your own.")
    )
    return blocks


def who_text(view: WhoView) -> str:
    return f"Who knows {esc(view.skill or view.query)}" if view.query else "Skills in SkillSwap"


def dropped_text(result: SkillsDropped) -> str:
    return "Removed " + esc(", ".join(result.dropped)) + "."


# --------------------------------------------------------------------------- pause / resume


def paused_text(result: PauseResult) -> str:
    if result.paused_until is None:
        return (
            "Paused. Take all the time you need: you won't be paired until you come back with "
            f"`{COMMAND} resume`."
        )
    return (
        f"Paused. You'll be back in the pool from {day_text(result.paused_until)}; "
        f"`{COMMAND} resume` brings you back sooner."
    )


def resumed_text(result: PauseResult, tz: str) -> str:
    when = (
        f" The next round starts {slack_date(result.next_round, tz)}." if result.next_round else ""
    )
    return f"Welcome back! You're in the pool again.{when}"


# --------------------------------------------------------------------------- leave


def leave_confirm_blocks(user_id: str) -> list[Block]:
    value = LeaveValue(user=user_id).model_dump_json()
    return [
        _section(
            "Leave SkillSwap? This deletes your profile, your skills, your swap history and "
            "your feedback. Past rounds keep only anonymous counts. You can join again any "
            "time."
        ),
        ActionsBlock(
            elements=[
                _button("Yes, delete my data", MemberAction.LEAVE_CONFIRM, value, style="danger"),
                _button("Cancel", MemberAction.LEAVE_CANCEL, value),
            ]
        ),
    ]


def left_text(was_member: bool) -> str:
    if not was_member:
        return "You weren't in SkillSwap, so there was nothing of yours to delete."
    return (
        "Done: you've left SkillSwap and everything about you is deleted. Thanks for the "
        f"swaps! Come back any time with `{COMMAND} teach <skill>`."
    )


def leave_cancelled_text() -> str:
    return "No change: you're still in SkillSwap."


# --------------------------------------------------------------------------- welcome


def welcome_text(user_id: str) -> str:
    return (
        f":wave: Welcome, {mention(user_id)}! I'm SkillSwap: each round I pair two colleagues "
        "to show each other something they know. Work skills or not: SQL, Spanish, guitar."
    )


def welcome_blocks(user_id: str) -> list[Block]:
    return [
        _section(welcome_text(user_id)),
        _section(
            "Want in? It takes ten seconds: click *Join SkillSwap* and add one thing you could "
            f"teach or would like to learn. Or type `{COMMAND} teach <skill>` anywhere. No "
            "pressure: nothing happens unless you join, and you can pause or leave any time."
        ),
        ActionsBlock(elements=[edit_profile_button("Join SkillSwap")]),
    ]


def saved_blocks(
    profile: ProfileView, near_misses: Sequence[NearMiss], *, joined: bool = False
) -> list[Block]:
    """Confirmation after the profile modal is saved (with the welcome if they just joined)."""
    first = (
        ":wave: Welcome to SkillSwap! You'll be paired from the next round."
        if joined
        else ":white_check_mark: Your SkillSwap profile is saved."
    )
    return [
        _section(first),
        *[_near_miss_block(m) for m in near_misses],
        DividerBlock(),
        *profile_blocks(profile),
    ]

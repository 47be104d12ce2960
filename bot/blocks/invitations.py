"""Invitations: the admin's *Invite people* modal, the channel card, the DM, the summary,
the adoption numbers and the gentle nudges (pure builders)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ValidationError
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ContextBlock,
    ConversationMultiSelectElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.blocks.common import SECTION_TEXT_LIMIT
from bot.blocks.profile import ProfileAction
from bot.invitations.people import InviteSummary
from bot.kinds import Direction
from bot.slack.text import COMMAND, clip

#: The most channels one run invites (a multi-select's practical size; each is paged).
MAX_CHANNELS = 10


class InviteAction(StrEnum):
    JOIN = "invite_join"  # *Join SkillSwap* on a card, an invitation DM or the Home tab
    OPEN = "invite_open"  # *Invite people* in the admin settings modal
    NUDGES_OFF = "nudges_off"  # *Don't remind me* on a nudge


class InviteCallback(StrEnum):
    MODAL = "invite_people"


class InviteField(StrEnum):
    CHANNELS = "invite_channels"
    DM = "invite_dm"


FIELD_ACTION = "value"
DM_OPTION = "dm"


class JoinValue(BaseModel):
    """The *Join SkillSwap* button's value: the channel whose card it is on, if any."""

    channel: str | None = None

    def dump(self) -> str:
        return self.model_dump_json(exclude_none=True)

    @classmethod
    def load(cls, raw: str | None) -> JoinValue:
        try:
            return cls.model_validate_json(raw or "{}")
        except ValidationError:
            return cls()


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=clip(text, SECTION_TEXT_LIMIT)))


def _context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=clip(text, 3000))])


def join_button(channel_id: str | None = None) -> ButtonElement:
    return ButtonElement(
        text=PlainTextObject(text="Join SkillSwap", emoji=True),
        action_id=InviteAction.JOIN.value,
        value=JoinValue(channel=channel_id).dump(),
        style="primary",
    )


def invite_people_button() -> ButtonElement:
    return ButtonElement(
        text=PlainTextObject(text="Invite people", emoji=True),
        action_id=InviteAction.OPEN.value,
        value="open",
    )


WHAT_IT_IS = (
    "*SkillSwap* pairs two colleagues each round to show each other something they know: "
    "SQL, Spanish, guitar, anything.\nThirty minutes, one click to join, pause or leave any time."
)


def card_blocks(channel_id: str, example: tuple[str, str] | None) -> list[Block]:
    """The invitation card posted in a channel."""
    blocks: list[Block] = [_section(":wave: " + WHAT_IT_IS)]
    if example is not None:
        blocks.append(
            _context(
                f"Lately here: one colleague showed *{example[0]}* and learned *{example[1]}* "
                "in return."
            )
        )
    blocks.append(ActionsBlock(elements=[join_button(channel_id)]))
    return blocks


def card_text() -> str:
    return "SkillSwap: swap skills with a colleague each round. Join with one click."


def invitation_blocks(channel_id: str | None) -> list[Block]:
    """The invitation DM (the same words for everyone: it names nobody)."""
    return [
        _section(":wave: Hi! " + WHAT_IT_IS),
        _section("Want in? Click below, add one thing you could teach or want to learn. Done."),
        ActionsBlock(elements=[join_button(channel_id)]),
        _context("This is the only invitation you'll get. Nothing happens unless you join."),
    ]


def invitation_text() -> str:
    return "You're invited to SkillSwap: swap skills with a colleague each round."


def invite_modal(*, dm_default: bool = False) -> View:
    option = Option(
        value=DM_OPTION,
        text=PlainTextObject(text="Also DM each person an invitation"),
        description=PlainTextObject(
            text="Once per person. Bots, guests, members and people who left are skipped."
        ),
    )
    return View(
        type="modal",
        callback_id=InviteCallback.MODAL.value,
        title=PlainTextObject(text="Invite people"),
        submit=PlainTextObject(text="Invite"),
        close=PlainTextObject(text="Cancel"),
        blocks=[
            _section(
                "SkillSwap posts an invitation card with a *Join SkillSwap* button in each "
                "channel you pick. Add @SkillSwap to private channels first."
            ),
            InputBlock(
                block_id=InviteField.CHANNELS.value,
                label=PlainTextObject(text="Channels"),
                element=ConversationMultiSelectElement(
                    action_id=FIELD_ACTION,
                    max_selected_items=MAX_CHANNELS,
                    filter={"include": ["public", "private"], "exclude_bot_users": True},
                    placeholder=PlainTextObject(text="Pick channels"),
                ),
            ),
            InputBlock(
                block_id=InviteField.DM.value,
                label=PlainTextObject(text="Invitation DMs"),
                optional=True,
                element=CheckboxesElement(
                    action_id=FIELD_ACTION,
                    options=[option],
                    initial_options=[option] if dm_default else None,
                ),
            ),
        ],
    )


def started_modal(channels: int, dm: bool) -> View:
    what = "cards and invitation DMs" if dm else "cards"
    return View(
        type="modal",
        title=PlainTextObject(text="Invite people"),
        close=PlainTextObject(text="Done"),
        blocks=[
            _section(
                f":white_check_mark: On it: {what} for {channels} channel"
                f"{'s' if channels != 1 else ''}. DMs go out at Slack's pace; I'll DM you a "
                "summary when the list is done."
            )
        ],
    )


def summary_lines(summary: InviteSummary) -> list[str]:
    lines: list[str] = []
    cards = ", ".join(f"<#{c.channel_id}>" for c in summary.accepted)
    if cards:
        lines.append(f"Invitation card posted in {cards}.")
    if summary.dm:
        people = "person" if summary.invited == 1 else "people"
        lines.append(f"*Invited:* {summary.invited} {people}")
        lines.append(f"*Already members:* {summary.already_members}")
        if summary.skipped:
            parts = ", ".join(f"{n} {reason.value}" for reason, n in summary.skipped.most_common())
            lines.append(f"*Skipped:* {parts}")
        if summary.failed:
            parts = ", ".join(f"{n} `{error}`" for error, n in summary.failed.most_common())
            lines.append(f"*Failed:* {parts}")
    for refused in summary.refused:
        lines.append(":warning: " + refused.message)
    return lines


def summary_blocks(summary: InviteSummary) -> list[Block]:
    blocks: list[Block] = [
        _section("*SkillSwap invitations*\n" + "\n".join(summary_lines(summary)))
    ]
    if summary.dm and summary.invited:
        blocks.append(
            _context(
                "Invitation DMs go out at about 50 a minute (Slack's pace); each person gets one."
                f" `{COMMAND} stats` shows who joined."
            )
        )
    return blocks


def summary_text(summary: InviteSummary) -> str:
    if summary.dm:
        return f"SkillSwap invitations: {summary.invited} invited."
    return "SkillSwap invitations: cards posted."


def refused_text(summary: InviteSummary) -> str:
    return "\n".join(c.message for c in summary.refused)


def adoption_lines(
    sent: int, joined: int, channels: Sequence[tuple[str, int, int]], failed: dict[str, int]
) -> list[str]:
    """Adoption for ``/skillswap stats`` and the Home tab (counts only)."""
    if not sent and not joined:
        return ["*Adoption:* no invitations yet. Admins: `/skillswap admin` → *Invite people*."]
    rate = f" ({joined * 100 // sent}%)" if sent else ""
    lines = [f"*Adoption:* {sent} invitations sent, {joined} joined from an invitation{rate}."]
    for channel, invited, came in channels[:10]:
        share = f"{came * 100 // invited}%" if invited else "card only"
        lines.append(f"• <#{channel}>: {invited} invited, {came} joined ({share})")
    if failed:
        lines.append("Not delivered: " + ", ".join(f"{n} `{e}`" for e, n in failed.items()))
    return lines


# --------------------------------------------------------------------------- nudges


def _nudge_actions(open_label: str = "Add a skill") -> ActionsBlock:
    return ActionsBlock(
        elements=[
            ButtonElement(
                text=PlainTextObject(text=open_label, emoji=True),
                action_id=ProfileAction.OPEN.value,
                value="open",
                style="primary",
            ),
            ButtonElement(
                text=PlainTextObject(text="Don't remind me", emoji=True),
                action_id=InviteAction.NUDGES_OFF.value,
                value="off",
            ),
        ]
    )


def one_sided_text(missing: Direction) -> str:
    if missing == Direction.LEARN:
        return "You teach on SkillSwap; is there something you'd like to learn too?"
    return "You're learning on SkillSwap; is there something you could show a colleague?"


def one_sided_blocks(missing: Direction, suggestions: Sequence[str]) -> list[Block]:
    lines = [one_sided_text(missing) + " Two-way swaps find a partner more often."]
    if suggestions:
        names = ", ".join(f"*{s}*" for s in suggestions)
        lines.append(
            f"Colleagues here offer {names}."
            if missing == Direction.LEARN
            else f"Colleagues here want to learn {names}."
        )
    return [_section("\n".join(lines)), _nudge_actions()]


@dataclass(frozen=True)
class GrowView:
    """Profiles that grow: a member who has met most colleagues their skills fit with, and
    what they could add, each ``(direction to add, skill name, how many colleagues)``."""

    user_id: str
    suggestions: tuple[tuple[Direction, str, int], ...]


def _colleagues(count: int, verb_one: str, verb_many: str) -> str:
    return f"{count} colleague {verb_one}" if count == 1 else f"{count} colleagues {verb_many}"


def grow_text(view: GrowView) -> str:
    return "You've met most of the colleagues your skills fit with: a new skill opens new ones."


def grow_blocks(view: GrowView) -> list[Block]:
    lines = [
        f":seedling: Hi <@{view.user_id}>, you've already met most of the colleagues here "
        "whose skills fit yours. Lovely! To keep meeting new people, you could add a skill "
        "or two:"
    ]
    for direction, name, count in view.suggestions:
        skill = clip(name, 80).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if direction == Direction.TEACH:
            who = _colleagues(count, "wants to learn", "want to learn")
            lines.append(f"\u2022 {who} *{skill}* \u2014 can you teach it?")
        else:
            who = _colleagues(count, "teaches", "teach")
            lines.append(f"\u2022 {who} *{skill}* \u2014 fancy learning it?")
    return [_section("\n".join(lines)), _nudge_actions("Open my profile")]


def break_ends_text() -> str:
    return "Your SkillSwap break ends tomorrow."


def break_ends_blocks(back: date) -> list[Block]:
    return [
        _section(
            f"Your SkillSwap break ends tomorrow ({back:%A} {back.day} {back:%B}): you'll be in "
            "the next round. Need longer? Change the date in your profile."
        ),
        _nudge_actions(),
    ]

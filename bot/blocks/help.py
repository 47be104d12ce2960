"""``/skillswap help``: four lines and two buttons. Pure: plain data in, blocks out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.blocks.common import SECTION_TEXT_LIMIT
from bot.blocks.profile import ProfileAction
from bot.slack.text import COMMAND, clip


class HelpAction(StrEnum):
    OPEN_HOME = "help_open_home"  # a link button to the app's Home tab (Slack still sends it)


@dataclass(frozen=True)
class HelpCommand:
    name: str
    usage: str
    summary: str


@dataclass(frozen=True)
class HelpView:
    join: tuple[HelpCommand, ...]  # the commands that join (teach, learn)
    more: tuple[HelpCommand, ...]  # everyone's other commands
    admin: tuple[HelpCommand, ...] = ()  # shown to admins only
    home_url: str | None = None  # slack://app?team=…&id=…&tab=home, when the app id is known


def _names(commands: Sequence[HelpCommand]) -> str:
    return " · ".join(f"`{c.name}`" for c in commands)


def help_lines(view: HelpView) -> list[str]:
    # "teach <skill>[, <skill>…]" reads as "teach <skill>" here; `help teach` says the rest.
    join = " and ".join(f"`{COMMAND} {c.usage.split('[')[0].strip()}`" for c in view.join)
    last = (
        f"*Admins:* {_names(view.admin)}."
        if view.admin
        else "Nothing happens unless you join, and you can pause or leave any time."
    )
    return [
        ":wave: *SkillSwap* pairs you with a colleague each round to show each other something "
        "you know: work skills or not (Spanish, SQL, guitar…).",
        f"*Join:* {join}, or set up your profile below.",
        f"*More:* {_names(view.more)}. `{COMMAND} help <command>` explains one.",
        last,
    ]


def help_blocks(view: HelpView) -> list[Block]:
    buttons = [
        ButtonElement(
            text=PlainTextObject(text="Set up my profile"),
            action_id=ProfileAction.OPEN.value,
            value="open",
            style="primary",
        )
    ]
    if view.home_url:
        buttons.append(
            ButtonElement(
                text=PlainTextObject(text="Open Home"),
                action_id=HelpAction.OPEN_HOME.value,
                url=view.home_url,
            )
        )
    text = "\n".join(help_lines(view))
    return [
        SectionBlock(text=MarkdownTextObject(text=clip(text, SECTION_TEXT_LIMIT))),
        ActionsBlock(elements=buttons),
    ]


def command_help_text(command: HelpCommand) -> str:
    return f"`{COMMAND} {command.usage}`: {command.summary}."

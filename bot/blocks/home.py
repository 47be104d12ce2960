"""The App Home tab: your profile, this round's partner, your swap history, quick actions."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    Option,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.blocks.common import SECTION_TEXT_LIMIT
from bot.blocks.members import (
    balance_text,
    current_text,
    edit_profile_button,
    history_line,
    mention,
    next_round_text,
    profile_text,
    waiting_text,
)
from bot.kinds import MemberStatus
from bot.members.views import Overview
from bot.slack.text import COMMAND, clip

MAX_HOME_BLOCKS = 100


class HomeAction(StrEnum):
    PAUSE = "home_pause"  # static select: how long
    RESUME = "home_resume"


# Value of each "Pause…" option: the argument of ``/skillswap pause``.
PAUSE_CHOICES: dict[str, str] = {
    "1 week": "1 week",
    "2 weeks": "2 weeks",
    "4 weeks": "4 weeks",
    "until": "Until I resume",
}


def _plain(text: str) -> PlainTextObject:
    return PlainTextObject(text=text, emoji=True)


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=clip(text, SECTION_TEXT_LIMIT)))


def _context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=clip(text, SECTION_TEXT_LIMIT))])


def pause_menu() -> StaticSelectElement:
    return StaticSelectElement(
        action_id=HomeAction.PAUSE,
        placeholder=_plain("Take a break…"),
        options=[Option(value=value, text=_plain(text)) for value, text in PAUSE_CHOICES.items()],
    )


def _actions(view: Overview) -> ActionsBlock:
    assert view.profile is not None
    elements: list[ButtonElement | StaticSelectElement] = [edit_profile_button()]
    if view.profile.status == MemberStatus.PAUSED:
        elements.append(
            ButtonElement(
                text=_plain("Resume"),
                action_id=HomeAction.RESUME,
                value="resume",
                style="primary",
            )
        )
    else:
        elements.append(pause_menu())
    return ActionsBlock(elements=elements)


def home_view(view: Overview, extra: Sequence[Block] = ()) -> View:
    """The Home tab for one member; ``extra`` are other features' sections (e.g. admins')."""
    blocks: list[Block] = [HeaderBlock(text=_plain("SkillSwap"))]
    if view.profile is None:
        blocks += [
            _section(
                f"Hi {mention(view.user_id)}! :wave: SkillSwap pairs you with a colleague each "
                "round to swap skills: you show them something you know, they show you "
                "something you'd like to learn. Work skills or not: SQL, Spanish, guitar."
            ),
            _section(
                "Joining takes ten seconds and you can pause or leave any time."
                f"\n{next_round_text(view)}"
            ),
            ActionsBlock(elements=[edit_profile_button("Join SkillSwap")]),
            _context(f"Or type `{COMMAND} teach <skill>` and `{COMMAND} learn <skill>` anywhere."),
        ]
    else:
        blocks += [
            _section("*Your profile*\n" + profile_text(view.profile)),
            _actions(view),
            DividerBlock(),
        ]
        if view.current is not None:
            blocks.append(_section(current_text(view.current, view.user_id)))
            blocks.append(_context(next_round_text(view)))
        else:
            blocks.append(_section(waiting_text(view)))
        blocks.append(DividerBlock())
        heading = "*Your swaps*"
        if view.balance is not None:
            heading += "\n" + balance_text(*view.balance)
        if view.history:
            lines = [history_line(g, view.user_id) for g in view.history]
            blocks.append(_section(heading + "\n" + "\n".join(lines)))
        else:
            blocks.append(
                _section(
                    heading + "\nNothing yet: after your first round, who you met and what "
                    "you swapped show up here."
                )
            )
    if extra:
        blocks.append(DividerBlock())
        room = MAX_HOME_BLOCKS - len(blocks)
        blocks += list(extra)[:room]
    return View(type="home", blocks=blocks[:MAX_HOME_BLOCKS])

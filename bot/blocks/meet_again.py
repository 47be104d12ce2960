"""Meet again: the offer under a check-in once the group met, and the follow-up nudge.

Pure functions of plain data, built with ``slack_sdk.models``. The offer's blocks carry block
ids starting with :data:`BLOCK_PREFIX`, so a check-in can be shown again with them replaced.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.blocks.common import DB_ID_MAX, SECTION_TEXT_LIMIT, swap_name
from bot.blocks.members import slack_date
from bot.kinds import GroupKind
from bot.slack.text import clip

BLOCK_PREFIX = "meet_again"
CHOICES = (1, 2, 4)  # weeks


class MeetAgainAction(StrEnum):
    IN_1 = "meet_again_1"  # "In 1 week"
    IN_2 = "meet_again_2"
    IN_4 = "meet_again_4"
    MET = "meet_again_met"  # the nudge's "We met again"
    STOP = "meet_again_stop"  # "Stop these", on the check-in or the nudge

    @property
    def weeks(self) -> int:
        return {MeetAgainAction.IN_1: 1, MeetAgainAction.IN_2: 2, MeetAgainAction.IN_4: 4}[self]


CHOICE_ACTIONS = (MeetAgainAction.IN_1, MeetAgainAction.IN_2, MeetAgainAction.IN_4)


class NudgeRef(BaseModel):
    """Button value of the meet-again buttons: ``{"group": 42, "nudge": 3}`` (``nudge`` is
    the nudge the button sits on; 0 on the check-in)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    group: int = Field(ge=1, le=DB_ID_MAX)  # a database id: anything else is forged
    nudge: int = Field(default=0, ge=0, le=32767)


@dataclass(frozen=True)
class MeetAgainView:
    """A group's meet-again, as the check-in and the nudge show it."""

    group_id: int
    weeks: int | None = None  # None: not chosen yet (the offer)
    stopped: bool = False
    stopped_by: str | None = None  # Slack user id
    next_at: datetime | None = None  # the next nudge; None while one waits for an answer
    tz: str = "UTC"
    nudge: int = 0  # nudges sent so far
    answered_by: str | None = None  # who said "We met again" to the latest nudge


@dataclass(frozen=True)
class NudgeView:
    """The follow-up nudge posted in the group DM."""

    state: MeetAgainView
    people: tuple[str, ...]  # Slack user ids
    skills: tuple[str, ...]
    kind: GroupKind = GroupKind.SWAP


def weeks_text(weeks: int) -> str:
    return "week" if weeks == 1 else f"{weeks} weeks"


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _button(
    text: str, action: MeetAgainAction, ref: NudgeRef, style: str | None = None
) -> ButtonElement:
    return ButtonElement(
        text=PlainTextObject(text=text),
        action_id=action.value,
        value=ref.model_dump_json(),
        style=style,
    )


def _stop(ref: NudgeRef) -> ButtonElement:
    return _button("Stop these", MeetAgainAction.STOP, ref)


def _when(view: MeetAgainView) -> str:
    if view.next_at is None or view.weeks is None:
        return ""
    return f" — next on {slack_date(view.next_at, view.tz, with_time=False)}"


def _section(block_id: str, text: str) -> SectionBlock:
    return SectionBlock(
        block_id=block_id, text=MarkdownTextObject(text=clip(text, SECTION_TEXT_LIMIT))
    )


def _stopped_line(view: MeetAgainView) -> str:
    who = f" by <@{view.stopped_by}>" if view.stopped_by else ""
    return f"Meet-again nudges stopped{who}. You'll still be paired in the rounds as usual."


def meet_again_blocks(view: MeetAgainView) -> list[Block]:
    """Under a check-in whose group met: the offer, or what was chosen (with Stop)."""
    ref = NudgeRef(group=view.group_id)
    if view.stopped:
        return [
            ContextBlock(
                block_id=f"{BLOCK_PREFIX}_done",
                elements=[MarkdownTextObject(text=_stopped_line(view))],
            )
        ]
    if view.weeks is None:
        return [
            _section(
                BLOCK_PREFIX,
                ":repeat: *Meet again?* If you'd like to keep this going, I'll nudge you both "
                "here. It won't take a round's place.",
            ),
            ActionsBlock(
                block_id=f"{BLOCK_PREFIX}_actions",
                elements=[_button(f"In {weeks_text(a.weeks)}", a, ref) for a in CHOICE_ACTIONS],
            ),
        ]
    return [
        _section(
            BLOCK_PREFIX,
            f":repeat: *Meet again:* I'll nudge you here every {weeks_text(view.weeks)}"
            f"{_when(view)}.",
        ),
        ActionsBlock(block_id=f"{BLOCK_PREFIX}_actions", elements=[_stop(ref)]),
    ]


def nudge_text(view: NudgeView) -> str:
    mentions = _join([f"<@{u}>" for u in view.people])
    weeks = view.state.weeks or 1
    since = "a week" if weeks == 1 else f"{weeks} weeks"
    what = swap_name(view.kind, view.skills)
    return (
        f":wave: {mentions}, it's been {since}: time to meet again? You chose to keep your "
        f"{what} going. 30 minutes is plenty: pick up where you left off, or each "
        "bring one new thing to show."
    )


def nudge_blocks(view: NudgeView) -> list[Block]:
    """The nudge: [We met again] [Stop these]; once answered, what happened (and Stop)."""
    state = view.state
    ref = NudgeRef(group=state.group_id, nudge=state.nudge)
    blocks: list[Block] = [_section("meet_again_nudge", nudge_text(view))]
    if state.stopped:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_stopped_line(state))]))
        return blocks
    if state.answered_by is not None:
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text=clip(
                            f"<@{state.answered_by}>: met again :white_check_mark: Lovely. "
                            f"I'll nudge you again in {weeks_text(state.weeks or 1)}"
                            f"{_when(state)}.",
                            SECTION_TEXT_LIMIT,
                        )
                    )
                ]
            )
        )
        blocks.append(ActionsBlock(elements=[_stop(ref)]))
        return blocks
    blocks.append(
        ActionsBlock(
            elements=[_button("We met again", MeetAgainAction.MET, ref, "primary"), _stop(ref)]
        )
    )
    return blocks


def stop_note(already: bool) -> str:
    """The ephemeral line the clicker of *Stop these* sees."""
    if already:
        return "These nudges were already stopped. Nothing more to do."
    return (
        "Stopped: no more meet-again nudges for this group. You can still ask each other any "
        "time, and you'll be paired in the rounds as usual."
    )

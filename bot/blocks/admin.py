"""The ``/skillswap admin`` settings modal (pure builders)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from slack_sdk.models.blocks import (
    Block,
    ChannelSelectElement,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
    TimePickerElement,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.kinds import Cadence
from bot.rounds.schedule import WEEKDAYS


class AdminCallback(StrEnum):
    SETTINGS = "admin_settings"


class AdminField(StrEnum):
    """Block ids of the settings modal; every input's action id is :data:`FIELD_ACTION`."""

    CADENCE = "cadence"
    WEEKDAY = "weekday"
    TIME = "time"
    TIMEZONE = "timezone"
    CHECKIN_DELAY = "checkin_delay"
    COOLDOWN = "cooldown"
    ANNOUNCE = "announce"
    ADMINS = "admins"


FIELD_ACTION = "value"
CADENCE_LABELS = {
    Cadence.WEEKLY: "Every week",
    Cadence.BIWEEKLY: "Every two weeks",
    Cadence.MONTHLY: "Every month (first such weekday)",
}


@dataclass(frozen=True)
class SettingsView:
    cadence: Cadence
    weekday: int
    time: str  # HH:MM
    timezone: str
    checkin_delay_days: int
    cooldown_rounds: int
    announce_channel: str | None
    admin_user_ids: tuple[str, ...]
    next_round: str  # "Monday 14 December at 09:00 (Europe/London)"


def _options(pairs: list[tuple[str, str]]) -> list[Option]:
    return [Option(value=value, text=label) for value, label in pairs]


def settings_modal(view: SettingsView) -> View:
    cadences = _options([(c.value, CADENCE_LABELS[c]) for c in Cadence])
    weekdays = _options([(str(i), name) for i, name in enumerate(WEEKDAYS)])
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=f"*Next round:* {view.next_round}.\n"
                "Changes apply from the next round; rounds already sent are not touched."
            )
        ),
        InputBlock(
            block_id=AdminField.CADENCE.value,
            label=PlainTextObject(text="How often"),
            element=StaticSelectElement(
                action_id=FIELD_ACTION,
                options=cadences,
                initial_option=next(o for o in cadences if o.value == view.cadence.value),
            ),
        ),
        InputBlock(
            block_id=AdminField.WEEKDAY.value,
            label=PlainTextObject(text="Day"),
            element=StaticSelectElement(
                action_id=FIELD_ACTION,
                options=weekdays,
                initial_option=weekdays[view.weekday],
            ),
        ),
        InputBlock(
            block_id=AdminField.TIME.value,
            label=PlainTextObject(text="Time"),
            element=TimePickerElement(action_id=FIELD_ACTION, initial_time=view.time),
        ),
        InputBlock(
            block_id=AdminField.TIMEZONE.value,
            label=PlainTextObject(text="Time zone"),
            hint=PlainTextObject(text="An IANA name, like Europe/London or America/New_York."),
            element=PlainTextInputElement(
                action_id=FIELD_ACTION, initial_value=view.timezone, max_length=64
            ),
        ),
        InputBlock(
            block_id=AdminField.CHECKIN_DELAY.value,
            label=PlainTextObject(text="Check in after (days)"),
            hint=PlainTextObject(text="When to ask “Did you meet?” — 3 is a good start."),
            element=NumberInputElement(
                action_id=FIELD_ACTION,
                is_decimal_allowed=False,
                initial_value=str(view.checkin_delay_days),
                min_value="1",
                max_value="27",
            ),
        ),
        InputBlock(
            block_id=AdminField.COOLDOWN.value,
            label=PlainTextObject(text="Rounds before the same pair can meet again"),
            element=NumberInputElement(
                action_id=FIELD_ACTION,
                is_decimal_allowed=False,
                initial_value=str(view.cooldown_rounds),
                min_value="0",
                max_value="52",
            ),
        ),
        InputBlock(
            block_id=AdminField.ANNOUNCE.value,
            label=PlainTextObject(text="Announce each round in"),
            optional=True,
            hint=PlainTextObject(
                text="Counts only, never names. Invite @SkillSwap to the channel first."
            ),
            element=ChannelSelectElement(
                action_id=FIELD_ACTION,
                initial_channel=view.announce_channel,
                placeholder=PlainTextObject(text="No announcements"),
            ),
        ),
        InputBlock(
            block_id=AdminField.ADMINS.value,
            label=PlainTextObject(text="Other SkillSwap admins"),
            optional=True,
            hint=PlainTextObject(text="Slack workspace admins and owners are always admins."),
            element=UserMultiSelectElement(
                action_id=FIELD_ACTION,
                initial_users=list(view.admin_user_ids) or None,
                max_selected_items=20,
            ),
        ),
    ]
    return View(
        type="modal",
        callback_id=AdminCallback.SETTINGS.value,
        title=PlainTextObject(text="SkillSwap settings"),
        submit=PlainTextObject(text="Save"),
        close=PlainTextObject(text="Cancel"),
        blocks=blocks,
    )


def saved_modal(next_round: str, rhythm: str) -> View:
    return View(
        type="modal",
        title=PlainTextObject(text="SkillSwap settings"),
        close=PlainTextObject(text="Done"),
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text=f":white_check_mark: Saved. Rounds run {rhythm}.\n"
                    f"*Next round:* {next_round}."
                )
            ),
            ContextBlock(
                elements=[
                    MarkdownTextObject(text="Open `/skillswap admin` again to change anything.")
                ]
            ),
        ],
    )

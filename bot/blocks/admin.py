"""The ``/skillswap admin`` settings modal (pure builders)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ChannelSelectElement,
    CheckboxesElement,
    ContextBlock,
    ConversationFilter,
    ConversationMultiSelectElement,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    OptionGroup,
    PlainTextObject,
    SectionBlock,
    StaticMultiSelectElement,
    StaticSelectElement,
    TimePickerElement,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.blocks.invitations import invite_people_button
from bot.kinds import Cadence
from bot.rounds.schedule import WEEKDAYS


class AdminCallback(StrEnum):
    SETTINGS = "admin_settings"


class AdminAction(StrEnum):
    PREVIEW_REROLL = "admin_preview_reroll"


class AdminField(StrEnum):
    """Block ids of the settings modal; every input's action id is :data:`FIELD_ACTION`."""

    CADENCE = "cadence"
    WEEKDAY = "weekday"
    TIME = "time"
    TIMEZONE = "timezone"
    CHECKIN_DELAY = "checkin_delay"
    COOLDOWN = "cooldown"
    DISCOVERY = "discovery"
    HOME_CHANNEL = "home_channel"
    TEAM_FIELD = "team_field"
    ADMINS = "admins"
    CHANNELS = "channels"
    EXCLUDED_USERS = "excluded_users"
    EXCLUDED_GROUPS = "excluded_groups"
    GUESTS = "guests"


GUESTS_IN = "include"  # the value of the "guests take part" checkbox
MAX_CHANNELS = 10
MAX_EXCLUDED = 100

FIELD_ACTION = "value"
#: The team field option meaning "the profile's title" (no custom field).
TITLE_FIELD = "title"
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
    home_channel: str | None
    admin_user_ids: tuple[str, ...]
    next_round: str  # "Monday 14 December at 09:00 (Europe/London)"
    zones: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (region, IANA names): the choices
    confirmed: bool = True  # an admin saved the settings once; rounds run
    timezone_from_profile: bool = False  # preselected from the admin's Slack profile
    channels: tuple[str, ...] = ()  # empty: everyone takes part
    excluded_user_ids: tuple[str, ...] = ()
    excluded_usergroup_ids: tuple[str, ...] = ()
    usergroups: tuple[tuple[str, str], ...] = ()  # (id, handle) of the workspace's groups
    include_guests: bool = False
    discovery_swaps: bool = True
    team_field: str | None = None
    #: The workspace's custom profile fields (id, label), from ``team.profile.get``.
    profile_fields: tuple[tuple[str, str], ...] = ()


DISCOVERY_OPTION = Option(
    value="on",
    text="Discovery swaps",
    description="Someone with no new partner for a lesson meets a new colleague from another "
    "team, and each shows the other one thing.",
)


def _options(pairs: list[tuple[str, str]]) -> list[Option]:
    return [Option(value=value, text=label) for value, label in pairs]


def _zone_label(name: str) -> str:
    """``America/Argentina/Buenos_Aires`` → ``Argentina/Buenos Aires`` (the region is the
    group's label)."""
    return (name.split("/", 1)[1] if "/" in name else name).replace("_", " ")


def zone_select(view: SettingsView) -> StaticSelectElement:
    """The time zone, chosen from a list Slack lets people type to search, by region."""
    groups = [(region, list(names)) for region, names in view.zones]
    if not any(view.timezone in names for _, names in groups):
        groups.append(("Current", [view.timezone]))  # a legacy name saved earlier
    option_groups = []
    initial: Option | None = None
    for region, names in groups:
        options = [Option(value=name, text=_zone_label(name)) for name in names]
        initial = next((o for o in options if o.value == view.timezone), initial)
        option_groups.append(OptionGroup(label=region, options=options))
    return StaticSelectElement(
        action_id=FIELD_ACTION,
        option_groups=option_groups,
        initial_option=initial,
        placeholder=PlainTextObject(text="Type a city, like London"),
    )


def _intro(view: SettingsView) -> str:
    if not view.confirmed:
        return (
            "*Welcome!* Check these settings and press *Save*: the first round starts only "
            f"after an admin has saved them once. Then the first round: {view.next_round}."
        )
    return (
        f"*Next round:* {view.next_round}.\n"
        "Changes apply from the next round; rounds already sent are not touched."
    )


def _who_blocks(view: SettingsView) -> list[Block]:
    blocks: list[Block] = [
        InputBlock(
            block_id=AdminField.CHANNELS.value,
            label=PlainTextObject(text="Who takes part"),
            optional=True,
            hint=PlainTextObject(
                text="Leave empty for everyone. Or pick channels: only their members take "
                "part. Invite @SkillSwap to private channels first."
            ),
            element=ConversationMultiSelectElement(
                action_id=FIELD_ACTION,
                initial_conversations=list(view.channels) or None,
                max_selected_items=MAX_CHANNELS,
                filter=ConversationFilter(include=["public", "private"], exclude_bot_users=True),
                placeholder=PlainTextObject(text="Everyone"),
            ),
        ),
        InputBlock(
            block_id=AdminField.EXCLUDED_USERS.value,
            label=PlainTextObject(text="Leave out these people"),
            optional=True,
            element=UserMultiSelectElement(
                action_id=FIELD_ACTION,
                initial_users=list(view.excluded_user_ids) or None,
                max_selected_items=MAX_EXCLUDED,
            ),
        ),
    ]
    if view.usergroups:
        options = [Option(value=gid, text=f"@{handle}"[:75]) for gid, handle in view.usergroups]
        chosen = [o for o in options if o.value in view.excluded_usergroup_ids]
        blocks.append(
            InputBlock(
                block_id=AdminField.EXCLUDED_GROUPS.value,
                label=PlainTextObject(text="Leave out these user groups"),
                optional=True,
                element=StaticMultiSelectElement(
                    action_id=FIELD_ACTION,
                    options=options[:100],
                    initial_options=chosen or None,
                ),
            )
        )
    guests_in = Option(value=GUESTS_IN, text="Guests take part too")
    blocks.append(
        InputBlock(
            block_id=AdminField.GUESTS.value,
            label=PlainTextObject(text="Guests"),
            optional=True,
            hint=PlainTextObject(text="Guest accounts are left out unless you tick this."),
            element=CheckboxesElement(
                action_id=FIELD_ACTION,
                options=[guests_in],
                initial_options=[guests_in] if view.include_guests else None,
            ),
        )
    )
    return blocks


def settings_modal(view: SettingsView) -> View:
    cadences = _options([(c.value, CADENCE_LABELS[c]) for c in Cadence])
    weekdays = _options([(str(i), name) for i, name in enumerate(WEEKDAYS)])
    zone_hint = (
        "From your Slack profile; type to search."
        if view.timezone_from_profile
        else "Type a city or region to search."
    )
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=_intro(view))),
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
            hint=PlainTextObject(text=zone_hint),
            element=zone_select(view),
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
            block_id=AdminField.DISCOVERY.value,
            label=PlainTextObject(text="When skills run out"),
            optional=True,
            element=CheckboxesElement(
                action_id=FIELD_ACTION,
                options=[DISCOVERY_OPTION],
                initial_options=[DISCOVERY_OPTION] if view.discovery_swaps else None,
            ),
        ),
        InputBlock(
            block_id=AdminField.HOME_CHANNEL.value,
            label=PlainTextObject(text="SkillSwap channel"),
            optional=True,
            hint=PlainTextObject(
                text="Round summaries (counts, never names) post here, and people who join it "
                "get an invitation. Invite @SkillSwap to the channel first."
            ),
            element=ChannelSelectElement(
                action_id=FIELD_ACTION,
                initial_channel=view.home_channel,
                placeholder=PlainTextObject(text="No SkillSwap channel"),
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
        *_who_blocks(view),
    ]
    if view.profile_fields:
        fields = _options(
            [(TITLE_FIELD, "Their title")]
            + [(fid, label[:75] or fid) for fid, label in view.profile_fields[:99]]
        )
        chosen = next((o for o in fields if o.value == view.team_field), fields[0])
        blocks.append(
            InputBlock(
                block_id=AdminField.TEAM_FIELD.value,
                label=PlainTextObject(text="Team comes from the Slack profile's"),
                hint=PlainTextObject(
                    text="Used when a member gives no team, so pairs across teams mean something."
                ),
                element=StaticSelectElement(
                    action_id=FIELD_ACTION, options=fields, initial_option=chosen
                ),
            )
        )
    blocks.append(
        SectionBlock(
            text=MarkdownTextObject(
                text="*Invite people:* a card in channels you pick, and a DM to each person once."
            ),
            accessory=invite_people_button(),
        )
    )
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


@dataclass(frozen=True)
class PreviewGroup:
    members: tuple[str, ...]  # Slack user ids, in the engine's order
    skills: tuple[str, ...]  # what they would teach each other


@dataclass(frozen=True)
class PreviewView:
    week: str  # "week of 14 Dec"
    period: str  # the round's key, carried by the re-roll button
    groups: tuple[PreviewGroup, ...]
    unmatched: int
    can_reroll: bool


PREVIEW_SHOWN = 40  # groups listed; a message holds at most 50 blocks


def preview_text(view: PreviewView) -> str:
    return f"Preview of the round in the {view.week}: {len(view.groups)} groups."


def _group_line(group: PreviewGroup) -> str:
    people = " + ".join(f"<@{u}>" for u in group.members)
    skills = ", ".join(group.skills)
    return f"\u2022 {people}" + (f" \u2014 {skills}" if skills else "")


def preview_blocks(view: PreviewView) -> list[Block]:
    """The admin's DM: next round's groups, before anyone is told (and one re-roll)."""
    lines = [_group_line(g) for g in view.groups[:PREVIEW_SHOWN]]
    if len(view.groups) > PREVIEW_SHOWN:
        lines.append(f"\u2026and {len(view.groups) - PREVIEW_SHOWN} more groups.")
    waiting = (
        f" {view.unmatched} {'person has' if view.unmatched == 1 else 'people have'} no "
        "partner this time and will hear why."
        if view.unmatched
        else ""
    )
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=f"*Preview: the round in the {view.week}*\n"
                f"{len(view.groups)} groups.{waiting} Nobody has been told anything yet."
            )
        )
    ]
    chunk: list[str] = []
    for line in lines or ["No groups: nobody could be paired."]:
        if sum(len(x) + 1 for x in chunk) + len(line) > 2900:
            blocks.append(SectionBlock(text=MarkdownTextObject(text="\n".join(chunk))))
            chunk = []
        chunk.append(line)
    blocks.append(SectionBlock(text=MarkdownTextObject(text="\n".join(chunk))))
    if view.can_reroll:
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text="Re-roll once",
                        action_id=AdminAction.PREVIEW_REROLL.value,
                        value=view.period,
                    )
                ]
            )
        )
        note = (
            "The round will use these groups, unless people join, leave or pause before it. "
            "You can re-roll them once."
        )
    else:
        note = "Re-rolled: the round will use these groups, unless people join, leave or pause."
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=note)]))
    return blocks

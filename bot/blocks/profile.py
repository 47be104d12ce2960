"""The profile modal: what a member can teach (and how well), what they'd like to learn, their
team, their working days and hours, how often they take part, and a pause date.

Levels: a multi-select menu can't carry a level per item, so "I can teach" comes as three
menus (beginner-friendly / intermediate / expert); moving a skill between menus changes its
level. Brand-new skills can be picked from the menus ("Add …" options) or typed in a box, with
one level for the typed ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ValidationError
from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    ContextBlock,
    DatePickerElement,
    DividerBlock,
    ExternalDataMultiSelectElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
    TimePickerElement,
)
from slack_sdk.models.views import View

from bot.kinds import MemberCadence
from bot.members.hours import DAY_LONG, hhmm
from bot.members.names import (
    LEVEL_LABELS,
    MAX_NAME_CHARS,
    MAX_SKILLS_PER_SIDE,
    Level,
    decode_option,
    option_value_for_skill,
)
from bot.members.views import PickedSkill, ProfileForm, ProfileSubmission, SkillEntry
from bot.requests.views import MAX_PER_MONTH

MIN_QUERY_LENGTH = 1
TYPED_MAX_CHARS = 1500
TEAM_MAX_CHARS = 80


class ProfileCallback(StrEnum):
    PROFILE = "profile_modal"


PROFILE_CALLBACK = ProfileCallback.PROFILE


class ProfileAction(StrEnum):
    OPEN = "profile_open"  # a button anywhere (replies, Home, welcome DM) that opens the modal


class ProfileBlock(StrEnum):
    TEACH_1 = "teach_1"
    TEACH_2 = "teach_2"
    TEACH_3 = "teach_3"
    TEACH_NEW = "teach_new"
    TEACH_NEW_LEVEL = "teach_new_level"
    LEARN = "learn"
    LEARN_NEW = "learn_new"
    TEAM = "team"
    WORK_DAYS = "work_days"
    WORK_START = "work_start"
    WORK_END = "work_end"
    CADENCE = "cadence"
    TAKES_REQUESTS = "takes_requests"
    REQUESTS_PER_MONTH = "requests_per_month"
    PAUSE_UNTIL = "pause_until"


class SkillMenu(StrEnum):
    """The ``action_id`` of each external menu; one ``options`` listener serves all four."""

    TEACH_1 = "profile_teach_1"
    TEACH_2 = "profile_teach_2"
    TEACH_3 = "profile_teach_3"
    LEARN = "profile_learn"


_TEACH_MENUS: dict[Level, tuple[ProfileBlock, SkillMenu]] = {
    Level.BEGINNER: (ProfileBlock.TEACH_1, SkillMenu.TEACH_1),
    Level.INTERMEDIATE: (ProfileBlock.TEACH_2, SkillMenu.TEACH_2),
    Level.EXPERT: (ProfileBlock.TEACH_3, SkillMenu.TEACH_3),
}
_INPUT = "value"  # action_id of the single element in the non-menu input blocks

CADENCE_LABELS: dict[MemberCadence, str] = {
    MemberCadence.EVERY_ROUND: "Every round",
    MemberCadence.EVERY_OTHER: "Every other round",
    MemberCadence.MONTHLY: "About once a month",
}

# ProfileSubmission field -> block that shows its error.
_ERROR_BLOCKS: dict[str, ProfileBlock] = {
    "teach": ProfileBlock.TEACH_1,
    "teach_new": ProfileBlock.TEACH_NEW,
    "learn": ProfileBlock.LEARN,
    "learn_new": ProfileBlock.LEARN_NEW,
    "team": ProfileBlock.TEAM,
    "work_days": ProfileBlock.WORK_DAYS,
    "work_start": ProfileBlock.WORK_START,
    "work_end": ProfileBlock.WORK_END,
    "takes_requests": ProfileBlock.TAKES_REQUESTS,
    "requests_per_month": ProfileBlock.REQUESTS_PER_MONTH,
    "pause_until": ProfileBlock.PAUSE_UNTIL,
}

_TAKES_REQUESTS = {"yes": "Yes, colleagues can ask me", "no": "No, rounds only"}


class ProfileMeta(BaseModel):
    """The modal's ``private_metadata``: where to confirm the save (the command's
    ``response_url``, valid 30 minutes) when it was opened from ``/skillswap profile``."""

    response_url: str | None = None
    from_channel: str | None = None  # the channel of the invitation card it was opened from

    def dump(self) -> str:
        return self.model_dump_json(exclude_none=True)

    @classmethod
    def load(cls, raw: str | None) -> ProfileMeta:
        try:
            return cls.model_validate_json(raw or "{}")
        except ValidationError:
            return cls()


def _plain(text: str) -> PlainTextObject:
    return PlainTextObject(text=text, emoji=True)


def _skill_option(entry: SkillEntry) -> Option:
    return Option(value=option_value_for_skill(entry.skill_id), text=_plain(entry.label[:75]))


def _level_option(level: Level) -> Option:
    return Option(value=str(int(level)), text=_plain(LEVEL_LABELS[level].capitalize()))


def _count_option(count: int) -> Option:
    return Option(value=str(count), text=_plain(str(count)))


def _day_option(day: int) -> Option:
    return Option(value=str(day), text=_plain(DAY_LONG[day]))


def _working_week_blocks(form: ProfileForm) -> list[Block]:
    picked = [_day_option(d) for d in sorted(form.work_days)]
    return [
        InputBlock(
            block_id=ProfileBlock.WORK_DAYS,
            label=_plain("I work on"),
            element=CheckboxesElement(
                action_id=_INPUT,
                options=[_day_option(d) for d in range(7)],
                initial_options=picked or None,
            ),
            hint=_plain("Partners and meeting times are picked inside your working hours."),
            optional=True,  # so an empty tick list gets our own message
        ),
        InputBlock(
            block_id=ProfileBlock.WORK_START,
            label=_plain("My working day starts at"),
            element=TimePickerElement(action_id=_INPUT, initial_time=hhmm(form.work_start)),
            hint=_plain("Your own time, in the time zone of your Slack profile."),
        ),
        InputBlock(
            block_id=ProfileBlock.WORK_END,
            label=_plain("and ends at"),
            element=TimePickerElement(
                action_id=_INPUT, initial_time=hhmm(min(form.work_end, 23 * 60 + 59))
            ),
        ),
    ]


def _cadence_option(cadence: MemberCadence) -> Option:
    return Option(value=cadence.value, text=_plain(CADENCE_LABELS[cadence]))


def _menu(action_id: SkillMenu, initial: list[SkillEntry], placeholder: str) -> Any:
    return ExternalDataMultiSelectElement(
        action_id=action_id,
        placeholder=_plain(placeholder),
        min_query_length=MIN_QUERY_LENGTH,
        initial_options=[_skill_option(e) for e in initial] or None,
        max_selected_items=MAX_SKILLS_PER_SIDE,
    )


def profile_modal(form: ProfileForm, meta: ProfileMeta) -> View:
    intro = (
        "Write down what you'd be happy to show a colleague and what you'd like to learn. "
        "Anything counts: SQL, Spanish, guitar, sourdough. Type in a menu to search; pick "
        "*Add …* for something new."
    )
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=intro))]
    if not form.is_member and (form.name or form.tz):
        name = (form.name or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        about = [f"*{name}*"] if name else []
        if form.tz:
            about.append(f"time zone {form.tz}")
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text=f"You'll join as {', '.join(about)} (from your Slack profile)."[:3000]
                    )
                ]
            )
        )
    teach_titles = {
        Level.BEGINNER: "I can teach (beginner-friendly)",
        Level.INTERMEDIATE: "I can teach (intermediate)",
        Level.EXPERT: "I can teach (expert)",
    }
    for level, (block_id, action_id) in _TEACH_MENUS.items():
        blocks.append(
            InputBlock(
                block_id=block_id,
                label=_plain(teach_titles[level]),
                element=_menu(
                    action_id,
                    [e for e in form.teach if e.level == level],
                    "Type to search skills",
                ),
                optional=True,
            )
        )
    blocks += [
        InputBlock(
            block_id=ProfileBlock.TEACH_NEW,
            label=_plain("More skills to teach"),
            element=PlainTextInputElement(
                action_id=_INPUT,
                placeholder=_plain("e.g. Spanish, pottery, Kubernetes"),
                max_length=TYPED_MAX_CHARS,
            ),
            hint=_plain(
                f"Separate them with commas; up to {MAX_NAME_CHARS} characters each and "
                f"{MAX_SKILLS_PER_SIDE} skills a side."
            ),
            optional=True,
        ),
        InputBlock(
            block_id=ProfileBlock.TEACH_NEW_LEVEL,
            label=_plain("Level for the skills typed above"),
            element=StaticSelectElement(
                action_id=_INPUT,
                options=[_level_option(level) for level in Level],
                initial_option=_level_option(Level.BEGINNER),
            ),
            optional=True,
        ),
        DividerBlock(),
        InputBlock(
            block_id=ProfileBlock.LEARN,
            label=_plain("I'd like to learn"),
            element=_menu(SkillMenu.LEARN, form.learn, "Type to search skills"),
            optional=True,
        ),
        InputBlock(
            block_id=ProfileBlock.LEARN_NEW,
            label=_plain("More skills to learn"),
            element=PlainTextInputElement(
                action_id=_INPUT,
                placeholder=_plain("e.g. public speaking, drawing"),
                max_length=TYPED_MAX_CHARS,
            ),
            optional=True,
        ),
        DividerBlock(),
        InputBlock(
            block_id=ProfileBlock.TEAM,
            label=_plain("Team or department"),
            element=PlainTextInputElement(
                action_id=_INPUT,
                placeholder=_plain("e.g. Design"),
                initial_value=form.team or None,
                max_length=TEAM_MAX_CHARS,
            ),
            hint=_plain("We like pairing people across teams."),
            optional=True,
        ),
        *_working_week_blocks(form),
        InputBlock(
            block_id=ProfileBlock.CADENCE,
            label=_plain("How often would you like a swap?"),
            element=StaticSelectElement(
                action_id=_INPUT,
                options=[_cadence_option(c) for c in MemberCadence],
                initial_option=_cadence_option(form.cadence),
            ),
        ),
        InputBlock(
            block_id=ProfileBlock.TAKES_REQUESTS,
            label=_plain("Take swap requests?"),
            element=StaticSelectElement(
                action_id=_INPUT,
                options=[Option(value=v, text=_plain(t)) for v, t in _TAKES_REQUESTS.items()],
                initial_option=Option(
                    value="yes" if form.takes_requests else "no",
                    text=_plain(_TAKES_REQUESTS["yes" if form.takes_requests else "no"]),
                ),
            ),
            hint=_plain("Colleagues who see you in the directory can ask you for a swap."),
        ),
        InputBlock(
            block_id=ProfileBlock.REQUESTS_PER_MONTH,
            label=_plain("At most this many requests a month"),
            element=StaticSelectElement(
                action_id=_INPUT,
                options=[_count_option(n) for n in range(1, MAX_PER_MONTH + 1)],
                initial_option=_count_option(min(form.requests_per_month, MAX_PER_MONTH)),
            ),
        ),
        InputBlock(
            block_id=ProfileBlock.PAUSE_UNTIL,
            label=_plain("Take a break until"),
            element=DatePickerElement(
                action_id=_INPUT,
                placeholder=_plain("No break"),
                initial_date=form.paused_until.isoformat() if form.paused_until else None,
            ),
            hint=_plain(
                "You're paused until you resume (/skillswap resume)."
                if form.paused_indefinitely
                else "Leave it empty to take part in the next round."
            ),
            optional=True,
        ),
    ]
    return View(
        type="modal",
        callback_id=PROFILE_CALLBACK,
        title=_plain("Your SkillSwap"),
        submit=_plain("Save"),
        close=_plain("Cancel"),
        private_metadata=meta.dump(),
        blocks=blocks,
    )


# --------------------------------------------------------------------------- reading it back


def _element(values: Mapping[str, Any], block: str, action: str) -> Mapping[str, Any]:
    found = (values.get(block) or {}).get(action) or {}
    return found if isinstance(found, Mapping) else {}


def _picked(values: Mapping[str, Any], block: str, action: str, level: Level) -> list[PickedSkill]:
    picked: list[PickedSkill] = []
    for option in _element(values, block, action).get("selected_options") or []:
        if not isinstance(option, Mapping):
            continue
        ref = decode_option(str(option.get("value") or ""))
        text = option.get("text") or {}
        label = str(text.get("text") or "") if isinstance(text, Mapping) else ""
        if ref is not None:
            picked.append(PickedSkill(ref=ref, text=label, level=level))
    return picked


def _text(values: Mapping[str, Any], block: str) -> str:
    return str(_element(values, block, _INPUT).get("value") or "")


def _selected(values: Mapping[str, Any], block: str) -> str | None:
    option = _element(values, block, _INPUT).get("selected_option")
    if isinstance(option, Mapping) and option.get("value") is not None:
        return str(option["value"])
    return None


def _ticked(values: Mapping[str, Any], block: str) -> list[str] | None:
    """The ticked checkboxes' values; None when the form has no such block."""
    if block not in values:
        return None
    options = _element(values, block, _INPUT).get("selected_options") or []
    return [str(o.get("value")) for o in options if isinstance(o, Mapping)]


def _time(values: Mapping[str, Any], block: str) -> str | None:
    if block not in values:
        return None
    return str(_element(values, block, _INPUT).get("selected_time") or "")


def read_submission(values: Mapping[str, Any]) -> ProfileSubmission:
    """The modal's ``view.state.values`` as a :class:`ProfileSubmission` (not validated)."""
    teach: list[PickedSkill] = []
    for level, (block_id, action_id) in _TEACH_MENUS.items():
        teach += _picked(values, block_id, action_id, level)
    level_value = _selected(values, ProfileBlock.TEACH_NEW_LEVEL)
    typed_level = (
        Level(int(level_value))
        if level_value in ("1", "2", "3") and level_value
        else Level.BEGINNER
    )
    picked_date = _element(values, ProfileBlock.PAUSE_UNTIL, _INPUT).get("selected_date")
    return ProfileSubmission(
        teach=teach,
        teach_new=_text(values, ProfileBlock.TEACH_NEW),
        teach_new_level=typed_level,
        learn=_picked(values, ProfileBlock.LEARN, SkillMenu.LEARN, Level.BEGINNER),
        learn_new=_text(values, ProfileBlock.LEARN_NEW),
        team=_text(values, ProfileBlock.TEAM),
        cadence=_selected(values, ProfileBlock.CADENCE),
        takes_requests=_selected(values, ProfileBlock.TAKES_REQUESTS),
        requests_per_month=_selected(values, ProfileBlock.REQUESTS_PER_MONTH),
        pause_until=str(picked_date) if picked_date else None,
        work_days=_ticked(values, ProfileBlock.WORK_DAYS),
        work_start=_time(values, ProfileBlock.WORK_START),
        work_end=_time(values, ProfileBlock.WORK_END),
    )


def error_blocks(errors: Mapping[str, str]) -> dict[str, str]:
    """Service errors (by submission field) as ``response_action: errors`` (by block id)."""
    return {
        str(_ERROR_BLOCKS.get(field, ProfileBlock.TEACH_NEW)): msg for field, msg in errors.items()
    }


def option_dict(value: str, text: str) -> Option:
    return Option(value=value, text=_plain(text[:75]))


def date_text(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"

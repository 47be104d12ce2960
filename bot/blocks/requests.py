"""Swap requests and the skills explorer: the ask form, the teacher's DM, the answers, the
explorer on the Home tab and a skill's teachers. Pure: plain data in, ``slack_sdk.models`` out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, ValidationError
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    ExternalDataSelectElement,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.blocks.common import SECTION_TEXT_LIMIT
from bot.members.names import LEVEL_LABELS, Level
from bot.requests.views import (
    EXPIRY_DAYS,
    NOTE_MAX_CHARS,
    AskForm,
    Declined,
    Expired,
    RequestCard,
    SkillLine,
    SkillTeachers,
    TeacherCard,
)
from bot.slack.text import COMMAND, clip

ASK_LABEL = "Ask for a swap"


class RequestAction(StrEnum):
    ASK = "request_ask"  # a button next to a teacher: opens the ask form
    ACCEPT = "request_accept"  # the teacher's DM
    DECLINE = "request_decline"  # the teacher's DM: "Not now"
    EXPLORE_SKILL = "explore_skill"  # Home: a skill's "Teachers" button
    EXPLORE_SEARCH = "explore_search"  # Home: a skill picked in the search (ExploreMenu)


class RequestCallback(StrEnum):
    FORM = "request_form"


class ExploreMenu(StrEnum):
    """The Home explorer's skill search: its options come from the typeahead."""

    SEARCH = "explore_search"


class RequestField(StrEnum):
    SKILL = "request_skill"
    OFFER = "request_offer"
    NOTE = "request_note"


_INPUT = "value"  # action_id of the single element in each form block


class _Value(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def dump(self) -> str:
        return self.model_dump_json()

    @classmethod
    def load(cls, raw: str | None) -> Self | None:
        try:
            return cls.model_validate_json(raw or "")
        except ValidationError:
            return None


class AskValue(_Value):
    """An *Ask for a swap* button: the teacher's Slack id and the skill id (re-checked)."""

    teacher: str
    skill: int


class AnswerValue(_Value):
    """*Accept* / *Not now*: the request id (the server checks who may answer it)."""

    request: int


class SkillValue(_Value):
    """A skill in the explorer."""

    skill: int


class FormMeta(_Value):
    """The ask form's ``private_metadata``: whom it asks."""

    teacher: str


def _plain(text: str) -> PlainTextObject:
    return PlainTextObject(text=clip(text, 75), emoji=True)


def _section(text: str, accessory: Any = None) -> SectionBlock:
    return SectionBlock(
        text=MarkdownTextObject(text=clip(text, SECTION_TEXT_LIMIT)), accessory=accessory
    )


def _context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=clip(text, SECTION_TEXT_LIMIT))])


def esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def ask_button(teacher: str, skill_id: int) -> ButtonElement:
    return ButtonElement(
        text=_plain(ASK_LABEL),
        action_id=RequestAction.ASK,
        value=AskValue(teacher=teacher, skill=skill_id).dump(),
    )


def _when(moment: datetime) -> str:
    fallback = f"{moment.astimezone(UTC):%A %-d %B}"
    return f"<!date^{int(moment.timestamp())}^{{date_long_pretty}}|{fallback}>"


# --------------------------------------------------------------------------- the form


def _skill_option(skill_id: int, label: str, suffix: str = "") -> Option:
    return Option(value=str(skill_id), text=_plain(clip(label, 75 - len(suffix)) + suffix))


def ask_modal(form: AskForm) -> View:
    teaches = [_skill_option(sid, label) for sid, label in form.teaches[:100]]
    chosen = next((o for o in teaches if o.value == str(form.skill_id)), None)
    if chosen is None:
        chosen = _skill_option(form.skill_id, form.skill)
        teaches.insert(0, chosen)
    blocks: list[Block] = [
        _section(
            f"Ask <@{form.teacher}> for a 30-minute skill swap. They can say yes or “not now”, "
            "no reasons needed."
        ),
        InputBlock(
            block_id=RequestField.SKILL,
            label=_plain("You'd like to learn"),
            element=StaticSelectElement(
                action_id=_INPUT, options=teaches[:100], initial_option=chosen
            ),
        ),
    ]
    if form.offers:
        blocks.append(
            InputBlock(
                block_id=RequestField.OFFER,
                label=_plain("You could teach back"),
                element=StaticSelectElement(
                    action_id=_INPUT,
                    placeholder=_plain("Pick one of your skills"),
                    options=[
                        _skill_option(o.skill_id, o.label, " (they want it)" if o.wanted else "")
                        for o in form.offers[:100]
                    ],
                ),
                hint=_plain("Skills they'd like to learn come first."),
                optional=True,
            )
        )
    else:
        blocks.append(
            _context(f"Add something you could teach back with `{COMMAND} teach <skill>`.")
        )
    blocks.append(
        InputBlock(
            block_id=RequestField.NOTE,
            label=_plain("A note"),
            element=PlainTextInputElement(
                action_id=_INPUT,
                multiline=True,
                max_length=NOTE_MAX_CHARS,
                placeholder=_plain("e.g. I'm travelling to Madrid in March"),
            ),
            hint=_plain(f"Optional, up to {NOTE_MAX_CHARS} characters. Only they will see it."),
            optional=True,
        )
    )
    return View(
        type="modal",
        callback_id=RequestCallback.FORM,
        title=_plain("Ask for a swap"),
        submit=_plain("Send"),
        close=_plain("Cancel"),
        private_metadata=FormMeta(teacher=form.teacher).dump(),
        blocks=blocks,
    )


def sent_modal(teacher: str) -> View:
    return View(
        type="modal",
        title=_plain("Ask for a swap"),
        close=_plain("Done"),
        blocks=[
            _section(
                f":incoming_envelope: Sent to <@{teacher}>. I'll let you know their answer; "
                f"if there's none within {EXPIRY_DAYS} days, the request expires."
            )
        ],
    )


def notice_modal(text: str) -> View:
    """A one-line answer inside a modal (where there is no message to reply to)."""
    return View(
        type="modal", title=_plain("SkillSwap"), close=_plain("OK"), blocks=[_section(text)]
    )


def _element(values: Mapping[str, Any], block: str) -> Mapping[str, Any]:
    found = (values.get(block) or {}).get(_INPUT) or {}
    return found if isinstance(found, Mapping) else {}


def _selected_id(values: Mapping[str, Any], block: str) -> int | None:
    option = _element(values, block).get("selected_option")
    raw = str(option.get("value") or "") if isinstance(option, Mapping) else ""
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


def read_form(values: Mapping[str, Any]) -> tuple[int | None, int | None, str]:
    """(skill id, offered skill id, note) from the form's ``view.state.values``."""
    note = _element(values, RequestField.NOTE).get("value")
    return (
        _selected_id(values, RequestField.SKILL),
        _selected_id(values, RequestField.OFFER),
        str(note or ""),
    )


# --------------------------------------------------------------------------- the teacher's DM


def request_card_text(card: RequestCard) -> str:
    return f"<@{card.asker}> would like to learn {card.skill} from you"


def request_card_blocks(card: RequestCard) -> list[Block]:
    lines = [f":raised_hand: <@{card.asker}> would like to learn *{esc(card.skill)}* from you."]
    if card.offer:
        lines.append(f"They could teach you *{esc(card.offer)}* in return.")
    if card.note:
        lines.append("> " + esc(card.note).replace("\n", "\n> "))
    value = AnswerValue(request=card.request_id).dump()
    return [
        _section("\n".join(lines)),
        ActionsBlock(
            block_id="request_answer",
            elements=[
                ButtonElement(
                    text=_plain("Accept"),
                    action_id=RequestAction.ACCEPT,
                    value=value,
                    style="primary",
                ),
                ButtonElement(text=_plain("Not now"), action_id=RequestAction.DECLINE, value=value),
            ],
        ),
        _context(
            f"“Not now” needs no reason; they'll hear it kindly. The request expires "
            f"{_when(card.expires_at)} if you don't answer."
        ),
    ]


def answered_text(asker: str, skill: str, accepted: bool) -> str:
    if accepted:
        return (
            f":white_check_mark: You said yes to <@{asker}>'s request to learn *{esc(skill)}*. "
            "I've introduced you both in a group DM."
        )
    return (
        f"You said “not now” to <@{asker}>'s request to learn *{esc(skill)}*. "
        "I've told them kindly; nothing else to do."
    )


# --------------------------------------------------------------------------- answers


def declined_text(view: Declined) -> str:
    return f"<@{view.teacher}> can't take a {view.skill} swap right now"


def declined_blocks(view: Declined) -> list[Block]:
    blocks: list[Block] = [
        _section(
            f"<@{view.teacher}> can't take a *{esc(view.skill)}* swap right now. "
            "That happens; it's about timing, not you."
        )
    ]
    if view.others and view.skill_id is not None:
        blocks.append(_section(f"Others who teach *{esc(view.skill)}*:"))
        blocks += [
            _section(f"<@{user}>", accessory=ask_button(user, view.skill_id))
            for user in view.others
        ]
    else:
        blocks.append(
            _context(
                f"Nobody else teaches it yet. You'll be paired each round; `{COMMAND} learn "
                f"{esc(view.skill)}` keeps it on your list."
            )
        )
    return blocks


def expired_text(view: Expired) -> str:
    if view.user_id == view.asker:
        return f"Your request to <@{view.teacher}> expired"
    return f"<@{view.asker}>'s request expired"


def expired_blocks(view: Expired) -> list[Block]:
    if view.user_id == view.asker:
        text = (
            f"Your request to learn *{esc(view.skill)}* with <@{view.teacher}> expired after "
            f"{EXPIRY_DAYS} days without an answer. No worries: try `{COMMAND} who "
            f"{esc(view.skill)}` for others."
        )
    else:
        text = (
            f"<@{view.asker}>'s request to learn *{esc(view.skill)}* expired after "
            f"{EXPIRY_DAYS} days. Nothing to do; they know."
        )
    return [_section(text)]


# --------------------------------------------------------------------------- explorer


def _counts(line: SkillLine) -> str:
    return f"{line.teach} teach · {line.learn} want to learn"


def explorer_blocks(lines: Sequence[SkillLine]) -> list[Block]:
    """The Home tab's *Explore skills*: a search, then the most taught skills."""
    blocks: list[Block] = [
        HeaderBlock(text=_plain("Explore skills")),
        ActionsBlock(
            block_id="explore_search",
            elements=[
                ExternalDataSelectElement(
                    action_id=ExploreMenu.SEARCH,
                    placeholder=_plain("Search a skill…"),
                    min_query_length=1,
                )
            ],
        ),
    ]
    if not lines:
        blocks.append(
            _context(f"Nobody teaches anything yet. Be the first: `{COMMAND} teach <skill>`.")
        )
        return blocks
    for line in lines:
        blocks.append(
            _section(
                f"*{esc(line.name)}*  {_counts(line)}",
                accessory=ButtonElement(
                    text=_plain("Teachers"),
                    action_id=RequestAction.EXPLORE_SKILL,
                    value=SkillValue(skill=line.skill_id).dump(),
                ),
            )
        )
    return blocks


def teacher_card(card: TeacherCard, skill_id: int, viewer: str) -> SectionBlock:
    level = LEVEL_LABELS.get(Level(card.level), "") if card.level in (1, 2, 3) else ""
    team = f" · {esc(card.team)}" if card.team else ""
    teaches = ", ".join(esc(t) for t in card.teaches[:8])
    text = f"<@{card.user_id}> ({level}){team}\nTeaches: {teaches}"
    return _section(
        text, accessory=ask_button(card.user_id, skill_id) if card.user_id != viewer else None
    )


def teachers_modal(view: SkillTeachers) -> View:
    blocks: list[Block] = [
        _section(f"*{esc(view.name)}*: {len(view.teachers)} teach it, {view.learn} want to learn")
    ]
    if view.teachers:
        blocks += [teacher_card(t, view.skill_id, view.viewer) for t in view.teachers]
    else:
        blocks.append(_context("Nobody you can ask teaches it right now."))
    return View(
        type="modal",
        title=_plain(clip(view.name, 24)),
        close=_plain("Close"),
        blocks=blocks,
    )


def skill_option(skill_id: int, name: str) -> Option:
    return Option(value=SkillValue(skill=skill_id).dump(), text=_plain(name))

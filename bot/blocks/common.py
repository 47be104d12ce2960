"""Small builders shared by every surface."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.basic_objects import JsonObject
from slack_sdk.models.blocks import Block, MarkdownTextObject, SectionBlock

from bot.kinds import GroupKind
from bot.slack.text import clip

SECTION_TEXT_LIMIT = 3000
#: Button values carry database ids (32-bit); a larger or negative one is forged or garbled.
DB_ID_MAX = 2**31 - 1

#: A swap's buttons (intro, check-in, meet again, the time poll) clicked by someone not in it.
NOT_YOURS = (
    "These buttons belong to the people in this swap. If you'd like one of your own, add a "
    "skill with `/skillswap teach <skill>` and you'll be in the next round."
)
#: A swap's buttons after the swap is gone (its members left, or another workspace's).
SWAP_GONE = "I can't find this swap any more (its members may have left). Nothing to do here."


def text_blocks(text: str) -> list[Block]:
    return [SectionBlock(text=MarkdownTextObject(text=clip(text, SECTION_TEXT_LIMIT)))]


# Properties Slack accepts as an empty list (slack_sdk leaves these in, drops other empties).
_EMPTY_ALLOWED = frozenset(
    {
        ("rich_text_section", "elements"),
        ("rich_text_list", "elements"),
        ("rich_text_preformatted", "elements"),
        ("rich_text_quote", "elements"),
    }
)


@dataclass(frozen=True, slots=True)
class _Shape:
    """What converting one slack_sdk model class takes, found once per class (slack_sdk finds
    it anew for every object)."""

    keys: tuple[str, ...]  # its JSON keys, sorted as slack_sdk sorts them
    checks: tuple[Callable[[Any], object], ...]  # its validators, in slack_sdk's order
    own_getter: bool  # it reads its attributes its own way (get_object_attribute)


#: Per class: its shape, or None when it is not converted here (its own ``to_dict``, or no
#: model at all: a dict, a string enum).
_SHAPES: dict[type, _Shape | None] = {}


def _shape(cls: type, obj: Any) -> _Shape | None:
    if getattr(cls, "to_dict", None) is not JsonObject.to_dict:
        _SHAPES[cls] = None
        return None
    checks = tuple(
        method
        for name in sorted(dir(cls))
        if not name.startswith("__")
        and callable(method := getattr(cls, name, None))
        and hasattr(method, "validator")
    )
    own_getter = getattr(cls, "get_object_attribute", None) is not JsonObject.get_object_attribute
    shape = _SHAPES[cls] = _Shape(tuple(sorted(obj.attributes)), checks, own_getter)
    return shape


def _empty_kept(obj: Any, key: str) -> bool:
    return (getattr(obj, "type", None), key) in _EMPTY_ALLOWED


def block_json(value: Any) -> Any:
    """A slack_sdk model as Slack's JSON: exactly what its ``to_dict()`` returns (validated
    the same way, by the model's own validators), at a fraction of the CPU — every reply's
    blocks go through this. Models with their own ``to_dict`` are converted by it."""
    cls = type(value)
    if cls is list or cls is tuple:
        return [block_json(v) for v in value]
    if cls is str or cls is int or cls is bool or cls is float:
        return value
    shape = _SHAPES[cls] if cls in _SHAPES else _shape(cls, value)
    if shape is None:
        if isinstance(value, (list, tuple)):  # a subclass of either
            return [block_json(v) for v in value]
        to_dict = getattr(value, "to_dict", None)
        if to_dict is not None and callable(to_dict):
            return {k: block_json(v) for k, v in to_dict().items()}
        return value
    for check in shape.checks:  # the model's validators: SlackObjectFormationError, as to_dict
        check(value)
    found: dict[str, Any] = {}
    for key in shape.keys:
        item = value.get_object_attribute(key) if shape.own_getter else getattr(value, key, None)
        if item is None:
            continue
        kind = type(item)
        if kind is str:  # most values: kept as they are unless empty
            if item or _empty_kept(value, key):
                found[key] = item
        elif kind is bool or kind is int or kind is float:
            found[key] = item
        elif not hasattr(item, "__len__") or len(item) or _empty_kept(value, key):
            found[key] = block_json(item)
    return found


def blocks_json(blocks: Sequence[Block]) -> list[dict[str, Any]]:
    """A reply's blocks as Slack's JSON (see :func:`block_json`)."""
    return [block_json(block) for block in blocks]


def swap_name(kind: GroupKind, skills: Sequence[str]) -> str:
    """ "skill swap (Spanish ↔ SQL)", "lesson (Spanish)", "skill circle (…)", "discovery swap
    (…)": what a group is called in check-ins and nudges (a one-way lesson is not a swap)."""
    noun = {
        GroupKind.ONE_WAY: "lesson",
        GroupKind.CIRCLE: "skill circle",
        GroupKind.DISCOVERY: "discovery swap",
    }.get(kind, "skill swap")
    joiner = " ↔ " if kind is GroupKind.SWAP else ", "
    return f"{noun} ({joiner.join(skills)})" if skills else noun

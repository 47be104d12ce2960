"""Small builders shared by every surface."""

from __future__ import annotations

from collections.abc import Sequence
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
_SHAPES: dict[type, tuple[tuple[str, ...], tuple[str, ...]]] = {}


def _shape(obj: JsonObject) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A model class's JSON keys and its validators' names, in slack_sdk's order (it finds
    both anew on every call)."""
    cls = type(obj)
    shape = _SHAPES.get(cls)
    if shape is None:
        checks = tuple(
            sorted(
                name
                for name in dir(cls)
                if not name.startswith("__")
                and callable(method := getattr(cls, name, None))
                and hasattr(method, "validator")
            )
        )
        shape = _SHAPES[cls] = (tuple(sorted(obj.attributes)), checks)
    return shape


def block_json(value: Any) -> Any:
    """A slack_sdk model as Slack's JSON: exactly what its ``to_dict()`` returns (validated
    the same way, by the model's own validators), at a fraction of the CPU — every reply's
    blocks go through this. Models with their own ``to_dict`` are converted by it."""
    if isinstance(value, (list, tuple)):
        return [block_json(v) for v in value]
    if getattr(type(value), "to_dict", None) is JsonObject.to_dict:
        keys, checks = _shape(value)
        for check in checks:  # the model's validators: SlackObjectFormationError, as to_dict
            getattr(value, check)()
        kind = getattr(value, "type", None)
        found: dict[str, Any] = {}
        for key in keys:
            item = value.get_object_attribute(key)
            if item is None:
                continue
            if hasattr(item, "__len__") and not len(item) and (kind, key) not in _EMPTY_ALLOWED:
                continue
            found[key] = block_json(item)
        return found
    to_dict = getattr(value, "to_dict", None)
    if to_dict is not None and callable(to_dict):
        return {k: block_json(v) for k, v in to_dict().items()}
    return value


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

"""Block Kit checks the way Slack's API applies them, on raw dicts (SLACK_FACTS §4).

``slack_sdk``'s ``WebClient`` never validates raw dicts, so the simulator parses every block
with ``slack_sdk.models`` and runs its validators, then adds the limits the SDK leaves out
(blocks per message, per-field length in section blocks, message text length).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_MESSAGE_TEXT = 40_000
MAX_SECTION_FIELD_TEXT = 2_000
MAX_SECTION_FIELDS = 10


class BlockError(Exception):
    """A Block Kit problem; ``messages`` are shaped like Slack's ``response_metadata.messages``."""

    def __init__(self, error: str, messages: Sequence[str]) -> None:
        super().__init__(f"{error}: {'; '.join(messages)}")
        self.error = error
        self.messages = list(messages)


def _extra_block_checks(index: int, block: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    if block.get("type") == "section":
        fields = block.get("fields") or []
        if isinstance(fields, list):
            if len(fields) > MAX_SECTION_FIELDS:
                problems.append(
                    f"[ERROR] must provide no more than {MAX_SECTION_FIELDS} items "
                    f"[json-pointer:/blocks/{index}/fields]"
                )
            for j, field in enumerate(fields):
                text = field.get("text", "") if isinstance(field, Mapping) else ""
                if isinstance(text, str) and len(text) > MAX_SECTION_FIELD_TEXT:
                    problems.append(
                        f"[ERROR] must be less than {MAX_SECTION_FIELD_TEXT + 1} characters "
                        f"[json-pointer:/blocks/{index}/fields/{j}/text]"
                    )
    return problems


def block_problems(blocks: Any) -> list[str]:
    """Every problem found in a list of raw blocks (empty when they are all valid)."""
    if not isinstance(blocks, list):
        return ["[ERROR] expected an array of blocks [json-pointer:/blocks]"]
    problems: list[str] = []
    for i, raw in enumerate(blocks):
        if not isinstance(raw, Mapping):
            problems.append(f"[ERROR] expected an object [json-pointer:/blocks/{i}]")
            continue
        try:
            parsed = Block.parse(dict(raw))
            if parsed is None:
                problems.append(
                    f"[ERROR] unsupported type: {raw.get('type')!r} [json-pointer:/blocks/{i}]"
                )
                continue
            parsed.to_dict()
        except SlackObjectFormationError as exc:
            problems.append(f"[ERROR] {exc} [json-pointer:/blocks/{i}]")
            continue
        except Exception as exc:  # malformed shapes make the model constructors raise
            problems.append(f"[ERROR] invalid block ({exc}) [json-pointer:/blocks/{i}]")
            continue
        problems.extend(_extra_block_checks(i, raw))
    return problems


def check_message(text: Any, blocks: Any) -> None:
    """Raise :class:`BlockError` like ``chat.postMessage``/``chat.update`` would."""
    if isinstance(text, str) and len(text) > MAX_MESSAGE_TEXT:
        raise BlockError("msg_too_long", [f"[ERROR] text is longer than {MAX_MESSAGE_TEXT}"])
    if blocks is None:
        return
    if isinstance(blocks, list) and len(blocks) > MAX_MESSAGE_BLOCKS:
        raise BlockError(
            "invalid_blocks",
            [f"[ERROR] no more than {MAX_MESSAGE_BLOCKS} items allowed [json-pointer:/blocks]"],
        )
    problems = block_problems(blocks)
    if problems:
        raise BlockError("invalid_blocks", problems)


def check_view(view: Any) -> None:
    """Raise :class:`BlockError` (``invalid_arguments``) like ``views.*`` would."""
    if not isinstance(view, Mapping):
        raise BlockError(
            "invalid_arguments", ["[ERROR] view must be an object [json-pointer:/view]"]
        )
    blocks = view.get("blocks", [])
    if isinstance(blocks, list) and len(blocks) > MAX_VIEW_BLOCKS:
        raise BlockError(
            "invalid_arguments",
            [f"[ERROR] no more than {MAX_VIEW_BLOCKS} items allowed [json-pointer:/view/blocks]"],
        )
    problems = [
        p.replace("[json-pointer:/", "[json-pointer:/view/") for p in block_problems(blocks)
    ]
    if problems:
        raise BlockError("invalid_arguments", problems)
    if view.get("type") not in ("modal", "home"):
        raise BlockError(
            "invalid_arguments", ["[ERROR] must be one of modal, home [json-pointer:/view/type]"]
        )
    try:
        View(**dict(view)).to_dict()
    except SlackObjectFormationError as exc:
        raise BlockError("invalid_arguments", [f"[ERROR] {exc} [json-pointer:/view]"]) from exc
    except Exception as exc:
        raise BlockError("invalid_arguments", [f"[ERROR] invalid view ({exc})"]) from exc

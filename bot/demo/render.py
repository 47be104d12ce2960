"""Slack messages made readable in a terminal: Block Kit and mrkdwn to Rich text.

``<@U123>`` becomes the person's name, ``*bold*`` bold, ``_italic_`` italic, a few emoji
shortcodes their character, context blocks dim lines, and an actions block a row of buttons:
``[We've scheduled it] [Pick a time] [Skip this round] [Not a fit]``. Pure functions; nothing
is printed.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

EMOJI: dict[str, str] = {
    "wave": "👋",
    "tada": "🎉",
    "calendar": "📅",
    "handshake": "🤝",
    "white_check_mark": "✅",
    "raised_hands": "🙌",
    "warning": "⚠️",
    "seedling": "🌱",
    "sparkles": "✨",
    "bulb": "💡",
    "books": "📚",
    "speech_balloon": "💬",
    "hourglass_flowing_sand": "⏳",
    "bar_chart": "📊",
    "chart_with_upwards_trend": "📈",
    "mag": "🔍",
    "pencil": "📝",
    "star": "⭐",
    "thumbsup": "👍",
    "+1": "👍",
    "clock9": "🕘",
    "earth_africa": "🌍",
    "pause_button": "⏸️",
    "arrow_forward": "▶️",
    "heart": "❤️",
    "smile": "😄",
    "slightly_smiling_face": "🙂",
    "muscle": "💪",
    "rocket": "🚀",
}

NAME_STYLE = "bold cyan"
BUTTON_STYLES: dict[str, str] = {"primary": "bold green", "danger": "bold red"}

_TOKEN = re.compile(
    r"<(?P<angle>[^<>\n]+)>"
    r"|`(?P<code>[^`\n]+)`"
    r"|(?<![\w*])\*(?P<bold>[^*\n]+)\*(?![\w*])"
    r"|(?<![\w_])_(?P<italic>[^_\n]+)_(?![\w_])"
    r"|(?<![\w~])~(?P<strike>[^~\n]+)~(?![\w~])"
    r"|:(?P<emoji>[a-z0-9_+\-]+):"
)

NameOf = Callable[[str], str]


def name_lookup(names: Mapping[str, str]) -> NameOf:
    """``user_id -> name`` that falls back to the id itself."""

    def name_of(user_id: str) -> str:
        return names.get(user_id, user_id)

    return name_of


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _angle(inner: str, name_of: NameOf) -> Text:
    """``<@U1>``, ``<#C1|general>``, ``<!here>``, ``<!date^…|fallback>``, ``<https://x|label>``."""
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        return Text("@" + name_of(target[1:]), style=NAME_STYLE)
    if target.startswith("#"):
        return Text("#" + (label or target[1:]), style="bold")
    if target.startswith("!date^"):
        return Text(_unescape(label or target), style="")
    if target.startswith("!"):
        return Text("@" + (label or target[1:].split("^")[0]), style="bold")
    return Text(_unescape(label or target), style="underline")


def mrkdwn(text: str, name_of: NameOf, style: str = "") -> Text:
    """Slack mrkdwn as Rich text (mentions resolved to names)."""
    out = Text(style=style)
    pos = 0
    for found in _TOKEN.finditer(text):
        if found.start() > pos:
            out.append(_unescape(text[pos : found.start()]))
        kind = found.lastgroup
        value = found.group(kind or 0)
        if kind == "angle":
            out.append_text(_angle(value, name_of))
        elif kind == "code":
            out.append(_unescape(value), style="bold magenta")
        elif kind == "bold":
            out.append_text(mrkdwn(value, name_of, "bold"))
        elif kind == "italic":
            out.append_text(mrkdwn(value, name_of, "italic"))
        elif kind == "strike":
            out.append_text(mrkdwn(value, name_of, "strike"))
        elif kind == "emoji":
            out.append(EMOJI.get(value, found.group(0)))
        pos = found.end()
    if pos < len(text):
        out.append(_unescape(text[pos:]))
    return out


def _text_of(obj: Any, name_of: NameOf, style: str = "") -> Text:
    """A text object (``plain_text`` or ``mrkdwn``)."""
    if not isinstance(obj, Mapping):
        return Text("")
    raw = str(obj.get("text") or "")
    if obj.get("type") == "mrkdwn":
        return mrkdwn(raw, name_of, style)
    return Text(raw, style=style)


def button(element: Mapping[str, Any], name_of: NameOf) -> Text:
    label = _text_of(element.get("text"), name_of).plain
    return Text(f"[{label}]", style=BUTTON_STYLES.get(str(element.get("style") or ""), "bold"))


def _option_text(option: Any, name_of: NameOf) -> str:
    return _text_of(option.get("text"), name_of).plain if isinstance(option, Mapping) else ""


def _element(element: Any, name_of: NameOf, state: Mapping[str, Any] | None = None) -> Text | None:
    """An interactive element as a short line of text (buttons, menus, inputs, pickers),
    showing its value: from ``state`` (what was entered) or else its initial value."""
    if not isinstance(element, Mapping):
        return None
    kind = str(element.get("type") or "")
    placeholder = _text_of(element.get("placeholder"), name_of).plain
    if kind == "button":
        return button(element, name_of)
    if kind.startswith("multi_"):
        chosen = (state or {}).get("selected_options", element.get("initial_options")) or []
        labels = [_option_text(o, name_of) for o in chosen]
        if labels:
            return Text(" ".join(f"[{label} ✕]" for label in labels), style="bold")
        return Text(f"[{placeholder or 'Choose'} ▾]", style="dim")
    if kind.endswith("_select"):
        picked = (state or {}).get("selected_option", element.get("initial_option"))
        label = _option_text(picked, name_of)
        return Text(f"[{label or placeholder or 'Choose'} ▾]", style="bold" if label else "dim")
    if kind == "radio_buttons":
        picked = (state or {}).get("selected_option", element.get("initial_option"))
        value = picked.get("value") if isinstance(picked, Mapping) else None
        options = element.get("options") or []
        return Text(
            "  ".join(
                f"({'•' if o.get('value') == value else ' '}) {_option_text(o, name_of)}"
                for o in options
            )
        )
    if kind == "checkboxes":
        ticked = (state or {}).get("selected_options", element.get("initial_options")) or []
        values = {o.get("value") for o in ticked if isinstance(o, Mapping)}
        return Text(
            "  ".join(
                f"[{'x' if o.get('value') in values else ' '}] {_option_text(o, name_of)}"
                for o in element.get("options") or []
                if isinstance(o, Mapping)
            )
        )
    if kind == "plain_text_input":
        value = (state or {}).get("value", element.get("initial_value"))
        if value:
            return Text(f"“{value}”", style="bold")
        return Text(f"[{placeholder or ' … '}]", style="dim")
    if kind == "datepicker":
        value = (state or {}).get("selected_date", element.get("initial_date"))
        return Text(
            f"[📅 {value or placeholder or 'pick a date'}]", style="bold" if value else "dim"
        )
    if kind == "timepicker":
        value = (state or {}).get("selected_time", element.get("initial_time"))
        return Text(
            f"[🕘 {value or placeholder or 'pick a time'}]", style="bold" if value else "dim"
        )
    if kind == "overflow":
        return Text("[⋯]", style="bold")
    if kind == "image":
        return Text(f"[image: {element.get('alt_text', '')}]", style="dim")
    if kind in ("plain_text", "mrkdwn"):
        return _text_of(element, name_of)
    return None


def _join(parts: Sequence[Text], sep: str) -> Text:
    out = Text()
    for i, part in enumerate(parts):
        if i:
            out.append(sep)
        out.append_text(part)
    return out


def _fields(fields: Sequence[Text]) -> Table:
    """Section fields in two columns, as Slack lays them out."""
    grid = Table.grid(padding=(0, 3))
    grid.add_column(ratio=1)
    grid.add_column(ratio=1)
    for i in range(0, len(fields), 2):
        grid.add_row(fields[i], fields[i + 1] if i + 1 < len(fields) else Text(""))
    return grid


def block(
    blk: Mapping[str, Any],
    name_of: NameOf,
    values: Mapping[str, Mapping[str, Any]] | None = None,
) -> RenderableType | None:
    """One Block Kit block as a renderable (``None`` for blocks with nothing to show).

    ``values`` (a view's ``state.values``) shows what was entered in input blocks."""
    kind = blk.get("type")
    if kind == "section":
        parts: list[RenderableType] = []
        if blk.get("text"):
            parts.append(_text_of(blk["text"], name_of))
        fields = [_text_of(f, name_of) for f in blk.get("fields") or []]
        if fields:
            parts.append(_fields(fields))
        accessory = _element(blk.get("accessory"), name_of)
        if accessory is not None:
            parts.append(accessory)
        if not parts:
            return None
        if all(isinstance(p, Text) for p in parts):
            return _join([p for p in parts if isinstance(p, Text)], "\n")
        return Group(*parts)
    if kind == "header":
        return _text_of(blk.get("text"), name_of, "bold underline")
    if kind == "context":
        items = [
            _text_of(e, name_of) for e in blk.get("elements") or [] if e.get("type") != "image"
        ]
        line = _join(items, "  ·  ")
        line.stylize("dim")
        return line
    if kind == "actions":
        found = [_element(e, name_of) for e in blk.get("elements") or []]
        return _join([b for b in found if b is not None], " ")
    if kind == "divider":
        return Text("─" * 40, style="dim")
    if kind == "image":
        return Text(f"[image: {blk.get('alt_text', '')}]", style="dim")
    if kind == "input":
        label = _text_of(blk.get("label"), name_of, "bold")
        element = blk.get("element") or {}
        state = ((values or {}).get(str(blk.get("block_id"))) or {}).get(
            str(element.get("action_id"))
        )
        shown = _element(element, name_of, state)
        return _join([label, shown or Text("[ … ]")], "  ")
    if kind == "rich_text":
        return Text(_rich_text_plain(blk), style="")
    return None


def _rich_text_plain(blk: Mapping[str, Any]) -> str:
    """Enough of a ``rich_text`` block to read it (text runs only)."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, Mapping):
            if node.get("type") == "text":
                out.append(str(node.get("text") or ""))
            for child in node.get("elements") or []:
                walk(child)

    walk(blk)
    return "".join(out)


def message(
    msg: Mapping[str, Any],
    name_of: NameOf,
    values: Mapping[str, Mapping[str, Any]] | None = None,
) -> Group:
    """A posted message (or a view's blocks): its blocks, else its text; attached files."""
    parts: list[RenderableType] = []
    for blk in msg.get("blocks") or []:
        if isinstance(blk, Mapping):
            shown = block(blk, name_of, values)
            if shown is not None:
                parts.append(shown)
    if not parts and msg.get("text"):
        parts.append(mrkdwn(str(msg.get("text") or ""), name_of))
    for item in msg.get("files") or []:
        if isinstance(item, Mapping):
            name = item.get("title") or item.get("name") or "file"
            parts.append(Text(f"📎 {name}", style="bold"))
    return Group(*parts)


def message_panel(
    msg: Mapping[str, Any], name_of: NameOf, *, title: str, subtitle: str | None = None
) -> Panel:
    return Panel(
        message(msg, name_of),
        title=title,
        title_align="left",
        subtitle=subtitle,
        subtitle_align="right",
        border_style="blue",
        padding=(0, 1),
    )


def view(
    view_obj: Mapping[str, Any],
    name_of: NameOf,
    values: Mapping[str, Mapping[str, Any]] | None = None,
) -> Panel:
    """A modal: its title, blocks (with ``values`` entered, if given) and buttons."""
    title = _text_of(view_obj.get("title"), name_of).plain or "Modal"
    body = message({"blocks": view_obj.get("blocks") or []}, name_of, values)
    submit = _text_of(view_obj.get("submit"), name_of).plain
    close = _text_of(view_obj.get("close"), name_of).plain
    buttons = " ".join(f"[{label}]" for label in (close, submit) if label)
    return Panel(
        body,
        title=f"modal · {title}",
        title_align="left",
        subtitle=buttons or None,
        subtitle_align="right",
        border_style="magenta",
        padding=(0, 1),
    )


def to_text(renderable: RenderableType, width: int = 100) -> str:
    """What a renderable looks like as plain text (no colours), lines right-stripped."""
    out = io.StringIO()
    Console(file=out, width=width, color_system=None, legacy_windows=False).print(renderable)
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines())


def plain(msg: Mapping[str, Any], name_of: NameOf, width: int = 1000) -> str:
    """A message as plain text (for summaries and tests)."""
    return to_text(message(msg, name_of), width)

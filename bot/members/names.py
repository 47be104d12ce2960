"""Skill names as members type them: cleaned, validated, split, levelled. Pure (no I/O).

Names are normalised by :mod:`bot.matching.skills` ("JS", "javascript" and "Java Script" reach
one key through the starter aliases).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import IntEnum

from bot.errors import UserInputError
from bot.matching.skills import canonical_key, display_name_for, normalize_key
from bot.slack.text import clip

MAX_NAME_CHARS = 60


MAX_SKILLS_PER_SIDE = 20


KEY_CHARS = 80  # skills.key / skill_aliases.alias_key column size


class Level(IntEnum):
    BEGINNER = 1
    INTERMEDIATE = 2
    EXPERT = 3

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self]


LEVEL_LABELS: dict[Level, str] = {
    Level.BEGINNER: "beginner-friendly",
    Level.INTERMEDIATE: "intermediate",
    Level.EXPERT: "expert",
}


_LEVEL_WORDS: dict[str, Level] = {
    "beginner": Level.BEGINNER,
    "beginner friendly": Level.BEGINNER,
    "beginners": Level.BEGINNER,
    "basic": Level.BEGINNER,
    "intermediate": Level.INTERMEDIATE,
    "medium": Level.INTERMEDIATE,
    "expert": Level.EXPERT,
    "advanced": Level.EXPERT,
}


_SEPARATORS = re.compile(r"[,\n\r\uFF0C\u3001\u060C]")


_LEVEL_SUFFIX = re.compile(r"^(?P<name>.*?)\s*[(\[]\s*(?P<level>[^()\[\]]{1,30})\s*[)\]]\s*$")


_INVISIBLE = frozenset(
    "\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
)


_EDGE_JUNK = "\"'`*_\u201c\u201d\u2018\u2019\u00ab\u00bb\u201e"


_BULLETS = "\u2022\u00b7\u2023\u25e6-\u2013\u2014 "


@dataclass(frozen=True)
class SkillName:
    """A validated skill name as a member typed it."""

    label: str  # cleaned, what the member sees
    key: str  # canonical key, what matching sees
    spelling: str  # normalised spelling before aliases (an alias when it differs from key)
    level: Level | None = None  # from "Spanish (expert)"


@dataclass(frozen=True)
class CatalogOption:
    """One typeahead option: an existing skill (``skill_id``) or a new name to add."""

    value: str
    text: str


def unescape_slack(text: str) -> str:
    """Undo the only escaping Slack applies to typed text (``&amp;``, ``&lt;``, ``&gt;``)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def shown(text: str, limit: int = 40) -> str:
    """User text quoted inside one of our messages: shortened, markup escaped."""
    return clip(text, limit).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clean_label(raw: str) -> str:
    """What a member typed, made safe to store and show: Slack's HTML escapes undone, control
    and bidi-override characters removed, whitespace collapsed, wrapping quotes stripped."""
    text = unescape_slack(raw)
    kept = []
    for ch in text:
        if ch in _INVISIBLE:
            continue
        category = unicodedata.category(ch)
        if category == "Cc" or category in ("Zl", "Zp"):
            kept.append(" ")
            continue
        kept.append(ch)
    text = " ".join("".join(kept).split())
    while True:  # until stable, so cleaning a clean label changes nothing ("0' *" → "0")
        trimmed = text.lstrip(_BULLETS).strip(_EDGE_JUNK).strip()
        if trimmed == text:
            return text
        text = trimmed


def check_name(raw: str, *, example: str) -> SkillName:
    """Validate one skill name; ``example`` is the command form to suggest on errors."""
    label = clean_label(raw)
    level: Level | None = None
    found = _LEVEL_SUFFIX.match(label)
    if found:
        word = normalize_key(found.group("level"))
        if word in _LEVEL_WORDS and found.group("name").strip():
            level = _LEVEL_WORDS[word]
            label = clean_label(found.group("name"))
    if not label:
        raise UserInputError(f"That skill name is empty. Try `{example}`.")
    if len(label) > MAX_NAME_CHARS:
        raise UserInputError(
            f"“{shown(label)}” is {len(label)} characters long; skill names fit in "
            f"{MAX_NAME_CHARS}. Try a shorter name, for example `{example}`."
        )
    spelling = normalize_key(label)
    if not spelling:
        raise UserInputError(
            f"“{shown(label)}” has no letters or digits I can match on. Add a word, "
            f"for example `{example}`."
        )
    key = canonical_key(label)
    if len(spelling) > KEY_CHARS or len(key) > KEY_CHARS:
        raise UserInputError(
            f"“{shown(label)}” is too long once spelled out for matching. Try a shorter name, "
            f"for example `{example}`."
        )
    return SkillName(label=label, key=key, spelling=spelling, level=level)


def split_names(text: str) -> list[str]:
    """The non-empty parts of a comma (or semicolon, or newline) separated list."""
    return [p for p in _SEPARATORS.split(unescape_slack(text or "")) if clean_label(p)]


def parse_skill_list(text: str, *, example: str) -> list[SkillName]:
    """``"Spanish, SQL (expert)"`` -> two names, de-duplicated by meaning (first one wins).

    Raises :class:`UserInputError` when nothing is given, a name is invalid or there are more
    than :data:`MAX_SKILLS_PER_SIDE`.
    """
    parts = split_names(text)
    if not parts:
        raise UserInputError(f"Which skill? Try `{example}`.")
    if len(parts) > MAX_SKILLS_PER_SIDE:
        raise UserInputError(
            f"That's {len(parts)} skills; you can list up to {MAX_SKILLS_PER_SIDE} on each "
            f"side. Pick your favourites, for example `{example}`."
        )
    names: dict[str, SkillName] = {}
    for part in parts:
        name = check_name(part, example=example)
        names.setdefault(name.key, name)
    return list(names.values())


def display_name(name: SkillName) -> str:
    """The catalog's name for a new skill: the nice default for known aliases and lower-case
    spellings ("js" -> "JavaScript", "spanish" -> "Spanish"), otherwise the member's casing."""
    if name.spelling != name.key or name.label == name.label.lower():
        pretty = display_name_for(name.key)
        if pretty and len(pretty) <= KEY_CHARS:
            return pretty
    return name.label


def option_value_for_skill(skill_id: int) -> str:
    return f"s:{skill_id}"


def option_value_for_new(label: str) -> str:
    return f"n:{label}"


@dataclass(frozen=True)
class OptionRef:
    """A decoded option value: an existing skill id, or a new name."""

    skill_id: int | None
    label: str | None


def decode_option(value: str) -> OptionRef | None:
    kind, _, rest = (value or "").partition(":")
    if kind == "s" and rest.isdigit() and len(rest) < 12:
        return OptionRef(skill_id=int(rest), label=None)
    if kind == "n" and rest:
        return OptionRef(skill_id=None, label=rest)
    return None

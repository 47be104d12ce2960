"""The pure parts: cleaning and checking skill names, reading pause lengths and dates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import UserInputError
from bot.members.dates import parse_date, parse_pause
from bot.members.names import (
    KEY_CHARS,
    MAX_NAME_CHARS,
    MAX_SKILLS_PER_SIDE,
    Level,
    check_name,
    clean_label,
    decode_option,
    display_name,
    parse_skill_list,
)

EXAMPLE = "/skillswap teach Spanish"
TODAY = date(2026, 12, 7)
WIDE = "\uff33\uff50\uff41\uff4e\uff49\uff53\uff48"  # "Spanish" in full-width letters
BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


@given(st.text(max_size=300))
def test_clean_label_is_idempotent_and_strips_invisible_controls(raw: str) -> None:
    once = clean_label(raw)
    assert clean_label(once) == once or "&" in once  # "&amp;amp;" unescapes one level a time
    assert not BIDI & set(once)
    assert "\n" not in once and "\t" not in once
    assert once == once.strip()


@given(st.text(max_size=400))
def test_any_text_is_either_refused_clearly_or_fits_the_columns(raw: str) -> None:
    try:
        names = parse_skill_list(raw, example=EXAMPLE)
    except UserInputError as exc:
        assert "/skillswap" in exc.message  # every refusal says what to do next
        return
    assert 1 <= len(names) <= MAX_SKILLS_PER_SIDE
    assert len({n.key for n in names}) == len(names)
    for name in names:
        assert 0 < len(name.label) <= MAX_NAME_CHARS
        assert 0 < len(name.key) <= KEY_CHARS and 0 < len(name.spelling) <= KEY_CHARS
        assert len(display_name(name)) <= KEY_CHARS


@pytest.mark.parametrize(
    ("raw", "label", "key", "level"),
    [
        ("  Spanish  ", "Spanish", "spanish", None),
        ("Java Script", "Java Script", "javascript", None),
        ("JS (expert)", "JS", "javascript", Level.EXPERT),
        ("SQL [Intermediate]", "SQL", "sql", Level.INTERMEDIATE),
        ("C (programming language)", "C (programming language)", "c programming language", None),
        ("• “guitar”", "guitar", "guitar", None),
        ("R&amp;D", "R&D", "r and d", None),
        (WIDE, WIDE, "spanish", None),  # full-width letters: NFKC finds the skill
    ],
)
def test_check_name_keeps_what_was_typed_and_finds_the_key(
    raw: str, label: str, key: str, level: Level | None
) -> None:
    name = check_name(raw, example=EXAMPLE)
    assert (name.label, name.key, name.level) == (label, key, level)


def test_duplicates_by_meaning_keep_the_first_spelling() -> None:
    names = parse_skill_list("JS, javascript, Java Script, SQL", example=EXAMPLE)
    assert [n.label for n in names] == ["JS", "SQL"]


def test_display_name_prefers_nice_defaults_for_aliases_and_lower_case() -> None:
    assert display_name(check_name("js", example=EXAMPLE)) == "JavaScript"
    assert display_name(check_name("spanish", example=EXAMPLE)) == "Spanish"
    assert display_name(check_name("iOS development", example=EXAMPLE)) == "iOS development"


@pytest.mark.parametrize(
    ("value", "skill_id", "label"),
    [("s:12", 12, None), ("n:Rust", None, "Rust"), ("s:x", None, None), ("zzz", None, None)],
)
def test_option_values_decode_strictly(value: str, skill_id: int | None, label: str | None) -> None:
    ref = decode_option(value)
    if skill_id is None and label is None:
        assert ref is None
    else:
        assert ref is not None and (ref.skill_id, ref.label) == (skill_id, label)


# ----------------------------------------------------------------------------- pauses


@given(st.integers(min_value=1, max_value=52))
def test_pause_weeks(n: int) -> None:
    assert parse_pause(f"{n} weeks", TODAY) == TODAY + timedelta(weeks=n)
    assert parse_pause(f"for {n}w", TODAY) == TODAY + timedelta(weeks=n)


@given(st.integers(min_value=1, max_value=366))
def test_pause_until_an_iso_date_within_a_year(days: int) -> None:
    back = TODAY + timedelta(days=days)
    assert parse_pause(f"until {back.isoformat()}", TODAY) == back


@given(st.text(max_size=60))
def test_pause_never_crashes(raw: str) -> None:
    try:
        back = parse_pause(raw, TODAY)
    except UserInputError as exc:
        assert "/skillswap" in exc.message
        return
    assert back is None or TODAY < back <= TODAY + timedelta(days=366)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15 Jan", date(2027, 1, 15)),
        ("January 15th", date(2027, 1, 15)),
        ("dec 25", date(2026, 12, 25)),
        ("7 December", date(2027, 12, 7)),  # today: the next one
        ("1 March 2027", date(2027, 3, 1)),
        ("2027/03/01", date(2027, 3, 1)),
        ("31 February", None),
        ("someday", None),
    ],
)
def test_dates_in_words(text: str, expected: date | None) -> None:
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize("text", ["", "until I resume", "indefinitely"])
def test_pause_without_a_length_is_open_ended(text: str) -> None:
    assert parse_pause(text, TODAY) is None

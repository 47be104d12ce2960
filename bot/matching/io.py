"""The JSON format of ``skillswap match``: parsing with precise errors, and result output."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from bot.matching.model import (
    MatchInput,
    MatchResult,
    MatchSettings,
    MemberCadence,
    MemberInput,
    PastPairing,
    SkillClaim,
    WorkHours,
)
from bot.matching.skills import canonical_key, display_name_for
from bot.matching.tz import is_valid_tz

Path = tuple[str | int, ...]


class InputError(ValueError):
    """Malformed input; the message names the field, its JSON path and line."""

    def __init__(self, message: str, path: Path = (), line: int | None = None) -> None:
        self.path = path
        self.line = line
        where = format_path(path)
        prefix = f"line {line}, " if line else ""
        super().__init__(f"{prefix}{where}: {message}" if where else f"{prefix}{message}")


def format_path(path: Path) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else p)
    return out


_WS = re.compile(r"[ \t\r\n]*")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_SCALAR = re.compile(r"[^,\]\}\s]+")


def line_of(text: str, path: Path) -> int | None:
    """Line (1-based) where the value at ``path`` starts in valid JSON ``text``."""

    def skip(i: int) -> int:
        m = _WS.match(text, i)
        return m.end() if m else i

    def value_end(i: int) -> int:
        i = skip(i)
        ch = text[i]
        if ch == '"':
            m = _STRING.match(text, i)
            return m.end() if m else i + 1
        if ch in "[{":
            close = "]" if ch == "[" else "}"
            i = skip(i + 1)
            if text[i] == close:
                return i + 1
            while True:
                if ch == "{":
                    i = skip(value_end(i))  # key
                    i = skip(i + 1)  # ':'
                i = skip(value_end(i))
                if text[i] == ",":
                    i = skip(i + 1)
                    continue
                return i + 1
        m = _SCALAR.match(text, i)
        return m.end() if m else i + 1

    i = skip(0)
    for step in path:
        ch = text[i]
        if ch == "[" and isinstance(step, int):
            i = skip(i + 1)
            for _ in range(step):
                i = skip(value_end(i))
                i = skip(i + 1)  # ','
        elif ch == "{" and isinstance(step, str):
            i = skip(i + 1)
            while text[i] != "}":
                k_end = value_end(i)
                key = json.loads(text[i:k_end])
                i = skip(skip(k_end) + 1)
                if key == step:
                    break
                i = skip(value_end(i))
                if text[i] == ",":
                    i = skip(i + 1)
            else:
                return None
        else:
            return None
    return text.count("\n", 0, i) + 1


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text

    def fail(self, message: str, path: Path) -> InputError:
        try:
            line = line_of(self.text, path)
        except (IndexError, ValueError):
            line = None
        return InputError(message, path, line)

    def obj(self, value: Any, path: Path) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail("expected an object", path)
        return value

    def arr(self, value: Any, path: Path) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail("expected a list", path)
        return value

    def string(self, value: Any, path: Path, *, optional: bool = False) -> str | None:
        if value is None and optional:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail("expected a non-empty string", path)
        return value

    def integer(self, value: Any, path: Path, lo: int, hi: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise self.fail(f"expected a whole number from {lo} to {hi}", path)
        return value

    def boolean(self, value: Any, path: Path) -> bool:
        if not isinstance(value, bool):
            raise self.fail("expected true or false", path)
        return value

    def day(self, value: Any, path: Path) -> date:
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            raise self.fail("expected a date like 2026-12-07", path) from None


def _claims(r: _Reader, value: Any, path: Path) -> tuple[SkillClaim, ...]:
    out: list[SkillClaim] = []
    for i, item in enumerate(r.arr(value, path)):
        p = (*path, i)
        if isinstance(item, str):  # shorthand: just the skill name
            item = {"skill": item}
        obj = r.obj(item, p)
        name = r.string(obj.get("skill"), (*p, "skill"))
        assert name is not None
        key = canonical_key(name)
        if not key:
            raise r.fail("skill name has no letters or digits", (*p, "skill"))
        level = r.integer(obj.get("level", 1), (*p, "level"), 1, 3)
        label = display_name_for(key)
        out.append(SkillClaim(key, label, level))
    return tuple(out)


DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HHMM = re.compile(r"([01]\d|2[0-3]):([0-5]\d)|24:00")


def _clock(r: _Reader, value: Any, path: Path) -> int:
    if not isinstance(value, str) or not _HHMM.fullmatch(value):
        raise r.fail("expected a time like 09:00 (00:00 to 24:00)", path)
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def _hours(r: _Reader, value: Any, path: Path) -> WorkHours | None:
    """``{"days": ["mon", ..., "fri"], "start": "09:00", "end": "17:00"}``, each optional."""
    if value is None:
        return None
    obj = r.obj(value, path)
    for key in obj:
        if key not in ("days", "start", "end"):
            raise r.fail("unknown field (known: days, end, start)", (*path, key))
    days: set[int] = set()
    raw_days = r.arr(obj.get("days", list(DAY_NAMES[:5])), (*path, "days"))
    for i, day in enumerate(raw_days):
        if not isinstance(day, str) or day.lower() not in DAY_NAMES:
            raise r.fail(f"expected a day: {', '.join(DAY_NAMES)}", (*path, "days", i))
        days.add(DAY_NAMES.index(day.lower()))
    if not days:
        raise r.fail("expected at least one working day", (*path, "days"))
    start = _clock(r, obj.get("start", "09:00"), (*path, "start"))
    end = _clock(r, obj.get("end", "17:00"), (*path, "end"))
    if end <= start:
        raise r.fail("the working day must end after it starts", (*path, "end"))
    return WorkHours(days=frozenset(days), start=start, end=end)


def parse_input(text: str) -> MatchInput:
    """Parse the workspace JSON; raise :class:`InputError` naming the bad field."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not valid JSON ({exc.msg}, column {exc.colno})", (), exc.lineno
        ) from None
    r = _Reader(text)
    root = r.obj(data, ())
    round_date = r.day(root.get("round_date"), ("round_date",))
    members: list[MemberInput] = []
    seen: set[str] = set()
    for i, raw in enumerate(r.arr(root.get("members"), ("members",))):
        p: Path = ("members", i)
        m = r.obj(raw, p)
        mid = r.string(m.get("id"), (*p, "id"))
        assert mid is not None
        if mid in seen:
            raise r.fail(f"duplicate member id {mid!r}", (*p, "id"))
        seen.add(mid)
        tz = r.string(m.get("tz"), (*p, "tz"), optional=True)
        if tz is not None and not is_valid_tz(tz):
            raise r.fail(
                f"unknown time zone {tz!r} (use an IANA name like Europe/Madrid)", (*p, "tz")
            )
        cadence_raw = m.get("cadence", "every_round")
        try:
            cadence = MemberCadence(cadence_raw)
        except ValueError:
            raise r.fail(
                "cadence must be every_round, every_other or monthly", (*p, "cadence")
            ) from None
        members.append(
            MemberInput(
                id=mid,
                team=r.string(m.get("team"), (*p, "team"), optional=True),
                tz=tz,
                teach=_claims(r, m.get("teach", []), (*p, "teach")),
                learn=_claims(r, m.get("learn", []), (*p, "learn")),
                cadence=cadence,
                unmatched_streak=r.integer(
                    m.get("unmatched_streak", 0), (*p, "unmatched_streak"), 0, 10_000
                ),
                name=r.string(m.get("name"), (*p, "name"), optional=True),
                taught=r.integer(m.get("taught", 0), (*p, "taught"), 0, 100_000),
                learned=r.integer(m.get("learned", 0), (*p, "learned"), 0, 100_000),
                hours=_hours(r, m.get("hours"), (*p, "hours")),
            )
        )
    history: list[PastPairing] = []
    for i, raw in enumerate(r.arr(root.get("history", []), ("history",))):
        p = ("history", i)
        h = r.obj(raw, p)
        ids = r.arr(h.get("members"), (*p, "members"))
        if len(ids) < 2 or not all(isinstance(x, str) for x in ids):
            raise r.fail("expected a list of two or three member ids", (*p, "members"))
        again = r.arr(h.get("again", []), (*p, "again"))
        for j, x in enumerate(again):
            if not isinstance(x, str) or x not in ids:
                raise r.fail(
                    "expected the id of a member of this group who would swap again",
                    (*p, "again", j),
                )
        history.append(
            PastPairing(
                frozenset(ids),
                r.day(h.get("round_date"), (*p, "round_date")),
                frozenset(again),
            )
        )
    dnp: set[frozenset[str]] = set()
    for i, raw in enumerate(r.arr(root.get("do_not_pair", []), ("do_not_pair",))):
        pair = r.arr(raw, ("do_not_pair", i))
        if len(pair) != 2 or not all(isinstance(x, str) for x in pair) or pair[0] == pair[1]:
            raise r.fail("expected two different member ids", ("do_not_pair", i))
        dnp.add(frozenset(pair))
    raw_settings = r.obj(root.get("settings", {}), ("settings",))
    known = {"cooldown_rounds", "round_interval_days", "candidates_per_member", "discovery"}
    for key in raw_settings:
        if key not in known:
            raise r.fail(f"unknown setting (known: {', '.join(sorted(known))})", ("settings", key))
    settings = MatchSettings(
        cooldown_rounds=r.integer(
            raw_settings.get("cooldown_rounds", 8), ("settings", "cooldown_rounds"), 0, 52
        ),
        candidates_per_member=r.integer(
            raw_settings.get("candidates_per_member", 24),
            ("settings", "candidates_per_member"),
            2,
            500,
        ),
        discovery=r.boolean(raw_settings.get("discovery", True), ("settings", "discovery")),
    )
    interval = r.integer(
        raw_settings.get("round_interval_days", 7), ("settings", "round_interval_days"), 1, 62
    )
    return MatchInput(
        round_date=round_date,
        members=tuple(members),
        history=tuple(history),
        do_not_pair=frozenset(dnp),
        settings=settings,
        round_interval_days=interval,
    )


def result_to_json(result: MatchResult) -> dict[str, Any]:
    return {
        "groups": [
            {
                "members": list(g.members),
                "kind": str(g.kind),
                "teaches": [
                    {
                        "from": t.from_id,
                        "to": t.to_id,
                        "skill": t.skill_label,
                        "skill_key": t.skill_key,
                    }
                    for t in g.teaches
                ],
                "score": g.score,
                "reason": g.reason,
                "new_connection": g.new_connection,
                "cross_team": g.cross_team,
                **({"guest": g.guest} if g.guest else {}),
            }
            for g in result.groups
        ],
        "unmatched": [{"member": u.member, "why": u.why} for u in result.unmatched],
        "skipped": [{"member": u.member, "why": u.why} for u in result.skipped],
        "stats": result.stats.as_dict(),
    }

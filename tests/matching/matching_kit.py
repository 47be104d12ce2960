"""Small hand-made workspaces for the matching tests (imported, not a conftest)."""

from __future__ import annotations

from datetime import date

from bot.matching import MatchInput, MatchSettings, MemberInput, PastPairing, SkillClaim
from bot.matching.skills import canonical_key, display_name_for

ROUND = date(2026, 12, 7)


def claim(name: str, level: int = 1) -> SkillClaim:
    key = canonical_key(name)
    return SkillClaim(key, display_name_for(key), level)


def member(
    mid: str,
    teach: dict[str, int] | None = None,
    learn: dict[str, int] | None = None,
    *,
    team: str | None = "T",
    tz: str | None = "Europe/Madrid",
    **kw: object,
) -> MemberInput:
    return MemberInput(
        id=mid,
        team=team,
        tz=tz,
        teach=tuple(claim(k, v) for k, v in (teach or {}).items()),
        learn=tuple(claim(k, v) for k, v in (learn or {}).items()),
        **kw,  # type: ignore[arg-type]
    )


def inp(
    *members: MemberInput,
    history: tuple[PastPairing, ...] = (),
    dnp: tuple[tuple[str, str], ...] = (),
    cooldown: int = 8,
    discovery: bool = False,
) -> MatchInput:
    """A round; discovery swaps are off unless asked for, so lesson rules are seen alone."""
    return MatchInput(
        round_date=ROUND,
        members=members,
        history=history,
        do_not_pair=frozenset(frozenset(p) for p in dnp),
        settings=MatchSettings(cooldown_rounds=cooldown, discovery=discovery),
    )

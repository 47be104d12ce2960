"""Seeded synthetic workspaces for tests, previews and the benchmark (no real people)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from bot.matching.model import (
    MatchInput,
    MatchSettings,
    MemberCadence,
    MemberInput,
    PastPairing,
    SkillClaim,
)
from bot.matching.skills import display_name_for

_NAMED = (
    "spanish",
    "sql",
    "python",
    "english",
    "javascript",
    "guitar",
    "drawing",
    "public speaking",
    "excel",
    "french",
    "machine learning",
    "photography",
    "kubernetes",
    "german",
    "figma",
    "cooking",
    "chess",
    "ux design",
    "go",
    "statistics",
    "piano",
    "yoga",
    "japanese",
    "rust",
    "negotiation",
    "writing",
    "mandarin",
    "docker",
    "baking",
)
_TZS = (
    ("Europe/Madrid", 0.22),
    ("Europe/London", 0.15),
    ("America/New_York", 0.15),
    ("America/Los_Angeles", 0.08),
    ("Asia/Kolkata", 0.1),
    ("Europe/Berlin", 0.1),
    ("America/Sao_Paulo", 0.05),
    ("Asia/Tokyo", 0.04),
    ("Australia/Sydney", 0.03),
    ("Asia/Singapore", 0.04),
    ("Africa/Lagos", 0.02),
    ("America/Chicago", 0.02),
)


def _skill_names(count: int) -> list[str]:
    names = list(_NAMED)
    return names[:count] + [f"skill {i}" for i in range(len(names), count)]


def workspace(
    n: int,
    *,
    seed: int = 0,
    n_skills: int | None = None,
    zipf: float = 1.1,
    past_partners: int = 10,
    round_date: date = date(2026, 12, 7),
    dnp_share: float = 0.002,
    priority_share: float = 0.03,
    slow_cadence_share: float = 0.1,
    settings: MatchSettings | None = None,
) -> MatchInput:
    """``n`` members with Zipf-distributed skill popularity, teams of 8-15, about
    ``past_partners`` past partners each over the last year, a dozen time zones."""
    rng = np.random.default_rng(seed)
    s_count = n_skills or max(30, int(6 * np.sqrt(n)))
    names = _skill_names(s_count)
    pop = 1.0 / np.arange(1, s_count + 1) ** zipf
    pop /= pop.sum()
    tz_names = [t for t, _ in _TZS]
    tz_p = np.array([p for _, p in _TZS])
    tz_p /= tz_p.sum()
    members: list[MemberInput] = []
    team_no = 0
    left_in_team = 0
    cadences = list(MemberCadence)
    for i in range(n):
        if left_in_team == 0:
            team_no += 1
            left_in_team = int(rng.integers(8, 16))
            team_tz = tz_names[int(rng.choice(len(tz_names), p=tz_p))]
        left_in_team -= 1
        n_teach = int(rng.integers(1, 4))
        n_learn = int(rng.integers(1, 4))
        picks = rng.choice(s_count, size=n_teach + n_learn, replace=False, p=pop)
        teach = tuple(
            SkillClaim(
                names[k], display_name_for(names[k]), int(rng.choice(3, p=[0.3, 0.4, 0.3]) + 1)
            )
            for k in picks[:n_teach]
        )
        learn = tuple(
            SkillClaim(
                names[k], display_name_for(names[k]), int(rng.choice(3, p=[0.6, 0.3, 0.1]) + 1)
            )
            for k in picks[n_teach:]
        )
        tz = team_tz if rng.random() < 0.8 else tz_names[int(rng.choice(len(tz_names), p=tz_p))]
        r = rng.random()
        cadence = (
            cadences[0]
            if r >= slow_cadence_share
            else cadences[1]
            if r >= slow_cadence_share / 3
            else cadences[2]
        )
        members.append(
            MemberInput(
                id=f"U{i:06d}",
                team=f"Team {team_no}",
                tz=tz,
                teach=teach,
                learn=learn,
                cadence=cadence,
                unmatched_streak=1 if rng.random() < priority_share else 0,
            )
        )
    history: list[PastPairing] = []
    m_pairs = n * past_partners // 2
    a = rng.integers(0, n, m_pairs)
    b = rng.integers(0, n, m_pairs)
    weeks = rng.integers(1, 52, m_pairs)
    for x, y, wk in zip(a.tolist(), b.tolist(), weeks.tolist(), strict=True):
        if x != y:
            history.append(
                PastPairing(
                    frozenset({members[x].id, members[y].id}), round_date - timedelta(days=7 * wk)
                )
            )
    d = int(n * dnp_share)
    da, db = rng.integers(0, n, d), rng.integers(0, n, d)
    dnp = frozenset(
        frozenset({members[x].id, members[y].id})
        for x, y in zip(da.tolist(), db.tolist(), strict=True)
        if x != y
    )
    return MatchInput(
        round_date=round_date,
        members=tuple(members),
        history=tuple(history),
        do_not_pair=dnp,
        settings=settings or MatchSettings(),
    )

"""Week by week: what a run of rounds gave, against the most new groups that were possible.

Shared by ``bench/social.py`` and ``skillswap simulate``: each round's :class:`MatchInput` and
:class:`MatchResult` go into a :class:`Year`, which keeps one :class:`Week` row per round and
checks issue 15's targets as it goes.

The oracle ("most"): a maximum-cardinality matching of the never-met pairs of due members who
may meet and have a fitting lesson, every such pair listed (no sampling). It is grown from a
greedy matching by Edmonds' blossom search (:func:`augment_cardinality`, exact, tested against
networkx) and cross-checked against half the maximum matching of the bipartite double cover
(scipy), an upper bound. If the search ever ran out of its work budget, the bound is reported
instead (marked ``≤``), which can only make a verdict stricter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import maximum_bipartite_matching

from bot.matching import reasons
from bot.matching.arrays import IntA, build, evaluate
from bot.matching.candidates import all_pairs_chunks
from bot.matching.model import MatchInput, MatchResult
from bot.matching.solve import augment_cardinality, greedy_fill

_ORACLE_SCANS = 500_000_000  # edge scans; far more than a 2,000-member round needs
# Reasons that excuse someone left out: nobody new shares their hours, or no skills at all.
EXCUSED = frozenset({reasons.unmatched_no_one_new(), reasons.unmatched_no_skills()})
NEW_SHARE = 0.98  # new groups of the most possible, every week where any are possible
UNMATCHED_SHARE = 0.01  # of eligible members, beyond the odd one out
SWAP_SHARE = 0.99  # reciprocal swaps in week 1, of the most possible


def new_lesson_pairs(inp: MatchInput) -> tuple[int, IntA, IntA, np.ndarray]:
    """Never-met pairs of due members that may meet and have a fitting lesson, and which of
    them could swap (a lesson each way)."""
    ws = build(inp)
    due = np.flatnonzero(ws.due)
    keys = [np.minimum(t, s) * ws.n + np.maximum(t, s) for t, s in all_pairs_chunks(ws, due)]
    if not keys:
        empty = np.zeros(0, np.int64)
        return ws.n, empty, empty, np.zeros(0, bool)
    key = np.unique(np.concatenate(keys))
    u, v = key // ws.n, key % ws.n
    ev = evaluate(ws, u, v)
    ok = ev.valid & (ev.met == 0)
    return ws.n, u[ok], v[ok], ((ev.uv > 0) & (ev.vu > 0))[ok]


def most_pairs(n: int, u: IntA, v: IntA) -> tuple[int, bool]:
    """(size of a maximum matching of the graph ``(u, v)``, proven); an upper bound when not
    proven."""
    if u.size == 0:
        return 0, True
    cover = sp.csr_matrix(
        (np.ones(2 * u.size), (np.concatenate([u, v]), np.concatenate([v, u]))), shape=(n, n)
    )
    upper = int(np.sum(maximum_bipartite_matching(cover, perm_type="column") >= 0)) // 2
    mate = np.full(n, -1, dtype=np.int64)
    greedy_fill(mate, u, v, np.ones(u.size))
    left = augment_cardinality(mate, u, v, np.arange(n, dtype=np.int64), budget=_ORACLE_SCANS)
    found = int(np.sum(mate >= 0)) // 2
    if found > upper:
        raise AssertionError(f"a matching of {found} pairs above the bound of {upper}")
    return (found, True) if left >= 0 or found == upper else (upper, False)


def reciprocal(result: MatchResult) -> int:
    """Groups in which two members teach each other."""
    count = 0
    for g in result.groups:
        directed = {(t.from_id, t.to_id) for t in g.teaches}
        if any((b, a) in directed for a, b in directed):
            count += 1
    return count


@dataclass(frozen=True)
class Week:
    week: int
    due: int
    groups: int
    new: int  # groups with a lesson whose members never met
    most: int  # the most such groups possible (the oracle)
    proven: bool  # most is exact (else an upper bound)
    repeats: int
    discovery: int
    unmatched: int
    with_option: int  # unmatched although someone new shares their hours
    twice: int  # of those, also left out so the round before
    cross: float  # share of groups across teams
    spread: float  # standard deviation of lessons taught - received, before the round
    seconds: float  # match() time

    @property
    def share(self) -> float:
        return self.new / self.most if self.most else 1.0


#: The table's columns: header, width, cell. Both the benchmark and the CLI print these.
COLUMNS: tuple[tuple[str, int, Callable[[Week], str]], ...] = (
    ("week", 4, lambda w: str(w.week)),
    ("due", 6, lambda w: str(w.due)),
    ("groups", 6, lambda w: str(w.groups)),
    ("new", 6, lambda w: str(w.new)),
    ("most", 7, lambda w: ("" if w.proven else "≤") + str(w.most)),
    ("share", 7, lambda w: f"{w.share:.1%}"),
    ("repeat", 6, lambda w: str(w.repeats)),
    ("discov", 6, lambda w: str(w.discovery)),
    ("unmat", 6, lambda w: str(w.unmatched)),
    ("w/ opt", 7, lambda w: str(w.with_option)),
    ("twice", 6, lambda w: str(w.twice)),
    ("cross", 6, lambda w: f"{w.cross:.0%}"),
    ("spread", 7, lambda w: f"{w.spread:.2f}"),
    ("secs", 6, lambda w: f"{w.seconds:.2f}"),
)
LEGEND = (
    "new: groups with a lesson whose members never met · most: the most such groups possible "
    "(exact maximum matching of never-met pairs with a fitting lesson) · share: new / most · "
    "repeat: pairs who met before and both chose to meet again · discov: discovery swaps · "
    "unmat: left out · w/ opt: of them, with someone new in their working hours · twice: of "
    "those, left out the round before too · cross: groups across teams · spread: standard "
    "deviation of lessons taught minus received · secs: match() time"
)


def header() -> str:
    return " ".join(f"{name:>{width}}" for name, width, _cell in COLUMNS)


def row(week: Week) -> str:
    return " ".join(f"{cell(week):>{width}}" for _name, width, cell in COLUMNS)


@dataclass
class Year:
    """Rounds added one after the other; :attr:`fails` lists the targets missed so far."""

    weeks: list[Week] = field(default_factory=list)
    fails: list[str] = field(default_factory=list)
    first_week_swaps: str = ""
    _last_out: set[str] = field(default_factory=set)

    def add(self, inp: MatchInput, result: MatchResult, seconds: float = 0.0) -> Week:
        n, u, v, swap = new_lesson_pairs(inp)
        most, proven = most_pairs(n, u, v)
        s = result.stats
        with_option = {x.member for x in result.unmatched if x.why not in EXCUSED}
        twice = len(with_option & self._last_out)
        self._last_out = with_option
        balance = [m.taught - m.learned for m in inp.members]
        week = Week(
            week=len(self.weeks) + 1,
            due=s.eligible,
            groups=s.groups,
            new=s.new_connections,
            most=most,
            proven=proven,
            repeats=s.repeats,
            discovery=s.discovery,
            unmatched=s.unmatched,
            with_option=len(with_option),
            twice=twice,
            cross=s.cross_team / max(s.groups, 1),
            spread=float(np.std(balance)) if balance else 0.0,
            seconds=seconds or s.seconds,
        )
        self.weeks.append(week)
        self._check(week)
        if week.week == 1:
            best, best_proven = most_pairs(n, u[swap], v[swap])
            got = reciprocal(result)
            self.first_week_swaps = (
                f"week 1 reciprocal swaps: {got} of {'' if best_proven else '≤'}{best} possible "
                f"({got / max(best, 1):.1%}; target ≥ {SWAP_SHARE:.0%})"
            )
            if got < SWAP_SHARE * best:
                self.fails.append(f"week 1: {got} reciprocal swaps of {best} possible")
        return week

    def _check(self, w: Week) -> None:
        if w.most and w.new < NEW_SHARE * w.most:
            self.fails.append(
                f"week {w.week}: {w.new} new groups of {w.most} possible ({w.share:.1%})"
            )
        if max(w.with_option - 1, 0) > UNMATCHED_SHARE * w.due:
            self.fails.append(
                f"week {w.week}: {w.with_option} unmatched with someone new in their hours "
                f"(> {UNMATCHED_SHARE:.0%} of {w.due} beyond the odd one out)"
            )
        if w.twice:
            self.fails.append(f"week {w.week}: {w.twice} unmatched two rounds running")

    def verdict(self) -> str:
        if not self.fails:
            return "targets: all met"
        return f"TARGETS MISSED ({len(self.fails)}):\n  " + "\n  ".join(self.fails)

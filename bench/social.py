"""A year of weekly rounds on a synthetic workspace: do new connections keep coming?

    python bench/social.py [--sizes 200 2000] [--weeks 52] [--seed 0]

Profiles stay as they are; after each round the history (with each member's answer to "Would
you swap with them again?", yes with probability ``--again``), the unmatched streaks and the
lessons taught and received are carried forward into the next round's ``MatchInput``.

The per-week table, the exact oracle (the most new groups possible) and the checks against
issue 15's targets live in :mod:`bot.matching.weekly`, shared with ``skillswap simulate``.

Week 1's reciprocal swaps are judged against the most swaps of any matching (the issue's
target) and, beside it, against the most swaps when new groups come first: the exact
maximum number of swap pairs among matchings with the most new pairs, a 0/1 program (edges
weigh ``B + 1`` for a swap, ``B`` otherwise, ``B`` above the most pairs, so one more pair
outweighs every swap) solved by :func:`bench.matching.exact_optimum` (LP with odd-set cuts,
then HiGHS on the edges the duals cannot rule out); ``≤`` marks a bound if it stops short.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.matching import exact_optimum  # noqa: E402
from bot.matching import MatchInput, MatchResult, PastPairing, match  # noqa: E402
from bot.matching.synthetic import workspace  # noqa: E402
from bot.matching.weekly import Year, header, most_pairs, new_lesson_pairs, reciprocal, row  # noqa: E402


def swaps_with_most_pairs(inp: MatchInput, result: MatchResult) -> tuple[int, bool]:
    """(the most swap pairs among matchings with the most new pairs, proven)."""
    n, u, v, swap = new_lesson_pairs(inp)
    most, proven = most_pairs(n, u, v)
    if not proven or u.size == 0:
        return most, False  # loose: no more swaps than pairs
    big = float(most + 1)
    w = big + swap.astype(np.float64)
    # A lower bound from the engine's own pairs that are edges here (a matching of the graph).
    key = np.minimum(u, v) * n + np.maximum(u, v)
    order = np.argsort(key)
    index = {m.id: i for i, m in enumerate(inp.members)}
    lower = 0.0
    for g in result.groups:
        if len(g.members) == 2:
            a, b = sorted(index[m] for m in g.members)
            pos = int(np.searchsorted(key[order], a * n + b))
            if pos < key.size and key[order][pos] == a * n + b:
                lower += float(w[order][pos])
    ex = exact_optimum(n, u, v, w, lower, None)
    best = ex["opt"] if ex["opt"] is not None else ex["upper"]
    return round(best - big * most), ex["opt"] is not None


def year(
    n: int, weeks: int, seed: int, again: float, stream: bool = False
) -> tuple[Year, MatchInput, MatchResult]:
    inp = workspace(n, seed=seed, past_partners=0, priority_share=0.0)
    rng = np.random.default_rng(seed + 1)
    members = {m.id: m for m in inp.members}
    taught = dict.fromkeys(members, 0)
    learned = dict.fromkeys(members, 0)
    streak = dict.fromkeys(members, 0)
    history: list[PastPairing] = []
    out = Year()
    first: tuple[MatchInput, MatchResult] | None = None
    for week in range(weeks):
        day = inp.round_date + timedelta(weeks=week)
        round_inp = replace(
            inp,
            round_date=day,
            members=tuple(
                replace(
                    m, unmatched_streak=streak[m.id], taught=taught[m.id], learned=learned[m.id]
                )
                for m in inp.members
            ),
            history=tuple(history),
        )
        t0 = time.perf_counter()
        result = match(round_inp, seed=seed + week)
        line = out.add(round_inp, result, time.perf_counter() - t0)
        first = first or (round_inp, result)
        if stream:
            sys.stdout.write(row(line) + "\n")
            sys.stdout.flush()
        # Carry the round forward.
        for g in result.groups:
            yes = frozenset(m for m in g.members if rng.random() < again)
            history.append(PastPairing(frozenset(g.members), day, yes))
            for t in g.teaches:
                taught[t.from_id] += 1
                learned[t.to_id] += 1
            for m in g.members:
                streak[m] = 0
        for x in result.unmatched:
            streak[x.member] += 1
    assert first is not None
    return out, *first


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="*", default=[200, 2000])
    ap.add_argument("--weeks", type=int, default=52)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--again", type=float, default=0.5, help="share answering yes to again")
    args = ap.parse_args()
    for n in args.sizes:
        t0 = time.perf_counter()
        sys.stdout.write(f"\n== {n} members, {args.weeks} weekly rounds, seed {args.seed}\n")
        sys.stdout.write(header() + "\n")
        result, inp1, res1 = year(n, args.weeks, args.seed, args.again, stream=True)
        seconds = sum(w.seconds for w in result.weeks)
        sys.stdout.write(result.first_week_swaps + "\n")
        t1 = time.perf_counter()
        best, proven = swaps_with_most_pairs(inp1, res1)
        got = reciprocal(res1)
        sys.stdout.write(
            f"  with the most new groups first: at most {'' if proven else '≤'}{best} swaps "
            f"({'exact' if proven else 'bound'}, {time.perf_counter() - t1:.0f} s): "
            f"{got / max(best, 1):.1%} of that\n"
        )
        sys.stdout.write(
            f"match() total {seconds:.1f} s; whole run {time.perf_counter() - t0:.1f} s\n"
        )
        sys.stdout.write(result.verdict() + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()

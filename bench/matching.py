"""Benchmark of the matching engine on synthetic workspaces (1k, 10k, 100k members).

    python bench/matching.py [--sizes 1000 10000 100000] [--seed 0]

Each size runs in a fresh process so peak RSS is its own. For each it prints the engine's time
(candidates + matching, and the whole ``match()`` call), peak RSS, the weight of the matching
stage, a reference, their ratio, and the share of swaps, new connections and cross-team groups.

References, from strongest to weakest:
* ``exact``: the optimum of the full graph (every compatible pair) by HiGHS MIP (small sizes);
* ``dual``: a certified upper bound on the full-graph optimum: LP duals of the candidate graph,
  raised in one streaming pass over every compatible pair until they cover all of them;
* ``block LP``: the engine's own relaxation bound per block (not a bound on the full graph).
networkx's ``max_weight_matching`` on the full graph runs where it finishes in reasonable time.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.matching import match  # noqa: E402
from bot.matching.arrays import build, evaluate  # noqa: E402
from bot.matching.candidates import (  # noqa: E402
    all_pairs_chunks,
    candidate_graph,
    count_all_pairs,
)
from bot.matching.solve import exact_matching  # noqa: E402
from bot.matching.synthetic import workspace  # noqa: E402

NX_LIMIT_PAIRS = 400_000  # full graphs up to this many pairs go to networkx
EXACT_LIMIT_PAIRS = 400_000
DUAL_LIMIT_PAIRS = 60_000_000


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def full_graph(ws: Any, due: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    us, vs, ws_ = [], [], []
    for t, s in all_pairs_chunks(ws, due):
        key = np.unique(np.minimum(t, s) * ws.n + np.maximum(t, s))
        u, v = key // ws.n, key % ws.n
        ev = evaluate(ws, u, v)
        ok = ev.valid
        us.append(u[ok])
        vs.append(v[ok])
        ws_.append(ev.weight[ok])
    u, v, w = np.concatenate(us), np.concatenate(vs), np.concatenate(ws_)
    key = np.minimum(u, v) * ws.n + np.maximum(u, v)
    _, first = np.unique(key, return_index=True)
    return u[first], v[first], w[first]


def dual_bound(ws: Any, due: np.ndarray, seed: int) -> float:
    """Certified upper bound on the full-graph optimum (fractional-matching LP duality)."""
    from scipy.optimize import linprog
    from scipy.sparse import csr_matrix

    g = candidate_graph(ws, due, due, 64, np.random.default_rng(seed + 1), oversample=8)
    m = g.u.size
    cols = np.arange(m)
    inc = csr_matrix(
        (np.ones(2 * m), (np.concatenate([g.u, g.v]), np.concatenate([cols, cols]))),
        shape=(ws.n, m),
    )
    res = linprog(-g.weight, A_ub=inc, b_ub=np.ones(ws.n), bounds=(0, None), method="highs")
    y = np.maximum(-res.ineqlin.marginals, 0.0)
    raised = y.copy()
    for t, s in all_pairs_chunks(ws, due):
        ev = evaluate(ws, t, s)
        ok = ev.valid
        a, b, w = t[ok], s[ok], ev.weight[ok]
        np.maximum.at(raised, b, w - y[a])  # y'_b >= w - y_a and y'_a >= y_a: edge covered
    return float(raised.sum())


def one(n: int, seed: int) -> dict[str, Any]:
    inp = workspace(n, seed=seed)
    t = time.perf_counter()
    result = match(inp, seed=seed)
    wall = time.perf_counter() - t
    s = result.stats
    out: dict[str, Any] = {
        "n": n,
        "cand_match_s": s.seconds_candidates + s.seconds_matching,
        "match_s": wall,
        "edges": s.candidate_edges,
        "rss_mib": _peak_mib(),
        "weight": s.pair_weight,
        "swap": s.swaps / max(s.groups, 1),
        "new": s.new_connections / max(s.groups, 1),
        "cross": s.cross_team / max(s.groups, 1),
        "unmatched": s.unmatched,
        "ref": None,
        "ref_kind": "",
        "nx_s": None,
        "nx_weight": None,
    }
    ws = build(inp)
    due = np.flatnonzero(ws.due)
    pairs = count_all_pairs(ws, due)
    out["full_pairs"] = pairs
    if pairs <= EXACT_LIMIT_PAIRS:
        u, v, w = full_graph(ws, due)
        t = time.perf_counter()
        _m, opt, proven = exact_matching(ws.n, u, v, w, time_limit=600)
        out["ref"], out["ref_kind"] = opt, "exact" if proven else "MIP (time limit)"
        out["ref_s"] = time.perf_counter() - t
        if pairs <= NX_LIMIT_PAIRS:
            import networkx as nx

            graph = nx.Graph()
            graph.add_weighted_edges_from(zip(u.tolist(), v.tolist(), w.tolist(), strict=True))
            t = time.perf_counter()
            mm = nx.max_weight_matching(graph)
            out["nx_s"] = time.perf_counter() - t
            out["nx_weight"] = float(sum(graph[a][b]["weight"] for a, b in mm))
    elif pairs <= DUAL_LIMIT_PAIRS:
        t = time.perf_counter()
        out["ref"], out["ref_kind"] = dual_bound(ws, due, seed), "dual UB"
        out["ref_s"] = time.perf_counter() - t
    elif s.upper_bound == s.upper_bound:  # not NaN
        out["ref"], out["ref_kind"] = s.upper_bound, "cand. LP UB"
    else:
        out["ref"], out["ref_kind"] = None, "n/a"
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="*", default=[1000, 10_000, 100_000])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        sys.stdout.write(json.dumps(one(args.one, args.seed)) + "\n")
        return
    header = (
        f"{'members':>8} {'cand+match':>10} {'match()':>8} {'edges':>9} {'peakRSS':>8} "
        f"{'weight':>11} {'reference':>11} {'kind':>12} {'ratio':>7} {'swaps':>6} "
        f"{'new':>6} {'cross':>6} {'nx time':>8} {'nx weight':>11}"
    )
    sys.stdout.write(header + "\n")
    for n in args.sizes:
        proc = subprocess.run(
            [sys.executable, __file__, "--one", str(n), "--seed", str(args.seed)],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        ratio = f"{r['weight'] / r['ref']:.2%}" if r["ref"] else "-"
        ref = f"{r['ref']:.1f}" if r["ref"] else "-"
        nx_s = f"{r['nx_s']:.1f}s" if r["nx_s"] is not None else "-"
        nx_w = f"{r['nx_weight']:.1f}" if r["nx_weight"] is not None else "-"
        sys.stdout.write(
            f"{n:>8} {r['cand_match_s']:>9.2f}s {r['match_s']:>7.2f}s {r['edges']:>9} "
            f"{r['rss_mib']:>6.0f}Mi {r['weight']:>11.1f} {ref:>11} {r['ref_kind']:>12} "
            f"{ratio:>7} {r['swap']:>6.1%} {r['new']:>6.1%} {r['cross']:>6.1%} {nx_s:>8} "
            f"{nx_w:>11}\n"
        )
        sys.stdout.flush()


if __name__ == "__main__":
    main()

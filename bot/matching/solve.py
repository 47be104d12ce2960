"""Maximum-weight matching on a sparse candidate graph.

The fractional matching relaxation (each member's edges sum to at most 1) of a general graph
equals half of an assignment problem on its bipartite double cover: row ``u`` picks column
``v`` with value ``w(u, v)``, the diagonal means "unmatched". scipy's sparse assignment solver
(LAPJVsp) solves it exactly; the optimal permutation splits into cycles. Two-cycles are
matched pairs; longer cycles carry half-integral values, and we keep the best alternate edges of
each (all but at most one member of an odd cycle). Half the assignment value is an upper bound
on the optimum of the candidate graph, so every solution comes with a certificate.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from bot.matching.arrays import FloatA, IntA

DENSE_LIMIT = 2500  # pools up to this size use the dense solver (fast, memory m^2)
_SCALE = 4.0  # LAPJVsp is fast on integral costs and very slow on arbitrary floats


def assignment_matching(
    n: int,
    u: IntA,
    v: IntA,
    w: FloatA,
    nodes: IntA | None = None,
    rng: np.random.Generator | None = None,
) -> tuple[IntA, float]:
    """Match within ``nodes`` (default all); returns (mate with -1 for unmatched, upper bound).

    ``mate`` is indexed by global node number; edges touching nodes outside ``nodes`` must not
    be passed. Weights are rounded to quarters for the solver. ``rng`` shuffles the node
    order, which is how the seed breaks ties.
    """
    mate = np.full(n, -1, dtype=np.int64)
    if u.size == 0:
        return mate, 0.0
    if nodes is None:
        nodes = np.unique(np.concatenate([u, v]))
    local = np.full(n, -1, dtype=np.int64)
    m = nodes.size
    perm = rng.permutation(m) if rng is not None else np.arange(m)
    nodes = nodes[perm]
    local[nodes] = np.arange(m)
    lu, lv = local[u], local[v]
    qw = np.rint(w * _SCALE)
    sigma = np.empty(m, dtype=np.int64)
    if m <= DENSE_LIMIT:
        dense = np.zeros((m, m))
        dense[lu, lv] = qw
        dense[lv, lu] = qw
        r, c = linear_sum_assignment(dense, maximize=True)
        sigma[r] = c
    else:
        big = float(qw.max()) + 1.0
        rows = np.concatenate([lu, lv, np.arange(m)])
        cols = np.concatenate([lv, lu, np.arange(m)])
        cost = np.concatenate([big - qw, big - qw, np.full(m, big)])
        mat = sp.csr_matrix((cost, (rows, cols)), shape=(m, m))
        r, c = min_weight_full_bipartite_matching(mat)
        sigma[r] = c
    # Assignment value: sum of w over non-diagonal picks; half of it bounds the matching.
    wmat = sp.csr_matrix(
        (np.concatenate([w, w]), (np.concatenate([lu, lv]), np.concatenate([lv, lu]))), shape=(m, m)
    )
    picked = np.asarray(wmat[np.arange(m), sigma]).ravel()
    bound = float(picked.sum()) / 2.0
    lmate = np.full(m, -1, dtype=np.int64)
    two = (sigma[sigma] == np.arange(m)) & (sigma != np.arange(m))
    lmate[two] = sigma[two]
    # Longer cycles: walk each once.
    seen = two | (sigma == np.arange(m))
    for start in np.flatnonzero(~seen):
        if seen[start]:
            continue
        cyc = [int(start)]
        seen[start] = True
        x = int(sigma[start])
        while x != start:
            cyc.append(x)
            seen[x] = True
            x = int(sigma[x])
        weights = picked[cyc]  # weights[i] = w(cyc[i], cyc[i+1])
        for a, b in _round_cycle(weights):
            lmate[cyc[a]] = cyc[b]
            lmate[cyc[b]] = cyc[a]
    # The dense solver may "pick" a missing edge (value 0) inside a cycle: drop such pairs.
    matched = np.flatnonzero(lmate >= 0)
    real = np.asarray(wmat[matched, lmate[matched]]).ravel() > 0
    matched = matched[real]
    mate[nodes[matched]] = nodes[lmate[matched]]
    return mate, bound


def _round_cycle(weights: FloatA) -> list[tuple[int, int]]:
    """Best set of alternate edges of a cycle (edge i joins positions i and i+1)."""
    k = weights.size
    if k % 2 == 0:
        even = float(weights[0::2].sum())
        odd = float(weights[1::2].sum())
        off = 0 if even >= odd else 1
        return [(i, (i + 1) % k) for i in range(off, k, 2)]
    best_total, best_skip = -1.0, 0
    for skip in range(k):  # leave node `skip` out; the rest is a path with one matching
        total = float(sum(weights[(skip + 1 + 2 * j) % k] for j in range((k - 1) // 2)))
        if total > best_total:
            best_total, best_skip = total, skip
    return [((best_skip + 1 + 2 * j) % k, (best_skip + 2 + 2 * j) % k) for j in range((k - 1) // 2)]


def greedy_fill(mate: IntA, u: IntA, v: IntA, w: FloatA) -> None:
    """Add the heaviest edges between still-unmatched nodes, in place."""
    free = (mate[u] < 0) & (mate[v] < 0)
    if not free.any():
        return
    fu, fv, fw = u[free], v[free], w[free]
    for i in np.argsort(-fw, kind="stable"):
        a, b = int(fu[i]), int(fv[i])
        if mate[a] < 0 and mate[b] < 0:
            mate[a] = b
            mate[b] = a


def matching_weight(mate: IntA, u: IntA, v: IntA, w: FloatA) -> float:
    return float(w[mate[u] == v].sum())


def exact_matching(
    n: int, u: IntA, v: IntA, w: FloatA, *, time_limit: float | None = None
) -> tuple[IntA, float, bool]:
    """Maximum-weight matching as a 0/1 program solved by HiGHS (scipy.optimize.milp).

    Returns (mate, weight, proven_optimal). Used for small pools, where rounding the
    relaxation can leave an odd cycle's worth of weight behind, and as the benchmark's oracle.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp

    mate = np.full(n, -1, dtype=np.int64)
    m = u.size
    if m == 0:
        return mate, 0.0, True
    cols = np.arange(m)
    inc = sp.csr_matrix(
        (np.ones(2 * m), (np.concatenate([u, v]), np.concatenate([cols, cols]))), shape=(n, m)
    )
    options: dict[str, float | bool] = {"disp": False, "mip_rel_gap": 0.0}  # truly exact
    if time_limit is not None:
        options["time_limit"] = time_limit
    res = milp(
        -w,
        constraints=LinearConstraint(inc, -np.inf, 1.0),
        integrality=np.ones(m),
        bounds=Bounds(0.0, 1.0),
        options=options,
    )
    if res.x is None:
        return mate, 0.0, False
    chosen = np.flatnonzero(res.x > 0.5)
    mate[u[chosen]] = v[chosen]
    mate[v[chosen]] = u[chosen]
    return mate, float(w[chosen].sum()), bool(res.status == 0)

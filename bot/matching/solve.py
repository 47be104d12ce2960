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


def augment_short_paths(mate: IntA, u: IntA, v: IntA, w: FloatA, rounds: int = 4) -> None:
    """Improve ``mate`` in place along augmenting paths of three edges.

    A free node ``a`` next to a matched ``x`` whose partner ``y`` has another free neighbour
    ``b``: matching ``a-x`` and ``y-b`` instead of ``x-y`` gains one pair. Rounding the
    relaxation leaves one node per odd cycle out; most of them are one such path away from
    a partner. Only strictly heavier results are applied, best gain first.
    """
    if u.size == 0:
        return
    n = mate.size
    # Directed copies: (a, x, weight), both directions.
    a_all = np.concatenate([u, v])
    x_all = np.concatenate([v, u])
    w_all = np.concatenate([w, w])
    for _ in range(rounds):
        free = mate < 0
        # Best free neighbour b of every matched node y (and the second best, for b == a).
        side = free[x_all] & ~free[a_all]  # a_all = y matched, x_all = b free
        ys, bs, ws_ = a_all[side], x_all[side], w_all[side]
        if ys.size == 0:
            return
        order = np.lexsort((-ws_, ys))
        ys, bs, ws_ = ys[order], bs[order], ws_[order]
        first = np.ones(ys.size, dtype=bool)
        first[1:] = ys[1:] != ys[:-1]
        best_b = np.full(n, -1, dtype=np.int64)
        best_w = np.zeros(n)
        best_b[ys[first]] = bs[first]
        best_w[ys[first]] = ws_[first]
        second = np.zeros(ys.size, dtype=bool)
        second[1:] = (~first[1:]) & first[:-1]
        second_b = np.full(n, -1, dtype=np.int64)
        second_w = np.zeros(n)
        second_b[ys[second]] = bs[second]
        second_w[ys[second]] = ws_[second]
        # Edges a (free) - x (matched), y = mate[x].
        cand = free[a_all] & ~free[x_all]
        a, x, wax = a_all[cand], x_all[cand], w_all[cand]
        y = mate[x]
        b = np.where(best_b[y] == a, second_b[y], best_b[y])
        wyb = np.where(best_b[y] == a, second_w[y], best_w[y])
        key = np.minimum(x, y) * n + np.maximum(x, y)
        pair_key = np.minimum(u, v) * n + np.maximum(u, v)
        order_k = np.argsort(pair_key)
        pos = np.searchsorted(pair_key[order_k], key)
        wxy = w[order_k[np.minimum(pos, pair_key.size - 1)]]
        gain = wax + wyb - wxy
        ok = (b >= 0) & (gain > 1e-9)
        if not ok.any():
            return
        idx = np.flatnonzero(ok)
        idx = idx[np.argsort(-gain[idx], kind="stable")]
        changed = False
        for i in idx:
            ai, xi, bi = int(a[i]), int(x[i]), int(b[i])
            yi = int(mate[xi])
            if mate[ai] >= 0 or mate[bi] >= 0 or yi != int(y[i]) or ai == bi:
                continue
            mate[ai], mate[xi] = xi, ai
            mate[yi], mate[bi] = bi, yi
            changed = True
        if not changed:
            return


def exact_matching(
    n: int,
    u: IntA,
    v: IntA,
    w: FloatA,
    *,
    time_limit: float | None = None,
    node_limit: int | None = None,
    tier: float | None = None,
) -> tuple[IntA, float, bool]:
    """Maximum-weight matching as a 0/1 program solved by HiGHS (scipy.optimize.milp).

    Returns (mate, weight, proven_optimal). Used for small pools, where rounding the
    relaxation can leave an odd cycle's worth of weight behind, and as the benchmark's oracle.
    With ``tier`` (edges weighing at least it carry it as a strict priority on top of their
    fit) the program is solved lexicographically, which is the same optimum without the huge
    coefficients HiGHS is slow on: first the most tier edges, then the best fit with as many
    (``node_limit`` applies to that second stage: its best incumbent is used when cut short).
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
    first_options = dict(options)
    if node_limit is not None:  # a work limit, unlike time: the same answer on a busy machine
        options["node_limit"] = node_limit
    constraints = [LinearConstraint(inc, -np.inf, 1.0)]
    cost = -w
    if tier is not None:
        # The most tier edges: a cardinality matching, quick to prove, so never cut short.
        top = (w >= tier).astype(np.float64)
        first = milp(
            -top,
            constraints=constraints,
            integrality=np.ones(m),
            bounds=Bounds(0.0, 1.0),
            options=first_options,
        )
        if first.x is None or first.status != 0:
            return mate, 0.0, False
        count = float(np.rint(-first.fun))
        constraints.append(LinearConstraint(top[None, :], count, np.inf))
        cost = -(w - tier * top)
    res = milp(
        cost,
        constraints=constraints,
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

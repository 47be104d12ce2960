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
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from bot.matching.arrays import BoolA, FloatA, IntA

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
    # Only real edges (the diagonal means unmatched; a zero-weight edge is no pair).
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
    # Leaving node ``skip`` out keeps edges skip+1, skip+3, ..., skip+k-2 (mod k): sums of
    # every other edge of the doubled cycle, read off two strided prefix sums.
    doubled = np.concatenate([weights, weights])
    prefix = np.zeros(2 * k + 2)
    prefix[2::2] = np.cumsum(doubled[0::2])
    prefix[3::2] = np.cumsum(doubled[1::2])
    skips = np.arange(k)
    totals = prefix[skips + k] - prefix[skips + 1]
    best_skip = int(np.argmax(totals))
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


def _neighbours(n: int, u: IntA, v: IntA) -> tuple[list[int], list[int]]:
    """The undirected graph ``(u, v)`` as adjacency lists: node ``x``'s neighbours are
    ``nbr[ptr[x]:ptr[x + 1]]``, in edge order (plain lists: the searches index them one at a
    time)."""
    a_all = np.concatenate([u, v])
    b_all = np.concatenate([v, u])
    order = np.argsort(a_all, kind="stable")
    ptr: list[int] = np.searchsorted(a_all[order], np.arange(n + 1)).tolist()
    nbr: list[int] = b_all[order].tolist()
    return ptr, nbr


def augment_cardinality(
    mate: IntA,
    u: IntA,
    v: IntA,
    roots: IntA,
    *,
    budget: int,
) -> int:
    """Grow ``mate`` to a maximum-cardinality matching of the graph ``(u, v)`` (in place).

    Edmonds' blossom search for an augmenting path from each free node of ``roots``, in that
    order (callers put the members who matter most first). Flipping a path matches its two
    ends and keeps every matched node matched, so only free nodes gain a partner. A search
    that fails takes its whole tree out of later searches (no augmenting path can use it).
    ``budget`` bounds the edge scans (work, not time: the same answer on a busy machine);
    returns the budget left, which is ``>= 0`` when the result is proven maximum.
    """
    n = mate.size
    if u.size == 0:
        return budget
    # Nodes matched outside this graph (a repeat, say) take no part.
    on = mate[u] == v
    m_arr = np.full(n, -1, dtype=np.int64)
    m_arr[u[on]], m_arr[v[on]] = v[on], u[on]
    blocked = (mate >= 0) & (m_arr < 0)
    keep = ~blocked[u] & ~blocked[v]
    u, v = u[keep], v[keep]
    ptr, nbr = _neighbours(n, u, v)
    m = m_arr.tolist()
    parent = [-1] * n
    base = list(range(n))
    used = [False] * n
    dead = [False] * n  # in the tree of a failed search: never on an augmenting path again
    members: dict[int, list[int]] = {}  # base -> the nodes of its blossom (this search)
    for root in roots.tolist():
        if m[root] >= 0 or ptr[root] == ptr[root + 1]:
            continue
        touched = [root]
        members.clear()
        used[root] = True
        queue = [root]
        head = 0
        found = -1
        while head < len(queue) and found < 0:
            x = queue[head]
            head += 1
            lo, hi = ptr[x], ptr[x + 1]
            budget -= hi - lo
            for y in nbr[lo:hi]:
                if dead[y] or base[x] == base[y] or m[x] == y:
                    continue
                if y == root or (m[y] >= 0 and parent[m[y]] >= 0):
                    # Odd cycle: contract the blossom onto its base.
                    b = _lca(x, y, m, parent, base)
                    inside: set[int] = set()
                    _mark(x, b, y, m, parent, base, inside)
                    _mark(y, b, x, m, parent, base, inside)
                    for c in inside:
                        if c == b:
                            continue
                        group = members.pop(c, [c])
                        for z in group:
                            base[z] = b
                            if not used[z]:
                                used[z] = True
                                queue.append(z)
                        members.setdefault(b, [b]).extend(group)
                elif parent[y] < 0:
                    parent[y] = x
                    touched.append(y)
                    if m[y] < 0:
                        found = y
                        break
                    z = m[y]
                    used[z] = True
                    touched.append(z)
                    queue.append(z)
            if budget < 0:
                break
        if found >= 0:
            y = found
            while y >= 0:
                x = parent[y]
                nxt = m[x]
                m[y], m[x] = x, y
                y = nxt
        for z in touched:
            parent[z] = -1
            base[z] = z
            used[z] = False
            if found < 0 and budget >= 0:
                dead[z] = True
        if budget < 0:
            break
    now = np.array(m, dtype=np.int64)
    changed = now != m_arr
    mate[changed] = now[changed]
    return budget


def _lca(a: int, b: int, m: list[int], parent: list[int], base: list[int]) -> int:
    seen: set[int] = set()
    while True:
        a = base[a]
        seen.add(a)
        if m[a] < 0:
            break
        a = parent[m[a]]
    while True:
        b = base[b]
        if b in seen:
            return b
        b = parent[m[b]]


def _mark(
    x: int, b: int, child: int, m: list[int], parent: list[int], base: list[int], inside: set[int]
) -> None:
    while base[x] != b:
        inside.add(base[x])
        inside.add(base[m[x]])
        parent[x] = child
        child = m[x]
        x = parent[m[x]]


def more_swaps(
    mate: IntA, u: IntA, v: IntA, swap: BoolA, *, depth: int = 4, reach: int = 500, budget: int
) -> int:
    """Trade one-way pairs for swaps in place, keeping who is matched and every pair among
    the edges ``(u, v)``.

    Members of pairs that are not ``swap`` edges are free in the matching of swap edges; an
    alternating path of swap edges between two of them, ``x`` and ``y``, adds a swap, and
    their old partners ``x'`` and ``y'`` pair up if they have an edge (or the path joins the
    two members of one pair): one swap more, none lost, nobody left alone. Breadth-first from
    each such member in index order, paths of at most ``depth`` swap edges added; no blossom
    contraction, so a path through an odd cycle can be missed, never a wrong one taken.
    ``reach`` bounds the edge scans of one search and ``budget`` those of all (work, not
    time: the same answer on a busy machine). Returns the swaps gained."""
    n = mate.size
    if u.size == 0 or not swap.any():
        return 0
    on = mate[u] == v
    in_pair = np.zeros(n, dtype=bool)
    in_pair[u[on]] = in_pair[v[on]] = True
    paired = np.zeros(n, dtype=bool)  # by a swap edge
    paired[u[on & swap]] = paired[v[on & swap]] = True
    loose_a = in_pair & ~paired  # in a pair without a swap
    if not loose_a.any():
        return 0
    su, sv = u[swap], v[swap]
    ptr, nbr = _neighbours(n, su, sv)
    # Old partners re-pair among loose members only: their edges are all that is looked up.
    among = loose_a[u] & loose_a[v]
    key = np.minimum(u, v) * n + np.maximum(u, v)
    edge = set(key[among].tolist())
    swap_key = set(key[among & swap].tolist())
    m = mate.tolist()
    sm = np.where(paired, mate, -1).tolist()  # partner by a swap edge
    loose = loose_a.tolist()
    gained = 0
    for x in range(n):
        if not loose[x] or ptr[x] == ptr[x + 1]:
            continue
        xp = m[x]
        parent = {x: -1}
        level = {x: 0}
        queue = [x]
        head = 0
        found = -1
        left = reach
        while head < len(queue) and found < 0 and left > 0:
            p = queue[head]
            head += 1
            if level[p] >= depth:
                continue
            lo, hi = ptr[p], ptr[p + 1]
            budget -= hi - lo
            left -= hi - lo
            for q in nbr[lo:hi]:
                if q in parent or q == x:
                    continue
                if sm[q] < 0:
                    if not loose[q]:
                        continue
                    yp = m[q]
                    if q == xp or min(xp, yp) * n + max(xp, yp) in edge:
                        parent[q] = p
                        found = q
                        break
                    continue
                r = sm[q]
                if r in parent:
                    continue
                parent[q] = p
                parent[r] = q
                level[r] = level[p] + 1
                queue.append(r)
            if budget < 0:
                break
        if found < 0:
            if budget < 0:
                break
            continue
        yp = m[found]
        # Flip: found-p becomes a swap, then each inner node's old partner takes the one
        # before it, back to x.
        t, o = found, parent[found]
        while True:
            old = sm[o]
            sm[o], sm[t] = t, o
            m[o], m[t] = t, o
            loose[o] = loose[t] = False
            if o == x:
                break
            t = old
            o = parent[old]
        gained += 1
        if found != xp:
            m[xp], m[yp] = yp, xp
            if min(xp, yp) * n + max(xp, yp) in swap_key:
                sm[xp], sm[yp] = yp, xp
                loose[xp] = loose[yp] = False
                gained += 1
        if budget < 0:
            break
    mate[:] = np.array(m, dtype=np.int64)
    return gained

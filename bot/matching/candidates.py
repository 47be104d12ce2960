"""Candidate partners: every compatible pair for small pools, a tz-aware sample for large ones.

Sampling looks in three kinds of buckets built from the target members: *swap* buckets keyed
by (skill taught, skill wanted), *teacher* buckets by skill taught and *learner* buckets by skill
wanted. A query member takes, from each bucket that fits it, a few members whose working hours
are nearest to its own plus a few at random. Everything is numpy; cost is linear in
members x candidates.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from bot.matching.arrays import BoolA, IntA, PairEval, PoolArrays, evaluate, expand

_TZ_SHIFT = 48.0  # tz_start is in (-24, 48) hours; shifted to stay positive
_SLOT = 100.0


def _sorted_bucket(
    keys: IntA, members: IntA, ws: PoolArrays, rng: np.random.Generator
) -> tuple[IntA, IntA, np.ndarray]:
    tzs = ws.tz_start[ws.tz[members]] + _TZ_SHIFT + rng.random(members.size) * 0.1
    composite = keys.astype(np.float64) * _SLOT + tzs
    order = np.argsort(composite, kind="stable")
    return keys[order], members[order], composite[order]


def _take(
    bkeys: IntA,
    bmembers: IntA,
    bcomp: np.ndarray,
    qkeys: IntA,
    qmembers: IntA,
    ws: PoolArrays,
    k_near: int,
    k_rand: int,
    rng: np.random.Generator,
) -> tuple[IntA, IntA]:
    lo = np.searchsorted(bkeys, qkeys, "left")
    hi = np.searchsorted(bkeys, qkeys, "right")
    length = hi - lo
    keep = length > 0
    lo, hi, length, qkeys, qmembers = lo[keep], hi[keep], length[keep], qkeys[keep], qmembers[keep]
    out_q: list[IntA] = []
    out_c: list[IntA] = []
    if k_near > 0:
        qcomp = qkeys.astype(np.float64) * _SLOT + ws.tz_start[ws.tz[qmembers]] + _TZ_SHIFT
        pos = np.searchsorted(bcomp, qcomp)
        count = np.minimum(length, k_near)
        start = np.clip(pos - k_near // 2, lo, np.maximum(hi - count, lo))
        rows = np.repeat(np.arange(qkeys.size), count)
        offs = np.arange(rows.size) - np.repeat(np.cumsum(count) - count, count)
        out_q.append(qmembers[rows])
        out_c.append(bmembers[start[rows] + offs])
    if k_rand > 0:
        count = np.minimum(length, k_rand)
        start = (rng.random(qkeys.size) * length).astype(np.int64)
        rows = np.repeat(np.arange(qkeys.size), count)
        offs = np.arange(rows.size) - np.repeat(np.cumsum(count) - count, count)
        out_q.append(qmembers[rows])
        out_c.append(bmembers[lo[rows] + (start[rows] + offs) % length[rows]])
    if not out_q:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(out_q), np.concatenate(out_c)


def _claims_of(ws: PoolArrays, members: IntA, teach: bool) -> tuple[IntA, IntA]:
    claims = ws.teach if teach else ws.learn
    rows, pos = expand(claims.ptr, members)
    return members[rows], claims.skill[pos]


def _swap_keys(ws: PoolArrays, members: IntA, as_target: bool) -> tuple[IntA, IntA, IntA]:
    """Level-aware swap bucket keys for each teach x learn claim pair of ``members``.

    A target ``v`` teaching skill a at level ``ta`` and wanting b at level ``lb`` sits in bucket
    ``(a, b, ta, lb)``. A query ``u`` wanting a at level ``la`` and teaching b at level ``tb``
    swaps with exactly the buckets ``(a, b, ta >= la, lb <= tb)``: returned as one row per
    bucket, with (member, key, number of buckets of that claim pair).
    """
    n_skills = max(len(ws.skills), 1)
    first = ws.teach if as_target else ws.learn
    second = ws.learn if as_target else ws.teach
    rows1, pos1 = expand(first.ptr, members)
    m1, s1, l1 = members[rows1], first.skill[pos1], first.level[pos1]
    rows2, pos2 = expand(second.ptr, m1)
    m = m1[rows2]
    a, la = s1[rows2], l1[rows2]  # target: taught (a, ta); query: wanted (a, la)
    b, lb = second.skill[pos2], second.level[pos2]  # target: wanted (b, lb); query: taught
    base = (a * n_skills + b) * 9
    if as_target:
        return m, base + (la - 1) * 3 + (lb - 1), np.ones(m.size, dtype=np.int64)
    # Query: every teacher level >= la, every learner level <= tb.
    keys: list[IntA] = []
    ms: list[IntA] = []
    cnts: list[IntA] = []
    cnt = (4 - la) * lb
    for ta in (1, 2, 3):
        for lv in (1, 2, 3):
            ok = (ta >= la) & (lv <= lb)
            keys.append(base[ok] + (ta - 1) * 3 + (lv - 1))
            ms.append(m[ok])
            cnts.append(cnt[ok])
    return np.concatenate(ms), np.concatenate(keys), np.concatenate(cnts)


def sampled_pairs(
    ws: PoolArrays,
    query: IntA,
    target: IntA,
    k: int,
    rng: np.random.Generator,
) -> tuple[IntA, IntA]:
    """Candidate pairs (u in query, v in target), unordered, deduplicated, u != v."""
    k_swap = max(k // 3, 2)
    k_one = max(k // 6, 1)
    us: list[IntA] = []
    vs: list[IntA] = []
    # Swap buckets: target v teaches a and wants b; query u wants a and teaches b, at levels
    # that fit both ways. A claim pair's share is split over the buckets it can use.
    tm, tkey, _ = _swap_keys(ws, target, as_target=True)
    qm, qkey, qcnt = _swap_keys(ws, query, as_target=False)
    b = _sorted_bucket(tkey, tm, ws, rng)
    for cnt in np.unique(qcnt):
        sel = qcnt == cnt
        k_each = max(-(-k_swap // int(cnt)), 2)
        q, c = _take(*b, qkey[sel], qm[sel], ws, k_each - k_each // 2, k_each // 2, rng)
        us.append(q)
        vs.append(c)
    # One-way: teachers of what u wants, learners of what u teaches.
    for teach_side in (True, False):
        tm, tskill = _claims_of(ws, target, teach=teach_side)
        qm, qskill = _claims_of(ws, query, teach=not teach_side)
        b = _sorted_bucket(tskill, tm, ws, rng)
        q, c = _take(*b, qskill, qm, ws, k_one - k_one // 2, k_one - k_one // 2, rng)
        us.append(q)
        vs.append(c)
    u = np.concatenate(us)
    v = np.concatenate(vs)
    return _unique_pairs(ws, u, v)


def _unique_pairs(ws: PoolArrays, u: IntA, v: IntA) -> tuple[IntA, IntA]:
    keep = u != v
    u, v = u[keep], v[keep]
    key = np.sort(np.minimum(u, v) * ws.n + np.maximum(u, v))
    if key.size:
        first = np.ones(key.size, dtype=bool)
        first[1:] = key[1:] != key[:-1]
        key = key[first]
    return key // ws.n, key % ws.n


def all_pairs_chunks(
    ws: PoolArrays, members: IntA, chunk: int = 2_000_000
) -> Iterator[tuple[IntA, IntA]]:
    """Every (teacher, learner) pair sharing a skill among ``members``, in chunks.

    Pairs are ordered (teacher, learner) and may repeat across chunks (several shared skills,
    or both directions); callers deduplicate or take maxima.
    """
    n_skills = max(len(ws.skills), 1)
    tm, ts = _claims_of(ws, members, teach=True)
    lm, ls = _claims_of(ws, members, teach=False)
    order = np.argsort(ts, kind="stable")
    tm, ts = tm[order], ts[order]
    tptr = np.searchsorted(ts, np.arange(n_skills + 1))
    counts = tptr[ls + 1] - tptr[ls]
    cum = np.cumsum(counts)
    start_row = 0
    while start_row < ls.size:
        end_row = int(np.searchsorted(cum, (cum[start_row - 1] if start_row else 0) + chunk))
        end_row = max(end_row, start_row + 1)
        end_row = min(end_row, ls.size)
        sl = slice(start_row, end_row)
        rows, pos = expand(tptr, ls[sl])
        yield tm[pos], lm[sl][rows]
        start_row = end_row


def count_all_pairs(ws: PoolArrays, members: IntA) -> int:
    n_skills = max(len(ws.skills), 1)
    _, ts = _claims_of(ws, members, teach=True)
    _, ls = _claims_of(ws, members, teach=False)
    tcount = np.bincount(ts, minlength=n_skills)
    return int(tcount[ls].sum())


def candidate_graph(
    ws: PoolArrays,
    query: IntA,
    target: IntA,
    k: int,
    rng: np.random.Generator,
    *,
    exhaustive_limit: int = 2_000_000,
    oversample: int = 1,
) -> PairEval:
    """Valid candidate pairs between ``query`` and ``target`` (which may be the same set).

    Exhaustive when the pool's compatible pairs are few enough, sampled otherwise; the
    sampled graph keeps, for every member, at least its ``k`` best pairs.
    """
    same = query.size == target.size and bool(np.all(query == target))
    if same and count_all_pairs(ws, query) <= exhaustive_limit:
        parts = list(all_pairs_chunks(ws, query))
        u = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.int64)
        v = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np.int64)
        u, v = _unique_pairs(ws, u, v)
        ev = evaluate(ws, u, v)
        return _select(ev, ev.valid)
    u, v = sampled_pairs(ws, query, target, k * oversample, rng)
    if not same:
        in_target = np.zeros(ws.n, dtype=bool)
        in_target[target] = True
        in_query = np.zeros(ws.n, dtype=bool)
        in_query[query] = True
        ok = (in_query[u] & in_target[v]) | (in_query[v] & in_target[u])
        u, v = u[ok], v[ok]
    ev = evaluate(ws, u, v)
    valid = np.flatnonzero(ev.valid)
    return _select(ev, valid[top_k_mask(ev.u[valid], ev.v[valid], ev.weight[valid], k)])


def top_k_mask(u: IntA, v: IntA, w: np.ndarray, k: int) -> BoolA:
    """Edges among the ``k`` heaviest of at least one endpoint."""
    keep = np.zeros(u.size, dtype=bool)
    # By endpoint, heaviest first (ties in input order): stable sorts, the weights once.
    by_weight = np.argsort(-w, kind="stable")
    for side in (u, v):
        order = by_weight[np.argsort(side[by_weight], kind="stable")]
        s = side[order]
        first = np.ones(s.size, dtype=bool)
        first[1:] = s[1:] != s[:-1]
        starts = np.flatnonzero(first)
        rank = np.arange(s.size) - np.repeat(starts, np.diff(np.append(starts, s.size)))
        keep[order[rank < k]] = True
    return keep


def _select(ev: PairEval, mask: BoolA | IntA) -> PairEval:
    return PairEval(
        ev.u[mask],
        ev.v[mask],
        ev.uv[mask],
        ev.vu[mask],
        ev.hard_ok[mask],
        ev.met[mask],
        ev.cross[mask],
        ev.overlap[mask],
        ev.score[mask],
        ev.weight[mask],
    )

"""``match()``: one round, from plain data to groups."""

from __future__ import annotations

import time
from dataclasses import replace
from itertools import combinations

import numpy as np

from bot.matching import reasons
from bot.matching.arrays import (
    BoolA,
    FloatA,
    IntA,
    PairEval,
    PoolArrays,
    blocks,
    build,
    discovery_eval,
    evaluate,
    has_skill,
    met_before,
)
from bot.matching.candidates import all_pairs_chunks, candidate_graph, count_all_pairs
from bot.matching.model import (
    Group,
    GroupKind,
    MatchInput,
    MatchResult,
    MatchStats,
    Teach,
    Unmatched,
)
from bot.matching.solve import (
    assignment_matching,
    augment_cardinality,
    augment_short_paths,
    exact_matching,
    greedy_fill,
    matching_weight,
    more_swaps,
)

_JITTER = 1e-4  # seed-dependent tie-breaking; far below any scoring step
# Pools with at most this many candidate pairs get the exact polish (HiGHS, solved in full,
# so the answer does not depend on how busy the machine is); larger ones keep the rounded
# relaxation improved by augmenting paths.
_EXACT_EDGES = 600
# A work limit, not a time limit: the same groups for the same seed on a busy machine.
_EXACT_NODES = 5_000
_ALL_PAIRS_LIMIT = 2_000_000
# Edge scans for the exact growth of new pairs per pool (work, not time: same groups for a
# seed on a busy machine); far more than a round of 10,000 members needs.
_AUGMENT_SCANS = 20_000_000
# Added to a new swap's weight in the search (not to its score): twice the swap bonus, so a
# swap seldom gives way to one-way lessons with better levels, overlap or teams.
_SWAP_PREFERENCE = 10.0
_SWAP_SCANS = 1_000_000  # edge scans for swaps won back per pool (work, not time)


def _solve_pool(
    ws: PoolArrays,
    pool: IntA,
    mate: IntA,
    rng: np.random.Generator,
    times: dict[str, float] | None = None,
) -> tuple[PairEval, float]:
    times = {} if times is None else times
    t0 = time.perf_counter()
    g = candidate_graph(
        ws, pool, pool, ws.settings.candidates_per_member, rng, oversample=ws.settings.oversample
    )
    t1 = time.perf_counter()
    times["candidates"] = times.get("candidates", 0.0) + t1 - t0
    if g.u.size == 0:
        return g, 0.0
    new = g.weight >= ws.new_tier
    swap = new & (g.uv > 0) & (g.vu > 0)
    # The search weighs a new swap more than its score does (swap over lesson, as issue 15
    # orders fit; a preference, not a strict tier). Its relaxation bounds these weights, so
    # ``bound`` is still an upper bound on the score weights, only a little looser.
    w = g.weight + np.where(swap, _SWAP_PREFERENCE, 0.0)
    sub, bound = assignment_matching(ws.n, g.u, g.v, w, nodes=pool, rng=rng)
    greedy_fill(sub, g.u, g.v, w)
    augment_short_paths(sub, g.u, g.v, w)
    # New connections first, exactly: grow the new pairs to a maximum-cardinality matching
    # of the never-met candidate pairs (members left out last round searched first).
    roots = pool[np.lexsort((rng.random(pool.size), -ws.priority[pool]))]
    augment_cardinality(sub, g.u[new], g.v[new], roots, budget=_AUGMENT_SCANS)
    # Those paths ignore fit: swaps come back where one-way pairs took their place.
    more_swaps(sub, g.u, g.v, swap, budget=_SWAP_SCANS)
    w = g.weight
    if g.u.size <= _EXACT_EDGES and matching_weight(sub, g.u, g.v, w) < bound - 1e-6:
        # Rounding left an odd cycle behind; small enough to solve exactly.
        exact, _wt, _proven = exact_matching(
            ws.n, g.u, g.v, w, node_limit=_EXACT_NODES, tier=ws.new_tier
        )
        if matching_weight(exact, g.u, g.v, w) > matching_weight(sub, g.u, g.v, w):
            sub = exact
    hit = sub[pool] >= 0
    mate[pool[hit]] = sub[pool[hit]]
    times["matching"] = times.get("matching", 0.0) + time.perf_counter() - t1
    return g, bound


def _blocks(ws: PoolArrays, members: IntA, size: int, rng: np.random.Generator) -> list[IntA]:
    if members.size <= size:
        return [members]
    # Neighbouring time zones share a block; ties are broken at random.
    order = np.lexsort((rng.random(members.size), ws.tz_start[ws.tz[members]]))
    parts = int(np.ceil(members.size / size))
    return [np.sort(p) for p in np.array_split(members[order], parts)]


def _pair_score(ws: PoolArrays, a: int, b: int) -> PairEval:
    return evaluate(ws, np.array([a], np.int64), np.array([b], np.int64))


def _best_teach(ws: PoolArrays, t: int, s: int) -> Teach | None:
    """The best fitting lesson teacher ``t`` can give learner ``s``."""
    best: tuple[int, int, int] | None = None  # (gap, -skill, skill)
    teach = ws.teach
    levels = {
        int(teach.skill[i]): int(teach.level[i]) for i in range(teach.ptr[t], teach.ptr[t + 1])
    }
    learn = ws.learn
    for i in range(learn.ptr[s], learn.ptr[s + 1]):
        k, need = int(learn.skill[i]), int(learn.level[i])
        have = levels.get(k)
        if have is not None and have >= need:
            cand = (min(have - need, 2), -k, k)
            if best is None or cand > best:
                best = cand
    if best is None:
        return None
    k = best[2]
    return Teach(ws.ids[t], ws.ids[s], ws.skills[k], ws.labels[k])


_PairInfo = tuple[float, int, float, bool]  # score, earlier meetings, overlap, met before


def _pair_infos(ws: PoolArrays, groups: list[list[int]]) -> dict[tuple[int, int], _PairInfo]:
    pairs = [(a, b) for g in groups for a, b in combinations(sorted(g), 2)]
    if not pairs:
        return {}
    arr = np.array(pairs, dtype=np.int64)
    ev = evaluate(ws, arr[:, 0], arr[:, 1])
    keys = arr[:, 0] * ws.n + arr[:, 1]
    pos = np.minimum(np.searchsorted(ws.hist_key, keys), max(ws.hist_key.size - 1, 0))
    met = (ws.hist_key[pos] == keys) if ws.hist_key.size else np.zeros(keys.size, dtype=bool)
    return {
        p: (float(ev.score[i]), int(ev.met[i]), float(ev.overlap[i]), bool(met[i]))
        for i, p in enumerate(pairs)
    }


def _make_group(
    ws: PoolArrays,
    members: list[int],
    info: dict[tuple[int, int], _PairInfo],
    *,
    discovery: bool = False,
    guest: int | None = None,
) -> Group:
    if discovery:
        return _discovery_group(ws, members, info, guest)
    if guest is not None:
        pair = [m for m in members if m != guest]
        base = _make_group(ws, pair, info)
        trio_teams = [ws.inp.members[m].team for m in members]
        reason = reasons.guest_reason(base.reason, ws.ids[guest])
        return Group(
            tuple(ws.ids[m] for m in members),
            GroupKind.TRIO,
            base.teaches,
            base.score,
            reason,
            base.new_connection,  # the guest never met either of them
            len({t for t in trio_teams if t}) >= 2,
            ws.ids[guest],
        )
    ids = [ws.ids[m] for m in members]
    pairs = list(combinations(members, 2))
    evals = [info[p] for p in pairs]
    new = not any(e[3] for e in evals)
    teams = [ws.inp.members[m].team for m in members]
    cross = len({t for t in teams if t}) >= 2
    little = any(e[2] < ws.settings.good_overlap_hours for e in evals)
    repeats = sum(e[1] for e in evals)
    teaches: list[Teach] = []
    if len(members) == 2:
        a, b = members
        teaches = [t for t in (_best_teach(ws, a, b), _best_teach(ws, b, a)) if t]
        kind = GroupKind.SWAP if len(teaches) == 2 else GroupKind.ONE_WAY
        score = evals[0][0]
    else:
        kind = GroupKind.TRIO
        for order in (members, members[::-1]):
            ring = [_best_teach(ws, order[i], order[(i + 1) % 3]) for i in range(3)]
            if all(ring):
                teaches = [t for t in ring if t]
                kind = GroupKind.CIRCLE
                break
        if kind is GroupKind.TRIO:
            teaches = [
                t for a, b in pairs for t in (_best_teach(ws, a, b), _best_teach(ws, b, a)) if t
            ]
        score = sum(e[0] for e in evals)
        if kind is GroupKind.CIRCLE:
            score += ws.settings.circle_bonus
    reason = reasons.group_reason(
        kind,
        teaches,
        new_connection=new,
        teams=teams,
        repeat_count=repeats,
        little_overlap=little,
    )
    return Group(tuple(ids), kind, tuple(teaches), round(score, 3), reason, new, cross)


def _guest_ok(ws: PoolArrays, g: IntA, a: IntA, b: IntA) -> BoolA:
    """Whether ``g`` may join the pair ``a``-``b`` as its guest: a new colleague to both who
    shares working hours with both, from another team than at least one of them."""
    ok_a, _w = discovery_eval(ws, g, a)
    ok_b, _w = discovery_eval(ws, g, b)
    near_a, _w = discovery_eval(ws, g, a, same_team=True)
    near_b, _w = discovery_eval(ws, g, b, same_team=True)
    out: BoolA = (ok_a & near_b) | (near_a & ok_b)
    return out


def _discovery_group(
    ws: PoolArrays,
    members: list[int],
    info: dict[tuple[int, int], _PairInfo],
    guest: int | None = None,
) -> Group:
    """Two new colleagues (and, for an odd one out, a third as the guest of both)."""
    teams = [ws.inp.members[m].team for m in members]
    pairs = list(combinations(members, 2))
    arr = np.array(pairs, dtype=np.int64)
    _ok, w = discovery_eval(ws, arr[:, 0], arr[:, 1])
    little = any(info[p][2] < ws.settings.good_overlap_hours for p in pairs)
    reason = reasons.discovery_reason(teams, little_overlap=little)
    cross = len({t for t in teams if t}) >= 2
    return Group(
        tuple(ws.ids[m] for m in members),
        GroupKind.DISCOVERY,
        (),
        round(float(w.sum()), 3),
        reason,
        True,
        cross,
        None if guest is None else ws.ids[guest],
    )


def _discovery(
    ws: PoolArrays,
    leftovers: IntA,
    group_of: IntA,
    groups: list[list[int]],
    kinds_of: dict[int, GroupKind],
    guests: dict[int, int],
    rng: np.random.Generator,
) -> None:
    """Leftovers (nobody new with a fitting lesson is free for them) meet a never-met
    colleague from another team who shares working hours: first each other, as discovery
    swaps; whoever is still alone then joins a lesson pair of two strangers as its guest."""
    skill = has_skill(ws)
    left = leftovers[skill[leftovers]]
    if left.size >= 2:
        for part in _blocks(ws, left, 3000, rng):
            iu, iv = np.triu_indices(part.size, 1)
            u, v = part[iu], part[iv]
            ok, w = discovery_eval(ws, u, v)
            u, v, w = u[ok], v[ok], w[ok]
            if u.size == 0:
                continue
            sub, _bound = assignment_matching(ws.n, u, v, w, nodes=part, rng=rng)
            greedy_fill(sub, u, v, w)
            roots = part[np.lexsort((rng.random(part.size), -ws.priority[part]))]
            augment_cardinality(sub, u, v, roots, budget=_AUGMENT_SCANS)
            for a in part:
                b = int(sub[a])
                if b > a:
                    group_of[a] = group_of[b] = len(groups)
                    kinds_of[len(groups)] = GroupKind.DISCOVERY
                    groups.append([int(a), b])
    rest = left[group_of[left] < 0]
    if rest.size == 0:
        return
    # Pairs of strangers with a lesson first, then discovery swaps (a discovery trio).
    pairs = [
        i for i, grp in enumerate(groups) if len(grp) == 2 and i not in kinds_of and i not in guests
    ]
    pairs += [i for i, grp in enumerate(groups) if len(grp) == 2 and i in kinds_of]
    if not pairs:
        return
    lesson_pair = np.array([i not in kinds_of for i in pairs], dtype=bool)
    pa = np.array([groups[i][0] for i in pairs], dtype=np.int64)
    pb = np.array([groups[i][1] for i in pairs], dtype=np.int64)
    free = np.ones(len(pairs), dtype=bool)
    for a in sorted((int(x) for x in rest), key=lambda x: (-int(ws.priority[x]), x)):
        cand = np.flatnonzero(free)
        if cand.size == 0:
            break  # no pair left to join: the last resorts below still apply
        me = np.full(cand.size, a, np.int64)
        ok = _guest_ok(ws, me, pa[cand], pb[cand])
        _ok_a, w_a = discovery_eval(ws, me, pa[cand], same_team=True)
        _ok_b, w_b = discovery_eval(ws, me, pb[cand], same_team=True)
        if not ok.any():
            continue
        first = ok & lesson_pair[cand]
        if first.any():
            ok = first
        best = cand[ok][int(np.argmax((w_a + w_b)[ok]))]
        gi = pairs[int(best)]
        free[best] = False
        groups[gi].append(a)
        group_of[a] = gi
        guests[gi] = a
    rest = left[group_of[left] < 0]
    if rest.size:
        # Someone still alone may be seated as a guest once the pairs of strangers re-form.
        lessons = _new_lessons(ws, np.flatnonzero(ws.due))
        for a in sorted((int(x) for x in rest), key=lambda x: (-int(ws.priority[x]), x)):
            _guest_by_reshuffle(ws, lessons, a, group_of, groups, kinds_of, guests)
    _swap_in(ws, left[group_of[left] < 0], group_of, groups, kinds_of, guests)


def _swap_in(
    ws: PoolArrays,
    rest: IntA,
    group_of: IntA,
    groups: list[list[int]],
    kinds_of: dict[int, GroupKind],
    guests: dict[int, int],
) -> None:
    """The last resort for someone still alone although a new colleague shares their hours:
    take that colleague's place beside them. Asked in this order: discovery swaps and chosen
    repeats (the partner left behind is placed again with another leftover, or as a guest);
    groups of strangers with a lesson whose other member re-forms a new lesson pair along an
    augmenting path (none is lost); last, at most ``settings.give_way`` of the round's groups
    of strangers give way (one new group fewer each), members left out last round first.
    Such a member may also simply take the place of a partner who was not left out (who then
    has priority next round). A group of three (a trio, a circle, a pair with its guest) splits
    instead: the colleague pairs with them and the other two stay together as a lesson pair or
    a discovery swap; nobody is left behind, and when the split costs a new lesson group it
    comes out of the same give-way share (see :func:`_split_trio`)."""
    due = np.flatnonzero(ws.due)
    alone = set(int(x) for x in rest)
    lessons: tuple[IntA, IntA] | None = None
    # Groups of strangers with a lesson that may give way (one fewer each), at most this share.
    strangers = sum(
        1 for i, g in enumerate(groups) if len(g) >= 2 and i not in kinds_of and _is_new(ws, g)
    )
    give_way = int(ws.settings.give_way * strangers)
    for a in sorted(alone, key=lambda x: (-int(ws.priority[x]), x)):
        if group_of[a] >= 0:
            continue
        ok, w = discovery_eval(ws, np.full(due.size, a, np.int64), due)
        cand = due[ok & (group_of[due] >= 0)]
        w = w[ok & (group_of[due] >= 0)]
        order = []
        splits: list[tuple[int, float, int, int]] = []  # (cost, -weight, x, group)
        for x, wx in zip(cand.tolist(), w.tolist(), strict=True):
            gi = int(group_of[x])
            if len(groups[gi]) == 3:
                cost = _split_cost(ws, a, x, groups[gi], gi in kinds_of)
                if cost is not None:
                    splits.append((cost, -wx, x, gi))
                continue
            if len(groups[gi]) != 2 or gi in guests:
                continue
            if gi in kinds_of:
                rank = 0
            elif not _is_new(ws, groups[gi]):
                rank = 1
            else:  # strangers with a lesson: a lesson between a and x keeps the count of those
                one = np.array([a], np.int64)
                rank = 2 if bool(evaluate(ws, one, np.array([x], np.int64)).valid[0]) else 3
            order.append((rank, -wx, x, gi))
        order.sort()
        # A group of strangers with a lesson gives way only to someone left out last round,
        # and first where the partner left behind gets a new lesson elsewhere (no new group
        # is lost that way).
        last = [o for o in order if o[0] == 3]
        # A split leaves nobody behind: free ones before the pairs re-form, and within the
        # give-way share before a pair of strangers gives way.
        splits.sort()
        free = [o for o in splits if o[0] == 0]
        costly = [o for o in splits if o[0] > 0]
        tries = [(o, "pair") for o in order if o[0] < 3] + [(o, "split") for o in free]
        tries += [(o, "reshuffle") for o in last]
        if give_way > 0:
            tries += [(o, "split") for o in costly] + [(o, "pair") for o in last]
        for (rank, _w, x, gi), how in tries:
            if how == "split":
                _split_trio(ws, a, x, gi, group_of, groups, kinds_of, guests)
                give_way -= rank
                break
            lesson_only = how == "reshuffle"
            (y,) = [m for m in groups[gi] if m != x]
            if lesson_only:
                if lessons is None:
                    lessons = _new_lessons(ws, due)
                if not _reshuffle(ws, lessons, [a, x], [gi], group_of, groups, kinds_of):
                    continue
                gi = len(groups)
                groups.append([])
                group_of[x] = gi
                placed = True
            else:
                placed = _place_again(ws, y, a, gi, group_of, groups, kinds_of, guests)
            if not placed and not (ws.priority[a] > 0 and ws.priority[y] == 0):
                continue
            if not placed:
                group_of[y] = -1
                alone.add(y)
            if rank == 3 and not lesson_only:
                give_way -= 1
            groups[gi] = [a, x]
            group_of[a] = gi
            lesson = bool(evaluate(ws, np.array([a], np.int64), np.array([x], np.int64)).valid[0])
            if lesson:
                kinds_of.pop(gi, None)
            else:
                kinds_of[gi] = GroupKind.DISCOVERY
            break


def _lesson(ws: PoolArrays, a: int, b: int) -> bool:
    """Whether ``a`` and ``b`` may meet this round for a fitting lesson."""
    return bool(evaluate(ws, np.array([a], np.int64), np.array([b], np.int64)).valid[0])


def _split_cost(ws: PoolArrays, a: int, x: int, trio: list[int], discovery: bool) -> int | None:
    """What seating ``a`` beside ``x`` costs when ``x``'s group of three splits in two pairs
    (``a``-``x`` and the other two): new lesson groups lost (0 or 1), or None when the other
    two may meet neither for a lesson nor as a discovery swap."""
    y, z = (m for m in trio if m != x)
    rest_lesson = _lesson(ws, y, z)
    if not rest_lesson:
        ok, _w = discovery_eval(ws, np.array([y], np.int64), np.array([z], np.int64))
        if not bool(ok[0]):
            return None
    before = int(not discovery and _is_new(ws, trio))
    after = int(_lesson(ws, a, x)) + int(rest_lesson and _is_new(ws, [y, z]))
    return max(before - after, 0)


def _split_trio(
    ws: PoolArrays,
    a: int,
    x: int,
    gi: int,
    group_of: IntA,
    groups: list[list[int]],
    kinds_of: dict[int, GroupKind],
    guests: dict[int, int],
) -> None:
    """Seat ``a`` beside ``x`` of the group of three ``gi``; its other two form a pair (a
    lesson pair if they may meet for one, else a discovery swap: see :func:`_split_cost`)."""
    y, z = (m for m in groups[gi] if m != x)
    guests.pop(gi, None)
    groups[gi] = [a, x]
    group_of[a] = gi
    gk = len(groups)
    groups.append([y, z])
    group_of[y] = group_of[z] = gk
    for g, (p, q) in ((gi, (a, x)), (gk, (y, z))):
        if _lesson(ws, p, q):
            kinds_of.pop(g, None)
        else:
            kinds_of[g] = GroupKind.DISCOVERY


def _new_lessons(ws: PoolArrays, due: IntA) -> tuple[IntA, IntA]:
    """Every pair of due members who never met and may meet for a fitting lesson (empty when
    the pool is too large to list them all)."""
    empty = np.zeros(0, np.int64)
    if count_all_pairs(ws, due) > _ALL_PAIRS_LIMIT:
        return empty, empty
    keys = [np.minimum(t, s) * ws.n + np.maximum(t, s) for t, s in all_pairs_chunks(ws, due)]
    if not keys:
        return empty, empty
    key = np.unique(np.concatenate(keys))
    u, v = key // ws.n, key % ws.n
    ev = evaluate(ws, u, v)
    ok = ev.valid & (ev.met == 0)
    return u[ok], v[ok]


def _reshuffle(
    ws: PoolArrays,
    lessons: tuple[IntA, IntA],
    out: list[int],
    dissolve: list[int],
    group_of: IntA,
    groups: list[list[int]],
    kinds_of: dict[int, GroupKind],
) -> bool:
    """Dissolve the pairs ``dissolve`` and keep the members ``out`` apart, without losing a
    group of strangers with a lesson: the members left behind take new partners along
    augmenting paths of new lessons (ending at someone still alone, or at each other); the
    pairs on a path swap partners. False (nothing changed) unless all of them find one."""
    u, v = lessons
    mate = np.full(ws.n, -1, dtype=np.int64)
    for i, grp in enumerate(groups):
        if len(grp) == 2 and i not in kinds_of:
            mate[grp[0]], mate[grp[1]] = grp[1], grp[0]
        else:
            for m in grp:
                mate[m] = m  # in a trio or discovery swap: stays where it is
    left: list[int] = []
    for gi in dissolve:
        for m in groups[gi]:
            mate[m] = -1
            left.append(m)
    for m in out:
        mate[m] = m
    left = [m for m in left if mate[m] < 0]
    before = mate.copy()
    # Pairs that met before are no edges here, so a repeat never moves.
    augment_cardinality(mate, u, v, np.array(left, np.int64), budget=_AUGMENT_SCANS)
    if any(mate[m] < 0 for m in left):
        return False
    moved = np.flatnonzero(mate != before)
    for gj in {int(group_of[m]) for m in moved if group_of[m] >= 0} | set(dissolve):
        groups[gj] = []
    for m in left:
        group_of[m] = -1
    for m in moved.tolist():
        p = int(mate[m])
        if p > m:
            group_of[m] = group_of[p] = len(groups)
            groups.append([m, p])
    return True


def _guest_by_reshuffle(
    ws: PoolArrays,
    lessons: tuple[IntA, IntA],
    a: int,
    group_of: IntA,
    groups: list[list[int]],
    kinds_of: dict[int, GroupKind],
    guests: dict[int, int],
) -> bool:
    """Seat ``a`` as the guest of a new lesson pair ``x``-``y2`` formed for it: ``x`` a new
    colleague of ``a``'s, ``y2`` a partner ``x`` never met with a fitting lesson who also
    suits ``a``; the pairs they leave re-form (see :func:`_reshuffle`), so no group of
    strangers with a lesson is lost."""
    u, v = lessons
    due = np.flatnonzero(ws.due)
    ok, _w = discovery_eval(ws, np.full(due.size, a, np.int64), due)
    near = due[ok]
    for x in near.tolist():
        gi = int(group_of[x])
        if gi < 0 or len(groups[gi]) != 2 or gi in kinds_of or gi in guests:
            continue
        ys = np.concatenate([v[u == x], u[v == x]])
        ys = ys[(group_of[ys] >= 0) & (ys != a)]
        if ys.size == 0:
            continue
        fit = _guest_ok(ws, np.full(ys.size, a, np.int64), np.full(ys.size, x, np.int64), ys)
        for y2 in ys[fit].tolist():
            gj = int(group_of[y2])
            if gj == gi:
                continue  # the plain guest seat was tried already
            if len(groups[gj]) != 2 or gj in kinds_of or gj in guests:
                continue
            if _reshuffle(ws, lessons, [a, x, y2], [gi, gj], group_of, groups, kinds_of):
                gk = len(groups)
                groups.append([x, y2, a])
                group_of[x] = group_of[y2] = group_of[a] = gk
                guests[gk] = a
                return True
    return False


def _place_again(
    ws: PoolArrays,
    y: int,
    a: int,
    gi: int,
    group_of: IntA,
    groups: list[list[int]],
    kinds_of: dict[int, GroupKind],
    guests: dict[int, int],
) -> bool:
    """Find ``y`` a new place: with another leftover, or as the guest of a pair of strangers."""
    due = np.flatnonzero(ws.due)
    free = due[(group_of[due] < 0) & (due != a)]
    if free.size:
        ok, w = discovery_eval(ws, np.full(free.size, y, np.int64), free)
        if ok.any():
            z = int(free[ok][int(np.argmax(w[ok]))])
            group_of[y] = group_of[z] = len(groups)
            kinds_of[len(groups)] = GroupKind.DISCOVERY
            groups.append([y, z])
            return True
    for gj, grp in enumerate(groups):
        if gj == gi or len(grp) != 2 or gj in guests or gj in kinds_of:
            continue
        one = np.array([y], np.int64)
        if bool(_guest_ok(ws, one, one * 0 + grp[0], one * 0 + grp[1])[0]):
            grp.append(y)
            group_of[y] = gj
            guests[gj] = y
            return True
    return False


def _partners(
    ws: PoolArrays, u: int, due: IntA, cap: int | None, rng: np.random.Generator | None
) -> IntA:
    """Members sharing a skill with ``u`` in a direction that could give a lesson (all of them
    when ``cap`` is None, else at most ``cap`` sampled with ``rng``)."""
    wants = ws.learn.skill[ws.learn.ptr[u] : ws.learn.ptr[u + 1]]
    offers = ws.teach.skill[ws.teach.ptr[u] : ws.teach.ptr[u + 1]]
    t_mask = np.isin(ws.teach.skill, wants)
    l_mask = np.isin(ws.learn.skill, offers)
    cand = np.unique(np.concatenate([ws.teach.member[t_mask], ws.learn.member[l_mask]]))
    cand = cand[(cand != u)]
    cand = cand[np.isin(cand, due, assume_unique=True)]
    if cap is not None and rng is not None and cand.size > cap:
        cand = np.sort(rng.choice(cand, cap, replace=False))
    return cand


def has_new_option(ws: PoolArrays, u: int, due: IntA) -> bool:
    """Whether ``u`` has a due partner it never met, allowed this round, with a fitting lesson."""
    cand = _partners(ws, u, due, None, None)
    ev = evaluate(ws, np.full(cand.size, u, np.int64), cand)
    return bool((ev.valid & (ev.met == 0)).any())


def _allowed_repeats(ws: PoolArrays, due: IntA) -> IntA:
    """Pair keys of met-before pairs that may meet again this round: both said they would,
    the cooldown is over, they fit, and neither has a new option (checked exactly)."""
    keys = ws.consent_key
    if keys.size == 0:
        return keys
    u, v = keys // ws.n, keys % ws.n
    trial = replace(ws, repeat_ok_key=keys)
    ev = evaluate(trial, u, v)
    keys, u, v = keys[ev.valid], u[ev.valid], v[ev.valid]
    if keys.size == 0:
        return keys
    fresh = _with_new_option(ws, due, np.unique(np.concatenate([u, v])))
    out: IntA = keys[~fresh[u] & ~fresh[v]]
    return out


def _with_new_option(ws: PoolArrays, due: IntA, who: IntA) -> BoolA:
    """Mask over members: has a new option (see :func:`has_new_option`); exact for ``who``.

    One pass over every compatible pair when they are few, else one member at a time."""
    fresh = np.zeros(ws.n, dtype=bool)
    if count_all_pairs(ws, due) <= _ALL_PAIRS_LIMIT:
        for t, s in all_pairs_chunks(ws, due):
            ev = evaluate(ws, t, s)
            ok = ev.valid & (ev.met == 0)
            fresh[t[ok]] = True
            fresh[s[ok]] = True
        return fresh
    for x in who:
        fresh[int(x)] = has_new_option(ws, int(x), due)
    return fresh


def match(inp: MatchInput, *, seed: int = 0) -> MatchResult:
    """Pair the members of one round. Deterministic for a given ``seed``."""
    t0 = time.perf_counter()
    times: dict[str, float] = {"candidates": 0.0, "matching": 0.0}
    ws = build(inp)
    s = inp.settings
    rng = np.random.default_rng(seed)
    n = ws.n
    due = np.flatnonzero(ws.due)
    ws = replace(ws, repeat_ok_key=_allowed_repeats(ws, due))
    mate = np.full(n, -1, dtype=np.int64)
    edge_count = 0
    bound = 0.0
    blocks = _blocks(ws, due, s.block_size, rng)
    for block in blocks:
        g, b = _solve_pool(ws, block, mate, rng, times)
        edge_count += g.u.size
        bound += b
    # Leftovers of all blocks get a second chance together (rare skills across blocks).
    if len(blocks) > 1:
        for _ in range(2):
            pool = due[mate[due] < 0]
            if pool.size < 2:
                break
            for block in _blocks(ws, pool, s.block_size, rng):
                g, _b = _solve_pool(ws, block, mate, rng, times)
                edge_count += g.u.size
    upper = bound if len(blocks) == 1 else float("nan")
    lo = due[mate[due] > due]
    pair_weight = float(evaluate(ws, lo, mate[lo]).weight.sum())

    # Groups: pairs from the matching, then the odd ones out join a pair as a circle or trio.
    group_of = np.full(n, -1, dtype=np.int64)
    groups: list[list[int]] = []
    for a in due:
        b = int(mate[a])
        if b > a:
            group_of[a] = group_of[b] = len(groups)
            groups.append([int(a), b])
    leftovers = due[group_of[due] < 0]
    if leftovers.size and groups:
        _attach_trios(ws, leftovers, group_of, groups, rng)
    leftovers = due[group_of[due] < 0]
    kinds_of: dict[int, GroupKind] = {}
    guests: dict[int, int] = {}
    if s.discovery and leftovers.size:
        _discovery(ws, leftovers, group_of, groups, kinds_of, guests, rng)
    leftovers = due[group_of[due] < 0]
    fixed = set(kinds_of) | set(guests)  # discovery swaps and guest trios stay as they are
    unmatched = _rescue_and_explain(ws, leftovers, due, group_of, groups, fixed, rng)

    live = [(sorted(g), i) for i, g in enumerate(groups) if g]
    info = _pair_infos(ws, [g for g, _ in live])
    built = [
        _make_group(
            ws, g, info, discovery=kinds_of.get(i) is GroupKind.DISCOVERY, guest=guests.get(i)
        )
        for g, i in live
    ]
    built.sort(key=lambda g: g.members)
    skipped = tuple(
        Unmatched(ws.ids[i], reasons.skipped_cadence(str(inp.members[i].cadence)))
        for i in np.flatnonzero(~ws.due)
    )
    weight = float(
        sum(g.score for g in built)
        + s.priority_bonus
        * sum(1 for g in built for m in g.members if ws.priority[ws.index[m]] > 0)
    )
    kinds = [g.kind for g in built]
    stats = MatchStats(
        members=n,
        eligible=int(due.size),
        groups=len(built),
        matched=sum(len(g.members) for g in built),
        unmatched=len(unmatched),
        skipped=len(skipped),
        swaps=kinds.count(GroupKind.SWAP),
        circles=kinds.count(GroupKind.CIRCLE),
        one_way=kinds.count(GroupKind.ONE_WAY),
        trios=kinds.count(GroupKind.TRIO),
        new_connections=sum(
            1 for g in built if g.new_connection and g.kind is not GroupKind.DISCOVERY
        ),
        cross_team=sum(1 for g in built if g.cross_team),
        candidate_edges=edge_count,
        pair_weight=round(pair_weight, 3),
        weight=round(weight, 3),
        upper_bound=round(upper, 3),
        seconds=round(time.perf_counter() - t0, 3),
        seconds_candidates=round(times["candidates"], 3),
        seconds_matching=round(times["matching"], 3),
        discovery=kinds.count(GroupKind.DISCOVERY),
        repeats=sum(1 for g in built if not g.new_connection),
    )
    return MatchResult(tuple(built), tuple(unmatched), skipped, stats)


def _attach_trios(
    ws: PoolArrays,
    leftovers: IntA,
    group_of: IntA,
    groups: list[list[int]],
    rng: np.random.Generator,
) -> None:
    matched = np.flatnonzero(group_of >= 0)
    g = candidate_graph(ws, leftovers, matched, 2 * ws.settings.candidates_per_member, rng)
    if g.u.size == 0:
        return
    is_left = np.zeros(ws.n, dtype=bool)
    is_left[leftovers] = True
    flip = ~is_left[g.u]
    a = np.where(flip, g.v, g.u)  # the leftover
    x = np.where(flip, g.u, g.v)  # member of an existing pair
    ax = np.where(flip, g.vu, g.uv)
    xa = np.where(flip, g.uv, g.vu)
    groups_arr = np.array([grp[0] + grp[1] - 0 for grp in groups], dtype=np.int64)
    y = groups_arr[group_of[x]] - x  # x's partner
    ay = evaluate(ws, a, y)
    xy = evaluate(ws, x, y)
    # A leftover joins a group of strangers only as another stranger (new stays new).
    ok = ay.hard_ok & ((xy.met > 0) | ((g.met == 0) & (ay.met == 0)))
    circle = ((ax > 0) & (xy.uv > 0) & (ay.vu > 0)) | ((ay.uv > 0) & (xy.vu > 0) & (xa > 0))
    score = g.score + ay.score + np.where(circle, ws.settings.circle_bonus, 0.0)
    score = score + np.where(ws.priority[a] > 0, ws.settings.priority_bonus, 0.0)
    score = score + rng.random(score.size) * _JITTER
    idx = np.flatnonzero(ok)
    grown = np.zeros(len(groups), dtype=bool)
    for i in idx[np.argsort(-score[idx], kind="stable")]:
        ai, gi = int(a[i]), int(group_of[x[i]])
        if group_of[ai] >= 0 or grown[gi]:
            continue
        grown[gi] = True
        groups[gi].append(ai)
        group_of[ai] = gi


def _rescue_and_explain(
    ws: PoolArrays,
    leftovers: IntA,
    due: IntA,
    group_of: IntA,
    groups: list[list[int]],
    fixed: set[int],
    rng: np.random.Generator,
) -> list[Unmatched]:
    """Priority members nobody could take get a partner from a pair (whose other member then
    gets priority next round); everyone left is told why, kindly and concretely."""
    queue = sorted((int(u) for u in leftovers), key=lambda u: (-int(ws.priority[u]), u))
    out: dict[int, str] = {}
    for u in queue:
        if group_of[u] >= 0:
            continue
        if ws.teach.ptr[u] == ws.teach.ptr[u + 1] and ws.learn.ptr[u] == ws.learn.ptr[u + 1]:
            out[u] = reasons.unmatched_no_skills()
            continue
        cand = _partners(ws, u, due, 4000, rng)
        ev = evaluate(ws, np.full(cand.size, u, np.int64), cand)
        fits = (ev.uv > 0) | (ev.vu > 0)
        if not fits.any():
            out[u] = _why_no_partner(ws, u, due)
            continue
        valid = fits & ev.hard_ok
        if not valid.any():
            why = blocks(ws, ev.u[fits], ev.v[fits])
            out[u] = reasons.unmatched_blocked(
                met_recently=bool(why.cooldown.any()),
                no_hours=bool(why.no_hours.any()),
                not_allowed=bool(why.do_not_pair.any()),
            )
            continue
        placed = False
        if ws.priority[u] > 0:
            order = np.argsort(-ev.weight[valid], kind="stable")
            for x in cand[valid][order]:
                x = int(x)
                gi = int(group_of[x])
                if gi < 0:  # another leftover: just pair them
                    group_of[u] = group_of[x] = len(groups)
                    groups.append([u, x])
                    out.pop(x, None)
                    placed = True
                    break
                if gi in fixed:
                    continue
                grp = groups[gi]
                rest = [m for m in grp if m != x]
                if any(ws.priority[m] > 0 for m in rest) and len(rest) == 1:
                    continue
                if _is_new(ws, grp) and not _is_new(ws, [u, x]):
                    continue  # never trade a group of strangers for a repeat
                if len(rest) == 2:
                    e = _pair_score(ws, rest[0], rest[1])
                    if not bool(e.valid[0]):
                        continue
                    groups[gi] = rest
                    group_of[u] = len(groups)
                    group_of[x] = len(groups)
                    groups.append([u, x])
                    placed = True
                    break
                # x's partner steps out and gets priority next round.
                (y,) = rest
                groups[gi] = [u, x]
                group_of[u] = gi
                group_of[y] = -1
                out[y] = reasons.unmatched_taken()
                placed = True
                break
        if not placed:
            out[u] = reasons.unmatched_taken()
    if ws.settings.discovery:
        # With discovery swaps on, only two reasons remain: nobody new shares their working
        # hours, or everyone who does was already in a group (the odd one out).
        no_skills = reasons.unmatched_no_skills()
        for u, text in out.items():
            if text != no_skills and group_of[u] < 0:
                ok, _w = discovery_eval(ws, np.full(due.size, u, np.int64), due)
                out[u] = (
                    reasons.unmatched_odd_one_out() if ok.any() else reasons.unmatched_no_one_new()
                )
    return [Unmatched(ws.ids[u], why) for u, why in sorted(out.items()) if group_of[u] < 0]


def _is_new(ws: PoolArrays, members: list[int]) -> bool:
    if len(members) < 2:
        return True
    a = np.array([p for p, _ in combinations(members, 2)], np.int64)
    b = np.array([q for _, q in combinations(members, 2)], np.int64)
    return not bool(met_before(ws, a, b).any())


def _why_no_partner(ws: PoolArrays, u: int, due: IntA) -> str:
    wants = [ws.labels[int(k)] for k in ws.learn.skill[ws.learn.ptr[u] : ws.learn.ptr[u + 1]]]
    offers = [ws.labels[int(k)] for k in ws.teach.skill[ws.teach.ptr[u] : ws.teach.ptr[u + 1]]]
    return reasons.unmatched_no_partner(wants, offers)


def objective(ws: PoolArrays, mate: IntA, u: IntA, v: IntA, w: FloatA) -> float:
    return matching_weight(mate, u, v, w)

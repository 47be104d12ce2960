"""The workspace as numpy arrays, and vectorised evaluation of candidate pairs.

Members are numbered ``0..n-1`` in input order. Skill claims are kept sorted by member (CSR),
with ``member * n_skills + skill`` keys for fast look-ups; past pairings and do-not-pair entries
are kept as sorted ``low * n + high`` pair keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from bot.matching.model import MatchInput, MatchSettings, MemberCadence, WorkHours
from bot.matching.tz import shared_hours, work_start_utc

IntA = npt.NDArray[np.int64]
FloatA = npt.NDArray[np.float64]
BoolA = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Claims:
    """Skill claims of one direction, sorted by (member, skill)."""

    member: IntA
    skill: IntA
    level: IntA
    ptr: IntA  # claims of member m are [ptr[m], ptr[m+1])
    key: IntA  # member * n_skills + skill, sorted (duplicates collapsed to the best level)
    key_level: IntA
    # level by [member, skill], 0 for none: a direct look-up when members x skills is small
    dense: npt.NDArray[np.int8] | None = None


# Up to this many member x skill cells (bytes) claims are also kept as a dense table.
_DENSE_CELLS = 64_000_000


def _claims(
    rows: list[tuple[int, int, int]], n: int, n_skills: int, best_high: bool, dense: bool = False
) -> Claims:
    arr = np.array(rows, dtype=np.int64).reshape(-1, 3)
    key = arr[:, 0] * n_skills + arr[:, 1]
    # Sort by key, and for duplicates keep the most useful level (highest to teach,
    # lowest current level to learn) first.
    lvl_order = -arr[:, 2] if best_high else arr[:, 2]
    order = np.lexsort((lvl_order, key))
    arr, key = arr[order], key[order]
    first = np.ones(key.size, dtype=bool)
    first[1:] = key[1:] != key[:-1]
    arr, key = arr[first], key[first]
    ptr = np.searchsorted(arr[:, 0], np.arange(n + 1)).astype(np.int64)
    table = None
    if dense and n * n_skills <= _DENSE_CELLS:
        table = np.zeros((n, n_skills), dtype=np.int8)
        table[arr[:, 0], arr[:, 1]] = arr[:, 2]
    return Claims(
        arr[:, 0].copy(), arr[:, 1].copy(), arr[:, 2].copy(), ptr, key, arr[:, 2].copy(), table
    )


@dataclass(frozen=True)
class PoolArrays:
    """One pool's members, skills and past pairings as numpy arrays (built by :func:`build`);
    named apart from the ORM's ``PoolArrays``, which it has nothing to do with."""

    inp: MatchInput
    n: int
    ids: tuple[str, ...]
    index: dict[str, int]
    skills: tuple[str, ...]  # skill keys by number
    labels: tuple[str, ...]  # display label by skill number (first seen)
    team: IntA  # -1 unknown
    teams: tuple[str, ...]
    tz: IntA  # index into tz_names: one per distinct (time zone, working hours)
    tz_names: tuple[str | None, ...]
    tz_start: FloatA  # working window start (UTC hours) per tz index
    overlap: FloatA  # tz x tz overlap hours (longest shared working day of the week)
    priority: IntA  # unmatched streak, clipped to 0..3
    due: BoolA
    last_paired_days: IntA  # -1 never
    teach: Claims
    learn: Claims
    hist_key: IntA  # sorted pair keys that met before
    hist_rounds_ago: IntA
    hist_count: IntA
    dnp_key: IntA  # sorted
    balance: IntA  # lessons taught - lessons received, per member
    consent_key: IntA  # sorted pair keys whose latest group together both want to repeat
    new_tier: float  # added to a new pair's weight: more than any matching's total fit
    # Met-before pairs allowed to meet again this round (consent, cooldown over, neither has a
    # new option); set by the engine once it knows who has a new option.
    repeat_ok_key: IntA = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def settings(self) -> MatchSettings:
        return self.inp.settings


def _pair_keys(a: IntA, b: IntA, n: int) -> IntA:
    return np.minimum(a, b) * n + np.maximum(a, b)


def _history(
    inp: MatchInput, index: dict[str, int], n: int, interval: int
) -> tuple[IntA, IntA, IntA, IntA, IntA]:
    """Past pairings as arrays: the days since each member's last pairing (-1 never), and per
    pair that met (sorted ``low * n + high`` keys) the rounds since their latest meeting, how
    often they met, and the keys whose latest meeting both want to repeat (a tie on the day
    counts as consent only if all of them agree)."""
    history = inp.history
    empty = np.zeros(0, dtype=np.int64)
    last = np.full(n, -1, dtype=np.int64)
    if not history:
        return last, empty, empty, empty, empty
    # One flat entry per (past group, member); members not in this pool are dropped.
    sizes = np.array([len(past.members) for past in history], dtype=np.int64)
    member = np.array([index.get(x, -1) for past in history for x in past.members], dtype=np.int64)
    again = np.array(
        [x in past.again for past in history for x in past.members]
        if any(past.again for past in history)
        else np.zeros(member.size, dtype=bool),
        dtype=bool,
    )
    days = np.maximum(
        np.array([(inp.round_date - past.round_date).days for past in history], dtype=np.int64),
        0,
    )
    group = np.repeat(np.arange(sizes.size, dtype=np.int64), sizes)
    keep = member >= 0
    member, again, group = member[keep], again[keep], group[keep]
    if member.size == 0:
        return last, empty, empty, empty, empty
    order = np.lexsort((member, group))  # by group, members ascending within it
    member, again, group = member[order], again[order], group[order]
    seen = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(seen, member, days[group])
    last = np.where(seen == np.iinfo(np.int64).max, -1, seen)
    # Every pair within each group, one group size at a time.
    count = np.bincount(group, minlength=sizes.size)
    start = np.concatenate(([0], np.cumsum(count)[:-1]))
    keys: list[IntA] = []
    pair_days: list[IntA] = []
    consent: list[BoolA] = []
    for k in np.unique(count[count >= 2]).tolist():
        gs = np.flatnonzero(count == k)
        first = start[gs]
        for p in range(k):
            for q in range(p + 1, k):
                keys.append(member[first + p] * n + member[first + q])
                pair_days.append(days[gs])
                consent.append(again[first + p] & again[first + q])
    if not keys:
        return last, empty, empty, empty, empty
    hka, hda, hca = np.concatenate(keys), np.concatenate(pair_days), np.concatenate(consent)
    # Latest meeting first; a tie on the day counts as consent only if all of them agree.
    order = np.lexsort((hca, hda, hka))
    hka, hda, hca = hka[order], hda[order], hca[order]
    head = np.ones(hka.size, dtype=bool)
    head[1:] = hka[1:] != hka[:-1]
    starts = np.flatnonzero(head)
    hist_key = hka[starts]
    hist_rounds = np.rint(hda[starts] / interval).astype(np.int64)
    hist_count = np.diff(np.append(starts, hka.size)).astype(np.int64)
    return last, hist_key, hist_rounds, hist_count, hist_key[hca[starts]]


def build(inp: MatchInput) -> PoolArrays:
    members = inp.members
    n = len(members)
    ids = tuple(m.id for m in members)
    index = {mid: i for i, mid in enumerate(ids)}
    if len(index) != n:
        raise ValueError("member ids must be unique")
    s = inp.settings
    skill_no: dict[str, int] = {}
    labels: list[str] = []
    teach_rows: list[tuple[int, int, int]] = []
    learn_rows: list[tuple[int, int, int]] = []
    team_no: dict[str, int] = {}
    tz_no: dict[tuple[str | None, WorkHours], int] = {}
    default_hours = WorkHours(start=s.work_start_hour * 60, end=s.work_end_hour * 60)
    team = np.full(n, -1, dtype=np.int64)
    tz = np.zeros(n, dtype=np.int64)
    priority = np.zeros(n, dtype=np.int64)
    balance = np.zeros(n, dtype=np.int64)
    for i, m in enumerate(members):
        balance[i] = m.taught - m.learned
        for rows, claims in ((teach_rows, m.teach), (learn_rows, m.learn)):
            for c in claims:
                k = skill_no.get(c.skill)
                if k is None:
                    k = skill_no[c.skill] = len(labels)
                    labels.append(c.label)
                rows.append((i, k, c.level))
        if m.team:
            team[i] = team_no.setdefault(m.team, len(team_no))
        tz[i] = tz_no.setdefault((m.tz or None, m.hours or default_hours), len(tz_no))
        priority[i] = min(max(m.unmatched_streak, 0), 3)
    n_skills = max(len(labels), 1)
    tz_keys = tuple(tz_no)
    tz_names = tuple(name for name, _ in tz_keys)
    t = len(tz_keys)
    overlap = np.zeros((t, t))
    for a in range(t):
        for b in range(a, t):
            overlap[a, b] = overlap[b, a] = shared_hours(*tz_keys[a], *tz_keys[b], inp.round_date)
    tz_start = np.array([work_start_utc(*key, inp.round_date) for key in tz_keys])

    # History: last time (in rounds) and how often each pair met; last pairing per member.
    interval = max(inp.round_interval_days, 1)
    last, hist_key, hist_rounds, hist_count, consent_key = _history(inp, index, n, interval)
    dk = sorted(
        {
            min(index[a], index[b]) * n + max(index[a], index[b])
            for pair in inp.do_not_pair
            if len(pair) == 2
            for a, b in [tuple(pair)]
            if a in index and b in index
        }
    )
    half = interval // 2
    need = {
        MemberCadence.EVERY_ROUND: 0,
        MemberCadence.EVERY_OTHER: 2 * interval - half,
        MemberCadence.MONTHLY: max(28, interval) - half,
    }
    wait = [need[MemberCadence(m.cadence)] for m in members]
    due = (last < 0) | (last >= np.array(wait, dtype=np.int64))
    return PoolArrays(
        inp=inp,
        n=n,
        ids=ids,
        index=index,
        skills=tuple(skill_no),
        labels=tuple(labels),
        team=team,
        teams=tuple(team_no),
        tz=tz,
        tz_names=tz_names,
        tz_start=tz_start,
        overlap=overlap,
        priority=priority,
        due=due,
        last_paired_days=last,
        teach=_claims(teach_rows, n, n_skills, best_high=True, dense=True),
        learn=_claims(learn_rows, n, n_skills, best_high=False),
        hist_key=hist_key,
        hist_rounds_ago=hist_rounds,
        hist_count=hist_count,
        dnp_key=np.array(dk, dtype=np.int64),
        balance=balance,
        consent_key=consent_key,
        new_tier=new_tier(s, int(due.sum())),
    )


def max_fit(s: MatchSettings) -> float:
    """The most a single pair can weigh before the new-connection tier (priority included)."""
    lesson = s.lesson + 2 * s.level_gap_bonus
    return (
        2 * lesson
        + s.swap_bonus
        + s.new_connection
        + s.cross_team
        + s.circle_bonus
        + s.balance * 2 * s.balance_cap
        + 2 * s.priority_bonus
        + 1.0
    )


def new_tier(s: MatchSettings, due: int) -> float:
    """Weight of one new group: more than the fit of any matching of ``due`` members, so no
    amount of fit outweighs one more group of people who never met (a strict priority)."""
    return max_fit(s) * (due // 2 + 1)


def _lookup(sorted_keys: IntA, values: IntA, q: IntA) -> tuple[BoolA, IntA]:
    if sorted_keys.size == 0:
        return np.zeros(q.size, dtype=bool), np.zeros(q.size, dtype=np.int64)
    pos = np.searchsorted(sorted_keys, q)
    pos = np.minimum(pos, sorted_keys.size - 1)
    found = sorted_keys[pos] == q
    return found, np.where(found, values[pos], 0)


def expand(ptr: IntA, owners: IntA) -> tuple[IntA, IntA]:
    """For each row i (owner ``owners[i]``), the positions ``ptr[o]..ptr[o+1]``.

    Returns (row index repeated, claim position), both flat.
    """
    counts = ptr[owners + 1] - ptr[owners]
    rows = np.repeat(np.arange(owners.size, dtype=np.int64), counts)
    starts = np.cumsum(counts) - counts
    pos = np.arange(rows.size, dtype=np.int64) - np.repeat(starts - ptr[owners], counts)
    return rows, pos


def lesson_value(ws: PoolArrays, teacher: IntA, learner: IntA) -> FloatA:
    """Best lesson ``teacher`` can give ``learner`` (0 when none fits), vectorised."""
    s = ws.settings
    out = np.zeros(teacher.size)
    if teacher.size == 0:
        return out
    rows, pos = expand(ws.learn.ptr, learner)
    if rows.size == 0:
        return out
    skill = ws.learn.skill[pos]
    dense = ws.teach.dense
    if dense is not None:
        # One flat index is quicker than a two-array index into the table.
        tlevel = dense.ravel()[teacher[rows] * dense.shape[1] + skill]
        found = tlevel > 0
    else:
        n_skills = max(len(ws.skills), 1)
        found, tlevel = _lookup(ws.teach.key, ws.teach.key_level, teacher[rows] * n_skills + skill)
    gap = tlevel - ws.learn.level[pos]
    fits = found & (gap >= 0)
    # ``rows`` ascend: the best lesson of each learner's run of claims.
    count = ws.learn.ptr[learner + 1] - ws.learn.ptr[learner]
    some = count > 0
    starts = (np.cumsum(count) - count)[some]
    # A lesson is worth one of four values (no fit, or a gap of 0, 1, 2+). When they ascend,
    # the best of the small codes picks the same value as the best of the values, cheaper.
    value = np.array([0.0] + [s.lesson + s.level_gap_bonus * g for g in (0, 1, 2)])
    if np.all(np.diff(value) >= 0):
        code = np.where(fits, np.minimum(gap, 2) + 1, 0)
        out[some] = value[np.maximum.reduceat(code, starts)]
    else:
        val = np.where(fits, s.lesson + s.level_gap_bonus * np.minimum(gap, 2), 0.0)
        out[some] = np.maximum.reduceat(val, starts)
    return out


def met_before(ws: PoolArrays, u: IntA, v: IntA) -> BoolA:
    found, _ = _lookup(ws.hist_key, ws.hist_key, _pair_keys(u, v, ws.n))
    return found


def has_skill(ws: PoolArrays) -> BoolA:
    """Members with at least one skill claim (to teach or to learn)."""
    return (np.diff(ws.teach.ptr) > 0) | (np.diff(ws.learn.ptr) > 0)


def discovery_eval(
    ws: PoolArrays, u: IntA, v: IntA, *, same_team: bool = False
) -> tuple[BoolA, FloatA]:
    """Which pairs may meet as a discovery swap (never met, not in the same known team, some
    shared working hours, allowed, both due and with a skill to show), and their weight.

    ``same_team`` lifts the team rule (a guest's second host may be from the guest's team)."""
    s = ws.settings
    why = blocks(ws, u, v)
    same = (ws.team[u] >= 0) & (ws.team[u] == ws.team[v]) & (not same_team)
    skill = has_skill(ws)
    ok = (
        (u != v)
        & ~met_before(ws, u, v)
        & ~why.do_not_pair
        & ~why.no_hours
        & ~why.not_due
        & ~same
        & skill[u]
        & skill[v]
    )
    ov = ws.overlap[ws.tz[u], ws.tz[v]]
    cross = (ws.team[u] >= 0) & (ws.team[v] >= 0) & (ws.team[u] != ws.team[v])
    weight = (
        1.0
        + np.where(cross, s.cross_team, 0.0)
        + np.minimum(ov, s.good_overlap_hours)
        + s.priority_bonus * ((ws.priority[u] > 0).astype(np.float64) + (ws.priority[v] > 0))
    )
    return ok, weight


@dataclass(frozen=True)
class Blocks:
    """Which hard rule forbids each pair (several may apply to one pair)."""

    cooldown: BoolA  # met within the cooldown
    repeat: BoolA  # met before, cooldown over, but not both chose to meet again (or a new option)
    do_not_pair: BoolA
    no_hours: BoolA  # no shared working hours
    not_due: BoolA  # either member is not due this round (cadence)


def blocks(ws: PoolArrays, u: IntA, v: IntA) -> Blocks:
    keys = _pair_keys(u, v, ws.n)
    met_found, rounds_ago = _lookup(ws.hist_key, ws.hist_rounds_ago, keys)
    return _blocks(ws, u, v, keys, met_found, rounds_ago)


def _blocks(
    ws: PoolArrays, u: IntA, v: IntA, keys: IntA, met_found: BoolA, rounds_ago: IntA
) -> Blocks:
    dnp, _ = _lookup(ws.dnp_key, ws.dnp_key, keys)
    cooldown = met_found & (rounds_ago <= ws.settings.cooldown_rounds)
    repeat_ok, _ = _lookup(ws.repeat_ok_key, ws.repeat_ok_key, keys)
    return Blocks(
        cooldown=cooldown,
        repeat=met_found & ~cooldown & ~repeat_ok,
        do_not_pair=dnp,
        no_hours=~(ws.overlap[ws.tz[u], ws.tz[v]] > 0),
        not_due=~(ws.due[u] & ws.due[v]),
    )


@dataclass(frozen=True)
class PairEval:
    u: IntA
    v: IntA
    uv: FloatA  # lesson u -> v
    vu: FloatA
    hard_ok: BoolA  # no hard constraint forbids u and v meeting
    met: IntA  # earlier pairings (outside cooldown)
    cross: BoolA
    overlap: FloatA
    score: FloatA  # quality of the pair as a group of two (0 when no lesson)
    weight: FloatA  # score + priority bonuses; what the matching maximises

    @property
    def valid(self) -> BoolA:
        return self.hard_ok & ((self.uv > 0) | (self.vu > 0))


def evaluate(ws: PoolArrays, u: IntA, v: IntA) -> PairEval:
    s = ws.settings
    uv = lesson_value(ws, u, v)
    vu = lesson_value(ws, v, u)
    keys = _pair_keys(u, v, ws.n)
    # One look-up in the history serves both how often and how long ago a pair met.
    met_found, at = _lookup(ws.hist_key, np.arange(ws.hist_key.size, dtype=np.int64), keys)
    met, ago = at, at  # zeros when there is no history
    if ws.hist_key.size:
        met = np.where(met_found, ws.hist_count[at], 0)
        ago = np.where(met_found, ws.hist_rounds_ago[at], 0)
    why = _blocks(ws, u, v, keys, met_found, ago)
    ov = ws.overlap[ws.tz[u], ws.tz[v]]
    hard_ok = (
        (u != v) & ~why.cooldown & ~why.repeat & ~why.do_not_pair & ~why.no_hours & ~why.not_due
    )
    cross = (ws.team[u] >= 0) & (ws.team[v] >= 0) & (ws.team[u] != ws.team[v])
    lessons = uv + vu + np.where((uv > 0) & (vu > 0), s.swap_bonus, 0.0)
    # One-way: the direction that evens out taught - learned (who has only taught learns).
    bal = np.clip(ws.balance, -s.balance_cap, s.balance_cap)
    even = (bal[v] - bal[u]) * ((uv > 0) & ~(vu > 0)) + (bal[u] - bal[v]) * ((vu > 0) & ~(uv > 0))
    lessons = np.where(lessons > 0, lessons + s.balance * even, 0.0)
    conn = (
        np.where(met_found, -s.repeat_penalty * met, s.new_connection)
        + np.where(cross, s.cross_team, 0.0)
        - s.overlap_penalty * np.maximum(s.good_overlap_hours - ov, 0.0)
    )
    score = np.where(lessons > 0, np.maximum(lessons + conn, 0.5), 0.0)
    weight = score + np.where(
        score > 0,
        s.priority_bonus * (ws.priority[u] > 0)
        + s.priority_bonus * (ws.priority[v] > 0)
        + np.where(met_found, 0.0, ws.new_tier),
        0.0,
    )
    return PairEval(u, v, uv, vu, hard_ok, np.where(met_found, met, 0), cross, ov, score, weight)

"""An independent verifier of every hard constraint of a round's result.

Written in plain Python from the input alone (it shares no code with the solver beyond the
time-zone helper), so a bug in the vectorised engine shows up here.
"""

from __future__ import annotations

from itertools import combinations

from bot.matching.model import (
    GroupKind,
    MatchInput,
    MatchResult,
    MemberCadence,
    MemberInput,
    WorkHours,
)
from bot.matching.tz import shared_hours


def _last_met(inp: MatchInput) -> tuple[dict[frozenset[str], int], dict[str, int]]:
    """Days since each pair last met, and since each member was last paired."""
    pair_days: dict[frozenset[str], int] = {}
    member_days: dict[str, int] = {}
    for past in inp.history:
        days = max((inp.round_date - past.round_date).days, 0)
        for m in past.members:
            member_days[m] = min(member_days.get(m, days), days)
        for a, b in combinations(sorted(past.members), 2):
            key = frozenset((a, b))
            pair_days[key] = min(pair_days.get(key, days), days)
    return pair_days, member_days


def _consent(inp: MatchInput, pair_days: dict[frozenset[str], int]) -> set[frozenset[str]]:
    """Pairs both of whom said yes to meeting again after every group of their latest day."""
    said: dict[frozenset[str], bool] = {}
    for past in inp.history:
        days = max((inp.round_date - past.round_date).days, 0)
        for a, b in combinations(sorted(past.members), 2):
            key = frozenset((a, b))
            if pair_days[key] == days:
                yes = a in past.again and b in past.again
                said[key] = said.get(key, True) and yes
    return {k for k, yes in said.items() if yes}


def is_due(member: MemberInput, days_since_paired: int | None, interval: int) -> bool:
    if days_since_paired is None or member.cadence == MemberCadence.EVERY_ROUND:
        return True
    half = interval // 2
    need = 2 * interval if member.cadence == MemberCadence.EVERY_OTHER else max(28, interval)
    return days_since_paired >= need - half


def fits(teacher: MemberInput, learner: MemberInput, skill: str | None = None) -> bool:
    levels = {c.skill: c.level for c in teacher.teach}
    return any(
        c.skill in levels and max(t.level for t in teacher.teach if t.skill == c.skill) >= c.level
        for c in learner.learn
        if skill is None or c.skill == skill
    )


def check(inp: MatchInput, result: MatchResult) -> list[str]:
    """Every violated hard constraint, as readable sentences (empty when all hold)."""
    errors: list[str] = []
    members = {m.id: m for m in inp.members}
    interval = max(inp.round_interval_days, 1)
    pair_days, member_days = _last_met(inp)
    dnp = {frozenset(p) for p in inp.do_not_pair}
    consent = _consent(inp, pair_days)
    seen: dict[str, str] = {}
    s = inp.settings

    default_hours = WorkHours(start=s.work_start_hour * 60, end=s.work_end_hour * 60)

    def hours(a: MemberInput, b: MemberInput) -> float:
        return shared_hours(
            a.tz, a.hours or default_hours, b.tz, b.hours or default_hours, inp.round_date
        )

    def due(m: MemberInput) -> bool:
        return is_due(m, member_days.get(m.id), interval)

    def has_new(m: MemberInput) -> bool:
        """A due, never-met colleague allowed to meet ``m`` with a fitting lesson."""
        return any(
            x.id != m.id
            and due(x)
            and frozenset((m.id, x.id)) not in pair_days
            and frozenset((m.id, x.id)) not in dnp
            and (fits(m, x) or fits(x, m))
            and hours(m, x) > 0
            for x in inp.members
        )

    def may_discover(a: MemberInput, b: MemberInput, *, same_team: bool = False) -> bool:
        return (
            s.discovery
            and a.id != b.id
            and frozenset((a.id, b.id)) not in pair_days
            and frozenset((a.id, b.id)) not in dnp
            and (same_team or not (a.team and a.team == b.team))
            and bool(a.teach or a.learn)
            and bool(b.teach or b.learn)
            and hours(a, b) > 0
        )

    def may_be_guest(g: MemberInput, a: MemberInput, b: MemberInput) -> bool:
        """New to both, shares hours with both, from another team than at least one."""
        near = may_discover(g, a, same_team=True) and may_discover(g, b, same_team=True)
        return near and (may_discover(g, a) or may_discover(g, b))

    def place(mid: str, where: str) -> None:
        if mid in seen:
            errors.append(f"{mid} appears twice ({seen[mid]} and {where})")
        seen[mid] = where

    for gi, g in enumerate(result.groups):
        where = f"group {gi}"
        if len(g.members) not in (2, 3):
            errors.append(f"{where} has {len(g.members)} members")
        for mid in g.members:
            place(mid, where)
            if mid not in members:
                errors.append(f"{where}: unknown member {mid}")
        if any(mid not in members for mid in g.members):
            continue
        for mid in g.members:
            if not is_due(members[mid], member_days.get(mid), interval):
                errors.append(f"{where}: {mid} is not due this round (cadence)")
        for a, b in combinations(g.members, 2):
            key = frozenset((a, b))
            if key in dnp:
                errors.append(f"{where}: {a} and {b} are on a do-not-pair list")
            days = pair_days.get(key)
            if days is not None and round(days / interval) <= inp.settings.cooldown_rounds:
                errors.append(f"{where}: {a} and {b} met {days} days ago (cooldown)")
            elif days is not None and key not in consent:
                errors.append(f"{where}: {a} and {b} meet again without both choosing to")
            elif days is not None and (has_new(members[a]) or has_new(members[b])):
                errors.append(f"{where}: {a} and {b} meet again although one has a new option")
            if hours(members[a], members[b]) <= 0:
                errors.append(f"{where}: {a} and {b} share no working hours")
        if g.kind is GroupKind.DISCOVERY:
            pair = [members[x] for x in g.members if x != g.guest]
            if len(pair) != 2 or not may_discover(pair[0], pair[1]):
                errors.append(f"{where}: not a discovery swap of two new colleagues")
        elif not g.teaches:
            errors.append(f"{where} has no lesson")
        if g.guest is not None:
            pair = [members[x] for x in g.members if x != g.guest]
            guest = members.get(g.guest)
            if len(pair) != 2 or guest is None or not may_be_guest(guest, *pair):
                errors.append(f"{where}: {g.guest} is not a new colleague for both")
        for t in g.teaches:
            if t.from_id not in g.members or t.to_id not in g.members or t.from_id == t.to_id:
                errors.append(f"{where}: lesson {t.from_id}->{t.to_id} outside the group")
            elif not fits(members[t.from_id], members[t.to_id], t.skill_key):
                errors.append(
                    f"{where}: {t.from_id} cannot teach {t.to_id} {t.skill_key} at that level"
                )
        directed = {(t.from_id, t.to_id) for t in g.teaches}
        if g.kind is GroupKind.SWAP and (len(g.members) != 2 or len(directed) != 2):
            errors.append(f"{where}: a swap needs two people teaching each other")
        if g.kind is GroupKind.ONE_WAY and len(g.members) != 2:
            errors.append(f"{where}: a one-way lesson is for two people")
        if g.kind is GroupKind.CIRCLE:
            ring = {a: b for a, b in directed}
            ok = len(g.members) == 3 and len(directed) == 3 and len(ring) == 3
            ok = ok and {ring[ring[ring[g.members[0]]]]} == {g.members[0]} if ok else False
            if not ok:
                errors.append(f"{where}: a circle needs A->B->C->A lessons")
        if g.kind is GroupKind.TRIO and len(g.members) != 3:
            errors.append(f"{where}: a trio has three people")
        if not g.reason:
            errors.append(f"{where} has no reason")
    for u in result.unmatched:
        place(u.member, "unmatched")
        if not u.why:
            errors.append(f"unmatched {u.member} has no reason")
    for u in result.skipped:
        place(u.member, "skipped")
        m = members.get(u.member)
        if m is not None and is_due(m, member_days.get(u.member), interval):
            errors.append(f"{u.member} is due this round but was skipped")
    for mid in members:
        if mid not in seen:
            errors.append(f"{mid} was silently dropped")
    # Fairness: nobody left out while a compatible, allowed partner is also left out; a member
    # with an unmatched streak is not left out while a compatible partner is in a plain pair.
    left = [members[u.member] for u in result.unmatched if u.member in members]
    in_pair = {mid: g for g in result.groups if len(g.members) == 2 for mid in g.members}

    def allowed(a: MemberInput, b: MemberInput) -> bool:
        key = frozenset((a.id, b.id))
        days = pair_days.get(key)
        return (
            key not in dnp
            and (
                days is None
                or (
                    round(days / interval) > inp.settings.cooldown_rounds
                    and key in consent
                    and not has_new(a)
                    and not has_new(b)
                )
            )
            and hours(a, b) > 0
            and (fits(a, b) or fits(b, a))
        )

    for p, q in combinations(left, 2):
        if allowed(p, q) or may_discover(p, q):
            errors.append(f"{p.id} and {q.id} were both left out but could have been paired")
    for p in left:
        if p.unmatched_streak <= 0:
            continue
        for mid, g in in_pair.items():
            other = next(x for x in g.members if x != mid)
            if g.kind is GroupKind.DISCOVERY:
                continue
            if frozenset((mid, other)) not in pair_days and frozenset((p.id, mid)) in pair_days:
                continue  # a group of strangers is never traded for a repeat
            if members[other].unmatched_streak <= 0 and allowed(p, members[mid]):
                errors.append(
                    f"{p.id} was left out again although {mid} (paired with {other}) fits"
                )
                break
    return errors

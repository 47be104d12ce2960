"""Profiles that grow: a member who has met nearly everyone they have a fitting lesson with
hears, once, which skills would open new partners here.

After a round is matched, :func:`thin_pools` counts each member's never-paired partners with
a fitting lesson (either way) from the round's own snapshot; below :data:`POOL_FLOOR`, a member
who has been in a group before gets one friendly DM (:func:`nudges`): what colleagues here want
to learn and teach that they don't list yet, with *Add a skill* and *Don't remind me*. It
shares the gentle nudges' rules (``bot/members/nudges.py``): at most one nudge a month
(``last_nudge_at``), none after *Don't remind me* (``nudges_off``). Someone told they were
left out this round is not nudged again (that DM has suggestions of its own).

:func:`thin_pools`, :func:`popularity` and :func:`suggestions` are pure.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.blocks.invitations import GrowView, grow_blocks, grow_text
from bot.blocks.rounds import dump
from bot.delivery.outbox import NewMessage, OutboxKind
from bot.kinds import Direction, MemberStatus
from bot.matching.check import fits
from bot.matching.model import MemberInput, PastPairing
from bot.members.nudges import NUDGE_GAP
from bot.store.models import Member

log = logging.getLogger(__name__)

#: A member with fewer never-met partners for a fitting lesson than this hears suggestions.
POOL_FLOOR = 3
#: Suggestions in one DM.
SUGGESTED = 3


def thin_pools(
    members: Sequence[MemberInput],
    paired: Iterable[frozenset[str]],
    blocked: Iterable[frozenset[str]] = (),
    *,
    floor: int = POOL_FLOOR,
) -> dict[str, int]:
    """``{member id: pool size}`` of the members with fewer than ``floor`` partners they were
    never paired with (nor blocked) and share a fitting lesson with, either way."""
    by_id = {m.id: m for m in members}
    teachers: dict[str, list[str]] = defaultdict(list)
    learners: dict[str, list[str]] = defaultdict(list)
    for m in members:
        for claim in {c.skill for c in m.teach}:
            teachers[claim].append(m.id)
        for claim in {c.skill for c in m.learn}:
            learners[claim].append(m.id)
    seen = {p for p in paired if len(p) == 2} | {p for p in blocked if len(p) == 2}
    thin: dict[str, int] = {}
    for m in members:
        pool: set[str] = set()
        candidates = [
            *(t for c in m.learn for t in teachers.get(c.skill, ())),
            *(lr for c in m.teach for lr in learners.get(c.skill, ())),
        ]
        for other_id in candidates:
            if other_id == m.id or other_id in pool or frozenset((m.id, other_id)) in seen:
                continue
            other = by_id[other_id]
            if fits(other, m) or fits(m, other):
                pool.add(other_id)
                if len(pool) >= floor:
                    break
        if len(pool) < floor:
            thin[m.id] = len(pool)
    return thin


def pairs_of(groups: Iterable[Iterable[str]]) -> set[frozenset[str]]:
    """Every pair inside each group (a trio is three pairs)."""
    found: set[frozenset[str]] = set()
    for group in groups:
        people = sorted(set(group))
        for i, a in enumerate(people):
            for b in people[i + 1 :]:
                found.add(frozenset((a, b)))
    return found


@dataclass(frozen=True)
class Popularity:
    """How many members want to learn (``wanted``) and teach (``taught``) each skill key."""

    wanted: Counter[str]
    taught: Counter[str]
    names: Mapping[str, str]


def popularity(members: Sequence[MemberInput]) -> Popularity:
    wanted: Counter[str] = Counter()
    taught: Counter[str] = Counter()
    names: dict[str, str] = {}
    for m in members:
        for claim in {c.skill: c for c in m.learn}.values():
            wanted[claim.skill] += 1
            names.setdefault(claim.skill, claim.label)
        for claim in {c.skill: c for c in m.teach}.values():
            taught[claim.skill] += 1
            names.setdefault(claim.skill, claim.label)
    return Popularity(wanted, taught, names)


def suggestions(
    member: MemberInput, known: Popularity, *, limit: int = SUGGESTED
) -> tuple[tuple[Direction, str, int], ...]:
    """What ``member`` could add: skills most colleagues want to learn (to teach), then skills
    most colleagues teach (to learn), leaving out what they list on either side. Each is
    ``(direction to add, skill name, colleagues)``."""
    listed = {c.skill for c in (*member.teach, *member.learn)}

    def top(
        counts: Counter[str], direction: Direction, room: int
    ) -> list[tuple[Direction, str, int]]:
        ranked = sorted(
            ((k, n) for k, n in counts.items() if k not in listed and n > 0),
            key=lambda kn: (-kn[1], known.names[kn[0]].casefold()),
        )
        return [(direction, known.names[k], n) for k, n in ranked[:room]]

    teach = top(known.wanted, Direction.TEACH, limit - 1)
    learn = top(known.taught, Direction.LEARN, limit - len(teach))
    return (*teach, *learn)


def nudges(
    session: Session,
    *,
    workspace_id: int,
    period: str,
    members: Sequence[MemberInput],
    member_ids: Mapping[str, int],
    history: Sequence[PastPairing],
    blocked: Iterable[frozenset[str]],
    groups: Iterable[Iterable[str]],
    told: Iterable[str] = (),
    now: datetime,
) -> list[NewMessage]:
    """The growth DMs of a round just matched (the caller enqueues them with the round's
    messages); stamps ``last_nudge_at`` on whoever gets one."""
    before = pairs_of(p.members for p in history)
    thin = thin_pools(members, before | pairs_of(groups), blocked)
    been_paired = {u for pair in before for u in pair}
    skip = set(told)
    wanted = {member_ids[u]: u for u in thin if u in been_paired and u not in skip}
    if not wanted:
        return []
    rows = session.scalars(
        select(Member).where(
            Member.id.in_(list(wanted)),
            Member.status == MemberStatus.ACTIVE,
            Member.nudges_off.is_(False),
        )
    ).all()
    known = popularity(members)
    by_id = {m.id: m for m in members}
    messages: list[NewMessage] = []
    for row in rows:
        if row.last_nudge_at is not None and now - row.last_nudge_at < NUDGE_GAP:
            continue  # at most one nudge a month
        offered = suggestions(by_id[wanted[row.id]], known)
        if not offered:
            continue  # nothing here to suggest
        view = GrowView(user_id=row.slack_user_id, suggestions=offered)
        row.last_nudge_at = now
        messages.append(
            NewMessage(
                key=f"nudge:grow:{row.id}:{period}",
                kind=OutboxKind.NUDGE,
                text=grow_text(view),
                blocks=dump(grow_blocks(view)),
                target_users=(row.slack_user_id,),
                member_id=row.id,
            )
        )
    if messages:
        log.info(
            "%d members told which skills would find them new partners",
            len(messages),
            extra={"workspace_id": workspace_id, "period": period},
        )
    return messages

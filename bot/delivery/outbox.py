"""The outbox: every message SkillSwap sends is a row here first. Functions take ``*, session``.

States: ``pending`` (nothing posted yet) → ``sending`` (a post was started and may have
reached Slack) → ``sent`` | ``failed``. A worker *claims* a row by stamping ``claimed_at``; a
claim older than the lease has been abandoned (the worker died), and if that row is
``sending`` its post is *in doubt*: the next worker looks for the row's key in the message
metadata of the conversation's recent history before posting again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.kinds import OutboxState
from bot.store.models import OutboxMessage, Workspace

#: Event type of the message metadata that carries the outbox key.
METADATA_EVENT_TYPE = "skillswap_outbox"
#: A message held (``not_before``) further ahead than this is not waited for by a worker
#: running ``until_idle`` (the CLI's delivery, tests' drains): the clock process sends it.
HOLD_HORIZON = timedelta(minutes=10)


class OutboxKind(StrEnum):
    INTRO = "intro"  # a group's introduction (group DM)
    UNMATCHED = "unmatched"  # "no partner this round" (1:1 DM)
    SUMMARY = "summary"  # round summary in the home channel
    CHECKIN = "checkin"  # "Did you meet?" (group DM)
    REMINDER = "reminder"  # one nudge when nobody answered the check-in
    STILL_UP = "still_up"  # "Still up for swaps?" after three unanswered check-ins (1:1 DM)
    PAUSED = "paused"  # "we paused you" after that question went unanswered (1:1 DM)
    PREVIEW = "preview"  # the next round's groups, to the admin who asked (1:1 DM)
    WELCOME = "welcome"  # an invitation to someone who just joined the Slack workspace (1:1 DM)
    NOTICE = "notice"  # a one-off DM: a refusal, a confirmation (1:1 DM, sent at once)
    REQUEST = "request"  # a swap request, to the teacher (1:1 DM with Accept / Not now)
    REQUEST_DECLINED = "request_declined"  # "not now", to the asker (1:1 DM)
    REQUEST_EXPIRED = "request_expired"  # nobody answered within the week (1:1 DM to each)
    INVITE = "invite"  # an invitation DM to someone who is not a member (1:1 DM)
    INVITE_CARD = "invite_card"  # an invitation card in a channel
    INVITE_SUMMARY = "invite_summary"  # what an invitation run did, to the admin (1:1 DM)
    NUDGE = "nudge"  # a gentle reminder to a member (1:1 DM)
    MEETING = "meeting"  # finding a time: "Booked: …", "Ana picked her times" (group DM)
    MEET_AGAIN = "meet_again"  # a group's chosen nudge to meet again (group DM)


@dataclass(frozen=True)
class NewMessage:
    """A message to enqueue: either ``target_users`` (a DM to open) or a ``channel``."""

    key: str
    kind: OutboxKind
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    target_users: tuple[str, ...] = ()
    channel: str | None = None
    round_id: int | None = None
    group_id: int | None = None
    member_id: int | None = None
    # Not sent before this moment (e.g. the recipients' working morning); None: at once.
    not_before: datetime | None = None

    def __post_init__(self) -> None:
        if bool(self.target_users) == bool(self.channel):
            raise ValueError("an outbox message needs target users or a channel, not both")


def enqueue(
    messages: Sequence[NewMessage], *, session: Session, workspace_id: int, now: datetime
) -> int:
    """Add the messages whose key is not in the outbox yet; returns how many were added."""
    keys = [m.key for m in messages]
    existing: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        existing.update(
            session.scalars(
                select(OutboxMessage.idempotency_key).where(
                    OutboxMessage.idempotency_key.in_(chunk)
                )
            )
        )
    fresh = [m for m in messages if m.key not in existing]
    _add(fresh, session=session, workspace_id=workspace_id, now=now)
    return len(fresh)


def enqueue_one(
    message: NewMessage, *, session: Session, workspace_id: int, now: datetime
) -> int | None:
    """Add one message; its row id, or None when its key is in the outbox already (also when
    another request adds the same key at the same moment)."""
    found = session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.idempotency_key == message.key)
    )
    if found is not None:
        return None
    try:
        with session.begin_nested():
            [row] = _add([message], session=session, workspace_id=workspace_id, now=now)
    except IntegrityError:
        return None
    return row.id


def _add(
    messages: Sequence[NewMessage], *, session: Session, workspace_id: int, now: datetime
) -> list[OutboxMessage]:
    rows = [
        OutboxMessage(
            workspace_id=workspace_id,
            idempotency_key=m.key,
            kind=m.kind.value,
            round_id=m.round_id,
            group_id=m.group_id,
            member_id=m.member_id,
            target_users=",".join(m.target_users) or None,
            channel=m.channel,
            slack_channel=m.channel,
            payload={"text": m.text, "blocks": m.blocks},
            state=OutboxState.PENDING,
            attempts=0,
            not_before=m.not_before if m.not_before and m.not_before > now else None,
            next_attempt_at=max(now, m.not_before or now),
            created_at=now,
        )
        for m in messages
    ]
    session.add_all(rows)
    session.flush()
    return rows


@dataclass(frozen=True)
class Claim:
    """A claimed row, detached from the session that claimed it."""

    id: int
    key: str
    kind: str
    team_id: str
    enterprise_id: str | None
    target_users: tuple[str, ...]
    channel: str | None  # known conversation (set, or opened earlier)
    payload: dict[str, Any]
    attempts: int
    in_doubt: bool
    claimed_at: datetime
    created_at: datetime
    round_id: int | None
    group_id: int | None
    member_id: int | None


def _claim_one(
    session: Session,
    state: OutboxState,
    now: datetime,
    lease: timedelta,
    exclude_teams: list[str],
    outbox_id: int | None = None,
) -> tuple[OutboxMessage, str, str | None] | None:
    # One state at a time, so the (state, next_attempt_at) index serves the ORDER BY and the
    # LIMIT stops at the first free row instead of sorting every pending row.
    stmt = (
        select(OutboxMessage, Workspace.team_id, Workspace.enterprise_id)
        .join(Workspace, Workspace.id == OutboxMessage.workspace_id)
        .where(
            OutboxMessage.state == state,
            OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.claimed_at.is_(None), OutboxMessage.claimed_at < now - lease),
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True, of=OutboxMessage)
    )
    if exclude_teams:
        stmt = stmt.where(Workspace.team_id.not_in(exclude_teams))
    if outbox_id is not None:
        stmt = stmt.where(OutboxMessage.id == outbox_id)
    row = session.execute(stmt).first()
    return (row[0], row[1], row[2]) if row is not None else None


def claim_next(
    *, session: Session, now: datetime, lease: timedelta, exclude_teams: Iterable[str] = ()
) -> Claim | None:
    """Claim the oldest due row — in-doubt rows first. ``FOR UPDATE SKIP LOCKED`` on
    PostgreSQL lets several workers claim side by side; on SQLite the write transaction
    (``BEGIN IMMEDIATE``) does."""
    excluded = list(exclude_teams)
    found = _claim_one(session, OutboxState.SENDING, now, lease, excluded) or _claim_one(
        session, OutboxState.PENDING, now, lease, excluded
    )
    return _claimed(session, found, now)


def claim_row(*, session: Session, outbox_id: int, now: datetime, lease: timedelta) -> Claim | None:
    """Claim one given row if it is due and free (None: done, not due, or held by a worker)."""
    found = _claim_one(session, OutboxState.SENDING, now, lease, [], outbox_id) or _claim_one(
        session, OutboxState.PENDING, now, lease, [], outbox_id
    )
    return _claimed(session, found, now)


def _claimed(
    session: Session, found: tuple[OutboxMessage, str, str | None] | None, now: datetime
) -> Claim | None:
    if found is None:
        return None
    message, team_id, enterprise_id = found
    message.claimed_at = now
    session.flush()
    return Claim(
        id=message.id,
        key=message.idempotency_key,
        kind=message.kind,
        team_id=team_id,
        enterprise_id=enterprise_id,
        target_users=tuple(u for u in (message.target_users or "").split(",") if u),
        channel=message.slack_channel or message.channel,
        payload=dict(message.payload),
        attempts=message.attempts,
        in_doubt=message.state is OutboxState.SENDING,
        claimed_at=now,
        created_at=message.created_at,
        round_id=message.round_id,
        group_id=message.group_id,
        member_id=message.member_id,
    )


def held(session: Session, claim: Claim) -> OutboxMessage | None:
    """The row, if this claim still holds it (no other worker took it over)."""
    return session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.id == claim.id,
            OutboxMessage.claimed_at == claim.claimed_at,
            OutboxMessage.state.in_([OutboxState.PENDING, OutboxState.SENDING]),
        )
    ).first()


def next_due_at(*, session: Session) -> datetime | None:
    """When the earliest unfinished row may be tried (``None`` when nothing is left)."""
    return session.scalar(
        select(func.min(OutboxMessage.next_attempt_at)).where(
            OutboxMessage.state.in_([OutboxState.PENDING, OutboxState.SENDING])
        )
    )


def due_by(moment: datetime) -> Any:
    """Rows not held past ``moment`` (a SQL condition)."""
    return or_(OutboxMessage.not_before.is_(None), OutboxMessage.not_before <= moment)


def count_unfinished(
    *, session: Session, round_id: int | None = None, held_after: datetime | None = None
) -> int:
    """Rows still to send; with ``held_after``, without those held past that moment."""
    stmt = select(func.count(OutboxMessage.id)).where(
        OutboxMessage.state.in_([OutboxState.PENDING, OutboxState.SENDING])
    )
    if round_id is not None:
        stmt = stmt.where(OutboxMessage.round_id == round_id)
    if held_after is not None:
        stmt = stmt.where(due_by(held_after))
    return int(session.scalar(stmt) or 0)


def count_by_state(*, session: Session, round_id: int | None = None) -> dict[OutboxState, int]:
    stmt = select(OutboxMessage.state, func.count(OutboxMessage.id)).group_by(OutboxMessage.state)
    if round_id is not None:
        stmt = stmt.where(OutboxMessage.round_id == round_id)
    counts = {state: 0 for state in OutboxState}
    for state, n in session.execute(stmt):
        counts[OutboxState(state)] = int(n)
    return counts

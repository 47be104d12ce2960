"""The outbox worker: delivers every message once, throttled, retried, and crash-safe.

For each claimed row:

1. open the DM (``conversations.open``) unless the conversation is known; the channel is kept
   on the row so a retry does not open it again;
2. if the row is *in doubt* (a post was started and its outcome never recorded: the worker
   died, or Slack timed out or answered 5xx), look for the row's key in the message metadata of
   the conversation's recent history; found means posted: record it and stop;
3. record ``sending`` (committed) — then ``chat.postMessage`` with the key as metadata — then
   record ``sent`` with Slack's ``ts``.

Slack's answers: 429 holds the method for ``Retry-After`` and retries the row after it;
5xx, ``internal_error`` and network errors retry with exponential backoff (the row stays in
doubt when a post may have landed) and give up after :data:`MAX_ATTEMPTS`; any other error is
permanent (``user_not_found``, ``account_inactive``, ``cannot_dm_bot``, …): the row fails and
the error is recorded on its group. Slack calls happen outside database transactions.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import NoReturn

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.clock import Clock, ManualClock
from bot.delivery.outbox import (
    HOLD_HORIZON,
    METADATA_EVENT_TYPE,
    Claim,
    OutboxKind,
    claim_next,
    claim_row,
    due_by,
    held,
)
from bot.delivery.throttle import Throttle
from bot.deps import Deps
from bot.errors import NotFoundError
from bot.kinds import GroupState, OutboxState, RoundState
from bot.slack.clients import client_for_team
from bot.store.models import Group, OutboxMessage, Round, Workspace

log = logging.getLogger(__name__)

#: A claim older than this was abandoned; its row may be taken over (and checked if in doubt).
LEASE = timedelta(seconds=60)
#: How often an idle worker (``until_idle``) looks again at rows other workers hold.
HELD_POLL = timedelta(seconds=1)
#: Longest a worker waits for the throttle while holding a claim.
MAX_HOLD_SECONDS = 5.0
#: Retryable failures (5xx, timeouts, internal errors) before a row is given up.
MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 2.0
BACKOFF_CAP_SECONDS = 300.0
#: Seconds the HTTP client waits for Slack before the call counts as a timeout.
SLACK_TIMEOUT_SECONDS = 10
#: Pages of ``conversations.history`` searched for an in-doubt message.
HISTORY_PAGES = 3
HISTORY_PAGE_SIZE = 100

#: ``ok: false`` errors that are worth retrying; every other error code is permanent.
RETRYABLE_ERRORS = frozenset(
    {"internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited"}
)

Sleep = Callable[[float], None]
ClientFor = Callable[[str, str | None], WebClient]


class DeliveryEvent(StrEnum):
    SENT = "sent"  # posted now
    RESOLVED = "resolved"  # was in doubt and found already posted: not posted again
    FAILED = "failed"  # given up (permanent error or too many attempts)
    DEFERRED = "deferred"  # will be retried later (429, 5xx, timeout, throttle)


@dataclass
class DeliveryReport:
    sent: int = 0
    resolved: int = 0
    failed: int = 0
    deferred: int = 0
    errors: dict[str, int] = field(default_factory=dict)  # every Slack error met, by code
    failures: dict[str, int] = field(default_factory=dict)  # messages given up, by reason

    @property
    def delivered(self) -> int:
        return self.sent + self.resolved

    def add(self, event: DeliveryEvent, error: str | None = None) -> None:
        setattr(self, event.value, getattr(self, event.value) + 1)
        if error:
            self.errors[error] = self.errors.get(error, 0) + 1
            if event is DeliveryEvent.FAILED:
                self.failures[error] = self.failures.get(error, 0) + 1


ProgressFn = Callable[[DeliveryEvent, Claim], None]


def sleeper_for(clock: Clock, stop: threading.Event | None = None) -> Sleep:
    """Waiting that fits the clock: a driven clock is moved forward, a real one is slept on
    (cut short when ``stop`` is set)."""
    if isinstance(clock, ManualClock):
        manual = clock

        def advance(seconds: float) -> None:
            if seconds > 0:
                manual.advance(timedelta(seconds=seconds))

        return advance

    def real_sleep(seconds: float) -> None:
        if seconds <= 0:
            return
        if stop is not None:
            stop.wait(seconds)
        else:
            time.sleep(seconds)

    return real_sleep


def make_throttle(clock: Clock) -> Throttle:
    return Throttle(lambda: clock.now().timestamp())


def delivery_client(deps: Deps, team_id: str, enterprise_id: str | None = None) -> WebClient:
    """A client for the workspace with **no** automatic retries: the worker decides, because a
    blind retry of ``chat.postMessage`` after a timeout or 5xx could post twice."""
    base = client_for_team(deps, team_id, enterprise_id)
    return WebClient(
        token=base.token,
        base_url=base.base_url,
        timeout=SLACK_TIMEOUT_SECONDS,
        retry_handlers=[],
    )


class _Stop(Exception):
    """Internal: the row was handled (deferred, failed, lost); move on to the next one."""

    def __init__(self, event: DeliveryEvent | None, error: str | None = None) -> None:
        super().__init__(error or "")
        self.event = event
        self.error = error


@dataclass(frozen=True)
class _Failure:
    """How a failed Slack call is handled."""

    error: str
    retry_after: float | None = None  # 429
    retryable: bool = False  # 5xx, timeout, internal_error
    may_have_posted: bool = False


def _classify(exc: Exception, *, posting: bool) -> _Failure:
    if isinstance(exc, SlackApiError):
        status = exc.response.status_code
        error = str(exc.response.get("error") or f"http_{status}")
        if status == 429 or error == "ratelimited":
            raw = exc.response.headers.get("Retry-After") or exc.response.headers.get("retry-after")
            try:
                seconds = float(raw) if raw is not None else 1.0
            except ValueError:
                seconds = 1.0
            return _Failure("ratelimited", retry_after=max(1.0, seconds))
        if status >= 500 or error in RETRYABLE_ERRORS:
            label = f"http_{status}" if status >= 500 else error
            return _Failure(label, retryable=True, may_have_posted=posting)
        return _Failure(error[:80])
    # Timeouts, resets, refused connections: Slack may have acted on the request.
    return _Failure(type(exc).__name__[:80], retryable=True, may_have_posted=posting)


def backoff(attempts: int, row_id: int) -> timedelta:
    """Exponential backoff with deterministic jitter (so runs are reproducible)."""
    base = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempts - 1))
    jitter = random.Random(row_id * 1000 + attempts).uniform(0.0, base * 0.25)
    return timedelta(seconds=base + jitter)


class DeliveryWorker:
    """Delivers outbox rows. Several workers (threads or processes) may run at once."""

    def __init__(
        self,
        deps: Deps,
        *,
        throttle: Throttle | None = None,
        client_for: ClientFor | None = None,
        sleep: Sleep | None = None,
        lease: timedelta = LEASE,
        stop: threading.Event | None = None,
    ) -> None:
        self.deps = deps
        self.stop = stop
        self.clock = deps.clock
        self.throttle = throttle or make_throttle(deps.clock)
        self._client_for = client_for or (lambda team, ent: delivery_client(deps, team, ent))
        self._clients: dict[str, WebClient] = {}
        self.sleep = sleep or sleeper_for(deps.clock, stop)
        self.lease = lease

    # ------------------------------------------------------------------ the loop

    def run(
        self,
        *,
        until_idle: bool = False,
        deadline: datetime | None = None,
        limit: int | None = None,
        on_progress: ProgressFn | None = None,
    ) -> DeliveryReport:
        """Deliver due rows. ``until_idle`` waits for retries until nothing is left to do."""
        report = DeliveryReport()
        blocked: dict[str, datetime] = {}
        handled = 0
        while limit is None or handled < limit:
            if self.stop is not None and self.stop.is_set():
                break
            now = self.clock.now()
            if deadline is not None and now >= deadline:
                break
            blocked = {team: until for team, until in blocked.items() if until > now}
            with self.deps.unit_of_work() as session:
                claim = claim_next(
                    session=session, now=now, lease=self.lease, exclude_teams=list(blocked)
                )
            if claim is None:
                if not until_idle:
                    break
                wake = self._wake_time(now, blocked)
                if wake is None:
                    break
                if deadline is not None:
                    wake = min(wake, deadline)
                self.sleep(max(0.05, (wake - now).total_seconds()))
                continue
            handled += 1
            event, error = self._deliver(claim, blocked)
            if event is not None:
                report.add(event, error)
                if on_progress is not None:
                    on_progress(event, claim)
        self._finish_rounds()
        return report

    def _wake_time(self, now: datetime, blocked: dict[str, datetime]) -> datetime | None:
        """When a row may next be claimable, or ``None`` when nothing is unfinished."""
        with self.deps.unit_of_work() as session:
            unfinished = OutboxMessage.state.in_([OutboxState.PENDING, OutboxState.SENDING])
            # Messages held for a working morning are the clock process's: not waited for.
            free_stmt = (
                select(func.min(OutboxMessage.next_attempt_at))
                .join(Workspace, Workspace.id == OutboxMessage.workspace_id)
                .where(unfinished, OutboxMessage.claimed_at.is_(None), due_by(now + HOLD_HORIZON))
            )
            if blocked:
                free_stmt = free_stmt.where(Workspace.team_id.not_in(list(blocked)))
            free = session.scalar(free_stmt)
            held_since = session.scalar(
                select(func.min(OutboxMessage.claimed_at)).where(
                    unfinished, OutboxMessage.claimed_at.is_not(None)
                )
            )
            blocked_rows = 0
            if blocked:
                blocked_rows = int(
                    session.scalar(
                        select(func.count(OutboxMessage.id))
                        .join(Workspace, Workspace.id == OutboxMessage.workspace_id)
                        .where(unfinished, Workspace.team_id.in_(list(blocked)))
                    )
                    or 0
                )
        candidates = []
        if free is not None:
            candidates.append(free)
        if held_since is not None:
            # Rows another worker holds: check again soon (it is probably about to finish),
            # and no later than when its lease runs out.
            candidates.append(min(max(held_since + self.lease, now), now + HELD_POLL))
        if blocked_rows:
            candidates.append(min(blocked.values()))
        return min(candidates) if candidates else None

    def deliver_now(self, outbox_id: int) -> DeliveryEvent | None:
        """Deliver one row at once (a welcome DM, say) instead of waiting for the delivery job.
        None when the row is not free: done already, or another worker holds it. A retryable
        failure leaves the row to the delivery job, as for any other row."""
        with self.deps.unit_of_work() as session:
            claim = claim_row(
                session=session, outbox_id=outbox_id, now=self.clock.now(), lease=self.lease
            )
        if claim is None:
            return None
        event, _error = self._deliver(claim, {})
        return event

    # ------------------------------------------------------------------ one row

    def _client(self, claim: Claim) -> WebClient:
        client = self._clients.get(claim.team_id)
        if client is None:
            client = self._client_for(claim.team_id, claim.enterprise_id)
            self._clients[claim.team_id] = client
        return client

    def _deliver(
        self, claim: Claim, blocked: dict[str, datetime]
    ) -> tuple[DeliveryEvent | None, str | None]:
        extra = {"team_id": claim.team_id, "outbox_id": claim.id, "round_id": claim.round_id}
        try:
            try:
                client = self._client(claim)
            except NotFoundError:
                self._fail(claim, None, "not_installed")
                raise _Stop(DeliveryEvent.FAILED, "not_installed") from None
            channel = claim.channel or self._open(client, claim, blocked)
            if claim.in_doubt:
                ts = self._find_posted(client, claim, channel, blocked)
                if ts is not None:
                    self._record_sent(claim, channel, ts)
                    log.info("in-doubt message was already posted; not posting again", extra=extra)
                    return DeliveryEvent.RESOLVED, None
            ts = self._post(client, claim, channel, blocked)
            self._record_sent(claim, channel, ts)
            return DeliveryEvent.SENT, None
        except _Stop as stop:
            if stop.event is DeliveryEvent.FAILED:
                log.warning("gave up on a message: %s", stop.error, extra=extra)
            elif stop.event is DeliveryEvent.DEFERRED:
                log.info("message deferred: %s", stop.error, extra=extra)
            return stop.event, stop.error

    def _wait_for(
        self,
        claim: Claim,
        method: str,
        blocked: dict[str, datetime],
        channel: str | None = None,
        *,
        not_posted: bool = False,
    ) -> None:
        """Wait for the throttle, or hand the row back when the wait is too long to hold it."""
        wait = self.throttle.acquire(claim.team_id, method, channel, max_wait=MAX_HOLD_SECONDS)
        if wait is None:
            seconds = max(self.throttle.blocked_for(claim.team_id, method), MAX_HOLD_SECONDS)
            until = self.clock.now() + timedelta(seconds=seconds)
            blocked[claim.team_id] = until
            self._defer(claim, channel, until, not_posted=not_posted, error=None)
            raise _Stop(None)
        self.sleep(wait)
        if self.clock.now() - claim.claimed_at > self.lease / 2:
            # Held too long (a slow call or a long wait): let the row go rather than race a
            # worker that may take it over once the lease ends.
            self._defer(claim, channel, self.clock.now(), not_posted=not_posted, error=None)
            raise _Stop(DeliveryEvent.DEFERRED, "lease")

    def _open(self, client: WebClient, claim: Claim, blocked: dict[str, datetime]) -> str:
        self._wait_for(claim, "conversations.open", blocked)
        try:
            response = client.conversations_open(users=",".join(claim.target_users))
        except (SlackApiError, OSError) as exc:
            self._handle(claim, None, _classify(exc, posting=False), "conversations.open", blocked)
        channel = str(response["channel"]["id"])
        with self.deps.unit_of_work() as session:
            row = held(session, claim)
            if row is not None:
                row.slack_channel = channel
        return channel

    def _find_posted(
        self, client: WebClient, claim: Claim, channel: str, blocked: dict[str, datetime]
    ) -> str | None:
        cursor: str | None = None
        for _ in range(HISTORY_PAGES):
            self._wait_for(claim, "conversations.history", blocked)
            try:
                response = client.conversations_history(
                    channel=channel,
                    limit=HISTORY_PAGE_SIZE,
                    include_all_metadata=True,
                    cursor=cursor,
                )
            except (SlackApiError, OSError) as exc:
                self._handle(
                    claim, channel, _classify(exc, posting=False), "conversations.history", blocked
                )
            for message in response.get("messages") or []:
                metadata = message.get("metadata") or {}
                payload = metadata.get("event_payload") or {}
                if (
                    metadata.get("event_type") == METADATA_EVENT_TYPE
                    and payload.get("key") == claim.key
                ):
                    return str(message["ts"])
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not response.get("has_more") or not cursor:
                break
        return None

    def _post(
        self, client: WebClient, claim: Claim, channel: str, blocked: dict[str, datetime]
    ) -> str:
        self._wait_for(claim, "chat.postMessage", blocked, channel, not_posted=not claim.in_doubt)
        if not self._mark_sending(claim, channel):
            raise _Stop(None)  # another worker took the row over
        try:
            response = client.chat_postMessage(
                channel=channel,
                text=str(claim.payload.get("text") or ""),
                blocks=claim.payload.get("blocks") or None,
                metadata={
                    "event_type": METADATA_EVENT_TYPE,
                    "event_payload": {"key": claim.key},
                },
                unfurl_links=False,
                unfurl_media=False,
            )
        except (SlackApiError, OSError) as exc:
            self._handle(claim, channel, _classify(exc, posting=True), "chat.postMessage", blocked)
        return str(response["ts"])

    def _handle(
        self,
        claim: Claim,
        channel: str | None,
        failure: _Failure,
        method: str,
        blocked: dict[str, datetime],
    ) -> NoReturn:
        now = self.clock.now()
        if failure.retry_after is not None:
            self.throttle.penalize(claim.team_id, method, failure.retry_after)
            until = now + timedelta(seconds=failure.retry_after)
            blocked[claim.team_id] = max(until, blocked.get(claim.team_id, until))
            # A 429 on chat.postMessage means it was not posted (and, if the row was in doubt,
            # the history search just now did not find it either).
            self._defer(
                claim, channel, until, not_posted=method == "chat.postMessage", error="ratelimited"
            )
            raise _Stop(DeliveryEvent.DEFERRED, "ratelimited")
        if failure.retryable:
            gave_up = self._retry_later(claim, channel, failure, method)
            raise _Stop(DeliveryEvent.FAILED if gave_up else DeliveryEvent.DEFERRED, failure.error)
        self._fail(claim, channel, failure.error)
        raise _Stop(DeliveryEvent.FAILED, failure.error)

    # ------------------------------------------------------------------ recording

    def _mark_sending(self, claim: Claim, channel: str) -> bool:
        """Record, before the post, that a post is starting (a crash after this is in doubt)."""
        with self.deps.unit_of_work() as session:
            row = held(session, claim)
            if row is None:
                return False
            row.state = OutboxState.SENDING
            row.slack_channel = channel
            if row.kind == OutboxKind.INTRO and row.group_id is not None:
                group = session.get(Group, row.group_id)
                if group is not None and group.channel_id is None:
                    group.channel_id = channel
            return True

    def _defer(
        self,
        claim: Claim,
        channel: str | None,
        until: datetime,
        *,
        not_posted: bool,
        error: str | None,
    ) -> None:
        with self.deps.unit_of_work() as session:
            row = held(session, claim)
            if row is None:
                return
            row.claimed_at = None
            row.next_attempt_at = until
            if channel:
                row.slack_channel = channel
            if not_posted:
                row.state = OutboxState.PENDING
            if error:
                row.last_error = error

    def _retry_later(
        self, claim: Claim, channel: str | None, failure: _Failure, method: str
    ) -> bool:
        """Schedule a retry with backoff; True when the row was given up instead."""
        with self.deps.unit_of_work() as session:
            row = held(session, claim)
            if row is None:
                return False
            row.attempts += 1
            row.last_error = f"{method}: {failure.error}"[:200]
            if channel:
                row.slack_channel = channel
            if failure.may_have_posted:
                row.state = OutboxState.SENDING  # in doubt: search before posting again
            if row.attempts >= MAX_ATTEMPTS:
                self._apply_failure(session, row, f"gave up: {failure.error}")
                return True
            row.claimed_at = None
            row.next_attempt_at = self.clock.now() + backoff(row.attempts, row.id)
            return False

    def _fail(self, claim: Claim, channel: str | None, error: str) -> None:
        with self.deps.unit_of_work() as session:
            row = held(session, claim)
            if row is None:
                return
            if channel:
                row.slack_channel = channel
            self._apply_failure(session, row, error)

    def _apply_failure(self, session: Session, row: OutboxMessage, error: str) -> None:
        row.state = OutboxState.FAILED
        row.claimed_at = None
        row.last_error = error[:200]
        if row.group_id is not None and row.kind in (
            OutboxKind.INTRO,
            OutboxKind.CHECKIN,
            OutboxKind.REMINDER,
        ):
            group = session.get(Group, row.group_id)
            if group is not None:
                group.delivery_error = error[:120]
                if row.kind == OutboxKind.INTRO and group.state is GroupState.PENDING:
                    group.state = GroupState.FAILED

    def _record_sent(self, claim: Claim, channel: str, ts: str) -> None:
        """Record the post. Done even if the claim was taken over: the message *is* posted."""
        with self.deps.unit_of_work() as session:
            row = session.get(OutboxMessage, claim.id)
            if row is None or row.state is OutboxState.SENT:
                return
            row.state = OutboxState.SENT
            row.slack_channel = channel
            row.slack_ts = ts
            row.sent_at = self.clock.now()
            row.claimed_at = None
            row.last_error = None
            if row.group_id is None:
                return
            group = session.get(Group, row.group_id)
            if group is None:
                return
            if row.kind == OutboxKind.INTRO:
                group.channel_id = channel
                group.intro_ts = ts
                group.delivery_error = None
                if group.state in (GroupState.PENDING, GroupState.FAILED):
                    group.state = GroupState.INTRODUCED
            elif row.kind == OutboxKind.CHECKIN:
                group.checkin_ts = ts

    def _finish_rounds(self) -> None:
        """Rounds whose intros are all sent or given up are ``delivered``."""
        with self.deps.unit_of_work() as session:
            matched = list(session.scalars(select(Round).where(Round.state == RoundState.MATCHED)))
            for round_ in matched:
                left = session.scalar(
                    select(func.count(OutboxMessage.id)).where(
                        OutboxMessage.round_id == round_.id,
                        OutboxMessage.kind.in_([OutboxKind.INTRO, OutboxKind.UNMATCHED]),
                        OutboxMessage.state.in_([OutboxState.PENDING, OutboxState.SENDING]),
                    )
                )
                if not left:
                    round_.state = RoundState.DELIVERED


def deliver_pending(
    deps: Deps,
    *,
    throttle: Throttle | None = None,
    client_for: ClientFor | None = None,
    sleep: Sleep | None = None,
    until_idle: bool = False,
    deadline: datetime | None = None,
    limit: int | None = None,
    on_progress: ProgressFn | None = None,
    lease: timedelta = LEASE,
    stop: threading.Event | None = None,
) -> DeliveryReport:
    """Deliver what is due in the outbox (see :class:`DeliveryWorker`)."""
    worker = DeliveryWorker(
        deps, throttle=throttle, client_for=client_for, sleep=sleep, lease=lease, stop=stop
    )
    return worker.run(
        until_idle=until_idle, deadline=deadline, limit=limit, on_progress=on_progress
    )

"""Client-side rate limiting for Slack's Web API, with a clock you can drive.

Token buckets per (workspace, method) and, for ``chat.postMessage``, per (workspace, channel),
sized from Slack's published tiers (SLACK_FACTS §5). A 429's ``Retry-After`` blocks the method
for the workspace until it has passed. One :class:`Throttle` is shared by the delivery workers
of a process; several processes each throttle themselves and rely on ``Retry-After``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    per_minute: float
    burst: float

    @property
    def per_second(self) -> float:
        return self.per_minute / 60.0


TIER_2 = Limit(per_minute=20, burst=5)
TIER_3 = Limit(per_minute=50, burst=10)
TIER_4 = Limit(per_minute=100, burst=20)

#: Per workspace and method.
METHOD_LIMITS: Mapping[str, Limit] = {
    "conversations.open": TIER_3,
    "conversations.history": TIER_3,
    "chat.update": TIER_3,
    "users.info": TIER_4,
    "users.list": TIER_2,
    "conversations.info": TIER_3,
    "conversations.members": TIER_4,
    # Slack publishes no number for the workspace-wide chat.postMessage limit; stay well below
    # what large workspaces see in practice.
    "chat.postMessage": Limit(per_minute=600, burst=20),
}
#: chat.postMessage per channel: about one message per second.
CHANNEL_LIMIT = Limit(per_minute=60, burst=1)


@dataclass
class _Bucket:
    limit: Limit
    tokens: float
    updated: float

    def refill(self, now: float) -> None:
        elapsed = max(0.0, now - self.updated)
        self.tokens = min(self.limit.burst, self.tokens + elapsed * self.limit.per_second)
        self.updated = now

    def wait(self) -> float:
        return 0.0 if self.tokens >= 1.0 else (1.0 - self.tokens) / self.limit.per_second


class Throttle:
    """``acquire`` says how long to wait before a call, and books the call's place in line."""

    def __init__(
        self,
        now: Callable[[], float],
        *,
        method_limits: Mapping[str, Limit] = METHOD_LIMITS,
        channel_limit: Limit = CHANNEL_LIMIT,
    ) -> None:
        self._now = now
        self._method_limits = method_limits
        self._channel_limit = channel_limit
        self._buckets: dict[tuple[str, ...], _Bucket] = {}
        self._blocked_until: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def _bucket(self, key: tuple[str, ...], limit: Limit, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = _Bucket(limit=limit, tokens=limit.burst, updated=now)
            self._buckets[key] = bucket
        bucket.refill(now)
        return bucket

    def acquire(
        self, team_id: str, method: str, channel: str | None = None, *, max_wait: float
    ) -> float | None:
        """Seconds to wait before calling ``method``, or ``None`` if that is over ``max_wait``.

        When a wait is returned the call is booked (the bucket may go below zero, so the next
        caller waits longer); ``None`` books nothing.
        """
        with self._lock:
            now = self._now()
            buckets: list[_Bucket] = []
            limit = self._method_limits.get(method)
            if limit is not None:
                buckets.append(self._bucket((team_id, method), limit, now))
            if method == "chat.postMessage" and channel:
                buckets.append(self._bucket((team_id, method, channel), self._channel_limit, now))
            blocked = max(0.0, self._blocked_until.get((team_id, method), now) - now)
            wait = max([blocked, *(b.wait() for b in buckets)])
            if wait > max_wait:
                return None
            for bucket in buckets:
                bucket.tokens -= 1.0
            return wait

    def blocked_for(self, team_id: str, method: str) -> float:
        """Seconds until ``method`` may be called again for ``team_id`` (0 when it may)."""
        with self._lock:
            now = self._now()
            limit = self._method_limits.get(method)
            wait = max(0.0, self._blocked_until.get((team_id, method), now) - now)
            if limit is not None:
                wait = max(wait, self._bucket((team_id, method), limit, now).wait())
            return wait

    def penalize(self, team_id: str, method: str, seconds: float) -> None:
        """Slack answered 429: hold ``method`` for this workspace for ``seconds``."""
        with self._lock:
            until = self._now() + max(0.0, seconds)
            key = (team_id, method)
            self._blocked_until[key] = max(self._blocked_until.get(key, 0.0), until)

"""Slack's Web API rate limits, modelled with token buckets and a clock you can drive.

Tiers are per method, per workspace, per app (docs.slack.dev/apis/web-api/rate-limits). The
method → tier table follows ``java-slack-sdk``'s ``MethodsRateLimits`` (SLACK_FACTS §5);
``chat.postMessage`` is "special": about one message per second per channel, with a short burst
allowed.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum


class Tier(Enum):
    """Requests per minute a method allows (the documented floor, "20+" → 20)."""

    TIER_1 = 1
    TIER_2 = 20
    TIER_3 = 50
    TIER_4 = 100
    SPECIAL_AUTH = 600  # auth.test: "hundreds per minute"


METHOD_TIERS: dict[str, Tier] = {
    "auth.test": Tier.SPECIAL_AUTH,
    "users.list": Tier.TIER_2,
    "users.info": Tier.TIER_4,
    "conversations.open": Tier.TIER_3,
    "conversations.info": Tier.TIER_3,
    "conversations.members": Tier.TIER_4,
    "usergroups.list": Tier.TIER_2,
    "usergroups.users.list": Tier.TIER_2,
    "conversations.history": Tier.TIER_3,
    "users.profile.get": Tier.TIER_4,
    "team.profile.get": Tier.TIER_3,
    "chat.update": Tier.TIER_3,
    "chat.postEphemeral": Tier.TIER_4,
    "chat.scheduleMessage": Tier.TIER_3,
    "chat.deleteScheduledMessage": Tier.TIER_3,
    "chat.scheduledMessages.list": Tier.TIER_3,
    "views.open": Tier.TIER_4,
    "views.update": Tier.TIER_4,
    "views.push": Tier.TIER_4,
    "views.publish": Tier.TIER_4,
    "files.getUploadURLExternal": Tier.TIER_4,
    "files.completeUploadExternal": Tier.TIER_4,
    "oauth.v2.access": Tier.TIER_4,
    "team.info": Tier.TIER_3,
}

#: chat.postMessage: one message per second per channel, with this many in a burst.
POST_MESSAGE_RATE_PER_SECOND = 1.0
POST_MESSAGE_BURST = 3


@dataclass
class _Bucket:
    capacity: float
    rate_per_second: float
    tokens: float
    updated: float

    def refill(self, now: float) -> None:
        elapsed = max(0.0, now - self.updated)
        self.tokens = min(self.capacity, self.tokens + elapsed * self.rate_per_second)
        self.updated = now


class RateLimiter:
    """Token buckets keyed by (team, method) — and (team, channel) for chat.postMessage.

    ``take`` returns ``None`` when the call may proceed, or the ``Retry-After`` seconds (≥ 1)
    to answer with a 429.
    """

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._buckets: dict[tuple[str, ...], _Bucket] = {}
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()

    def take(self, method: str, team_id: str, channel: str | None = None) -> int | None:
        if method == "chat.postMessage":
            key: tuple[str, ...] = (team_id, method, channel or "")
            capacity, rate = float(POST_MESSAGE_BURST), POST_MESSAGE_RATE_PER_SECOND
        else:
            tier = METHOD_TIERS.get(method)
            if tier is None:
                return None
            key = (team_id, method)
            capacity, rate = float(tier.value), tier.value / 60.0
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = _Bucket(
                    capacity=capacity, rate_per_second=rate, tokens=capacity, updated=now
                )
                self._buckets[key] = bucket
            bucket.refill(now)
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return None
            wait = (1.0 - bucket.tokens) / bucket.rate_per_second
            return max(1, math.ceil(wait))

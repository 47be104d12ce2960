"""Delivering messages to Slack from the outbox: once each, throttled, retried, crash-safe.

Public API::

    enqueue(messages, *, session, workspace_id, now) -> int       # record before sending
    deliver_pending(deps, *, until_idle=False, ...) -> DeliveryReport
    DeliveryWorker(deps, ...).run(...)                             # the same, as an object
"""

from bot.delivery.outbox import NewMessage, OutboxKind, enqueue
from bot.delivery.throttle import Throttle
from bot.delivery.worker import (
    DeliveryEvent,
    DeliveryReport,
    DeliveryWorker,
    deliver_pending,
    delivery_client,
)

__all__ = [
    "DeliveryEvent",
    "DeliveryReport",
    "DeliveryWorker",
    "NewMessage",
    "OutboxKind",
    "Throttle",
    "deliver_pending",
    "delivery_client",
    "enqueue",
]

"""A Slack simulator: fake Web API over HTTP, and a client that sends signed Slack requests.

Used by the tests, the benchmarks and ``skillswap demo``. Nothing starts at import time.
"""

from bot.sim.blocks_check import BlockError, check_message, check_view
from bot.sim.client import Reply, SignedClient
from bot.sim.ratelimits import METHOD_TIERS, RateLimiter, Tier
from bot.sim.records import RecordedCall, UploadedFile
from bot.sim.server import SlackSimulator

__all__ = [
    "METHOD_TIERS",
    "BlockError",
    "RateLimiter",
    "RecordedCall",
    "Reply",
    "SignedClient",
    "SlackSimulator",
    "Tier",
    "UploadedFile",
    "check_message",
    "check_view",
]

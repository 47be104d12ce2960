"""The Slack simulator in a process of its own, for the benchmarks.

``python bench/_sim.py --token xoxb-bench=T0001 --users 200`` prints one line, the simulator's
base URL, then serves until its stdin closes. Besides the simulator's own routes it answers
``GET /bench/stats`` with what it has recorded (counts only; response-URL hits per hook id, so
the load generator can tell lost and doubled replies apart) and ``POST /bench/reset``.

A process of its own so that the simulator's HTTP threads do not share a GIL with the load
generator (or with the app).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Mapping

from bot.sim.records import RESPONSE_URL_METHOD, _Reply
from bot.sim.server import SlackSimulator

STATS_PATH = "/bench/stats"
RESET_PATH = "/bench/reset"


class BenchSimulator(SlackSimulator):
    """A ``SlackSimulator`` with two extra routes for the benchmark driver."""

    def handle_http(self, verb: str, path: str, headers: Mapping[str, str], body: bytes) -> _Reply:
        if path == STATS_PATH:
            return _Reply(200, json.dumps(self.stats()).encode())
        if path == RESET_PATH and verb == "POST":
            self.reset()
            return _Reply(200, b'{"ok": true}')
        return super().handle_http(verb, path, headers, body)

    def stats(self) -> dict[str, object]:
        calls = self.calls
        methods = Counter(c.method for c in calls)
        hooks = Counter(
            str(c.response.get("hook_id"))
            for c in calls
            if c.method == RESPONSE_URL_METHOD and c.status == 200
        )
        errors = Counter(c.method for c in calls if not (200 <= c.status < 300))
        error_replies = sum(
            1
            for c in calls
            if c.method == RESPONSE_URL_METHOD and "error id" in str(c.params.get("text", ""))
        )
        return {
            "methods": dict(methods),
            "errors": dict(errors),
            "hooks": dict(hooks),
            "messages": len(self.messages()),
            "error_replies": error_replies,
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--token", action="append", default=[], help="TOKEN=TEAM, repeatable")
    parser.add_argument("--team", default="T0001", help="team of the generated users")
    parser.add_argument("--users", type=int, default=0, help="users U0000… to add")
    parser.add_argument("--admins", type=int, default=0, help="the first N users are admins")
    parser.add_argument("--rate-limits", action="store_true", help="enforce Slack's tiers")
    args = parser.parse_args(argv)
    tokens = dict(t.split("=", 1) for t in (args.token or ["xoxb-bench=T0001"]))
    sim = BenchSimulator(tokens=tokens, enforce_rate_limits=args.rate_limits)
    for i in range(args.users):
        sim.add_user(args.team, f"U{i:06d}", name=f"user{i}", is_admin=i < args.admins)
    sim.start()
    sys.stdout.write(sim.base_url + "\n")
    sys.stdout.flush()
    try:
        sys.stdin.read()  # until the driver closes our stdin (or dies)
    finally:
        sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

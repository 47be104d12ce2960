"""Inviting a big channel: paced to Slack's tiers, each person DMed once, across crashes.

Usage (from the repository root)::

    python bench/invite.py                   # 10,000 people on SQLite
    python bench/invite.py --people 2000 --database-url postgresql+psycopg://…/db

The Slack simulator enforces Slack's rate limits on a driven clock, and SkillSwap's throttle
waits by moving that clock: hours of Slack time pass in minutes of real time. The run is killed
twice — half-way through listing the channel's members, and half-way through delivering the
DMs — and started again each time, as an operator would. It prints the Slack time the DMs took
against Tier 3's 50 a minute, the 429s Slack answered (0 expected), and the people who got no
DM or more than one (0 and 0 expected).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from bot.cli.db import upgrade
from bot.clock import ManualClock
from bot.delivery.worker import deliver_pending
from bot.deps import Deps
from bot.invitations.people import Skip
from bot.invitations.service import invite
from bot.settings import Settings
from bot.sim import SlackSimulator
from bot.slack.clients import client_for_team
from bot.store.db import make_engine, make_session_factory
from bot.store.models import Invitation
from bot.store.workspaces import get_or_create_workspace

TEAM, TOKEN, CHANNEL = "T0BENCH", "xoxb-bench", "C0BENCH01"


class Killed(Exception):
    """The process died here."""


def run(people: int, database_url: str) -> int:
    upgrade(database_url)
    clock = ManualClock(datetime(2026, 12, 7, 8, 0, tzinfo=UTC))
    sim = SlackSimulator(
        {TOKEN: TEAM}, enforce_rate_limits=True, clock=lambda: clock.now().timestamp()
    )
    sim.start()
    engine = make_engine(database_url)
    settings = Settings(
        _env_file=None,
        slack_bot_token=TOKEN,
        slack_signing_secret="bench",
        slack_api_url=sim.api_url,
        database_url=database_url,
    )
    deps = Deps(
        settings=settings,
        engine=engine,
        session_factory=make_session_factory(engine),
        clock=clock,
    )
    try:
        ids = [f"U0B{i:06d}" for i in range(people)]
        for user in ids:
            sim.add_user(TEAM, user, name=user.lower())
        sim.add_channel(TEAM, CHANNEL, name="everyone", members=ids)
        with deps.unit_of_work() as session:
            get_or_create_workspace(session=session, team_id=TEAM)
        client = client_for_team(deps, TEAM)
        wall = time.monotonic()
        start = clock.now()

        def die_half_way(channel: str, seen: int, total: int) -> None:
            if seen >= total // 2:
                raise Killed

        try:
            invite(deps, client, team_id=TEAM, channels=[CHANNEL], dm=True, progress=die_half_way)
        except Killed:
            print("listing killed half-way; started again")
        summary = invite(deps, client, team_id=TEAM, channels=[CHANNEL], dm=True)
        with deps.unit_of_work() as session:
            recorded = session.scalar(select(func.count(Invitation.id))) or 0
        print(
            f"invitations recorded: {recorded} (this run {summary.invited}, "
            f"skipped as invited before {summary.skipped[Skip.INVITED]})"
        )
        first = deliver_pending(deps, limit=people // 2)
        print(f"delivery killed after {first.delivered} messages; started again")
        rest = deliver_pending(deps, until_idle=True)
        posts = [c for c in sim.calls_to("chat.postMessage") if c.status == 200]
        per_dm = Counter(c.params["channel"] for c in posts if c.params["channel"] != CHANNEL)
        refused = sum(1 for c in sim.calls if c.status == 429)
        slack_minutes = (clock.now() - start).total_seconds() / 60
        missing = people - len(per_dm)
        doubles = sum(1 for n in per_dm.values() if n > 1)
        print(
            f"{people} people: {first.delivered + rest.delivered} messages delivered in "
            f"{slack_minutes:.1f} Slack minutes (Tier 3 floor: {(people - 50) / 50:.1f}), "
            f"{time.monotonic() - wall:.0f} s of real time; 429s: {refused}; "
            f"without a DM: {missing}; DMed twice: {doubles}"
        )
        return 0 if (refused, missing, doubles) == (0, 0, 0) else 1
    finally:
        sim.stop()
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    if args.database_url:
        raise SystemExit(run(args.people, args.database_url))
    with tempfile.TemporaryDirectory() as folder:
        raise SystemExit(run(args.people, f"sqlite:///{Path(folder) / 'bench.db'}"))


if __name__ == "__main__":
    main()

"""Delivery benchmark: how long a big round takes to reach everyone under Slack's rate limits.

Usage (from the repository root)::

    python bench/delivery.py                       # 10,000 members on SQLite
    python bench/delivery.py --members 2000 --backend postgres

A workspace of synthetic members (``bot.matching.synthetic``: Zipf-popular skills, a dozen time
zones, teams of 8-15) is written to a fresh database; then the real round service matches it
and stores the round, and the real outbox worker delivers it to the Slack simulator running
with ``enforce_rate_limits=True`` — Slack's tiers: ``conversations.open`` Tier 3 (50/min, burst
50), ``chat.postMessage`` about 1/s per channel (burst 3), answering 429 + ``Retry-After`` when
exceeded. Time is *virtual*: the simulator's buckets, the worker's throttle and its waits all
read one driven clock, so 100 minutes of Slack time pass in seconds; wall-clock time is
reported too (it is the database and HTTP work).

Two phases are measured: the intros (every group DM needs ``conversations.open`` first, so
Tier 3 bounds them) and the check-ins (the conversation is known: only ``chat.postMessage``).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

from bot.cli.db import upgrade
from bot.clock import ManualClock
from bot.delivery.worker import DeliveryWorker
from bot.deps import Deps
from bot.matching import synthetic
from bot.rounds.checkins import process_due
from bot.rounds.service import start_round
from bot.settings import Settings
from bot.sim import SlackSimulator
from bot.store.db import make_engine, make_session_factory
from bot.store.models import (
    Direction,
    Member,
    MemberSkill,
    Round,
    Skill,
    Workspace,
)

TEAM = "T0BENCH01"
TOKEN = "xoxb-bench-delivery"
START = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@contextmanager
def database(backend: str, url: str | None) -> Iterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            path = f"sqlite:///{Path(folder) / 'bench.db'}"
            upgrade(path)
            yield path
        return
    base = make_url(url or os.environ.get("SKILLSWAP_TEST_POSTGRES_URL", PG_DEFAULT))
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    name = f"skillswap_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    target = base.set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(target)
        yield target
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def populate(deps: Deps, sim: SlackSimulator, members: int, seed: int) -> None:
    """Write the synthetic workspace with bulk inserts (and put everyone in Slack's directory)."""
    data = synthetic.workspace(members, seed=seed, slow_cadence_share=0.0, priority_share=0.0)
    with deps.unit_of_work() as session:
        ws = Workspace(team_id=TEAM, timezone="Europe/London", created_at=START.replace(month=11))
        session.add(ws)
        session.flush()
        keys = sorted({c.skill for m in data.members for c in (*m.teach, *m.learn)})
        labels = {c.skill: c.label for m in data.members for c in (*m.teach, *m.learn)}
        session.execute(
            insert(Skill), [{"workspace_id": ws.id, "key": k, "name": labels[k]} for k in keys]
        )
        skill_ids = {k: i for k, i in session.execute(text("SELECT key, id FROM skills"))}
        session.execute(
            insert(Member),
            [
                {
                    "workspace_id": ws.id,
                    "slack_user_id": m.id,
                    "display_name": f"Person {m.id[1:]}",
                    "tz": m.tz,
                    "team_label": m.team,
                }
                for m in data.members
            ],
        )
        member_ids = {
            u: i for u, i in session.execute(text("SELECT slack_user_id, id FROM members"))
        }
        rows = []
        for m in data.members:
            for direction, claims in ((Direction.TEACH, m.teach), (Direction.LEARN, m.learn)):
                for c in claims:
                    rows.append(
                        {
                            "member_id": member_ids[m.id],
                            "skill_id": skill_ids[c.skill],
                            "direction": direction,
                            "level": c.level,
                            "label": c.label,
                        }
                    )
        session.execute(insert(MemberSkill), rows)
    for m in data.members:
        sim.add_user(TEAM, m.id, name=m.id.lower(), tz=m.tz or "UTC")


def deliver(deps: Deps, clock: ManualClock, sim: SlackSimulator) -> dict[str, float]:
    before = Counter((c.method, c.status) for c in sim.calls)
    virtual_start, wall_start = clock.now(), time.perf_counter()
    report = DeliveryWorker(deps).run(until_idle=True)
    wall = time.perf_counter() - wall_start
    virtual = (clock.now() - virtual_start).total_seconds()
    after = Counter((c.method, c.status) for c in sim.calls)
    calls = after - before
    delivered = report.delivered
    return {
        "messages": delivered,
        "failed": report.failed,
        "virtual_s": virtual,
        "wall_s": wall,
        "per_min": delivered / (virtual / 60) if virtual else float("inf"),
        "opens": sum(n for (m, s), n in calls.items() if m == "conversations.open" and s == 200),
        "posts": sum(n for (m, s), n in calls.items() if m == "chat.postMessage" and s == 200),
        "throttled": sum(n for (_, s), n in calls.items() if s == 429),
        "doubles": 0,
    }


def count_doubles(sim: SlackSimulator) -> int:
    keys = Counter(
        (m.get("metadata") or {}).get("event_payload", {}).get("key") for m in sim.messages()
    )
    return sum(n - 1 for key, n in keys.items() if key and n > 1)


def minutes(seconds: float) -> str:
    return f"{int(seconds // 60)} min {seconds % 60:04.1f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--database-url", default=None, help="PostgreSQL server (a fresh DB)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    clock = ManualClock(START)
    sim = SlackSimulator(
        {TOKEN: TEAM}, enforce_rate_limits=True, clock=lambda: clock.now().timestamp()
    )
    sim.start()
    try:
        with database(args.backend, args.database_url) as url:
            engine = make_engine(url)
            settings = Settings(
                _env_file=None,
                slack_bot_token=TOKEN,
                slack_api_url=sim.api_url,
                database_url=url,
            )
            deps = Deps(settings, engine, make_session_factory(engine), clock=clock)
            populate(deps, sim, args.members, args.seed)

            wall = time.perf_counter()
            outcome = start_round(deps, TEAM, now=clock.now())
            round_wall = time.perf_counter() - wall
            intros = deliver(deps, clock, sim)

            with deps.unit_of_work() as session:
                due = session.scalars(select(Round.checkins_due_at)).one()
            assert due is not None
            clock.set(due)
            queued = process_due(deps, clock.now())
            checkins = deliver(deps, clock, sim)
            doubles = count_doubles(sim)
            engine.dispose()
    finally:
        sim.stop()

    print(f"SkillSwap delivery benchmark — {args.members:,} members, {args.backend}")
    print(
        f"round: {outcome.groups:,} groups, {outcome.unmatched:,} unmatched, "
        f"{outcome.messages:,} messages; snapshot+match+store {round_wall:.1f} s wall"
    )
    for name, r in (("intros", intros), ("check-ins", checkins)):
        print(
            f"{name:>9}: {int(r['messages']):,} delivered, {int(r['failed'])} failed in "
            f"{minutes(r['virtual_s'])} of Slack time ({r['per_min']:.0f} messages/min); "
            f"{int(r['opens']):,} conversations.open, {int(r['posts']):,} chat.postMessage, "
            f"{int(r['throttled'])} answered 429; {r['wall_s']:.1f} s wall"
        )
    print(f"check-ins queued: {queued.checkins:,}; messages posted twice: {doubles}")
    total = intros["virtual_s"]
    print(
        f"a {args.members:,}-member round reaches everyone in {minutes(total)} "
        f"(bounded by conversations.open, Tier 3: 50 per minute per workspace)"
    )


if __name__ == "__main__":
    main()

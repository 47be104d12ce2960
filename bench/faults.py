"""Fault scenarios for a round's delivery, with printed outcomes (loopback only).

Usage (from the repository root)::

    python bench/faults.py                      # every scenario on SQLite and PostgreSQL
    python bench/faults.py --backends sqlite --members 60

Each scenario stores a fresh round (``--members`` people with complementary skills, so every
one of them is in a group), injects a fault while its intros are delivered, lets the system
recover the way production would (the worker retries; a crashed process is started again),
and then counts what reached the Slack simulator: one intro per group, identified by the
outbox key the worker puts in the message metadata. "sent N, expected N, duplicates 0" is the
pass condition.

Scenarios: a 429 storm on ``chat.postMessage`` and ``conversations.open``; 5xx answers; a
timeout after Slack stored the message (the in-doubt path); the database connections killed
mid-round (PostgreSQL ``pg_terminate_backend``); the delivering process SIGKILLed mid-round
(``skillswap round run`` as a subprocess) and run again.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import (
    BOT_TOKEN,
    SKILLSWAP,
    TEAM,
    app_env,
    fresh_database,
    wait_until,
)

from bot.clock import SystemClock
from bot.delivery.outbox import METADATA_EVENT_TYPE
from bot.delivery.worker import DeliveryEvent, deliver_pending
from bot.deps import Deps
from bot.members.identity import SlackPerson
from bot.members.names import parse_skill_list
from bot.members.skills import add_skills
from bot.rounds.service import start_round
from bot.settings import Settings
from bot.sim import SlackSimulator
from bot.store.db import make_engine, make_session_factory
from bot.store.models import Direction, OutboxMessage, OutboxState

console = Console(width=140)
SKILLS = ("Python", "Spanish", "SQL", "Public speaking", "Go", "Design")


@dataclass
class Outcome:
    scenario: str
    backend: str
    expected: int
    sent: int
    duplicates: int
    failed: int
    seconds: float
    note: str

    @property
    def ok(self) -> bool:
        return self.sent == self.expected and self.duplicates == 0 and self.failed == 0


def make_deps(database_url: str, api_url: str) -> Deps:
    settings = Settings(
        _env_file=None,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret="bench-signing-secret",
        slack_api_url=api_url,
        database_url=database_url,
    )
    engine = make_engine(database_url)
    return Deps(
        settings=settings,
        engine=engine,
        session_factory=make_session_factory(engine),
        clock=SystemClock(),
    )


def populate(deps: Deps, sim: SlackSimulator, people: int) -> None:
    """``people`` members; each teaches one skill and wants the next one in the list."""
    for i in range(people):
        user = f"U{i:06d}"
        sim.add_user(TEAM, user, name=f"person{i}", tz="Europe/London")
        teach = SKILLS[i % len(SKILLS)]
        learn = SKILLS[(i + 1) % len(SKILLS)]
        person = SlackPerson(user_id=user, display_name=f"person{i}", tz="Europe/London")
        with deps.unit_of_work() as session:
            for direction, name in ((Direction.TEACH, teach), (Direction.LEARN, learn)):
                add_skills(
                    session=session,
                    team_id=TEAM,
                    user_id=user,
                    person=person,
                    direction=direction,
                    names=parse_skill_list(name, example="x"),
                )


def new_round(deps: Deps) -> int:
    outcome = start_round(deps, TEAM, now=datetime.now(UTC))
    if not outcome.created:
        raise RuntimeError(f"no round: {outcome.note}")
    with deps.unit_of_work() as session:
        return int(session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


def tally(deps: Deps, sim: SlackSimulator) -> tuple[int, int, int]:
    """(distinct outbox keys posted, keys posted more than once, rows failed)."""
    keys = Counter(
        str(((m.get("metadata") or {}).get("event_payload") or {}).get("key"))
        for m in sim.messages()
        if (m.get("metadata") or {}).get("event_type") == METADATA_EVENT_TYPE
    )
    with deps.unit_of_work() as session:
        failed = session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.state == OutboxState.FAILED)
        )
    return len(keys), sum(1 for n in keys.values() if n > 1), int(failed or 0)


@contextmanager
def world(backend: str, people: int) -> Iterator[tuple[Deps, SlackSimulator, int, str]]:
    with fresh_database(backend) as url, SlackSimulator(tokens={BOT_TOKEN: TEAM}) as sim:
        deps = make_deps(url, sim.api_url)
        try:
            populate(deps, sim, people)
            sim.reset()
            expected = new_round(deps)
            yield deps, sim, expected, url
        finally:
            deps.engine.dispose()


def finish(deps: Deps, attempts: int = 3) -> str:
    """Run the worker until the outbox is done, restarting it if it crashes (as the
    scheduler would on its next tick)."""
    notes = []
    for _ in range(attempts):
        try:
            deliver_pending(deps, until_idle=True)
            break
        except Exception as exc:
            notes.append(f"worker crashed ({type(exc).__name__}), restarted")
    return "; ".join(notes)


# --------------------------------------------------------------------------- scenarios

Scenario = Callable[[str, int], Outcome]


def _run(
    name: str, backend: str, people: int, inject: Callable[[Deps, SlackSimulator], str]
) -> Outcome:
    with world(backend, people) as (deps, sim, expected, _url):
        started = time.monotonic()
        note = inject(deps, sim)
        note = "; ".join(n for n in (note, finish(deps)) if n)
        sent, dup, failed = tally(deps, sim)
        return Outcome(name, backend, expected, sent, dup, failed, time.monotonic() - started, note)


def storm_429(backend: str, people: int) -> Outcome:
    def inject(deps: Deps, sim: SlackSimulator) -> str:
        sim.rate_limit_next("chat.postMessage", times=12, retry_after=1)
        sim.rate_limit_next("conversations.open", times=6, retry_after=1)
        return "18 answers 429 (Retry-After: 1)"

    return _run("429 storm", backend, people, inject)


def errors_5xx(backend: str, people: int) -> Outcome:
    def inject(deps: Deps, sim: SlackSimulator) -> str:
        sim.server_error_next("chat.postMessage", times=4, status=503)
        sim.server_error_next("conversations.open", times=2, status=500)
        sim.fail_next("chat.postMessage", error="internal_error", times=2)
        return "6 answers 5xx, 2 internal_error"

    return _run("5xx answers", backend, people, inject)


def timeout_after_landing(backend: str, people: int) -> Outcome:
    def inject(deps: Deps, sim: SlackSimulator) -> str:
        from bot.delivery.worker import SLACK_TIMEOUT_SECONDS

        sim.slow_next("chat.postMessage", seconds=SLACK_TIMEOUT_SECONDS + 1.5, times=1)
        return f"1 post answered after {SLACK_TIMEOUT_SECONDS + 1.5:.1f}s (client timed out)"

    return _run("timeout (in doubt)", backend, people, inject)


def database_killed(backend: str, people: int) -> Outcome:
    def inject(deps: Deps, sim: SlackSimulator) -> str:
        if backend != "postgres":
            return "n/a on SQLite (no server to lose); plain run"
        url = deps.settings.database_url
        name = url.rsplit("/", 1)[1]
        killed: list[int] = []

        def kill(event: DeliveryEvent, claim: Any) -> None:
            if event is DeliveryEvent.SENT and not killed and sim.messages():
                admin = make_engine(url.rsplit("/", 1)[0] + "/postgres")
                try:
                    with admin.connect() as conn:
                        n = conn.execute(
                            text(
                                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                "WHERE datname = :db AND pid <> pg_backend_pid()"
                            ),
                            {"db": name},
                        ).scalar()
                        killed.append(int(n or 0))
                finally:
                    admin.dispose()

        try:
            deliver_pending(deps, until_idle=True, on_progress=kill)
            crashed = "worker carried on"
        except Exception as exc:
            crashed = f"worker crashed ({type(exc).__name__})"
        return f"killed {sum(killed)} connection(s) after the first intro; {crashed}"

    return _run("database connections killed", backend, people, inject)


def process_killed(backend: str, people: int) -> Outcome:
    with world(backend, people) as (deps, sim, expected, url):
        started = time.monotonic()
        # Slow Slack down so that the kill lands mid-delivery.
        sim.slow_next("chat.postMessage", seconds=0.15, times=expected)
        env = app_env(url, sim.api_url)
        cmd = [SKILLSWAP, "round", "run", "--team", TEAM]
        with tempfile.TemporaryFile() as log:
            proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
            try:
                wait_until(lambda: len(sim.messages()) >= max(1, expected // 3), 60, "intros")
            finally:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
        at_kill = len(sim.messages())
        with deps.unit_of_work() as session:
            in_doubt = session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.state == OutboxState.SENDING)
            )
        # Started again: the round exists, so this only delivers what is left (and checks
        # the in-doubt rows against the conversation history before posting them).
        rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
        note = (
            f"SIGKILL after {at_kill} intro(s), {in_doubt} in doubt; rerun exit {rerun.returncode}"
        )
        sent, dup, failed = tally(deps, sim)
        return Outcome(
            "process SIGKILLed",
            backend,
            expected,
            sent,
            dup,
            failed,
            time.monotonic() - started,
            note,
        )


SCENARIOS: dict[str, Scenario] = {
    "429": storm_429,
    "5xx": errors_5xx,
    "timeout": timeout_after_landing,
    "db": database_killed,
    "kill": process_killed,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--members", type=int, default=40)
    parser.add_argument("--only", default=",".join(SCENARIOS), help="429,5xx,timeout,db,kill")
    args = parser.parse_args(argv)
    outcomes: list[Outcome] = []
    for backend in [b for b in args.backends.split(",") if b]:
        for key in [k for k in args.only.split(",") if k]:
            outcome = SCENARIOS[key](backend, args.members)
            outcomes.append(outcome)
            console.print(
                f"{backend:>8} {outcome.scenario:<28} sent {outcome.sent}, expected "
                f"{outcome.expected}, duplicates {outcome.duplicates}, failed {outcome.failed} "
                f"({outcome.seconds:.1f}s) {'ok' if outcome.ok else 'FAIL'} - {outcome.note}",
                highlight=False,
            )
    table = Table(title="Delivery under faults")
    for col in ("backend", "scenario", "expected", "sent", "duplicates", "failed", "s", "ok"):
        table.add_column(col)
    for o in outcomes:
        table.add_row(
            o.backend,
            o.scenario,
            str(o.expected),
            str(o.sent),
            str(o.duplicates),
            str(o.failed),
            f"{o.seconds:.1f}",
            "ok" if o.ok else "FAIL",
        )
    console.print(table)
    total_expected = sum(o.expected for o in outcomes)
    total_sent = sum(o.sent for o in outcomes)
    total_dup = sum(o.duplicates for o in outcomes)
    console.print(f"sent {total_sent}, expected {total_expected}, duplicates {total_dup}")
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())

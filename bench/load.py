"""Load benchmark: signed slash commands and button clicks against ``skillswap serve``.

Usage (from the repository root, loopback only)::

    python bench/load.py                          # floor, SQLite, PostgreSQL at 1, 10, 50
    python bench/load.py --backends sqlite --levels 50 --duration 5

For each level the generator keeps ``concurrency`` requests in flight (one keep-alive
connection each, asyncio, one process) for ``--duration`` seconds and records the ack latency
(request sent -> HTTP response read). The app runs under real gunicorn (``skillswap serve``,
default ``WEB_WORKERS``/``WEB_THREADS``), the Slack simulator in a process of its own, each
backend on a fresh migrated database. The floor is a trivial ack-only Bolt app
(``bench/_floor.py``) under the same gunicorn options. ``--framework`` adds SkillSwap itself
with every subcommand's work replaced by a fixed reply, which splits the gap to the floor into
what the app's plumbing costs and what its handlers cost.

The mix, in turn: ``/skillswap help``, ``/skillswap teach <skill>``, ``/skillswap me`` and the
"keep me in" button of the leave confirmation (``member_leave_cancel``). Each of them answers
once through its own ``response_url``; after a level the script waits for every reply and
counts lost and doubled ones, and after a backend it counts the stored skills.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from rich.console import Console
from rich.table import Table
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import create_engine, func, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
import contextlib

import _profile
from _harness import (
    SIGNING_SECRET,
    TEAM,
    ServerProcess,
    SimProcess,
    app_env,
    connections_by_process,
    cpu_delta,
    cpu_snapshot,
    fresh_database,
    machine_ticks,
    percentile,
    postgres_pids,
    server,
    simulator,
    steal_share,
    tree_pids,
    wait_until,
)

from bot.store.models import Direction, Member, MemberSkill

console = Console(width=150)
SKILLS = ("Python", "Spanish", "Public speaking")
KINDS = ("help", "teach", "me", "button")
CANCEL_ACTION = "member_leave_cancel"
# Issue 20's targets, per level and database (a benchmark, not a timed test).
TARGET_SHARE = 0.60  # of the floor's throughput
TARGET_P99_RATIO = 2.0  # times the floor's p99
TARGET_CPU_MS = 1.5  # the server's CPU per request of the mix


@dataclass
class LevelResult:
    target: str
    concurrency: int
    sent: int = 0
    errors: int = 0
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    steal: float = 0.0  # share of CPU time the hypervisor gave to other guests
    statuses: Counter[int] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    hooks: list[str] = field(default_factory=list)
    inline: Counter[str] = field(default_factory=Counter)  # replies carried by the ack
    inline_errors: int = 0
    replies_lost: int | None = None
    replies_doubled: int | None = None
    error_replies: int | None = None
    cpu_ms: dict[str, float] = field(default_factory=dict)  # CPU ms per request, by process
    load: float = 0.0  # 1-minute load average at the end of the level
    # Kept-alive connections per gunicorn worker, a second into the level: one worker (one
    # GIL) holding most of them was the largest source of spread between runs at c=10; by
    # then bot/cli/balance.py has closed a few on the busier worker and the kernel has hashed
    # their reconnects afresh, so a lopsided split here means the balancing is not working.
    split: list[int] = field(default_factory=list)
    # Responses that carried "Connection: close" (the generator then reconnects): gunicorn
    # closing a connection on a worker that holds more than its share (bot/cli/balance.py).
    closes: int = 0

    @property
    def split_text(self) -> str:
        return "/".join(str(n) for n in sorted(self.split, reverse=True)) or "-"

    @property
    def rps(self) -> float:
        return self.sent / self.elapsed if self.elapsed else 0.0

    def pct(self, q: float) -> float:
        return percentile(sorted(self.latencies), q) * 1000


class Requests:
    """Builds signed request bodies: the mix, with a response URL per request."""

    def __init__(self, sim_base: str, users: int, tag: str, only: str | None = None) -> None:
        self.only = only  # one kind of the mix instead of all of them
        self.sim_base = sim_base
        self.users = users
        self.tag = tag
        self.verifier = SignatureVerifier(SIGNING_SECRET)
        self.serial = 0
        self.per_kind: Counter[str] = Counter()
        self.taught: set[tuple[str, str]] = set()

    def next(self) -> tuple[str, bytes, str, str]:
        """The mix's next request: (kind, body, content type, hook id)."""
        return self.next_of(self.only or KINDS[self.serial % len(KINDS)])

    def next_of(self, kind: str) -> tuple[str, bytes, str, str]:
        """The next request of ``kind``: (kind, body, content type, hook id)."""
        i = self.serial
        self.serial += 1
        n = self.per_kind[kind]  # in the mix: i // len(KINDS)
        self.per_kind[kind] += 1
        user = f"U{n % self.users:06d}"
        hook = f"{self.tag}-{i}-{secrets.token_hex(3)}"
        response_url = f"{self.sim_base}/response/{hook}"
        trigger = f"{int(time.time() * 1000)}.{i}.{secrets.token_hex(4)}"
        if kind == "button":
            payload = {
                "type": "block_actions",
                "user": {"id": user, "username": user.lower(), "team_id": TEAM},
                "api_app_id": "A0SKILLSWAP",
                "token": "verification_token",
                "trigger_id": trigger,
                "team": {"id": TEAM, "domain": "bench"},
                "container": {
                    "type": "message",
                    "message_ts": "1700000000.000100",
                    "channel_id": "C0GENERAL",
                    "is_ephemeral": True,
                },
                "channel": {"id": "C0GENERAL", "name": "general"},
                "state": {"values": {}},
                "response_url": response_url,
                "actions": [
                    {
                        "action_id": CANCEL_ACTION,
                        "block_id": "leave",
                        "type": "button",
                        "value": "keep",
                        "action_ts": f"{time.time():.6f}",
                    }
                ],
            }
            body = urlencode({"payload": json.dumps(payload)}).encode()
            return kind, body, "application/x-www-form-urlencoded", hook
        if kind == "teach":
            skill = SKILLS[(n // self.users) % len(SKILLS)]
            text = f"teach {skill}"
            self.taught.add((user, skill))
        else:
            text = kind
        fields = {
            "token": "verification_token",
            "team_id": TEAM,
            "team_domain": "bench",
            "channel_id": "C0GENERAL",
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/skillswap",
            "text": text,
            "api_app_id": "A0SKILLSWAP",
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger,
        }
        return kind, urlencode(fields).encode(), "application/x-www-form-urlencoded", hook

    def headers(self, body: bytes, content_type: str) -> dict[str, str]:
        ts = str(int(time.time()))
        return {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": self.verifier.generate_signature(timestamp=ts, body=body),
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        }

    def signed(self, body: bytes, content_type: str, port: int) -> bytes:
        head = f"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        head += f"Content-Length: {len(body)}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in self.headers(body, content_type).items())
        return (head + "\r\n").encode() + body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool, bytes]:
    """Read one HTTP/1.1 response; (status, server wants the connection closed, body)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    body = b""
    if headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            body += (await reader.readexactly(size + 2))[:size]
            if size == 0:
                break
    else:
        body = await reader.readexactly(int(headers.get("content-length", "0")))
    return status, headers.get("connection", "").lower() == "close", body


async def _run_level(
    port: int,
    concurrency: int,
    duration: float,
    max_requests: int,
    reqs: Requests,
    target: str,
    workers: list[int],
) -> LevelResult:
    result = LevelResult(target=target, concurrency=concurrency)
    stop_at = time.monotonic() + duration

    async def probe() -> None:
        await asyncio.sleep(min(1.0, duration / 2))
        result.split = connections_by_process(port, workers)

    def take() -> tuple[str, bytes, str, str] | None:
        if time.monotonic() >= stop_at or result.sent >= max_requests:
            return None
        result.sent += 1
        return reqs.next()

    async def worker() -> None:
        reader: asyncio.StreamReader | None = None
        writer: asyncio.StreamWriter | None = None
        while (item := take()) is not None:
            kind, body, ctype, hook = item
            result.kinds[kind] += 1
            wire = reqs.signed(body, ctype, port)
            started = time.perf_counter()
            for attempt in (1, 2):
                try:
                    if writer is None:
                        reader, writer = await asyncio.open_connection("127.0.0.1", port)
                    assert reader is not None
                    writer.write(wire)
                    await writer.drain()
                    status, close, answer = await _read_response(reader)
                except (ConnectionError, asyncio.IncompleteReadError) as exc:
                    # A kept-alive connection the server closed while idle: one fresh try.
                    if writer is not None:
                        writer.close()
                    reader = writer = None
                    if attempt == 2:
                        result.errors += 1
                        result.statuses[0] += 1
                        console.print(f"[red]request failed: {type(exc).__name__}")
                    continue
                latency = time.perf_counter() - started
                result.latencies.append(latency)
                result.by_kind.setdefault(kind, []).append(latency)
                result.statuses[status] += 1
                if status == 200:
                    result.hooks.append(hook)
                    if answer.strip():  # the reply came in the ack itself
                        result.inline[hook] += 1
                        if b"error id" in answer:
                            result.inline_errors += 1
                else:
                    result.errors += 1
                if close and writer is not None:
                    result.closes += 1
                    writer.close()
                    reader = writer = None
                break
        if writer is not None:
            writer.close()

    began = time.perf_counter()
    await asyncio.gather(probe(), *(worker() for _ in range(concurrency)))
    result.elapsed = time.perf_counter() - began
    return result


def check_replies(sim: SimProcess, result: LevelResult, timeout: float) -> None:
    """Wait for one reply per acked request (in its ack or on its response_url); count lost,
    doubled and error replies."""
    expected = set(result.hooks) - set(result.inline)
    seen: dict[str, int] = {}

    def arrived() -> bool:
        nonlocal seen
        stats = sim.stats()
        seen = {h: n for h, n in stats["hooks"].items() if h in expected}
        return len(seen) >= len(expected)

    with contextlib.suppress(TimeoutError):
        wait_until(arrived, timeout, "every reply", interval=0.25)
    stats = sim.stats()
    late = {h: n for h, n in stats["hooks"].items() if h in result.inline}
    result.replies_lost = len(expected - set(seen))
    result.replies_doubled = sum(1 for n in seen.values() if n > 1) + len(late)
    result.error_replies = int(stats.get("error_replies", 0)) + result.inline_errors


def count_skills(database_url: str) -> tuple[int, int]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            skills = conn.scalar(
                select(func.count())
                .select_from(MemberSkill)
                .where(MemberSkill.direction == Direction.TEACH)
            )
            members = conn.scalar(select(func.count()).select_from(Member))
        return int(skills or 0), int(members or 0)
    finally:
        engine.dispose()


def bench_target(
    target: str,
    backend: str | None,
    sim: SimProcess,
    args: argparse.Namespace,
    log_dir: Path,
    kind_cpu: dict[str, dict[str, float]],
) -> list[LevelResult]:
    results: list[LevelResult] = []
    kind = target if target in ("floor", "framework") else "app"
    db_ctx = fresh_database(backend) if backend else fresh_database("sqlite")
    with db_ctx as database_url:
        env = app_env(database_url, sim.api_url)
        if args.workers:
            env["WEB_WORKERS"] = str(args.workers)
        if args.threads:
            env["WEB_THREADS"] = str(args.threads)
        taught: set[tuple[str, str]] = set()
        with server(kind, env, log_dir=log_dir) as srv:
            warm = Requests(sim.base_url, args.users, f"{target}-warm")
            # Imports, pools, auth.test, and every member's first request of each kind: a
            # member's first command asks users.info and creates the member, and help's admin
            # line rests on Slack's answer for 60 s. In the mix that is one request in
            # thousands, so the levels measure the steady state (bench/cpu.py warms the same).
            asyncio.run(_run_level(srv.port, 4, 60.0, len(KINDS) * args.users, warm, target, []))
            taught |= warm.taught
            if kind == "app":
                check_replies(sim, LevelResult(target, 0, hooks=[]), 1)
            for level in args.levels:
                sim.reset()
                reqs = Requests(sim.base_url, args.users, f"{target}-{level}")
                spy = None
                if args.profile and level == max(args.levels):
                    spy = start_profile(srv.proc.pid, args.duration, log_dir / f"{target}.prof")
                groups = {
                    "app": tree_pids(srv.proc.pid),
                    "sim": [sim.proc.pid],
                    # PostgreSQL's backends for this run's connections (the pool keeps them).
                    "postgres": postgres_pids() if backend == "postgres" else [],
                }
                before = {name: cpu_snapshot(pids) for name, pids in groups.items()}
                gen_before = time.process_time()
                ticks_before = machine_ticks()
                workers = tree_pids(srv.proc.pid)[1:]  # not the master
                res = asyncio.run(
                    _run_level(
                        srv.port, level, args.duration, args.max_requests, reqs, target, workers
                    )
                )
                if kind == "app":
                    check_replies(sim, res, args.reply_timeout)
                res.cpu_ms = {
                    name: cpu_delta(before[name]) * 1000 / max(1, res.sent)
                    for name, pids in groups.items()
                    if pids
                }
                res.cpu_ms["loadgen"] = (time.process_time() - gen_before) * 1000 / max(1, res.sent)
                res.load = os.getloadavg()[0]
                res.steal = steal_share(ticks_before)
                if spy is not None:
                    spy.wait(timeout=60)
                    raw = (log_dir / f"{target}.prof").read_text(errors="replace")
                    console.print(f"  [bold]{target}, c={level}: where one worker's time goes")
                    for line in _profile.report(_profile.summarise(raw)):
                        console.print("  " + line, highlight=False)
                taught |= reqs.taught
                results.append(res)
                console.print(
                    f"  {target:>8} c={level:<3} {res.sent:>6} req  {res.rps:7.1f}/s  "
                    f"p50 {res.pct(50):6.1f} ms  p99 {res.pct(99):6.1f} ms  "
                    f"errors {res.errors}  lost {res.replies_lost}  CPU ms/req "
                    + " ".join(f"{k} {v:.2f}" for k, v in res.cpu_ms.items())
                    + f"  load {res.load:.1f}  steal {res.steal:.0%}  conns/worker {res.split_text}"
                    f" (closes {res.closes})"
                )
                console.print(
                    "             p99 by kind: "
                    + "  ".join(
                        f"{k} {percentile(sorted(v), 99) * 1000:.1f} ms"
                        for k, v in sorted(res.by_kind.items())
                    ),
                    highlight=False,
                )
            if args.kind_seconds > 0:
                kind_cpu[target] = cpu_by_kind(srv, sim, target, kind == "app", args, taught)
            server_log = srv.log_text()
        if kind == "app":
            stored, members = count_skills(database_url)
            want = len(taught)
            status = "ok" if stored == want else "MISMATCH"
            console.print(
                f"  {target}: stored teach skills {stored} / expected {want} ({status}); "
                f"members {members}"
            )
            for res in results:
                res.kinds["stored_ok"] = int(stored == want)
        tracebacks = server_log.count("Traceback")
        if tracebacks:
            console.print(f"  [red]{target}: {tracebacks} traceback(s) in the server log")
    return results


def cpu_by_kind(
    srv: ServerProcess,
    sim: SimProcess,
    target: str,
    replies: bool,
    args: argparse.Namespace,
    taught: set[tuple[str, str]],
) -> dict[str, float]:
    """The server's CPU ms per request for each kind of the mix on its own (``--kind-seconds``
    at c=10 each; for SkillSwap, until every reply has arrived, so the work after the ack
    counts). Taken after the levels, when every member has joined."""
    figures: dict[str, float] = {}
    for kind in KINDS:
        sim.reset()
        reqs = Requests(sim.base_url, args.users, f"{target}-cpu-{kind}", only=kind)
        pids = tree_pids(srv.proc.pid)
        before = cpu_snapshot(pids)
        res = asyncio.run(
            _run_level(srv.port, 10, args.kind_seconds, args.max_requests, reqs, target, [])
        )
        if replies:
            check_replies(sim, res, args.reply_timeout)
        figures[kind] = cpu_delta(before) * 1000 / max(1, res.sent)
        taught |= reqs.taught
        if res.errors or res.replies_lost or res.replies_doubled or res.error_replies:
            console.print(
                f"  [red]{target} {kind} alone: {res.errors} errors, {res.replies_lost} lost, "
                f"{res.replies_doubled} doubled, {res.error_replies} error replies"
            )
    console.print(
        f"  {target:>8} CPU ms/request by kind (c=10, {args.kind_seconds:g} s each): "
        + "  ".join(f"{k} {v:.2f}" for k, v in figures.items())
        + f"  mix {sum(figures.values()) / len(figures):.2f}  load {os.getloadavg()[0]:.1f}",
        highlight=False,
    )
    return figures


def start_profile(master_pid: int, duration: float, out: Path) -> subprocess.Popen[bytes] | None:
    """py-spy on the first gunicorn worker for most of the level (None without py-spy)."""
    if not _profile.available():
        console.print("  (py-spy not installed: no profile)")
        return None
    found = subprocess.run(["pgrep", "-P", str(master_pid)], capture_output=True, text=True)
    pids = [int(p) for p in found.stdout.split()]
    if not pids:
        return None
    return _profile.record(pids[0], max(1.0, duration - 1), out)


def render(results: list[LevelResult]) -> Table:
    table = Table(title="Ack latency under load (loopback, 2 cores)")
    for col in (
        "target",
        "conc",
        "requests",
        "req/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "max ms",
        "errors",
        "replies lost",
        "doubled",
        "error replies",
        "conns/worker",
        "closes",
    ):
        table.add_column(col, justify="right")
    for r in results:
        table.add_row(
            r.target,
            str(r.concurrency),
            str(r.sent),
            f"{r.rps:.0f}",
            f"{r.pct(50):.1f}",
            f"{r.pct(95):.1f}",
            f"{r.pct(99):.1f}",
            f"{r.pct(100):.1f}",
            str(r.errors),
            "-" if r.replies_lost is None else str(r.replies_lost),
            "-" if r.replies_doubled is None else str(r.replies_doubled),
            "-" if r.error_replies is None else str(r.error_replies),
            r.split_text,
            str(r.closes),
        )
    return table


def verdict(results: list[LevelResult]) -> list[str]:
    floor = {r.concurrency: r for r in results if r.target == "floor"}
    lines = []
    for r in results:
        if r.target == "floor" or r.concurrency not in floor:
            continue
        f = floor[r.concurrency]
        if r.target == "framework":
            lines.append(
                f"framework c={r.concurrency}: SkillSwap with no work in its subcommands: "
                f"throughput {r.rps / f.rps:.0%} of floor, p99 {r.pct(99) / f.pct(99):.2f}x floor"
            )
            continue
        ok_rps = r.rps >= TARGET_SHARE * f.rps
        ok_p99 = r.pct(99) <= TARGET_P99_RATIO * f.pct(99)
        cpu = r.cpu_ms.get("app", 0.0)
        ok_cpu = cpu <= TARGET_CPU_MS
        clean = r.errors == 0 and not r.replies_lost and not r.replies_doubled
        clean = clean and not r.error_replies and r.kinds.get("stored_ok", 1) == 1
        met = ok_rps and ok_p99 and ok_cpu and clean
        lines.append(
            f"{r.target} c={r.concurrency}: {'MET' if met else 'NOT MET'} - throughput "
            f"{r.rps / f.rps:.0%} of floor ({'ok' if ok_rps else 'MISS'}, >= "
            f"{TARGET_SHARE:.0%}), p99 {r.pct(99) / f.pct(99):.2f}x floor "
            f"({'ok' if ok_p99 else 'MISS'}, <= {TARGET_P99_RATIO:g}x), CPU {cpu:.2f} ms/request "
            f"({'ok' if ok_cpu else 'MISS'}, <= {TARGET_CPU_MS:g}; floor "
            f"{f.cpu_ms.get('app', 0.0):.2f}), "
            f"{'0 errors, nothing lost or doubled' if clean else 'ERRORS OR LOSS'}"
        )
    return lines


def render_kind_cpu(kind_cpu: dict[str, dict[str, float]]) -> Table:
    table = Table(title="Server CPU ms per request, each kind on its own (c=10)")
    table.add_column("target", justify="right")
    for kind in (*KINDS, "mix (mean)"):
        table.add_column(kind, justify="right")
    for target, figures in kind_cpu.items():
        mean = sum(figures.values()) / len(figures) if figures else 0.0
        table.add_row(target, *(f"{figures.get(k, 0.0):.2f}" for k in KINDS), f"{mean:.2f}")
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--levels", default="1,10,50", help="concurrency levels")
    parser.add_argument("--backends", default="sqlite,postgres", help="sqlite,postgres")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per level")
    parser.add_argument("--max-requests", type=int, default=20000, help="cap per level")
    parser.add_argument("--users", type=int, default=200, help="distinct members")
    parser.add_argument("--workers", type=int, default=0, help="WEB_WORKERS (default: app's)")
    parser.add_argument("--threads", type=int, default=0, help="WEB_THREADS (default: app's)")
    parser.add_argument("--no-floor", action="store_true", help="skip the floor app")
    parser.add_argument(
        "--framework",
        action="store_true",
        help="also measure SkillSwap with its subcommands' work replaced by a fixed reply",
    )
    parser.add_argument("--reply-timeout", type=float, default=60.0)
    parser.add_argument(
        "--kind-seconds",
        type=float,
        default=2.0,
        help="seconds of each kind on its own, for CPU per request by kind (0: skip)",
    )
    parser.add_argument(
        "--profile", action="store_true", help="py-spy one app worker at the top level"
    )
    args = parser.parse_args(argv)
    args.levels = [int(x) for x in args.levels.split(",") if x]
    backends = [b for b in args.backends.split(",") if b]
    results: list[LevelResult] = []
    kind_cpu: dict[str, dict[str, float]] = {}
    with (
        tempfile.TemporaryDirectory(prefix="skillswap-load-") as tmp,
        simulator(users=args.users) as sim,
    ):
        log_dir = Path(tmp)
        console.print(f"simulator at {sim.base_url}; logs in {log_dir}")
        if not args.no_floor:
            results += bench_target("floor", None, sim, args, log_dir, kind_cpu)
        if args.framework:
            results += bench_target("framework", None, sim, args, log_dir, kind_cpu)
        for backend in backends:
            results += bench_target(backend, backend, sim, args, log_dir, kind_cpu)
    console.print(render(results))
    if kind_cpu:
        console.print(render_kind_cpu(kind_cpu))
    for line in verdict(results):
        console.print(line, highlight=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())

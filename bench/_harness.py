"""Process plumbing shared by ``bench/load.py`` and ``bench/faults.py``.

Everything listens on 127.0.0.1 only: the simulator subprocess (``bench/_sim.py``), the app
under ``skillswap serve`` (or the floor app, ``bench/_floor.py``), and fresh databases.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.cli.db import upgrade

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PYTHON = sys.executable
SKILLSWAP = str(Path(PYTHON).with_name("skillswap"))
TEAM = "T0001"
BOT_TOKEN = "xoxb-bench-token"
SIGNING_SECRET = "bench-signing-secret"
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_until(check: Any, timeout: float, what: str, interval: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")


@dataclass
class SimProcess:
    proc: subprocess.Popen[str]
    base_url: str

    @property
    def api_url(self) -> str:
        return self.base_url + "/api/"

    def stats(self) -> dict[str, Any]:
        with urllib.request.urlopen(self.base_url + "/bench/stats", timeout=30) as r:
            data: dict[str, Any] = json.loads(r.read())
            return data

    def reset(self) -> None:
        req = urllib.request.Request(self.base_url + "/bench/reset", data=b"", method="POST")
        with urllib.request.urlopen(req, timeout=30):
            pass


@contextmanager
def simulator(users: int = 200, admins: int = 0) -> Iterator[SimProcess]:
    proc = subprocess.Popen(
        [
            PYTHON,
            str(BENCH / "_sim.py"),
            "--token",
            f"{BOT_TOKEN}={TEAM}",
            "--team",
            TEAM,
            "--users",
            str(users),
            "--admins",
            str(admins),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        base = proc.stdout.readline().strip()
        if not base.startswith("http://127.0.0.1:"):
            raise RuntimeError(f"simulator did not start: {base!r}")
        yield SimProcess(proc, base)
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def fresh_database(backend: str) -> Iterator[str]:
    """A new, migrated database: a SQLite file, or a PostgreSQL database dropped afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="skillswap-bench-") as tmp:
            url = f"sqlite:///{tmp}/bench.db"
            upgrade(url)
            yield url
        return
    base = make_url(os.environ.get("SKILLSWAP_BENCH_POSTGRES_URL", PG_DEFAULT))
    name = f"skillswap_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = base.set(database=name).render_as_string(hide_password=False)
        upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def app_env(database_url: str, api_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    env.update(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": api_url,
            "DATABASE_URL": database_url,
            "HOST": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
        }
    )
    env.update(extra)
    return env


@dataclass
class ServerProcess:
    proc: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")


def _tcp_open(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True


@contextmanager
def server(
    kind: str, env: Mapping[str, str], *, log_dir: Path, timeout: float = 60
) -> Iterator[ServerProcess]:
    """``skillswap serve`` (kind ``app``), the floor app (kind ``floor``) or SkillSwap with
    no work in its subcommands (kind ``framework``) under gunicorn."""
    port = free_port()
    if kind == "app":
        cmd = [SKILLSWAP, "serve", "--port", str(port)]
    elif kind == "framework":
        cmd = [PYTHON, str(BENCH / "_floor.py"), "--port", str(port), "--variant", "framework"]
    else:
        cmd = [PYTHON, str(BENCH / "_floor.py"), "--port", str(port)]
    log_path = log_dir / f"{kind}-{port}.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(cmd, env=dict(env), stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        wait_until(lambda: proc.poll() is None and _tcp_open(port), timeout, f"{kind} on {port}")
        yield ServerProcess(proc, port, log_path)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list (0 when empty)."""
    if not sorted_values:
        return 0.0
    rank = max(1, min(len(sorted_values), math.ceil(q / 100 * len(sorted_values))))
    return sorted_values[rank - 1]


_TICKS = os.sysconf("SC_CLK_TCK")


def _proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far; 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS


def tree_pids(root: int) -> list[int]:
    """``root`` and its children (gunicorn: the master and its workers)."""
    try:
        with open(f"/proc/{root}/task/{root}/children") as f:
            return [root, *(int(p) for p in f.read().split())]
    except OSError:
        return [root]


def postgres_pids() -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def cpu_seconds(pids: list[int]) -> float:
    return sum(_proc_cpu(p) for p in pids)


def machine_ticks() -> tuple[int, int]:
    """(steal, total) jiffies of the whole machine, from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    steal = fields[7] if len(fields) > 7 else 0
    return steal, sum(fields[:8])


def steal_share(before: tuple[int, int]) -> float:
    """Share of the machine's CPU time the hypervisor gave to others since ``before``."""
    steal, total = machine_ticks()
    spent = total - before[1]
    return (steal - before[0]) / spent if spent > 0 else 0.0


def cpu_snapshot(pids: list[int]) -> dict[int, float]:
    return {p: _proc_cpu(p) for p in pids}


def cpu_delta(before: dict[int, float]) -> float:
    """CPU seconds the processes of ``before`` used since (a process gone since counts 0)."""
    total = 0.0
    for pid, start in before.items():
        now = _proc_cpu(pid)
        if now >= start:
            total += now - start
    return total


def connections_by_process(port: int, pids: list[int]) -> list[int]:
    """How many established TCP connections to local ``port`` each of ``pids`` holds (from
    /proc): which gunicorn worker the load generator's kept-alive connections landed on."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "01" and int(local.rsplit(":", 1)[1], 16) == port:  # 01: ESTABLISHED
                inodes.add(inode)
    counts = []
    for pid in pids:
        held = 0
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    link = os.readlink(f"/proc/{pid}/fd/{fd}")
                    held += link.startswith("socket:[") and link[8:-1] in inodes
        counts.append(held)
    return counts

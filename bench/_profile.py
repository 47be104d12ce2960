"""Where a gunicorn worker's time goes under load: ``py-spy record --format raw`` summarised.

Each sample of a thread is put in one phase by the first rule its stack matches; listener
threads (where Bolt runs ``ack()`` and the work after it) and request threads (gunicorn's,
which wait for the ack) are reported apart.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

PHASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("waiting in the SQLite writer queue", ("_WriterQueue.enter", "enter (bot/store/db.py")),
    ("waiting for SQLite's write lock (BEGIN IMMEDIATE)", ("_sqlite_begin",)),
    ("waiting for a database connection (pool)", ("QueuePool._do_get", "pool/impl.py")),
    ("database statements", ("sqlalchemy/", "psycopg/", "sqlite3")),
    ("HTTP to Slack (response_url, Web API)", ("http/client.py", "urllib/request.py", "socket")),
    ("Block Kit models", ("slack_sdk/models",)),
    ("Bolt waiting for ack (sleep loop)", ("thread_runner.py:164", "time.sleep")),
    ("logging", ("logging/",)),
)


@dataclass
class Profile:
    samples: Counter[str] = field(default_factory=Counter)
    listener: Counter[str] = field(default_factory=Counter)
    request: Counter[str] = field(default_factory=Counter)
    bot_frames: Counter[str] = field(default_factory=Counter)


def available() -> bool:
    return shutil.which("py-spy") is not None or Path(sys.executable).with_name("py-spy").exists()


def record(pid: int, seconds: float, out: Path) -> subprocess.Popen[bytes]:
    exe = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    return subprocess.Popen(
        [
            exe,
            "record",
            "--pid",
            str(pid),
            "-d",
            str(int(seconds)),
            "--format",
            "raw",
            "--idle",
            "--nonblocking",
            "-r",
            "200",
            "-o",
            str(out),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _phase(stack: str) -> str:
    for name, needles in PHASES:
        if any(n in stack for n in needles):
            return name
    return "Python code (app, Bolt, gunicorn)"


def summarise(raw: str) -> Profile:
    prof = Profile()
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not count_text.isdigit():
            continue
        count = int(count_text)
        if "run_ack_function" in stack:
            prof.listener[_phase(stack)] += count
            seen: set[str] = set()
            for frame in stack.split(";"):
                if "(bot/" in frame:
                    name = frame.split(" (")[0]
                    if name not in seen:
                        seen.add(name)
                        prof.bot_frames[name] += count
        elif "ThreadWorker.handle" in stack:
            prof.request[_phase(stack)] += count
    return prof


def report(prof: Profile) -> list[str]:
    lines: list[str] = []
    for title, counter in (("listener threads", prof.listener), ("request threads", prof.request)):
        total = sum(counter.values())
        if not total:
            continue
        lines.append(f"{title} ({total} samples):")
        for name, n in counter.most_common():
            lines.append(f"  {n / total:6.1%}  {name}")
    total = sum(prof.listener.values())
    if total:
        lines.append("listener time by SkillSwap function (inclusive, top 12):")
        for name, n in prof.bot_frames.most_common(12):
            lines.append(f"  {n / total:6.1%}  {name}")
    return lines

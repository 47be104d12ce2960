"""``skillswap serve`` for real: gunicorn, two workers, a signed request, SIGTERM.

The server runs as a subprocess with the environment an operator would set (JSON logs on), on
a migrated SQLite file, talking to the simulator. Its whole log output is then checked: the
request's line carries team and user ids, and no token ever appears.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.sim import SignedClient, SlackSimulator
from tests.support import BOT_TOKEN, SIGNING_SECRET, TEAM, wait_until

GRACEFUL_SECONDS = 10
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _health(url: str) -> tuple[int, dict[str, Any]] | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())
    except OSError:
        return None


class Served:
    def __init__(self, proc: subprocess.Popen[str], base: str, log_path: Path) -> None:
        self.proc = proc
        self.base = base
        self.log_path = log_path

    def log_lines(self) -> list[str]:
        return self.log_path.read_text().splitlines()


@pytest.fixture
def served(tmp_path: Path, sqlite_template: Path, sim: SlackSimulator) -> Iterator[Served]:
    database = tmp_path / "skillswap.db"
    shutil.copyfile(sqlite_template, database)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_", "WEB_"))}
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{database}",
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": sim.api_url,
            "PORT": str(port),
            "HOST": "127.0.0.1",
            "WEB_WORKERS": "2",
            "WEB_GRACEFUL_TIMEOUT": str(GRACEFUL_SECONDS),
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "DEBUG",  # the most a log can say: still no token
            "PYTHONUNBUFFERED": "1",
        }
    )
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve"],
            cwd=tmp_path,  # no stray .env
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            text=True,
        )
    try:
        yield Served(proc, f"http://127.0.0.1:{port}", log_path)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def _wait_healthy(served: Served, timeout: float = 60.0) -> dict[str, Any]:
    """Poll ``/healthz`` until the workers answer (another process: nothing to drain)."""
    answers: list[tuple[int, Any]] = []

    def answered() -> bool:
        assert served.proc.poll() is None, "\n".join(served.log_lines()[-30:])
        answer = _health(served.base + "/healthz")
        if answer is not None:
            answers.append(answer)
        return bool(answers)

    try:
        wait_until(answered, timeout=timeout, what="skillswap serve answering /healthz")
    except AssertionError:
        raise AssertionError(
            "skillswap serve did not answer /healthz in time:\n" + served.log_path.read_text()
        ) from None
    status, body = answers[0]
    assert status == 200, body
    result: dict[str, Any] = body
    return result


def test_gunicorn_serves_slack_and_stops_gracefully(served: Served, sim: SlackSimulator) -> None:
    assert _wait_healthy(served) == {"ok": True, "database": "ok"}

    slack = SignedClient(served.base + "/slack/events", SIGNING_SECRET, simulator=sim)
    reply = slack.slash_command(team_id=TEAM, user_id="U_ANA", text="help")
    assert reply.status == 200
    [answer] = sim.wait_for_response(count=1, timeout=10)
    assert "/skillswap" in json.dumps(answer)

    forged = slack.post(
        "/slack/events",
        b"command=%2Fskillswap&text=my+secret+words",
        "application/x-www-form-urlencoded",
        signature="v0=forged",
    )
    assert forged.status == 401

    started = time.monotonic()
    served.proc.send_signal(signal.SIGTERM)
    assert served.proc.wait(timeout=GRACEFUL_SECONDS + 5) == 0
    assert time.monotonic() - started < GRACEFUL_SECONDS + 5

    lines = served.log_lines()
    records = [json.loads(line) for line in lines]  # every line is JSON, gunicorn's too
    booted = {r["msg"] for r in records if r["msg"].startswith("Booting worker")}
    assert len(booted) == 2, lines
    [command_line] = [r for r in records if r["msg"] == "command help"]
    assert (command_line["team_id"], command_line["user_id"]) == (TEAM, "U_ANA")
    assert any(r["msg"].startswith("rejected a request") for r in records)
    output = served.log_path.read_text()
    assert "secret+words" not in output  # what members type is never logged
    assert BOT_TOKEN not in output
    assert SIGNING_SECRET not in output
    assert "xoxb-" not in output


def test_each_worker_takes_its_startup_heap_out_of_the_garbage_collectors_sight() -> None:
    """Modules and the app live as long as the worker; left in the collector's oldest
    generation, every full collection walks them all and stalls the worker's requests (about
    100 ms each time, measured: RELIABILITY.md, Load)."""
    from bot.cli.serve import gunicorn_options
    from tests.support import make_settings

    ready = gunicorn_options(make_settings("sqlite:///unused.db"))["post_worker_init"]
    before = gc.get_freeze_count()
    try:
        ready(None)
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()

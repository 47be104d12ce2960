"""``skillswap serve`` for real: gunicorn, two workers, a signed request, SIGTERM.

The server runs as a subprocess with the environment an operator would set (JSON logs on), on
a migrated SQLite file, talking to the simulator. Its whole log output is then checked: the
request's line carries team and user ids, and no token ever appears.
"""

from __future__ import annotations

import gc
import http.client
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
from collections import Counter
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
    interval = sys.getswitchinterval()
    try:
        ready(None)
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()
        sys.setswitchinterval(interval)


def test_each_worker_hands_the_gil_over_sooner_than_pythons_default() -> None:
    """A request whose database answer is in waits for the GIL: at most 2 ms in a worker, not
    Python's 5 (the slow tail under load; RELIABILITY.md, issue 20, sixth pass)."""
    from bot.cli.serve import GIL_SWITCH_INTERVAL_SECONDS, gunicorn_options
    from tests.support import make_settings

    ready = gunicorn_options(make_settings("sqlite:///unused.db"))["post_worker_init"]
    before = sys.getswitchinterval()
    sys.setswitchinterval(0.005)  # Python's default
    try:
        ready(None)
        assert sys.getswitchinterval() == pytest.approx(GIL_SWITCH_INTERVAL_SECONDS)
        assert GIL_SWITCH_INTERVAL_SECONDS < 0.005
    finally:
        sys.setswitchinterval(before)
        gc.unfreeze()


def _workers(served: Served) -> list[int]:
    pid = served.proc.pid
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _sockets(port: int, workers: list[int]) -> tuple[dict[int, int], set[int]]:
    """Who holds what on local ``port`` (from /proc): the worker holding each established
    connection, by the client's port; and the workers with a listening socket."""
    by_inode: dict[str, tuple[int, int]] = {}
    for row in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = row.split()
        local, remote, state, inode = fields[1], fields[2], fields[3], fields[9]
        if int(local.rsplit(":", 1)[1], 16) == port:
            by_inode[inode] = (int(state, 16), int(remote.rsplit(":", 1)[1], 16))
    held: dict[int, int] = {}
    listening: set[int] = set()
    for pid in workers:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                link = os.readlink(fd)
            except OSError:
                continue  # closed meanwhile
            state, client_port = by_inode.get(link.removeprefix("socket:[")[:-1], (0, 0))
            if state == 0x01:  # ESTABLISHED
                held[client_port] = pid
            elif state == 0x0A:  # LISTEN
                listening.add(pid)
    return held, listening


def test_kept_alive_connections_that_all_landed_on_one_worker_spread_to_the_other(
    served: Served,
) -> None:
    """The kernel hashes each new connection to one worker's socket once (SO_REUSEPORT). Ten
    kept-alive connections are opened until all ten sit on the same worker, as a lopsided
    hash leaves them; then each sends requests in turn. The busy worker answers some with
    ``Connection: close``, the client reconnects, and the connections spread over both."""
    _wait_healthy(served)
    port = int(served.base.rsplit(":", 1)[1])
    workers: list[int] = []

    def both_listening() -> bool:
        workers[:] = _workers(served)
        return len(workers) == 2 and _sockets(port, workers)[1] == set(workers)

    wait_until(both_listening, timeout=30, what="two workers listening")

    def holder(conn: http.client.HTTPConnection) -> int | None:
        assert conn.sock is not None
        return _sockets(port, workers)[0].get(conn.sock.getsockname()[1])

    def accepted_by(conn: http.client.HTTPConnection) -> int:
        landed: list[int | None] = [None]

        def accepted() -> bool:
            landed[0] = holder(conn)
            return landed[0] is not None

        wait_until(accepted, timeout=10, what="the connection accepted")
        assert landed[0] is not None
        return landed[0]

    crowded: list[http.client.HTTPConnection] = []
    busy: int | None = None
    for _ in range(200):  # each lands on either worker: ~20 tries for 10 on the same one
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.connect()
        pid = accepted_by(conn)
        busy = busy or pid
        if pid == busy:
            crowded.append(conn)
        else:
            conn.close()
        if len(crowded) == 10:
            break
    assert len(crowded) == 10

    statuses: Counter[int] = Counter()
    closes = 0

    def spread() -> bool:
        nonlocal closes
        for conn in crowded:  # one round: a request on each connection, in turn
            conn.request("GET", "/healthz")  # reconnects if the last answer closed it
            response = conn.getresponse()
            assert json.loads(response.read()) == {"ok": True, "database": "ok"}
            statuses[response.status] += 1
            closes += response.getheader("Connection") == "close"
        split = Counter(holder(conn) for conn in crowded if conn.sock is not None)
        return min(split.get(pid, 0) for pid in workers) >= 3

    try:
        wait_until(spread, timeout=60, what="connections on both workers")
    finally:
        for conn in crowded:
            conn.close()
    assert set(statuses) == {200}
    assert closes >= 1

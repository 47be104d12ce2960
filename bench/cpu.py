"""CPU per request, by kind, for the load benchmark's mix: no gunicorn, no concurrency.

``python bench/cpu.py`` builds SkillSwap in this process (the WSGI app ``skillswap serve``
runs, on a fresh migrated SQLite or PostgreSQL database; the Slack simulator in a process of
its own), sends each kind of the mix (``help``, ``teach``, ``me``, the leave confirmation's
Cancel button) ``--requests`` times, one after the other, and prints the process's CPU time
per request of each kind — far less sensitive to a busy machine than wall time.
``--profile FILE`` records the measured part with py-spy (``pip install py-spy``; raw format,
every thread) and prints where the listener threads' time goes. ``--calls`` counts the Python
and C function calls per request instead (every thread, with a profile hook that slows
everything down): unlike CPU time that figure does not depend on how busy the machine is, so
two versions of the code can be compared on a shared machine, or on two machines.

Each request is waited for until its listener has finished (Bolt acks from a listener thread),
so the CPU of the work after the ack counts too. Requests are built and signed before the
measured part (until 2026-12-06 they were built inside it: the figures then included Slack's
side of each request, ~350-650 calls each, the floor's as well).
"""

from __future__ import annotations

import argparse
import io
import itertools
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _profile
from _harness import app_env, fresh_database, simulator
from load import KINDS, Requests


def _environ(wire_body: bytes, headers: dict[str, str]) -> dict[str, Any]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "0",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.input": io.BytesIO(wire_body),
        "wsgi.url_scheme": "http",
        "CONTENT_LENGTH": str(len(wire_body)),
        "CONTENT_TYPE": headers["Content-Type"],
    }
    for key, value in headers.items():
        environ["HTTP_" + key.upper().replace("-", "_")] = value
    return environ


class CallCounter:
    """Function calls (Python and C) made by every thread while ``on``; installed before the
    app starts its listener threads, so that they have it too."""

    def __init__(self) -> None:
        self.on = False
        self._calls = itertools.count()
        self._reads = 0

    def __call__(self, frame: Any, event: str, arg: Any) -> None:
        if self.on and (event == "call" or event == "c_call"):
            next(self._calls)  # atomic under the GIL, unlike += 1

    def install(self) -> None:
        threading.setprofile(self)
        sys.setprofile(self)

    def remove(self) -> None:
        sys.setprofile(None)
        threading.setprofile(None)

    def read(self) -> int:
        self._reads += 1
        return next(self._calls) - self._reads + 1


def measure(
    target: str,
    requests: int,
    users: int,
    profile: Path | None = None,
    kinds: tuple[str, ...] = KINDS,
    calls: bool = False,
    cold_help: bool = False,
) -> dict[str, float]:
    """CPU ms per request of each kind (with ``calls``: function calls per request);
    ``target`` is ``floor`` (the ack-only Bolt app of ``bench/_floor.py``), ``sqlite`` or
    ``postgres`` (SkillSwap on that database)."""
    from _floor import build_floor_app

    from bot.web import build_wsgi_from_settings

    figures: dict[str, float] = {}
    backend = "sqlite" if target == "floor" else target
    counter = CallCounter() if calls else None
    with simulator(users=users) as sim, fresh_database(backend) as url:
        os.environ.update(app_env(url, sim.api_url))
        if counter is not None:
            counter.install()
        if target == "floor":
            wsgi: Any = build_floor_app()
            bolt = wsgi.app
        else:
            wsgi = build_wsgi_from_settings()
            bolt = wsgi.app
        executor = bolt.listener_runner.listener_executor

        def drain() -> None:
            # Every listener finished: the executor's queue is empty and no thread is busy.
            deadline = time.monotonic() + 30
            while executor._work_queue.qsize() or _busy(executor):  # type: ignore[attr-defined]
                if time.monotonic() > deadline:
                    raise TimeoutError("listeners still busy")
                time.sleep(0.001)

        def build(reqs: Requests, kind: str) -> tuple[str, bytes, dict[str, str]]:
            """The next signed request of ``kind``: what Slack would send (its work, not the
            server's, so it is done before anything is measured)."""
            _, body, ctype, _ = reqs.next_of(kind)
            return kind, body, reqs.headers(body, ctype)

        def deliver(request: tuple[str, bytes, dict[str, str]]) -> None:
            kind, body, headers = request
            status: list[str] = []
            out = wsgi(_environ(body, headers), lambda s, h, *a: status.append(s))
            b"".join(out)
            if not status or not status[0].startswith("200"):
                raise RuntimeError(f"{kind}: {status}")

        def send(reqs: Requests, kind: str) -> None:
            deliver(build(reqs, kind))

        try:
            # Imports, pools, caches; every member has joined (a newcomer's first teach asks
            # users.info and creates the member) and has asked for help once (the help's admin
            # line rests on Slack's last answer for 60 s; in the load mix each member asks for
            # help every few seconds, so only their first help in a minute asks Slack). So the
            # figures are the steady state's; ``--cold-help`` warms only 20 members' help.
            warm = Requests(sim.base_url, users, "warm")
            for kind in KINDS:
                every = kind == "teach" or (kind == "help" and not cold_help)
                for _ in range(users if every else 20):
                    send(warm, kind)
            drain()
            spy = _profile.record(os.getpid(), 600, profile) if profile else None
            for kind in kinds:
                reqs = Requests(sim.base_url, users, f"cpu-{kind}")
                # Built and signed first: the figures are the server's work alone.
                batch = [build(reqs, kind) for _ in range(requests)]
                if counter is not None:
                    counter.on, before = True, counter.read()
                    for request in batch:
                        deliver(request)
                    drain()
                    counter.on = False
                    figures[kind] = (counter.read() - before) / requests
                    continue
                start = time.process_time()
                for request in batch:
                    deliver(request)
                drain()
                figures[kind] = (time.process_time() - start) * 1000 / requests
            if spy is not None and profile is not None:
                spy.send_signal(signal.SIGINT)
                spy.wait(timeout=60)
                for line in _profile.report(_profile.summarise(profile.read_text())):
                    print(f"  {target}: {line}")
        finally:
            if counter is not None:
                counter.remove()
            if target == "floor":
                executor.shutdown(wait=True)
            else:
                wsgi.close()
    return figures


def _busy(executor: Any) -> bool:
    # ThreadPoolExecutor keeps idle threads in a semaphore count; busy = threads - idle.
    return len(executor._threads) > executor._idle_semaphore._value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--no-floor", action="store_true", help="skip the ack-only floor")
    parser.add_argument("--requests", type=int, default=400, help="requests per kind")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--kinds", default=",".join(KINDS), help="which kinds to measure")
    parser.add_argument("--profile", type=Path, help="py-spy raw output (one target)")
    parser.add_argument(
        "--calls", action="store_true", help="function calls per request instead of CPU time"
    )
    parser.add_argument(
        "--cold-help",
        action="store_true",
        help="warm only 20 members' help: most helps then ask Slack who is an admin",
    )
    args = parser.parse_args(argv)
    targets = [b for b in args.backends.split(",") if b]
    if not args.no_floor:
        targets.insert(0, "floor")
    floor_mix = None
    for target in targets:
        kinds = tuple(k for k in args.kinds.split(",") if k in KINDS)
        figures = measure(
            target, args.requests, args.users, args.profile, kinds, args.calls, args.cold_help
        )
        mix = sum(figures.values()) / len(figures)
        if target == "floor":
            floor_mix = mix
        ratio = f"  {mix / floor_mix:.1f}x floor" if floor_mix and target != "floor" else ""
        what, digits = ("calls/request", 0) if args.calls else ("CPU ms/request", 2)
        print(
            f"{target:>8}: {what} "
            + "  ".join(f"{k} {v:.{digits}f}" for k, v in figures.items())
            + f"  mix {mix:.{digits}f}{ratio}  (load {os.getloadavg()[0]:.1f})",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

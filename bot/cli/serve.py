"""``skillswap serve``: HTTP mode under gunicorn (several workers, graceful shutdown).

Each worker process builds its own app, engine and connection pool after the fork. On SIGTERM
gunicorn stops accepting connections, lets requests in flight finish, and each worker then
waits for the listeners still running (Slack already got its ack) before it exits, all within
``WEB_GRACEFUL_TIMEOUT`` seconds. Several ``serve`` processes may share one PostgreSQL. A
worker holding clearly more kept-alive connections than another closes some after their
response, so that clients reconnect and spread out (``bot.cli.balance``).
"""

from __future__ import annotations

import gc
import logging
import sys
from typing import Any

import typer
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger as GunicornLogger

from bot.cli.balance import hooks as balancing_hooks
from bot.logs import configure_logging
from bot.settings import Settings, load_settings

log = logging.getLogger(__name__)

# How long a thread may keep the GIL while another waits for it (Python's default: 5 ms). A
# request thread whose database answer has arrived waits for the GIL at every round trip;
# with 5 ms, the requests that came back behind a long stretch of another request's work made
# the slow tail under load (alternated runs: RELIABILITY.md, issue 20, sixth pass).
GIL_SWITCH_INTERVAL_SECONDS = 0.002


def _logger_class(settings: Settings) -> type[GunicornLogger]:
    """Gunicorn's own lines (boot, worker exits) through SkillSwap's one log configuration."""

    class SkillSwapGunicornLogger(GunicornLogger):  # type: ignore[misc]
        def setup(self, cfg: Any) -> None:
            super().setup(cfg)
            configure_logging(settings.log_level, settings.log_format)

    return SkillSwapGunicornLogger


def _worker_ready(worker: Any) -> None:
    """Runs in the worker once its app is built: everything alive now (modules, the app, its
    listeners) lives as long as the process, so take it out of the garbage collector's sight.
    A full collection would otherwise walk ~200,000 such objects, stopping every request in
    the worker for ~100 ms, a few times a minute under load. And threads take turns on the
    GIL every 2 ms instead of 5 (``GIL_SWITCH_INTERVAL_SECONDS``)."""
    gc.collect()
    gc.freeze()
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_SECONDS)


def _worker_exit(server: Any, worker: Any) -> None:
    """Runs in the worker as it stops: drain listeners, close the database pool."""
    close = getattr(getattr(worker, "wsgi", None), "close", None)
    if callable(close):
        try:
            close()
        except Exception:
            log.exception("could not stop the worker cleanly")
    # Nothing is left to clean up: spare the exiting interpreter a full garbage collection
    # of every module it loaded (seconds on a busy host, counted against the graceful timeout).
    gc.freeze()


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        if "control_socket_disable" in self.cfg.settings:
            # gunicorn >= 27 listens on ~/.gunicorn/gunicorn.ctl by default; several
            # `serve` processes on one host would fight over it, and we do not use it.
            self.cfg.set("control_socket_disable", True)

    def load(self) -> Any:
        from bot.web import build_wsgi_from_settings

        return build_wsgi_from_settings()


def gunicorn_options(
    settings: Settings, *, port: int | None = None, workers: int | None = None
) -> dict[str, Any]:
    return {
        "bind": f"{settings.host}:{port or settings.port}",
        "workers": workers or settings.web_workers,
        "threads": settings.web_threads,
        "worker_class": "gthread",
        # Slack waits 3 s for an ack; a request still running after 30 s is stuck.
        "timeout": 30,
        "graceful_timeout": settings.web_graceful_timeout,
        "keepalive": 5,
        # Each worker listens on its own SO_REUSEPORT socket, so the kernel spreads new
        # connections across workers by hash. On one shared socket the first worker to wake
        # accepts a whole burst, and kept-alive connections stay where they landed: one worker
        # (one GIL) then served all ten connections of a load run while the other idled.
        # The hash still lands 8/2 or 9/1 often; bot/cli/balance.py evens that out.
        "reuse_port": True,
        "accesslog": None,  # one line per Slack request is noise; ids are in our own lines
        "loglevel": settings.log_level.lower(),
        "logger_class": _logger_class(settings),
        "post_worker_init": _worker_ready,
        "worker_exit": _worker_exit,
        "proc_name": "skillswap-web",
        # Heroku-style routers terminate TLS and set X-Forwarded-*; Slack signs the body.
        "forwarded_allow_ips": "*",
        **balancing_hooks(),
    }


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        port: int | None = typer.Option(None, help="Port (default: $PORT or 3000)."),
        workers: int | None = typer.Option(None, help="Worker processes (default: $WEB_WORKERS)."),
    ) -> None:
        """Serve Slack's HTTP endpoints at /slack/events (and the OAuth pages), and /healthz."""
        settings = load_settings()
        settings.require_http()
        _Gunicorn(gunicorn_options(settings, port=port, workers=workers)).run()

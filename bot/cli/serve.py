"""``skillswap serve``: HTTP mode under gunicorn (several workers, graceful shutdown)."""

from __future__ import annotations

from typing import Any

import typer
from gunicorn.app.base import BaseApplication

from bot.settings import load_settings


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from bot.web import build_wsgi_from_settings

        return build_wsgi_from_settings()


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        port: int | None = typer.Option(None, help="Port (default: $PORT or 3000)."),
        workers: int | None = typer.Option(None, help="Worker processes (default: $WEB_WORKERS)."),
    ) -> None:
        """Serve Slack's HTTP endpoints at /slack/events, and /healthz."""
        settings = load_settings()
        settings.require_http()
        _Gunicorn(
            {
                "bind": f"{settings.host}:{port or settings.port}",
                "workers": workers or settings.web_workers,
                "threads": settings.web_threads,
                "worker_class": "gthread",
                "graceful_timeout": 20,
                "timeout": 30,
                "accesslog": None,
                "loglevel": settings.log_level.lower(),
            }
        ).run()

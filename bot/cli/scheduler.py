"""``skillswap scheduler``: the clock process (run exactly one; a second is harmless)."""

from __future__ import annotations

import typer
from rich.console import Console

from bot.settings import load_settings

console = Console(stderr=True, soft_wrap=True)


def register(app: typer.Typer) -> None:
    @app.command("scheduler")
    def scheduler() -> None:
        """Start rounds on each workspace's schedule, send check-ins, deliver messages."""
        from bot.deps import build_deps
        from bot.logs import configure_logging
        from bot.scheduler import DELIVER_SECONDS, TICK_SECONDS, run_scheduler

        settings = load_settings()
        configure_logging(settings.log_level, settings.log_format)
        settings.require_token()
        deps = build_deps(settings)
        console.print(
            f"SkillSwap clock: checking rounds and check-ins every {TICK_SECONDS} s, "
            f"delivering every {DELIVER_SECONDS} s. Stop with Ctrl+C (or SIGTERM)."
        )
        try:
            run_scheduler(deps)
        finally:
            deps.engine.dispose()

"""``skillswap db upgrade|downgrade|check``: Alembic, with the URL from settings."""

from __future__ import annotations

from pathlib import Path

import typer
from alembic import command
from alembic.config import Config
from rich.console import Console

from bot.settings import load_settings

console = Console()
ROOT = Path(__file__).resolve().parents[2]


def alembic_config(database_url: str) -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["database_url"] = database_url
    cfg.attributes["configure_logger"] = False
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def register(app: typer.Typer) -> None:
    db = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)

    @db.command("upgrade")
    def db_upgrade(revision: str = typer.Argument("head")) -> None:
        """Upgrade the database to the latest schema (or REVISION)."""
        settings = load_settings()
        upgrade(settings.database_url, revision)
        console.print(f"[green]Database is at {revision}.[/]")

    @db.command("downgrade")
    def db_downgrade(revision: str = typer.Argument(...)) -> None:
        """Downgrade the database to REVISION (``base`` empties it)."""
        settings = load_settings()
        command.downgrade(alembic_config(settings.database_url), revision)
        console.print(f"[yellow]Database downgraded to {revision}.[/]")

    @db.command("check")
    def db_check() -> None:
        """Fail if the models and the migrations disagree."""
        settings = load_settings()
        command.check(alembic_config(settings.database_url))
        console.print("[green]Models and migrations agree.[/]")

    app.add_typer(db, name="db")

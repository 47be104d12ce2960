from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import inspect

from bot.store.db import make_engine


def _skillswap(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        check=False,
    )


def test_help_lists_the_subcommands() -> None:
    result = _skillswap("--help")
    assert result.returncode == 0, result.stderr
    for name in ("db", "serve"):
        assert name in result.stdout


def test_db_upgrade_creates_the_schema_on_a_fresh_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    result = _skillswap("db", "upgrade", env={"DATABASE_URL": url}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    engine = make_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {"workspaces", "members", "rounds", "outbox", "alembic_version"} <= tables


def test_serve_without_signing_secret_says_which_variable(tmp_path: Path) -> None:
    env = {"SLACK_SIGNING_SECRET": "", "SLACK_BOT_TOKEN": "xoxb-x"}
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "serve"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**clean, "SLACK_BOT_TOKEN": env["SLACK_BOT_TOKEN"]},
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 2
    assert "SLACK_SIGNING_SECRET" in result.stderr
    assert "Traceback" not in result.stderr


def test_db_check_on_a_database_not_yet_upgraded_says_what_to_run(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    result = _skillswap("db", "check", env={"DATABASE_URL": url}, cwd=tmp_path)
    assert result.returncode == 1
    assert "skillswap db upgrade" in result.stdout
    assert "Traceback" not in result.stderr + result.stdout

    assert _skillswap("db", "upgrade", env={"DATABASE_URL": url}, cwd=tmp_path).returncode == 0
    result = _skillswap("db", "check", env={"DATABASE_URL": url}, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "agree" in result.stdout

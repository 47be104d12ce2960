"""The Procfile: a web server, one clock and a release step, each a real ``skillswap`` command."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from bot.cli import build_cli

ROOT = Path(__file__).resolve().parents[2]


def _processes() -> dict[str, list[str]]:
    entries: dict[str, list[str]] = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, _, command = line.partition(":")
        assert name.strip() not in entries, f"process type {name} twice"
        entries[name.strip()] = shlex.split(command)
    return entries


def _resolve(argv: list[str]) -> Any:
    """The CLI command ``argv`` runs (typer's click-compatible command objects)."""
    assert argv[0] == "skillswap", argv
    command: Any = typer.main.get_command(build_cli())
    ctx = command.make_context("skillswap", [], resilient_parsing=True)
    for word in argv[1:]:
        if word.startswith("-"):
            break
        assert isinstance(command, TyperGroup), f"{argv}: {word!r} is not a subcommand"
        found = command.get_command(ctx, word)
        assert found is not None, f"{argv}: no command {word!r}"
        command = found
    return command


def test_procfile_runs_web_clock_and_release_with_real_commands() -> None:
    processes = _processes()
    assert set(processes) == {"web", "clock", "release"}
    assert processes["web"] == ["skillswap", "serve"]  # gunicorn on $PORT, $WEB_WORKERS
    assert processes["release"] == ["skillswap", "db", "upgrade"]
    for argv in processes.values():
        assert _resolve(argv).callback is not None

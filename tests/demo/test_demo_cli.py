"""``skillswap demo`` and ``skillswap simulate`` as a newcomer runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import build_cli


def test_skillswap_demo_runs_in_under_a_minute_and_exits_0(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "demo"],
        cwd=tmp_path,  # no .env, no database: the demo needs no configuration
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "got a partner" in done.stdout
    assert (tmp_path / "skillswap-demo-out" / "skillswap-connections.png").is_file()
    assert (tmp_path / "skillswap-demo-out" / "skillswap-report.html").is_file()
    assert not list(tmp_path.glob("*.db"))  # nothing left behind but the output folder


def test_simulate_command(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        build_cli(),
        ["simulate", "--members", "20", "--weeks", "2", "--seed", "4", "--output", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert "In total:" in result.output and "Checked:" in result.output
    assert (out / "skillswap-connections.png").is_file()


def test_simulate_refuses_silly_numbers() -> None:
    result = CliRunner().invoke(build_cli(), ["simulate", "--members", "1"])
    assert result.exit_code == 2

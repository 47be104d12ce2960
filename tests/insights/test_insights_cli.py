"""``skillswap report`` and ``skillswap export`` from the command line, on both databases."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine

from bot.store.db import make_session_factory
from bot.store.models import Workspace
from tests.insights import insights_kit as sc


def _skillswap(database_url: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env={**env, "DATABASE_URL": database_url, "COLUMNS": "200"},
        cwd=cwd,
        check=False,
    )


def test_report_writes_a_self_contained_html_page(
    database_url: str, scenario: sc.Built, tmp_path: Path
) -> None:
    out = tmp_path / "report.html"
    result = _skillswap(database_url, tmp_path, "report", "--output", str(out), "--team", sc.TEAM)
    assert result.returncode == 0, result.stderr
    assert "Wrote" in result.stdout and "3 new connections" in result.stdout
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "SkillSwap report \u2014 Acme &amp; Co" in page
    assert page.count('src="data:image/png;base64,') == 2


def test_report_needs_a_team_when_there_are_several(
    database_url: str, scenario: sc.Built, tmp_path: Path
) -> None:
    out = tmp_path / "report.html"
    result = _skillswap(database_url, tmp_path, "report", "--output", str(out))
    assert result.returncode == 2
    assert "choose one with --team (T0001, T0002)" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()
    unknown = _skillswap(database_url, tmp_path, "report", "-o", str(out), "--team", "T9")
    assert unknown.returncode == 2 and "No workspace T9" in unknown.stderr
    nowhere = tmp_path / "missing-dir" / "report.html"
    unwritable = _skillswap(database_url, tmp_path, "report", "-o", str(nowhere), "--team", "T0001")
    assert unwritable.returncode == 1
    assert f"Could not write {nowhere}" in unwritable.stderr
    assert "Traceback" not in unwritable.stderr


def test_export_picks_the_only_workspace_and_writes_csv(
    database_url: str, engine: Engine, tmp_path: Path
) -> None:
    with make_session_factory(engine).begin() as session:
        session.add(Workspace(team_id="T_SOLO", name="Solo"))
    out = tmp_path / "rounds.csv"
    result = _skillswap(database_url, tmp_path, "export", "--what", "rounds", "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert out.read_text(encoding="utf-8-sig").splitlines()[0].startswith("week,period,round_date")


def test_export_to_stdout(database_url: str, scenario: sc.Built, tmp_path: Path) -> None:
    result = _skillswap(
        database_url, tmp_path, "export", "--what", "skills", "-o", "-", "--team", sc.TEAM
    )
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert [r[0] for r in rows] == ["skill", *sc.EXPECTED_SKILLS]


def test_export_explains_bad_choices(database_url: str, tmp_path: Path) -> None:
    bad_kind = _skillswap(database_url, tmp_path, "export", "--what", "x", "-o", "a.csv")
    assert bad_kind.returncode == 2 and "members" in bad_kind.stderr
    empty = _skillswap(database_url, tmp_path, "export", "--what", "members", "-o", "a.csv")
    assert empty.returncode == 2 and "No workspace in this database yet" in empty.stderr


def test_a_database_without_the_schema_is_explained(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'blank.db'}"
    result = _skillswap(url, tmp_path, "report", "-o", str(tmp_path / "r.html"))
    assert result.returncode == 1
    assert "Could not read the database" in result.stderr
    assert "skillswap db upgrade" in result.stderr
    assert "Traceback" not in result.stderr

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from bot.cli.match import register

GOOD = {
    "round_date": "2026-12-07",
    "members": [
        {
            "id": "U1",
            "team": "Design",
            "tz": "Europe/Madrid",
            "teach": [{"skill": "Spanish", "level": 3}],
            "learn": [{"skill": "SQL", "level": 1}],
        },
        {
            "id": "U2",
            "team": "Data",
            "tz": "Europe/London",
            "teach": [{"skill": "sql", "level": 2}],
            "learn": [{"skill": "Español", "level": 1}],
        },
        {
            "id": "U9",
            "team": "Data",
            "tz": "Europe/London",
            "teach": [],
            "learn": [{"skill": "k8s", "level": 1}],
        },
    ],
    "history": [{"members": ["U1", "U9"], "round_date": "2026-11-02"}],
    "do_not_pair": [["U1", "U7"]],
    "settings": {"cooldown_rounds": 8},
}


def app() -> typer.Typer:
    a = typer.Typer()
    register(a)

    @a.command("noop")  # a second command keeps "match" a named subcommand
    def noop() -> None:
        """Nothing."""

    return a


def test_match_writes_groups(tmp_path: Path) -> None:
    src = tmp_path / "ws.json"
    src.write_text(json.dumps(GOOD, indent=1))
    out = tmp_path / "pairs.json"
    result = CliRunner().invoke(
        app(), ["match", "--input", str(src), "--output", str(out), "--seed", "3"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    (group,) = data["groups"]
    assert group["members"] == ["U1", "U2"] and group["kind"] == "swap"
    assert {(t["from"], t["skill"]) for t in group["teaches"]} == {("U1", "Spanish"), ("U2", "SQL")}
    assert data["unmatched"] == [
        {
            "member": "U9",
            "why": "Nobody in this round teaches Kubernetes yet — "
            "you have priority next round. Adding another skill widens "
            "your options.",
        }
    ]
    assert data["stats"]["swaps"] == 1


def test_malformed_input_names_line_and_path(tmp_path: Path) -> None:
    bad = json.loads(json.dumps(GOOD))
    bad["members"][1]["learn"][0]["level"] = "high"
    src = tmp_path / "ws.json"
    src.write_text(json.dumps(bad, indent=1))
    result = CliRunner().invoke(app(), ["match", "--input", str(src)])
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "members[1].learn[0].level" in text
    lines = src.read_text().splitlines()
    line_no = next(i for i, line in enumerate(lines, 1) if '"high"' in line)
    assert f"line {line_no}," in text


def test_invalid_json_and_missing_file(tmp_path: Path) -> None:
    src = tmp_path / "ws.json"
    src.write_text('{"round_date": "2026-12-07",\n "members": [}\n')
    result = CliRunner().invoke(app(), ["match", "--input", str(src)])
    assert result.exit_code == 2
    assert "line 2" in result.output and "not valid JSON" in result.output
    result = CliRunner().invoke(app(), ["match", "--input", str(tmp_path / "nope.json")])
    assert result.exit_code == 2

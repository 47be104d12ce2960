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
            # U9 met U1 and shares U2's team: nobody new from another team is left.
            "why": "Nobody from another team you haven't met yet shares your working hours "
            "this round — you have priority next round. Adding another skill widens your "
            "options.",
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


def _bad(tmp_path: Path, change: dict[str, object], path: str, needle: str) -> None:
    """One malformed new field: exit 2, the path named, the line of the bad value."""
    data = json.loads(json.dumps(GOOD))
    for where, value in change.items():
        target = data
        *parents, last = where.split(".")
        for step in parents:
            target = target[int(step)] if step.isdigit() else target[step]
        target[last] = value
    src = tmp_path / "ws.json"
    src.write_text(json.dumps(data, indent=1))
    result = CliRunner().invoke(app(), ["match", "--input", str(src)])
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert path in text, text
    line_no = next(i for i, line in enumerate(src.read_text().splitlines(), 1) if needle in line)
    assert f"line {line_no}," in text


def test_new_fields_are_validated(tmp_path: Path) -> None:
    _bad(tmp_path, {"members.0.taught": -1}, "members[0].taught", '"taught": -1')
    _bad(tmp_path, {"members.1.learned": "lots"}, "members[1].learned", '"lots"')
    _bad(tmp_path, {"history.0.again": ["U7"]}, "history[0].again[0]", '"U7"')
    _bad(tmp_path, {"history.0.again": "U1"}, "history[0].again", '"again": "U1"')
    _bad(tmp_path, {"settings.discovery": "yes"}, "settings.discovery", '"yes"')


def test_new_fields_change_the_round(tmp_path: Path) -> None:
    # U9 met U1 and shares U2's team; U3 is new to all and in another team: with discovery on
    # (the default) U3 and U9 get a discovery swap; off, both sit out.
    data = json.loads(json.dumps(GOOD))
    data["members"].append(
        {"id": "U3", "team": "Ops", "tz": "Europe/London", "teach": ["knitting"], "taught": 2}
    )
    data["history"][0]["again"] = ["U1", "U9"]
    src = tmp_path / "ws.json"
    out = tmp_path / "pairs.json"
    src.write_text(json.dumps(data))
    assert CliRunner().invoke(app(), ["match", "-i", str(src), "-o", str(out)]).exit_code == 0
    groups = json.loads(out.read_text())["groups"]
    assert {(tuple(g["members"]), g["kind"]) for g in groups} == {
        (("U1", "U2"), "swap"),
        (("U9", "U3"), "discovery"),
    }
    data["settings"]["discovery"] = False
    src.write_text(json.dumps(data))
    assert CliRunner().invoke(app(), ["match", "-i", str(src), "-o", str(out)]).exit_code == 0
    result = json.loads(out.read_text())
    assert [g["kind"] for g in result["groups"]] == ["swap"]
    assert {u["member"] for u in result["unmatched"]} == {"U3", "U9"}


def test_working_hours_are_validated(tmp_path: Path) -> None:
    hours = "members.0.hours"
    _bad(tmp_path, {hours: "9-5"}, "members[0].hours", '"hours": "9-5"')
    _bad(tmp_path, {hours: {"days": ["mon", "funday"]}}, "members[0].hours.days[1]", '"funday"')
    _bad(tmp_path, {hours: {"days": []}}, "members[0].hours.days", '"days": []')
    _bad(tmp_path, {hours: {"start": "9am"}}, "members[0].hours.start", '"9am"')
    _bad(tmp_path, {hours: {"start": "25:00"}}, "members[0].hours.start", '"25:00"')
    _bad(
        tmp_path,
        {hours: {"start": "17:00", "end": "09:00"}},
        "members[0].hours.end",
        '"end": "09:00"',
    )
    _bad(tmp_path, {hours: {"lunch": "12:00"}}, "members[0].hours.lunch", '"lunch"')


def test_working_hours_change_who_can_meet(tmp_path: Path) -> None:
    # U1 and U2 swap Spanish and SQL; when U1 works only on Mondays and U2 only on Tuesdays,
    # they share no working time and are not paired.
    data = json.loads(json.dumps(GOOD))
    src, out = tmp_path / "ws.json", tmp_path / "pairs.json"
    data["members"][0]["hours"] = {"days": ["mon"], "start": "08:30", "end": "12:00"}
    data["members"][1]["hours"] = {"days": ["Mon", "tue"]}
    src.write_text(json.dumps(data))
    assert CliRunner().invoke(app(), ["match", "-i", str(src), "-o", str(out)]).exit_code == 0
    assert [g["members"] for g in json.loads(out.read_text())["groups"]] == [["U1", "U2"]]
    data["members"][1]["hours"] = {"days": ["tue"]}
    src.write_text(json.dumps(data))
    assert CliRunner().invoke(app(), ["match", "-i", str(src), "-o", str(out)]).exit_code == 0
    assert json.loads(out.read_text())["groups"] == []

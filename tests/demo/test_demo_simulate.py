"""``skillswap simulate`` with small numbers: per-round numbers that add up, reproducibly."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest
from rich.console import Console

from bot.demo.simulate import RoundLine, SimulationResult, check, run_simulation

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MEMBERS, WEEKS, SEED = 60, 4, 3


def _run(out: Path, members: int, weeks: int, seed: int) -> tuple[SimulationResult, str]:
    buffer = io.StringIO()
    console = Console(file=buffer, width=160, color_system=None)
    result = run_simulation(console, members=members, weeks=weeks, seed=seed, output=out)
    return result, buffer.getvalue()


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> tuple[SimulationResult, str, Path]:
    out = tmp_path_factory.mktemp("sim") / "skillswap-demo-simulation"
    result, text = _run(out, MEMBERS, WEEKS, SEED)
    return result, text, out


def test_every_round_adds_up(simulated: tuple[SimulationResult, str, Path]) -> None:
    result, _text, _out = simulated
    assert result.problems == []
    assert [line.week for line in result.lines] == list(range(1, WEEKS + 1))
    assert len({line.period for line in result.lines}) == WEEKS
    for line in result.lines:
        assert line.in_groups + line.unmatched == line.eligible
        assert 2 * line.groups <= line.in_groups <= 3 * line.groups
        assert line.eligible + line.not_due <= MEMBERS
        assert 0 <= line.cross_team <= line.new_connections
        assert 0 <= line.met <= line.groups
        # a new connection is a pair who met: never more than the pairs in groups that met
        assert line.new_connections <= 3 * line.met
    first = result.lines[0]
    assert first.eligible == MEMBERS and first.not_due == 0  # nobody has a history yet
    assert first.introduced >= first.groups  # a fresh company: every pair is new
    assert first.new_connections >= first.met  # ...and every group that met makes one or more


def test_a_plausible_share_of_groups_meet(simulated: tuple[SimulationResult, str, Path]) -> None:
    result, _text, _out = simulated
    assert 0.4 <= result.met / result.groups <= 0.85


def test_never_matched_people_were_told_why(simulated: tuple[SimulationResult, str, Path]) -> None:
    result, _text, _out = simulated
    assert result.lines[-1].never_matched == len(result.never_matched)
    assert all(result.never_matched.values())


def test_the_table_and_the_picture(simulated: tuple[SimulationResult, str, Path]) -> None:
    result, text, out = simulated
    assert f"at a synthetic company of {MEMBERS} people" in text
    for header in (
        "Pairs",
        "Paired",
        "Alone",
        "Met",
        "Introduced",
        "New connections",
        "Discovery",
        "Repeats",
        "Never matched",
    ):
        assert header in text
    assert all(line.discovery + line.repeats <= line.groups for line in result.lines)
    assert f"In total: {result.groups} groups, {result.met} swaps that happened" in text
    assert "Checked:" in text
    assert result.network_png == out / "skillswap-connections.png"
    assert result.network_png.read_bytes().startswith(PNG_MAGIC)
    assert f"Network picture: {result.network_png.resolve()}" in text


def test_the_same_seed_gives_the_same_rounds(tmp_path: Path) -> None:
    first, _ = _run(tmp_path / "a", 24, 2, 11)
    again, _ = _run(tmp_path / "b", 24, 2, 11)
    other, _ = _run(tmp_path / "c", 24, 2, 12)
    assert first.lines == again.lines
    assert first.never_matched == again.never_matched
    assert first.lines != other.lines


def _line(**changes: int) -> RoundLine:
    base = RoundLine(
        week=1, period="2027-W01", members=10, eligible=10, not_due=0, groups=5, in_groups=10,
        unmatched=0, met=3, introduced=5, new_connections=5, cross_team=4, never_matched=0,
        paused=0,
    )  # fmt: skip
    return replace(base, **changes)


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"unmatched": 1}, "≠ 10 eligible"),
        ({"groups": 6}, "people in 6 groups"),
        ({"met": 6}, "6 groups met of 5"),
        ({"cross_team": 6}, "more cross-team ties"),
        ({"eligible": 11, "unmatched": 1, "not_due": 0}, "more people in the round"),
    ],
)
def test_check_catches_numbers_that_do_not_add_up(changes: dict[str, int], complaint: str) -> None:
    assert check(SimulationResult(members=10, weeks=1, seed=0, lines=[_line()]), 10) == []
    bad = SimulationResult(members=10, weeks=1, seed=0, lines=[_line(**changes)])
    assert any(complaint in problem for problem in check(bad, 10))


def test_check_catches_silent_left_outs() -> None:
    result = SimulationResult(
        members=10,
        weeks=2,
        seed=0,
        lines=[_line(never_matched=1), _line(week=2, never_matched=2)],
        never_matched={"U1": "", "U2": "Nobody teaches Welsh yet."},
    )
    problems = check(result, 10)
    assert any("went up" in p for p in problems)
    assert any("never told why" in p for p in problems)


def test_the_weekly_table_against_the_most_possible(
    simulated: tuple[SimulationResult, str, Path],
) -> None:
    result, text, _out = simulated
    weeks = result.year.weeks
    assert [w.week for w in weeks] == list(range(1, WEEKS + 1))
    for w, line in zip(weeks, result.lines, strict=True):
        # The input the oracle reads is the round that was stored.
        assert (w.groups, w.due, w.unmatched) == (line.groups, line.eligible, line.unmatched)
        assert w.proven and 0 < w.new <= w.most
        assert w.discovery == line.discovery and w.repeats == line.repeats
    assert weeks[0].spread == 0.0 and weeks[-1].spread > 0  # lessons counted as groups meet
    assert "New connections against the most possible, week by week" in text
    assert "most" in text and "spread" in text
    assert "week 1 reciprocal swaps:" in text

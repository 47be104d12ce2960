"""The report's pictures: valid PNGs of a sensible size, with the expected nodes and colours."""

from __future__ import annotations

import io
import math
from dataclasses import replace
from datetime import UTC, date, datetime

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from scipy import ndimage

from bot.insights.charts import (
    LASTING_TIE_COLOUR,
    MET_BAR_COLOUR,
    NEW_TIE_COLOUR,
    NO_TEAM_COLOUR,
    OTHER_TEAMS_COLOUR,
    PALETTE,
    network_alt_text,
    network_layout,
    network_png,
    render_images,
    rounds_png,
    team_colours,
    team_markers,
    team_ties,
)
from bot.insights.stats import (
    NO_TEAM,
    Insights,
    Network,
    NetworkEdge,
    NetworkNode,
    RoundPoint,
)
from bot.store.models import RoundState
from tests.insights import insights_kit as sc

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _decode(png: bytes) -> np.ndarray:
    assert png.startswith(PNG_SIGNATURE)
    with Image.open(io.BytesIO(png)) as image:
        image.load()
        assert image.format == "PNG"
        return np.asarray(image.convert("RGB"))


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    value = hex_colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _blobs(pixels: np.ndarray, hex_colour: str, min_area: int = 40) -> int:
    """Solid areas of exactly this colour (dots; anti-aliased specks are ignored)."""
    mask = np.all(pixels == np.array(_rgb(hex_colour), dtype=pixels.dtype), axis=-1)
    labels, count = ndimage.label(mask)
    areas = ndimage.sum(mask, labels, range(1, count + 1))
    return int(np.sum(np.asarray(areas) >= min_area))


def _bars(pixels: np.ndarray, hex_colour: str) -> int:
    """Vertical bars of this colour: runs of columns holding it (lines crossing don't split)."""
    mask = np.all(pixels == np.array(_rgb(hex_colour), dtype=pixels.dtype), axis=-1)
    columns = np.concatenate(([False], mask.sum(axis=0) >= 5, [False]))
    starts = np.flatnonzero(~columns[:-1] & columns[1:])
    ends = np.flatnonzero(columns[:-1] & ~columns[1:])
    return int(np.sum(ends - starts >= 8))


def test_network_shows_each_member_as_a_dot_of_their_team_colour(insights: Insights) -> None:
    pixels = _decode(network_png(insights.network))
    assert pixels.shape == (780, 1200, 3)  # 10 x 6.5 in at 120 dpi
    colours = team_colours(insights.network.teams)
    assert colours == {
        "Data": PALETTE[0],
        "Design": PALETTE[1],
        "Sales": PALETTE[2],
        NO_TEAM: NO_TEAM_COLOUR,
    }
    # One dot per member plus one legend marker per team.
    expected = {"Data": 2 + 1, "Design": 2 + 1, "Sales": 1 + 1, NO_TEAM: 1 + 1}
    assert {team: _blobs(pixels, colours[team]) for team in expected} == expected
    assert _blobs(pixels, PALETTE[3]) == 0  # no fifth team
    # This round's new ties (ana-fay, ben-cai) are drawn in black, and so is the legend line.
    black = np.all(pixels == np.array(_rgb(NEW_TIE_COLOUR), dtype=pixels.dtype), axis=-1)
    assert black.sum() > 500
    # ana-ben met in two rounds: a lasting tie, drawn thick grey.
    grey = np.all(pixels == np.array(_rgb(LASTING_TIE_COLOUR), dtype=pixels.dtype), axis=-1)
    assert grey.sum() > 500


def test_network_without_new_ties_has_no_black_lines(insights: Insights) -> None:
    net = insights.network
    old = Network(
        nodes=net.nodes,
        edges=tuple(
            NetworkEdge(e.a, e.b, e.times_paired, e.times_met, False, e.cross_team)
            for e in net.edges
        ),
        latest_period=net.latest_period,
    )
    pixels = _decode(network_png(old))
    black = np.all(pixels == np.array(_rgb(NEW_TIE_COLOUR), dtype=pixels.dtype), axis=-1)
    assert black.sum() < 50  # no thick black line anywhere (title text is not pure black)


def test_layout_places_every_member_once(insights: Insights, scenario: sc.Built) -> None:
    positions = network_layout(insights.network)
    assert sorted(positions) == sorted(scenario.member_ids[k] for k in sc.CURRENT)
    assert len(set(positions.values())) == len(positions)
    assert network_layout(insights.network) == positions  # deterministic


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=12))
def test_layout_keeps_teams_apart_and_members_distinct(sizes: list[int]) -> None:
    nodes: list[NetworkNode] = []
    for team_index, size in enumerate(sizes):
        for _ in range(size):
            nodes.append(NetworkNode(len(nodes) + 1, f"m{len(nodes)}", f"Team {team_index}"))
    network = Network(tuple(nodes), (), None)
    positions = network_layout(network)
    assert len(positions) == len(nodes)
    points = np.array([positions[n.member_id] for n in nodes])
    gaps = np.linalg.norm(points[:, None, :] - points[None, :, :], axis=-1)
    np.fill_diagonal(gaps, np.inf)
    assert gaps.min() > 0.3  # no two dots on top of each other
    # Each team's disc (centroid + farthest member) does not reach into another team's.
    teams: dict[str, list[int]] = {}
    for node in nodes:
        teams.setdefault(node.team, []).append(node.member_id)
    discs = []
    for ids in teams.values():
        pts = np.array([positions[i] for i in ids])
        centre = pts.mean(axis=0)
        discs.append((centre, float(np.linalg.norm(pts - centre, axis=1).max())))
    for i, (ci, ri) in enumerate(discs):
        for cj, rj in discs[i + 1 :]:
            assert math.dist(ci, cj) > ri + rj


def test_beyond_nine_teams_the_network_is_a_table_of_cross_team_ties() -> None:
    nodes = tuple(NetworkNode(i, f"Person {i}", f"Team {i % 14:02d}") for i in range(1, 301))
    edges = tuple(NetworkEdge(i, i + 1, 1, 1, i % 50 == 0, True) for i in range(1, 300, 2))
    network = Network(nodes, edges, "2027-W01")
    colours = team_colours(network.teams)
    assert sum(1 for c in colours.values() if c == OTHER_TEAMS_COLOUR) == 14 - len(PALETTE)
    pixels = _decode(network_png(network))
    assert pixels.shape == (780, 1200, 3)
    # No dots in team colours: a table, not a hairball of 300 dots.
    assert all(_blobs(pixels, colour) == 0 for colour in PALETTE)
    teams, ties = team_ties(network)
    assert len(teams) == 14 and ties.shape == (14, 14)
    assert (ties == ties.T).all() and int(ties.sum() - np.trace(ties)) // 2 == len(edges)
    # Person i and i+1 are in neighbouring teams: Team 01 - Team 02 holds ties, 01 - 05 none.
    index = {t: k for k, t in enumerate(teams)}
    assert ties[index["Team 01"], index["Team 02"]] > 0
    assert ties[index["Team 01"], index["Team 05"]] == 0


def test_the_table_counts_ties_per_pair_of_teams() -> None:
    nodes = tuple(
        NetworkNode(i, f"P{i}", team)
        for i, team in enumerate(["A", "A", "B", "C", *[f"T{k}" for k in range(8)]], start=1)
    )
    edges = (
        NetworkEdge(1, 2, 1, 1, False, False),  # within A
        NetworkEdge(1, 3, 1, 0, False, True),  # A - B
        NetworkEdge(2, 3, 2, 2, True, True),  # A - B again
        NetworkEdge(3, 4, 1, 0, False, True),  # B - C
    )
    network = Network(nodes, edges, None)
    teams, ties = team_ties(network)
    at = {t: k for k, t in enumerate(teams)}
    assert ties[at["A"], at["A"]] == 1
    assert ties[at["A"], at["B"]] == ties[at["B"], at["A"]] == 2
    assert ties[at["B"], at["C"]] == 1 and ties[at["A"], at["C"]] == 0
    alt = render_images_alt(network)
    assert alt == (
        "Table of ties between the 11 teams of 12 members (largest 11 shown): "
        "3 ties across teams, 1 within a team."
    )


def render_images_alt(network: Network) -> str:
    ins = replace(_empty_insights(), network=network)
    return network_alt_text(ins)


def _srgb_to_linear(hex_colour: str) -> np.ndarray:
    c = np.array(_rgb(hex_colour)) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(rgb_linear: np.ndarray) -> np.ndarray:
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    t = (xyz @ np.clip(rgb_linear, 0, 1)) / np.array([0.9505, 1.0, 1.089])
    f = np.where(t > 0.008856, np.cbrt(t), 7.787 * t + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


# Machado, Oliveira & Fernandes (2009), full severity, on linear RGB.
DEFICIENCIES = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                   [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                     [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                   [0.004733, 0.691367, 0.303900]],
}  # fmt: skip


def test_team_colours_stay_apart_for_colour_blind_readers_and_shapes_differ_too() -> None:
    for name, matrix in DEFICIENCIES.items():
        seen = [_lab(np.array(matrix) @ _srgb_to_linear(c)) for c in PALETTE]
        closest = min(
            float(np.linalg.norm(a - b)) for k, a in enumerate(seen) for b in seen[k + 1 :]
        )
        assert closest > 10, name  # tab10's red and green fall to ~5 under protanopia
    teams = [f"Team {k}" for k in range(len(PALETTE))]
    assert len(set(team_markers(teams).values())) == len(PALETTE)  # the second cue


def test_fewer_than_three_rounds_are_numbers_not_bars() -> None:
    two = [_point("2026-W49", 4, 3, 5, 2), _point("2026-W50", 5, 2, 4, 1)]
    pixels = _decode(rounds_png(two))
    assert _bars(pixels, MET_BAR_COLOUR) == 0
    three = [*two, _point("2026-W51", 6, 4, 3, 1)]
    assert _bars(_decode(rounds_png(three)), MET_BAR_COLOUR) == 3 + 1


def _point(period: str, groups: int, met: int, new: int, cross: int) -> RoundPoint:
    return RoundPoint(
        round_id=1,
        period=period,
        round_date=date(2026, 1, 5),
        state=RoundState.CLOSED,
        eligible=10,
        unmatched=0,
        groups=groups,
        met=met,
        asked=True,
        introduced=new,
        new_connections=new,
        cross_team_new_connections=cross,
        ratings=0,
        average_rating=None,
        would_swap_again_yes=0,
        would_swap_again_no=0,
    )


def test_rounds_chart_has_a_met_bar_per_round_that_met(insights: Insights) -> None:
    pixels = _decode(rounds_png(insights.per_round))
    assert pixels.shape == (600, 1200, 3)
    # Three rounds met (W47-W49), W50 did not; plus the legend's patch.
    assert _bars(pixels, MET_BAR_COLOUR) == 3 + 1


def test_rounds_chart_shows_only_the_last_26_rounds() -> None:
    points = [_point(f"2026-W{w:02d}", 4, 1 + w % 3, 2, 1) for w in range(1, 41)]
    pixels = _decode(rounds_png(points))
    assert _bars(pixels, MET_BAR_COLOUR) == 26 + 1


def test_empty_workspace_still_gets_pictures() -> None:
    empty = _empty_insights()
    images = render_images(empty)
    assert _decode(images.network_png).shape == (780, 1200, 3)
    assert _decode(images.rounds_png).shape == (600, 1200, 3)
    assert "no rounds yet" in images.rounds_alt.lower()


def _empty_insights() -> Insights:
    return Insights(
        team_id="T1",
        workspace_name=None,
        generated_at=datetime(2026, 1, 1, tzinfo=UTC),
        members=0,
        active=0,
        paused=0,
        rounds=0,
        pairs_made=0,
        swaps_completed=0,
        groups_asked=0,
        meeting_rate=None,
        ratings=0,
        average_rating=None,
        new_connections=0,
        cross_team_new_connections=0,
        pairs_introduced=0,
        repeat_swaps=0,
        skills=(),
        per_round=(),
        network=Network((), (), None),
    )


def test_alt_texts_describe_the_pictures(insights: Insights) -> None:
    images = render_images(insights)
    assert images.network_alt == (
        "Connection network of 6 members in 3 teams: 8 pairs introduced (5 across teams), "
        "3 of them met, 2 new in the week of 7 Dec."
    )
    assert "in the week of 7 Dec: 2 groups, 0 met, 0 new connections" in images.rounds_alt


def test_names_with_dollar_signs_are_drawn_as_typed() -> None:
    # "$" starts matplotlib mathtext; an unbalanced "$" or "\frac" would raise when drawing.
    nodes = (
        NetworkNode(1, "$5\\frac{$", "R&D $budget$"),
        NetworkNode(2, "$$", "R&D $budget"),
        NetworkNode(3, "^_^", "Ops"),
    )
    network = Network(nodes, (NetworkEdge(1, 3, 1, 0, True, True),), "2027-$W01")
    assert _decode(network_png(network, title="Costs $ and ^ {x}")).shape == (780, 1200, 3)
    assert _decode(rounds_png([_point("$W1", 1, 1, 1, 0)], title="$")).shape == (600, 1200, 3)

"""The report's pictures: valid PNGs of a sensible size, with the expected nodes and colours."""

from __future__ import annotations

import io
import math
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
    network_layout,
    network_png,
    render_images,
    rounds_png,
    team_colours,
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
from tests.insights import insights_scenario as sc

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


def test_many_teams_share_grey_and_large_networks_stay_readable() -> None:
    nodes = tuple(NetworkNode(i, f"Person {i}", f"Team {i % 14:02d}") for i in range(1, 301))
    edges = tuple(NetworkEdge(i, i + 1, 1, 1, i % 50 == 0, True) for i in range(1, 300, 2))
    colours = team_colours(Network(nodes, edges, "2027-W01").teams)
    assert sum(1 for c in colours.values() if c == OTHER_TEAMS_COLOUR) == 14 - len(PALETTE)
    pixels = _decode(network_png(Network(nodes, edges, "2027-W01")))
    assert pixels.shape == (780, 1200, 3)


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
    empty = Insights(
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
    images = render_images(empty)
    assert _decode(images.network_png).shape == (780, 1200, 3)
    assert _decode(images.rounds_png).shape == (600, 1200, 3)
    assert "no rounds yet" in images.rounds_alt.lower()


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

"""The report's pictures, as PNG bytes: the connection network and rounds over time.

matplotlib's object API only (``Figure`` + the Agg canvas): no pyplot, no global state, nothing
drawn at import time. The network layout is computed here with numpy: teams sit on a circle,
and each team's members fill a disc around its centre (Vogel's sunflower spiral), so teams read
as coloured clusters and cross-team ties as the long lines between them.
"""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from bot.insights.stats import NO_TEAM, Insights, Network, NetworkEdge, RoundPoint
from bot.insights.text import week_of

# Paul Tol's "muted" scheme: nine colours told apart with every common colour-vision deficiency
# (personal.sron.nl/~pault). Each team also gets its own marker shape, so colour is never the
# only cue; beyond nine teams the picture becomes a team x team table instead.
PALETTE: tuple[str, ...] = (
    "#332288",
    "#88CCEE",
    "#44AA99",
    "#117733",
    "#999933",
    "#DDCC77",
    "#CC6677",
    "#882255",
    "#AA4499",
)
MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X", "h", "p")
NO_TEAM_MARKER = "o"
MAX_TEAMS_DRAWN = len(PALETTE)  # more named teams than this: the table of cross-team ties
MAX_TEAMS_TABULATED = 20  # the table's rows; smaller teams share "Other teams"
MIN_ROUNDS_CHARTED = 3  # fewer rounds: numbers, not a two-bar chart
OTHER_TEAMS_COLOUR = "#7f7f7f"
NO_TEAM_COLOUR = "#c7c7c7"
NEW_TIE_COLOUR = "#111111"
LASTING_TIE_COLOUR = "#7a7a7a"
CONNECTION_COLOUR = "#b8b8b8"
MET_BAR_COLOUR = "#117733"
GROUPS_BAR_COLOUR = "#cfd8e3"
NEW_LINE_COLOUR = "#332288"
CROSS_LINE_COLOUR = "#CC6677"

DPI = 120
NETWORK_SIZE_IN = (10.0, 6.5)  # 1200 x 780 px: sharp at Slack's preview width, legible zoomed
ROUNDS_SIZE_IN = (10.0, 5.0)  # 1200 x 600 px
MAX_LABELLED_NODES = 40
MAX_ROUNDS_SHOWN = 26
GOLDEN_ANGLE = math.pi * (3.0 - math.sqrt(5.0))
NODE_SPACING = 0.6
TEAM_GAP = 1.8  # space between neighbouring teams, relative to their radii

# matplotlib is not documented as thread-safe; reports render one at a time per process.
_RENDER_LOCK = threading.Lock()


@dataclass(frozen=True)
class ReportImages:
    network_png: bytes
    rounds_png: bytes
    network_alt: str
    rounds_alt: str


def team_markers(teams: Sequence[str]) -> dict[str, str]:
    """A marker shape per team, in the palette's order: the second cue besides colour."""
    named = [t for t in teams if t != NO_TEAM]
    markers = {t: MARKERS[i % len(MARKERS)] for i, t in enumerate(named)}
    if NO_TEAM in teams:
        markers[NO_TEAM] = NO_TEAM_MARKER
    return markers


def too_many_teams(network: Network) -> bool:
    return sum(1 for t in network.teams if t != NO_TEAM) > MAX_TEAMS_DRAWN


def team_ties(network: Network) -> tuple[tuple[str, ...], np.ndarray]:
    """Teams (largest first, the smallest merged into "Other teams" beyond the table's size)
    and a symmetric matrix: ties (pairs introduced) between each two teams; the diagonal
    counts ties within a team."""
    teams = list(network.teams)
    if len(teams) > MAX_TEAMS_TABULATED:
        teams = [*teams[: MAX_TEAMS_TABULATED - 1], "Other teams"]
    index = {t: i for i, t in enumerate(teams)}
    last = len(teams) - 1
    team_of = {n.member_id: index.get(n.team, last) for n in network.nodes}
    matrix = np.zeros((len(teams), len(teams)), dtype=int)
    for edge in network.edges:
        i, j = team_of[edge.a], team_of[edge.b]
        matrix[i, j] += 1
        if i != j:
            matrix[j, i] += 1
    return tuple(teams), matrix


def team_colours(teams: Sequence[str]) -> dict[str, str]:
    """A colour per team: the palette in order (largest teams first), then grey."""
    colours: dict[str, str] = {}
    named = [t for t in teams if t != NO_TEAM]
    for index, team in enumerate(named):
        colours[team] = PALETTE[index] if index < len(PALETTE) else OTHER_TEAMS_COLOUR
    if NO_TEAM in teams:
        colours[NO_TEAM] = NO_TEAM_COLOUR
    return colours


def sunflower(count: int, spacing: float = NODE_SPACING) -> np.ndarray:
    """``count`` points evenly filling a disc of radius ~ spacing * sqrt(count), centred on 0."""
    if count <= 0:
        return np.zeros((0, 2))
    if count == 1:
        return np.zeros((1, 2))
    index = np.arange(count, dtype=float)
    radius = spacing * np.sqrt(index + 0.5)
    angle = index * GOLDEN_ANGLE
    return np.column_stack((radius * np.cos(angle), radius * np.sin(angle)))


def network_layout(network: Network) -> dict[int, tuple[float, float]]:
    """Member id -> (x, y). Deterministic: same network, same picture."""
    return _layout(network)[0]


def _layout(
    network: Network,
) -> tuple[dict[int, tuple[float, float]], dict[str, tuple[float, float]]]:
    teams = network.teams
    by_team: dict[str, list[int]] = {t: [] for t in teams}
    for node in sorted(network.nodes, key=lambda n: n.member_id):
        by_team[node.team].append(node.member_id)
    k = len(teams)
    if k == 0:
        return {}, {}
    radii = np.array([NODE_SPACING * math.sqrt(len(by_team[t]) + 0.5) for t in teams])
    if k == 1:
        centres = np.zeros((1, 2))
    else:
        # Adjacent team discs stay apart: chord 2R sin(pi/k) >= TEAM_GAP * (r_i + r_j).
        neighbours = radii + np.roll(radii, -1)
        ring = float(np.max(neighbours)) * TEAM_GAP / (2.0 * math.sin(math.pi / k))
        angles = math.pi / 2 - 2 * math.pi * np.arange(k) / k  # clockwise from the top
        centres = ring * np.column_stack((np.cos(angles), np.sin(angles)))
    positions: dict[int, tuple[float, float]] = {}
    for team, centre in zip(teams, centres, strict=True):
        for member_id, point in zip(by_team[team], sunflower(len(by_team[team])), strict=True):
            positions[member_id] = (float(centre[0] + point[0]), float(centre[1] + point[1]))
    return positions, {t: (float(c[0]), float(c[1])) for t, c in zip(teams, centres, strict=True)}


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, facecolor="white", metadata={"Software": None})
    return buffer.getvalue()


def _plain(value: str) -> str:
    """Text from members shown as typed: a ``$`` would otherwise start matplotlib mathtext."""
    return value.replace("$", r"\$")


def _short_label(label: str) -> str:
    first = label.split()[0] if label.split() else label
    return first if len(first) <= 12 else first[:11] + "…"


def network_png(network: Network, *, title: str = "Connection network") -> bytes:
    """Members as dots coloured by team, connections as lines: this round's new ties in black,
    lasting ties (pairs who met in two or more rounds) thick."""
    with _RENDER_LOCK:
        fig = Figure(figsize=NETWORK_SIZE_IN, dpi=DPI)
        FigureCanvasAgg(fig)
        fig.suptitle(_plain(title), fontsize=15, fontweight="bold", x=0.02, ha="left")
        ax = fig.add_axes((0.02, 0.03, 0.68, 0.86))
        ax.set_axis_off()
        if not network.nodes:
            ax.text(0.5, 0.5, "No members yet", ha="center", va="center", fontsize=14)
            return _png(fig)
        if too_many_teams(network):
            _draw_team_table(fig, ax, network)
            return _png(fig)
        positions, centres = _layout(network)
        colours = team_colours(network.teams)
        markers = team_markers(network.teams)
        _draw_edges(ax, network, positions)
        ordered = sorted(network.nodes, key=lambda n: n.member_id)
        xy = np.array([positions[n.member_id] for n in ordered])
        size = float(np.clip(5000.0 / len(ordered), 30.0, 260.0))
        for team in network.teams:
            mine = [k for k, n in enumerate(ordered) if n.team == team]
            ax.scatter(
                xy[mine, 0],
                xy[mine, 1],
                s=size,
                c=colours[team],
                marker=markers[team],
                edgecolors="white",
                linewidths=1.0,
                zorder=4,
            )
        if len(ordered) <= MAX_LABELLED_NODES:
            offset = math.sqrt(size) / 2 + 3
            for node, (x, y) in zip(ordered, xy, strict=True):
                # Labels point away from the team's centre, where there is room.
                cx, cy = centres[node.team]
                dx, dy = x - cx, y - cy
                norm = math.hypot(dx, dy)
                ux, uy = (dx / norm, dy / norm) if norm > 1e-9 else (0.0, -1.0)
                ax.annotate(
                    _plain(_short_label(node.label)),
                    (x, y),
                    xytext=(ux * offset, uy * offset),
                    textcoords="offset points",
                    ha="left" if ux > 0.35 else "right" if ux < -0.35 else "center",
                    va="bottom" if uy > 0.35 else "top" if uy < -0.35 else "center",
                    fontsize=8,
                    color="#333333",
                    zorder=5,
                )
        ax.set_aspect("equal")
        ax.margins(0.08)
        fig.legend(
            handles=_legend_handles(network, colours),
            loc="center left",
            bbox_to_anchor=(0.70, 0.5),
            frameon=False,
            fontsize=10,
        )
        return _png(fig)


def _draw_team_table(fig: Figure, ax: Axes, network: Network) -> None:
    """Beyond nine teams a network is a grey hairball: a team x team table of ties instead,
    each cell's number written in it (shade is only the second cue)."""
    teams, matrix = team_ties(network)
    ax.set_axis_on()
    ax.set_position((0.22, 0.05, 0.6, 0.78))
    shades = matplotlib.colormaps["cividis_r"].with_extremes(bad="white")
    top = max(int(matrix.max()), 1)
    ax.imshow(np.ma.masked_equal(matrix, 0), cmap=shades, vmin=-top / 3, vmax=top)
    labels = [_plain(t if len(t) <= 18 else t[:17] + "\u2026") for t in teams]
    ax.set_xticks(range(len(teams)), labels, rotation=60, ha="left", fontsize=8)
    ax.set_yticks(range(len(teams)), labels, fontsize=8)
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    light = max(int(matrix.max()), 1) / 2
    for i in range(len(teams)):
        for j in range(len(teams)):
            value = int(matrix[i, j])
            ax.text(
                j,
                i,
                str(value) if value else "\u00b7",
                ha="center",
                va="center",
                fontsize=7 if len(teams) > 14 else 9,
                color="white" if value > light else "#222222",
                fontweight="bold" if i == j else "normal",
            )
    fig.text(
        0.84,
        0.5,
        "Ties between teams\n(pairs introduced).\nThe diagonal (bold):\nties within a team.",
        fontsize=10,
        va="center",
    )


def _tie_kind(edge: NetworkEdge) -> str:
    """New this round, lasting (met in 2+ rounds) or any other connection.

    Whether a pair met once is not drawn: leaders see ties forming, not who skipped.
    """
    if edge.latest:
        return "new"
    return "lasting" if edge.times_met >= 2 else "connection"


TIE_STYLES: dict[str, tuple[str, float, int]] = {  # colour, width, layer
    "connection": (CONNECTION_COLOUR, 1.1, 1),
    "lasting": (LASTING_TIE_COLOUR, 3.2, 2),
    "new": (NEW_TIE_COLOUR, 2.4, 3),
}


def _draw_edges(ax: Axes, network: Network, positions: dict[int, tuple[float, float]]) -> None:
    segments: dict[str, list[list[tuple[float, float]]]] = {k: [] for k in TIE_STYLES}
    for edge in network.edges:
        segments[_tie_kind(edge)].append([positions[edge.a], positions[edge.b]])
    for kind, (colour, width, layer) in TIE_STYLES.items():
        if segments[kind]:
            ax.add_collection(
                LineCollection(segments[kind], colors=colour, linewidths=width, zorder=layer)
            )


def _legend_handles(network: Network, colours: dict[str, str]) -> list[Line2D]:
    handles: list[Line2D] = []
    markers = team_markers(network.teams)
    shown_other = False
    for team in network.teams:
        colour = colours[team]
        if colour == OTHER_TEAMS_COLOUR:
            if shown_other:
                continue
            shown_other, team = True, "Other teams"
        marker = markers.get(team, NO_TEAM_MARKER)
        handles.append(
            Line2D(
                [], [], marker=marker, linestyle="", markersize=9, color=colour, label=_plain(team)
            )
        )
    drawn = {_tie_kind(e) for e in network.edges}
    labels = {
        "new": f"New tie ({_latest_week(network)})",
        "lasting": "Lasting tie (met in 2+ rounds)",
        "connection": "Connection",
    }
    for kind in ("new", "lasting", "connection"):
        if kind in drawn:
            colour, width, _ = TIE_STYLES[kind]
            handles.append(
                Line2D([], [], color=colour, linewidth=width, label=_plain(labels[kind]))
            )
    return handles


def _latest_week(network: Network) -> str:
    return week_of(network.latest_date) if network.latest_date else "latest round"


def rounds_png(points: Sequence[RoundPoint], *, title: str = "Rounds over time") -> bytes:
    """Per round: groups made and groups that met (bars), new connections (lines)."""
    shown = list(points)[-MAX_ROUNDS_SHOWN:]
    with _RENDER_LOCK:
        fig = Figure(figsize=ROUNDS_SIZE_IN, dpi=DPI)
        FigureCanvasAgg(fig)
        fig.suptitle(_plain(title), fontsize=15, fontweight="bold", x=0.02, ha="left")
        rotate = len(shown) > 8
        bottom = 0.2 if rotate else 0.12
        ax = fig.add_axes((0.07, bottom, 0.68, 0.88 - bottom))
        if not shown:
            ax.set_axis_off()
            ax.text(
                0.5,
                0.5,
                "No rounds yet",
                ha="center",
                va="center",
                fontsize=14,
                transform=ax.transAxes,
            )
            return _png(fig)
        if len(shown) < MIN_ROUNDS_CHARTED:
            _draw_round_numbers(ax, shown)
            return _png(fig)
        x = np.arange(len(shown))
        width = 0.38
        ax.bar(
            x - width / 2,
            [p.groups for p in shown],
            width,
            color=GROUPS_BAR_COLOUR,
            label="Groups made",
        )
        ax.bar(x + width / 2, [p.met for p in shown], width, color=MET_BAR_COLOUR, label="Met")
        ax.plot(
            x,
            [p.new_connections for p in shown],
            color=NEW_LINE_COLOUR,
            marker="o",
            linewidth=2,
            label="New connections",
        )
        ax.plot(
            x,
            [p.cross_team_new_connections for p in shown],
            color=CROSS_LINE_COLOUR,
            marker="s",
            linewidth=2,
            linestyle="--",
            label="…across teams",
        )
        ax.set_xticks(x)
        ax.set_xticklabels(
            [_plain(week_of(p.round_date)) for p in shown],
            rotation=45 if rotate else 0,
            ha="right" if rotate else "center",
            fontsize=9,
        )
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylim(bottom=0)
        ax.tick_params(axis="y", labelsize=10)
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(axis="y", color="#e6e6e6", zorder=0)
        ax.set_axisbelow(True)
        fig.legend(loc="center left", bbox_to_anchor=(0.77, 0.55), frameon=False, fontsize=10)
        return _png(fig)


def round_numbers(point: RoundPoint) -> str:
    return (
        f"{point.groups} groups, {point.met} met, {point.introduced} pairs introduced, "
        f"{point.new_connections} new connections ({point.cross_team_new_connections} "
        "across teams)"
    )


def _draw_round_numbers(ax: Axes, shown: Sequence[RoundPoint]) -> None:
    """One or two rounds make a chart of two bars that says nothing: say the numbers."""
    ax.set_axis_off()
    ax.set_position((0.04, 0.08, 0.92, 0.78))
    for k, point in enumerate(reversed(shown)):
        y = 0.8 - k * 0.4
        ax.text(0.0, y, _plain(week_of(point.round_date)), fontsize=16, fontweight="bold",
                transform=ax.transAxes)  # fmt: skip
        ax.text(0.0, y - 0.13, round_numbers(point), fontsize=13, transform=ax.transAxes)
    ax.text(
        0.0,
        0.0,
        "A chart over time follows once there are three rounds.",
        fontsize=10,
        color="#555555",
        transform=ax.transAxes,
    )


def network_alt_text(insights: Insights) -> str:
    net = insights.network
    teams = [t for t in net.teams if t != NO_TEAM]
    new = sum(1 for e in net.edges if e.latest)
    if too_many_teams(net):
        shown, matrix = team_ties(net)
        cross = int((matrix.sum() - np.trace(matrix)) // 2)
        return (
            f"Table of ties between the {len(teams)} teams of {len(net.nodes)} members "
            f"(largest {len(shown)} shown): {cross} ties across teams, "
            f"{int(np.trace(matrix))} within a team."
        )
    return (
        f"Connection network of {len(net.nodes)} members in {len(teams)} teams: "
        f"{len(net.edges)} pairs introduced ({sum(1 for e in net.edges if e.cross_team)} "
        f"across teams), {sum(1 for e in net.edges if e.times_met)} of them met, "
        f"{new} new in the {_latest_week(net)}."
    )


def rounds_alt_text(insights: Insights) -> str:
    latest = insights.latest_round
    if latest is None:
        return "Rounds over time: no rounds yet."
    if len(insights.per_round) < MIN_ROUNDS_CHARTED:
        return "Rounds so far: " + "; ".join(
            f"{week_of(p.round_date)}: {round_numbers(p)}" for p in insights.per_round
        )
    return (
        f"Groups made, groups that met and new connections for the last "
        f"{min(len(insights.per_round), MAX_ROUNDS_SHOWN)} rounds; in the "
        f"{week_of(latest.round_date)}: "
        f"{latest.groups} groups, {latest.met} met, {latest.new_connections} new connections."
    )


def render_images(insights: Insights) -> ReportImages:
    """Both pictures (about a second of CPU together: run it after the ack)."""
    return ReportImages(
        network_png=network_png(insights.network, title=f"Connections in {insights.title}"),
        rounds_png=rounds_png(insights.per_round),
        network_alt=network_alt_text(insights),
        rounds_alt=rounds_alt_text(insights),
    )

"""The files a demo or a simulation leaves behind: the network picture, the rounds chart and
the self-contained HTML report."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.insights.charts import ReportImages
    from bot.insights.stats import Insights

NETWORK_FILE = "skillswap-connections.png"
ROUNDS_FILE = "skillswap-rounds.png"
REPORT_FILE = "skillswap-report.html"


def write_report_files(
    output: Path, insights: Insights, images: ReportImages
) -> tuple[Path, Path, Path]:
    """Write the three files into ``output``; returns (network PNG, rounds PNG, HTML report)."""
    from bot.insights.html import render_html  # the report's imports load only when needed

    output.mkdir(parents=True, exist_ok=True)
    network, rounds, report = output / NETWORK_FILE, output / ROUNDS_FILE, output / REPORT_FILE
    network.write_bytes(images.network_png)
    rounds.write_bytes(images.rounds_png)
    report.write_text(render_html(insights, images), encoding="utf-8")
    return network, rounds, report

"""Block Kit builders for insights stay within Slack's limits for any workspace."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.blocks.insights import home_blocks, report_blocks, stats_blocks
from bot.insights.stats import Insights, InsightsInput, SkillSummary, compute_insights
from bot.sim import check_message


def _empty() -> Insights:
    return compute_insights(
        InsightsInput.empty("T1"), generated_at=datetime(2026, 1, 1, tzinfo=UTC)
    )


def _huge(base: Insights) -> Insights:
    skills = tuple(
        SkillSummary(name=f"<Skill> & {'x' * 70} {i}", teachers=0, learners=50, taught=9, gap=True)
        for i in range(300)
    )
    return replace(base, workspace_name="W" * 300, skills=skills)


@pytest.mark.parametrize("which", ["empty", "scenario", "huge"])
def test_every_surface_is_valid_block_kit(which: str, insights: Insights) -> None:
    ins = {"empty": _empty(), "scenario": insights, "huge": _huge(insights)}[which]
    for builder in (stats_blocks, report_blocks, home_blocks):
        blocks = [b.to_dict() for b in builder(ins)]  # slack_sdk's validators run here
        check_message("fallback", blocks)  # and the limits Slack adds (the simulator's check)


def test_member_text_cannot_inject_mentions_or_links(insights: Insights) -> None:
    sneaky = replace(
        insights,
        skills=(SkillSummary("<!channel> <https://x.test|free>", 0, 5, 2, True),),
    )
    shown = str([b.to_dict() for b in report_blocks(sneaky) + stats_blocks(sneaky)])
    assert "<!channel>" not in shown and "<https://x.test" not in shown
    assert "&lt;!channel&gt;" in shown


def test_empty_workspace_reads_well() -> None:
    shown = str([b.to_dict() for b in stats_blocks(_empty())])
    assert "No connections yet" in shown
    assert "no check-ins yet" in shown and "no ratings yet" in shown
    report = str([b.to_dict() for b in report_blocks(_empty())])
    assert "No rounds yet." in report and "No completed swaps yet." in report

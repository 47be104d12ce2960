"""Discovery swaps are their own kind in the numbers: the round's summary, stats, the report
and the rounds CSV, counted from a real round through signed requests."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from bot.blocks.checkins import CheckinAction
from bot.delivery.outbox import OutboxKind
from bot.scheduler import tick
from tests.rounds.rounds_kit import ANA, BEN, CAL, DEV, Team, pair_world
from tests.support import Harness, shown_text

MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
THURSDAY = MONDAY + timedelta(days=3)


def at(team: Team, moment: datetime) -> None:
    team.clock.set(moment)
    tick(team.deps)


def discovery_round(harness: Harness, team: Team) -> None:
    """Ana and Ben swap; Cal and Dev have no fitting lesson with anyone: a discovery swap,
    which Dev says they met."""
    pair_world(team, home_channel="C0ANNOUNCE", admin_user_ids=[ANA])
    team.member(CAL, "Cal Chen", team="Ops", teach=["Knitting"], learn=["Origami"])
    team.member(DEV, "Dev Das", team="Sales", teach=["Piano"], learn=["Kubernetes"])
    at(team, MONDAY)
    at(team, THURSDAY)
    [_intro, checkin] = harness.dm(CAL, DEV)
    assert "did you meet for your discovery swap?" in shown_text(checkin)
    harness.click(DEV, CheckinAction.MET, message=checkin)
    harness.drain()


def test_the_round_summary_and_stats_count_discovery_swaps(harness: Harness, team: Team) -> None:
    discovery_round(harness, team)

    [summary] = team.outbox(kind=OutboxKind.SUMMARY.value)
    assert "1 swap and 1 discovery swap" in str(summary.payload["text"])

    reply = harness.send_command(BEN, "stats").reply("Meeting rate")
    assert "*Discovery swaps*\n1 (1 met)" in shown_text(reply["blocks"])


def test_the_rounds_export_has_a_discovery_column(harness: Harness, team: Team) -> None:
    discovery_round(harness, team)

    harness.send_command(ANA, "export rounds").reply("is in your DM")
    harness.sim.wait_for("files.completeUploadExternal", timeout=30.0)
    [upload] = harness.sim.uploaded_files()
    header, row = list(csv.reader(io.StringIO(upload.content.decode("utf-8-sig"))))
    assert dict(zip(header, row, strict=True))["discovery_swaps"] == "1"
    assert dict(zip(header, row, strict=True))["groups"] == "2"

"""Adoption in the numbers (``/skillswap stats``, the report, the export) and the migration
that turns the announce channel into the home channel."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from alembic import command
from sqlalchemy import text

from bot.cli.db import alembic_config
from bot.insights.charts import ReportImages
from bot.insights.export import ExportKind, export_csv
from bot.insights.html import render_html
from bot.insights.load import load_insights
from bot.store import invitations as store
from bot.store.db import make_engine
from bot.store.insights import load_input
from bot.store.workspaces import get_or_create_workspace
from tests.invitations.invitations_kit import (
    ADMIN,
    ANA,
    BEN,
    CAL,
    EVERYONE,
    LAUNCH,
    directory,
    session_of,
)
from tests.support import Harness


def _command(h: Harness, user: str, line: str) -> dict[str, Any]:
    before = len(h.sim.responses())
    h.slack.slash_command(team_id=h.team_id, user_id=user, text=line)
    return h.sim.wait_for_response(count=before + 1)[-1]


def test_stats_report_and_export_show_invitations_and_conversion(harness: Harness) -> None:
    h = harness
    directory(h.sim, h.team_id)
    h.sim.add_channel(h.team_id, LAUNCH, name="launch", members=EVERYONE)
    now = h.clock.now()
    with session_of(h.deps) as s:
        ws = get_or_create_workspace(session=s, team_id=h.team_id)
        store.record_invited(
            session=s, workspace_id=ws.id, user_ids=[ANA, BEN, CAL], channel_id=LAUNCH, now=now
        )
        store.record_invited(
            session=s, workspace_id=ws.id, user_ids=[ADMIN], channel_id="C0OTHER01", now=now
        )
    h.clock.advance(timedelta(days=1))
    _command(h, ANA, "teach Spanish")  # Ana joins after her invitation

    stats = str(_command(h, BEN, "stats"))
    assert "4 invitations sent, 1 joined from an invitation (25%)" in stats
    assert f"<#{LAUNCH}>: 3 invited, 1 joined (33%)" in stats

    with session_of(h.deps) as s:
        data = load_input(session=s, team_id=h.team_id)
        insights = load_insights(session=s, team_id=h.team_id, now=h.clock.now())
    rows = list(csv.reader(io.StringIO(export_csv(ExportKind.INVITATIONS, data, generated_at=now))))
    assert rows == [
        ["channel_id", "invited", "joined_from_invitation", "conversion"],
        ["C0LAUNCH1", "3", "1", "0.333"],
        ["C0OTHER01", "1", "0", "0.0"],
        ["(all)", "4", "1", "0.25"],
    ]
    assert ANA not in "".join(",".join(r) for r in rows)  # counts only: nobody is named

    page = render_html(insights, ReportImages(b"", b"", "", ""))
    assert "4 invitations sent, 1 joined from an invitation (25%)." in page


def test_the_announce_channel_carries_over_to_the_home_channel(database_url: str) -> None:
    cfg = alembic_config(database_url)
    command.downgrade(cfg, "0001")
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO workspaces (team_id, active, cadence, round_weekday, round_time,"
                    " timezone, checkin_delay_days, cooldown_rounds, announce_channel,"
                    " admin_user_ids, created_at, updated_at) VALUES ('T0MIGR', true, 'weekly',"
                    " 0, '09:00', 'UTC', 3, 8, 'C0ANNOUNCE', '[]', '2026-12-01 00:00:00',"
                    " '2026-12-01 00:00:00')"
                )
            )
        command.upgrade(cfg, "head")
        with engine.connect() as conn:
            home = conn.execute(
                text("SELECT home_channel FROM workspaces WHERE team_id = 'T0MIGR'")
            ).scalar_one()
        assert home == "C0ANNOUNCE"
    finally:
        engine.dispose()

"""Reports and pictures are titled with the workspace's name, learnt from Slack (auth.test)."""

from __future__ import annotations

from sqlalchemy import select

from bot.store.models import Workspace
from tests.support import Harness


def test_the_workspace_learns_its_name_from_slack(harness: Harness) -> None:
    harness.sim.add_team(harness.team_id, name="Brightwater Labs")
    harness.sim.add_user(harness.team_id, "U100", name="ana")
    for text in ("teach Spanish", "me"):
        reply = harness.slack.slash_command(team_id=harness.team_id, user_id="U100", text=text)
        assert reply.status == 200
    with harness.deps.unit_of_work() as session:
        workspace = session.scalars(
            select(Workspace).where(Workspace.team_id == harness.team_id)
        ).one()
        assert workspace.name == "Brightwater Labs"

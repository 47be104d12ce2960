"""What SkillSwap's own middleware does before any listener: a workspace Slack sends
requests from is active again (whatever the request), and an event Slack sends twice is
handled once — while the lifecycle events themselves never count as "active again"."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.blocks.help import HelpAction
from bot.deps import Deps
from bot.store.models import ProcessedEvent, Workspace
from tests.support import TEAM, Harness


def _seed(deps: Deps) -> None:
    with deps.unit_of_work() as session:
        session.add(Workspace(team_id=TEAM, name="Acme"))


def _active(deps: Deps) -> bool | None:
    with deps.unit_of_work() as session:
        return session.scalar(select(Workspace.active).where(Workspace.team_id == TEAM))


def _events_recorded(deps: Deps) -> int:
    with deps.unit_of_work() as session:
        return session.scalar(select(func.count()).select_from(ProcessedEvent)) or 0


def test_a_click_from_an_uninstalled_workspace_makes_it_active_again(harness: Harness) -> None:
    _seed(harness.deps)
    assert harness.event({"type": "app_uninstalled"}, event_id="EvGONE").status == 200
    harness.drain()
    assert _active(harness.deps) is False

    harness.click("U_ANA", HelpAction.OPEN_HOME)  # not a command: a button
    harness.drain()
    assert _active(harness.deps) is True


def test_a_retried_uninstall_is_handled_once_and_the_workspace_stays_stopped(
    harness: Harness,
) -> None:
    _seed(harness.deps)
    assert harness.event({"type": "app_uninstalled"}, event_id="EvBYE").status == 200
    harness.drain()
    retried = harness.event(
        {"type": "app_uninstalled"}, event_id="EvBYE", retry_num=1, retry_reason="http_timeout"
    )
    assert retried.status == 200
    harness.drain()
    assert _active(harness.deps) is False
    assert _events_recorded(harness.deps) == 1


def test_commands_and_clicks_are_not_taken_for_events(harness: Harness) -> None:
    """Only Events API callbacks are deduplicated: a member may send the same command or
    click the same button twice, and each is answered."""
    _seed(harness.deps)
    first = harness.command("U_ANA", "help")
    second = harness.command("U_ANA", "help")
    assert first["text"] == second["text"]
    harness.click("U_ANA", HelpAction.OPEN_HOME)
    harness.click("U_ANA", HelpAction.OPEN_HOME)
    harness.drain()
    assert _events_recorded(harness.deps) == 0

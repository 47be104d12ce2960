"""Uninstalling stops rounds in single-workspace mode too; data is kept unless told otherwise."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.clock import ManualClock
from bot.deps import Deps
from bot.sim import SlackSimulator
from bot.store.models import (
    Member,
    OutboxMessage,
    OutboxState,
    Round,
    RoundState,
    Workspace,
)
from bot.workspaces.uninstall import CANCELLED_REASON
from tests.support import TEAM, Harness, make_settings, serve


def _seed(deps: Deps, team_id: str = TEAM) -> None:
    """A workspace mid-round: one member, an open round, an intro waiting to be sent."""
    with deps.unit_of_work() as session:
        ws = Workspace(team_id=team_id, name="Acme")
        session.add(ws)
        session.flush()
        session.add(Member(workspace_id=ws.id, slack_user_id="U_ANA", display_name="Ana"))
        round_ = Round(workspace_id=ws.id, period="2026-W50", round_date=date(2026, 12, 7))
        session.add(round_)
        session.flush()
        session.add(
            OutboxMessage(
                workspace_id=ws.id,
                idempotency_key=f"intro:{round_.id}:1",
                kind="intro",
                round_id=round_.id,
                target_users="U_ANA,U_BEN",
                payload={"text": "hello"},
            )
        )
        session.add(
            OutboxMessage(
                workspace_id=ws.id,
                idempotency_key=f"intro:{round_.id}:2",
                kind="intro",
                round_id=round_.id,
                target_users="U_CY,U_DI",
                payload={"text": "hello"},
                state=OutboxState.SENT,
            )
        )


def _state(
    deps: Deps,
) -> tuple[bool | None, list[RoundState], list[tuple[OutboxState, str | None]]]:
    with deps.unit_of_work() as session:
        active = session.scalar(select(Workspace.active).where(Workspace.team_id == TEAM))
        rounds = list(session.scalars(select(Round.state)))
        outbox = [
            (m.state, m.last_error)
            for m in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        ]
    return active, rounds, outbox


def test_uninstall_stops_rounds_and_keeps_members_then_a_reinstall_resumes(
    harness: Harness,
) -> None:
    _seed(harness.deps)
    assert harness.event({"type": "app_uninstalled"}).status == 200

    harness.drain()
    assert _state(harness.deps)[0] is False
    _, rounds, outbox = _state(harness.deps)
    assert rounds == [RoundState.CLOSED]
    # The intro still waiting is cancelled; the one already sent is history.
    assert outbox == [(OutboxState.FAILED, CANCELLED_REASON), (OutboxState.SENT, None)]
    with harness.deps.unit_of_work() as session:
        assert session.scalar(select(Member.display_name)) == "Ana"

    # Reinstalled with a new bot token (single-workspace mode): the next request from the
    # workspace makes it active again, so the scheduler picks it up.
    harness.command("U_ANA", "help")
    harness.drain()
    assert _state(harness.deps)[0] is True


def test_delete_data_on_uninstall_removes_the_workspace_and_everything_personal(
    deps: Deps, sim: SlackSimulator, clock: ManualClock
) -> None:
    settings = make_settings(
        deps.settings.database_url, deps.settings.slack_api_url, delete_data_on_uninstall=True
    )
    wiping = Deps(
        settings=settings,
        engine=deps.engine,
        session_factory=deps.session_factory,
        clock=deps.clock,
    )
    _seed(wiping)
    _seed(wiping, team_id="TOTHER")
    with serve(wiping, sim, clock) as wiping_app:
        assert wiping_app.event({"type": "app_uninstalled"}).status == 200
        wiping_app.drain()
    with wiping.unit_of_work() as session:
        # Only the other workspace's rows remain.
        assert list(session.scalars(select(Workspace.team_id))) == ["TOTHER"]
        assert len(list(session.scalars(select(Member)))) == 1
        assert len(list(session.scalars(select(Round)))) == 1
        assert len(list(session.scalars(select(OutboxMessage)))) == 2

"""``skillswap round run|checkins`` and ``skillswap scheduler``'s jobs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from bot.cli import build_cli
from bot.rounds.schedule import period_key
from bot.scheduler import DELIVER_JOB, NUDGE_JOB, PRUNE_JOB, TICK_JOB, build_scheduler
from bot.store.models import Cadence, Member, OutboxMessage, Round, Workspace
from tests.rounds.rounds_kit import ANA, BEN, CAL, Team, pair_world
from tests.support import BOT_TOKEN, SIGNING_SECRET


@pytest.fixture
def cli(team: Team) -> CliRunner:
    return CliRunner(
        env={
            "DATABASE_URL": team.deps.settings.database_url,
            "SLACK_API_URL": team.sim.api_url,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_CLIENT_ID": "",
            "SLACK_CLIENT_SECRET": "",
        }
    )


def invoke(cli: CliRunner, *args: str) -> tuple[int, str]:
    result = cli.invoke(build_cli(), list(args))
    return result.exit_code, result.output


def rounds(team: Team) -> list[Round]:
    with team.deps.unit_of_work() as session:
        return list(session.scalars(select(Round)))


def test_dry_run_prints_the_groups_and_stores_nothing(cli: CliRunner, team: Team) -> None:
    pair_world(team, discovery_swaps=False)  # Cal sits out: no discovery guest
    team.member(CAL, "Cal Chen", teach=["Knitting"], learn=["Origami"])

    code, output = invoke(cli, "round", "run", "--dry-run")

    assert code == 0, output
    assert "dry run, nothing stored" in output
    assert "Ana Alvarez" in output and "Ben Brown" in output and "swap" in output
    assert "Spanish" in output
    assert "Not paired this round" in output and "Cal Chen" in output
    assert rounds(team) == [] and team.outbox() == []
    assert team.sim.calls_to("chat.postMessage") == []


def test_run_stores_the_round_delivers_it_and_runs_once_per_period(
    cli: CliRunner, team: Team
) -> None:
    pair_world(team)

    code, output = invoke(cli, "round", "run")

    assert code == 0, output
    assert "stored" in output and "1 groups" in output
    assert "Delivered 1 messages" in output
    [stored] = rounds(team)
    assert stored.period == period_key(Cadence.WEEKLY, stored.round_date)
    assert len(team.sim.messages(team.sim.dm_channel_id(team.team_id, ANA, BEN))) == 1
    assert team.unfinished() == 0

    again_code, again = invoke(cli, "round", "run", "--team", team.team_id)
    assert again_code == 0
    assert "no new round" in again and "already exists" in again
    assert len(rounds(team)) == 1
    assert len(team.sim.calls_to("chat.postMessage")) == 1


def test_run_pairs_only_who_takes_part_and_stops_on_an_unreadable_channel(
    cli: CliRunner, team: Team
) -> None:
    pair_world(team)
    team.member(CAL, "Cal Chen", teach=["SQL"], learn=["Spanish"])
    team.workspace(participation_channels=["C0GONE0001"])
    code, output = invoke(cli, "round", "run")
    assert code == 0, output
    assert "no round" in output and "channel_not_found" in output
    assert rounds(team) == []

    team.sim.add_channel(team.team_id, "C0GONE0001", name="swaps", members=[ANA, BEN, CAL])
    team.workspace(excluded_user_ids=[BEN])
    code, output = invoke(cli, "round", "run")
    assert code == 0, output
    with team.deps.unit_of_work() as session:
        paired = set(session.scalars(select(Round.id)))
    assert len(paired) == 1
    assert team.sim.messages(team.sim.dm_channel_id(team.team_id, ANA, CAL))  # not Ben
    assert not team.sim.messages(team.sim.dm_channel_id(team.team_id, ANA, BEN))


def test_checkins_at_a_given_moment_sends_what_is_due_then(cli: CliRunner, team: Team) -> None:
    pair_world(team)
    invoke(cli, "round", "run")
    [stored] = rounds(team)
    assert stored.checkins_due_at is not None
    early = (stored.checkins_due_at - timedelta(hours=1)).isoformat()
    due = (stored.checkins_due_at + timedelta(minutes=5)).isoformat()

    code, output = invoke(cli, "round", "checkins", "--now", early)
    assert code == 0, output
    assert "0 check-ins" in output
    code, output = invoke(cli, "round", "checkins", "--now", due)

    assert code == 0, output
    assert "1 check-ins and 0 reminders queued" in output
    messages = team.sim.messages(team.sim.dm_channel_id(team.team_id, ANA, BEN))
    assert len(messages) == 2 and "did you meet" in messages[1]["text"]


@pytest.mark.parametrize(
    ("value", "hint"),
    [("next thursday", "not an ISO-8601 time"), ("2026-12-10T09:00:00", "needs a time zone")],
)
def test_checkins_explains_a_bad_moment(cli: CliRunner, team: Team, value: str, hint: str) -> None:
    code, output = invoke(cli, "round", "checkins", "--now", value)
    assert code == 2 and hint in output


def test_an_unknown_team_is_named_in_the_error(cli: CliRunner, team: Team) -> None:
    team.workspace()
    code, output = invoke(cli, "round", "run", "--team", "T0NOPE")
    assert code == 2 and "No workspace T0NOPE" in output
    with team.deps.unit_of_work() as session:
        assert session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_the_scheduler_has_fixed_job_ids_and_its_jobs_do_the_work(team: Team) -> None:
    pair_world(team)
    scheduler, clockwork = build_scheduler(team.deps, blocking=False)
    assert {job.id for job in scheduler.get_jobs()} == {TICK_JOB, DELIVER_JOB, PRUNE_JOB, NUDGE_JOB}

    team.clock.set(team.clock.now().replace(hour=9))  # Monday 09:00 London: the slot
    clockwork.tick_job()
    assert len(rounds(team)) == 1 and team.sim.calls_to("chat.postMessage") == []
    clockwork.deliver_job()
    assert len(team.sim.calls_to("chat.postMessage")) == 1
    clockwork.prune_job()


def test_the_delivery_job_re_adds_itself_and_the_tick_restores_it_if_lost(team: Team) -> None:
    team.workspace()
    scheduler, clockwork = build_scheduler(team.deps, blocking=False)
    scheduler.start(paused=True)  # jobs are stored, nothing runs on its own
    try:
        first = scheduler.get_job(DELIVER_JOB).next_run_time
        clockwork.deliver_job()  # a run ends: the next one is five seconds after it
        assert scheduler.get_job(DELIVER_JOB).next_run_time > first
        scheduler.remove_job(DELIVER_JOB)
        clockwork.tick_job()  # delivery ran just now: the job may be about to start
        assert scheduler.get_job(DELIVER_JOB) is None
        clockwork.ensure_delivery(quiet_for=0)  # the watchdog puts a lost delivery job back
        assert scheduler.get_job(DELIVER_JOB) is not None
        clockwork.stop.set()  # shutting down: no more re-adding
        scheduler.remove_job(DELIVER_JOB)
        clockwork.deliver_job()
        assert scheduler.get_job(DELIVER_JOB) is None
    finally:
        scheduler.shutdown(wait=False)


@pytest.mark.slow
def test_the_clock_process_runs_a_due_round_and_stops_cleanly_on_sigterm(team: Team) -> None:
    slot = datetime.now(UTC) - timedelta(minutes=2)
    pair_world(team, round_weekday=slot.weekday(), round_time=f"{slot:%H:%M}", timezone="UTC")
    with team.deps.unit_of_work() as session:
        session.execute(update(Workspace).values(created_at=slot - timedelta(days=1)))
        # At work round the clock, so the introduction is not held for a working morning.
        session.execute(update(Member).values(work_days=127, work_start=0, work_end=24 * 60))
    env = {
        **os.environ,
        "DATABASE_URL": team.deps.settings.database_url,
        "SLACK_API_URL": team.sim.api_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_CLIENT_ID": "",
        "SLACK_CLIENT_SECRET": "",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "scheduler"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        [call] = team.sim.wait_for("chat.postMessage", timeout=30)
        assert call.ok
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert "stopping the scheduler" in stderr and "Traceback" not in stderr
    [stored] = rounds(team)
    assert stored.state.value in ("matched", "delivered")

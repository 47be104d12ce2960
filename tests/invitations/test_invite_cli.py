"""``skillswap invite`` from the command line, against the simulator, on both databases."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.deps import Deps
from bot.sim import SlackSimulator
from bot.store.workspaces import get_or_create_workspace
from tests.invitations.invitations_kit import ANA, EVERYONE, LAUNCH, directory, invitations
from tests.support import BOT_TOKEN, SIGNING_SECRET, TEAM


def _skillswap(
    database_url: str, sim: SlackSimulator, cwd: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))}
    env |= {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": sim.api_url,
        "COLUMNS": "200",
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        cwd=cwd,
        check=False,
    )


@pytest.fixture
def workspace(deps: Deps, sim: SlackSimulator) -> Deps:
    directory(sim, TEAM)
    sim.add_channel(TEAM, LAUNCH, name="launch", members=EVERYONE)
    with deps.unit_of_work() as session:
        get_or_create_workspace(session=session, team_id=TEAM)
    return deps


def test_invite_from_the_command_line_posts_cards_dms_and_a_summary(
    workspace: Deps, sim: SlackSimulator, database_url: str, tmp_path: Path
) -> None:
    result = _skillswap(database_url, sim, tmp_path, "invite", "--channel", LAUNCH, "--dm")
    assert result.returncode == 0, result.stderr
    assert "invited" in result.stdout and "Delivered" in result.stdout
    assert "skipped: guests" in result.stdout
    assert len(sim.messages(LAUNCH)) == 1
    assert invitations(workspace)[ANA] == (LAUNCH, True, False)
    dms = [c for c in sim.calls_to("chat.postMessage") if c.params.get("channel", "")[:1] == "D"]
    assert len(dms) == 4  # the admin, Ana, Ben and Cal: the people (no bots, guests…)

    again = _skillswap(database_url, sim, tmp_path, "invite", "--channel", LAUNCH, "--dm")
    assert again.returncode == 0, again.stderr
    dms_after = [
        c for c in sim.calls_to("chat.postMessage") if c.params.get("channel", "")[:1] == "D"
    ]
    assert len(dms_after) == 4


@pytest.mark.parametrize(
    ("channel", "says"),
    [
        ("D0DM00001", "direct message or a person"),
        ("hello", "is not a channel id"),
        ("C0NOPE001", "I can't find"),
    ],
)
def test_a_bad_channel_is_refused_with_the_reason(
    workspace: Deps, sim: SlackSimulator, database_url: str, tmp_path: Path, channel: str, says: str
) -> None:
    result = _skillswap(database_url, sim, tmp_path, "invite", "--channel", channel, "--dm")
    assert result.returncode == 2
    assert says in result.stdout + result.stderr
    assert "nothing was sent" in result.stderr
    assert "Traceback" not in result.stderr
    assert sim.calls_to("chat.postMessage") == []

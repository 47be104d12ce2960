"""Shared set-up for the invitation tests: a workspace directory and a channel of people."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.delivery.worker import DeliveryReport, deliver_pending
from bot.deps import Deps
from bot.sim import SlackSimulator
from bot.store.models import Invitation, OutboxMessage

ADMIN = "U0ADMIN01"
ANA, BEN, CAL = "U0ANA0001", "U0BEN0002", "U0CAL0003"
BOT, GUEST, GONE, SOLO = "U0BOT0004", "U0GST0005", "U0DEL0006", "U0SOL0007"
SLACKBOT = "USLACKBOT"
LAUNCH = "C0LAUNCH1"

INVITE_CALLBACK = "invite_people"


def directory(sim: SlackSimulator, team_id: str) -> None:
    """An admin, three colleagues, a bot, a guest, a deactivated account, a single-channel
    guest, and Slackbot."""
    sim.add_user(team_id, ADMIN, name="ada", real_name="Ada Admin", is_admin=True)
    sim.add_user(team_id, ANA, name="ana", real_name="Ana Ruiz", tz="Europe/Madrid", title="Design")
    sim.add_user(team_id, BEN, name="ben", real_name="Ben Okoro", title="Data")
    sim.add_user(team_id, CAL, name="cal", real_name="Cal Park", tz="America/New_York")
    sim.add_user(team_id, BOT, name="deploybot", is_bot=True)
    sim.add_user(team_id, GUEST, name="gus", is_restricted=True)
    sim.add_user(team_id, GONE, name="gone", deleted=True)
    sim.add_user(team_id, SOLO, name="solo", is_ultra_restricted=True)
    sim.add_user(team_id, SLACKBOT, name="slackbot")


EVERYONE = [ADMIN, ANA, BEN, CAL, BOT, GUEST, GONE, SOLO, SLACKBOT]


def invite_state(channels: list[str], dm: bool) -> dict[str, Any]:
    """``view.state.values`` of the *Invite people* modal as Slack sends it."""
    boxes = [{"text": {"type": "plain_text", "text": "DM"}, "value": "dm"}] if dm else []
    return {
        "invite_channels": {
            "value": {"type": "multi_conversations_select", "selected_conversations": channels}
        },
        "invite_dm": {"value": {"type": "checkboxes", "selected_options": boxes}},
    }


@contextmanager
def session_of(deps: Deps) -> Iterator[Session]:
    with deps.unit_of_work() as session:
        yield session


def invitations(deps: Deps) -> dict[str, tuple[str | None, bool, bool]]:
    """user → (channel, invited, joined) for every invitation row."""
    with session_of(deps) as s:
        return {
            i.slack_user_id: (i.channel_id, i.invited_at is not None, i.joined_at is not None)
            for i in s.scalars(select(Invitation))
        }


def outbox_kinds(deps: Deps, kind: str) -> list[OutboxMessage]:
    with session_of(deps) as s:
        rows = list(s.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)))
        s.expunge_all()
        return rows


def deliver(deps: Deps) -> DeliveryReport:
    return deliver_pending(deps, until_idle=True)


def dm_recipients(sim: SlackSimulator, team_id: str, text: str) -> list[str]:
    """Who got a DM whose text contains ``text`` (by the DM channel the simulator made)."""
    by_channel = {sim.dm_channel_id(team_id, u): u for u in EVERYONE}
    return sorted(
        by_channel[m["channel"]]
        for m in sim.messages()
        if m.get("channel") in by_channel and text in json.dumps(m)
    )


def eventually(check: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Poll ``check`` until it returns something truthy, or fail at the deadline (listeners
    run after the ack)."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"condition still false after {timeout}s")
        pause.wait(0.01)

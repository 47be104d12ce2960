"""Helpers for the hardening tests: whole-database snapshots, replies by hook, draining."""

from __future__ import annotations

import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from bot.sim import Reply, SignedClient, SlackSimulator
from bot.sim.server import RESPONSE_URL_METHOD
from bot.store.models import Base
from bot.web import SkillSwapWsgi
from tests.support import TEAM, Harness

Snapshot = dict[str, list[tuple[Any, ...]]]
# A reply meaning an exception escaped a listener (the error handler's generic text).
GENERIC_ERROR = "Something went wrong on our side"
TRACEBACK_MARKERS = ("Traceback (most recent call last)", 'File "', "sqlalchemy.exc", "Error:")


@dataclass
class Served:
    harness: Harness
    wsgi: SkillSwapWsgi

    @property
    def sim(self) -> SlackSimulator:
        return self.harness.sim

    @property
    def slack(self) -> SignedClient:
        return self.harness.slack

    def drain(self) -> None:
        """Wait for every listener submitted so far; the app accepts no more work after."""
        executor = self.wsgi.app.listener_runner.listener_executor
        assert isinstance(executor, ThreadPoolExecutor)
        executor.shutdown(wait=True)

    def command(
        self, text: str, *, user_id: str = "UALICE", wait: bool = True, timeout: float = 10
    ) -> tuple[Reply, dict[str, Any] | None]:
        """``/skillswap <text>``; with ``wait``, also the one reply on its own response URL."""
        hook = secrets.token_hex(8)
        reply = self.slack.slash_command(
            team_id=TEAM,
            user_id=user_id,
            text=text,
            response_url=f"{self.sim.base_url}/response/{hook}",
        )
        if not wait or reply.status != 200:
            return reply, None
        return reply, wait_for_hook(self.sim, hook, timeout=timeout)

    def action(
        self,
        action_id: str,
        value: str | None,
        *,
        user_id: str = "UALICE",
        wait: bool = True,
        timeout: float = 10,
    ) -> tuple[Reply, dict[str, Any] | None]:
        hook = secrets.token_hex(8)
        reply = self.slack.block_action(
            team_id=TEAM,
            user_id=user_id,
            action_id=action_id,
            value=value,
            response_url=f"{self.sim.base_url}/response/{hook}",
        )
        if not wait or reply.status != 200:
            return reply, None
        return reply, wait_for_hook(self.sim, hook, timeout=timeout)


def hook_calls(sim: SlackSimulator, hook: str) -> list[dict[str, Any]]:
    return [
        c.params for c in sim.calls_to(RESPONSE_URL_METHOD) if c.response.get("hook_id") == hook
    ]


def wait_for_hook(sim: SlackSimulator, hook: str, timeout: float = 10) -> dict[str, Any]:
    calls = sim.wait_for(
        RESPONSE_URL_METHOD,
        timeout=timeout,
        predicate=lambda c: c.response.get("hook_id") == hook,
    )
    params: dict[str, Any] = calls[0].params
    return params


def reply_text(reply: dict[str, Any] | None) -> str:
    """The text a member sees: ``text`` plus every string inside ``blocks``."""
    if reply is None:
        return ""
    parts: list[str] = [str(reply.get("text") or "")]

    def walk(node: Any) -> None:
        if isinstance(node, str):
            parts.append(node)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(reply.get("blocks") or [])
    return "\n".join(parts)


def assert_no_internal_error(reply: dict[str, Any] | None) -> None:
    text = reply_text(reply)
    assert GENERIC_ERROR not in text, f"an exception escaped a listener: {text[:300]!r}"
    for marker in TRACEBACK_MARKERS[:3]:
        assert marker not in text, f"internals shown to the member: {text[:300]!r}"


def snapshot(engine: Engine, *, skip: tuple[str, ...] = ()) -> Snapshot:
    """Every row of every table (``Base.metadata``), so a new table cannot be missed."""
    out: Snapshot = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in skip:
                continue
            rows = conn.execute(select(table)).all()
            out[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return out


def diff(before: Snapshot, after: Snapshot) -> dict[str, tuple[int, int]]:
    """Tables whose rows changed: name -> (rows before, rows after)."""
    return {
        name: (len(before.get(name, [])), len(rows))
        for name, rows in after.items()
        if rows != before.get(name, [])
    }


def state_from_view(view: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """``view.state.values`` as Slack would send it if the member submitted the modal as shown
    (every input element at its initial value)."""
    values: dict[str, dict[str, dict[str, Any]]] = {}
    for block in view.get("blocks") or []:
        if block.get("type") != "input":
            continue
        element = block.get("element") or {}
        kind = element.get("type")
        state: dict[str, Any] = {"type": kind}
        if kind == "plain_text_input":
            state["value"] = element.get("initial_value")
        elif kind in ("static_select", "external_select", "radio_buttons"):
            state["selected_option"] = element.get("initial_option")
        elif kind in ("multi_static_select", "multi_external_select", "checkboxes"):
            state["selected_options"] = element.get("initial_options") or []
        elif kind == "multi_users_select":
            state["selected_users"] = element.get("initial_users") or []
        elif kind in ("users_select",):
            state["selected_user"] = element.get("initial_user")
        elif kind in ("conversations_select", "channels_select"):
            state["selected_conversation"] = element.get("initial_conversation")
            state["selected_channel"] = element.get("initial_channel")
        elif kind == "timepicker":
            state["selected_time"] = element.get("initial_time")
        elif kind == "datepicker":
            state["selected_date"] = element.get("initial_date")
        elif kind == "number_input":
            state["value"] = element.get("initial_value")
        values[block["block_id"]] = {element.get("action_id", ""): state}
    return values

"""A whole SkillSwap installation in one process: the real app, the Slack simulator, a
temporary SQLite database and a driven clock.

Slack's side of every interaction goes through :class:`bot.sim.SignedClient` (signed slash
commands, button clicks, modal submissions over HTTP, exactly as Slack sends them); the app
answers through the simulator's Web API. Rounds, delivery and check-ins run through the
rounds service and the outbox worker, with time moved by a :class:`ManualClock`.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from bot.cli.db import upgrade
from bot.clock import ManualClock
from bot.deps import Deps
from bot.settings import Settings
from bot.sim import SignedClient, SlackSimulator
from bot.sim.records import RESPONSE_URL_METHOD
from bot.store.db import make_engine, make_session_factory

DEMO_BOT_TOKEN = "xoxb-skillswap-demo"  # accepted only by the in-process simulator
REQUEST_TIMEOUT = 20.0


def scratch_dir() -> str | None:
    """Where to keep the throw-away database: memory-backed ``/dev/shm`` when there is one
    (SQLite's commits are much cheaper there), else the system's temporary folder."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None


class StageError(RuntimeError):
    """Something in the staged workspace did not answer as Slack expects."""


@dataclass(frozen=True)
class Person:
    """A Slack user to add to the simulated workspace."""

    user_id: str
    name: str
    tz: str
    title: str = ""
    is_admin: bool = False


def initial_state(view: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """``view.state.values`` as Slack sends it when the user submits without touching anything:
    every input shows its initial value (``initial_option(s)``, ``initial_value``, …)."""
    values: dict[str, dict[str, Any]] = {}
    for blk in view.get("blocks") or []:
        if not isinstance(blk, Mapping) or blk.get("type") != "input":
            continue
        element = blk.get("element") or {}
        block_id, action_id = blk.get("block_id"), element.get("action_id")
        if not block_id or not action_id:
            continue
        kind = str(element.get("type") or "")
        state: dict[str, Any] = {"type": kind}
        if kind.startswith("multi_"):
            state["selected_options"] = list(element.get("initial_options") or [])
        elif kind.endswith("_select") or kind == "radio_buttons":
            state["selected_option"] = element.get("initial_option")
        elif kind == "plain_text_input":
            state["value"] = element.get("initial_value")
        elif kind == "datepicker":
            state["selected_date"] = element.get("initial_date")
        elif kind == "timepicker":
            state["selected_time"] = element.get("initial_time")
        elif kind == "checkboxes":
            state["selected_options"] = list(element.get("initial_options") or [])
        values[str(block_id)] = {str(action_id): state}
    return values


def form_values(
    view: Mapping[str, Any], changes: Mapping[str, Mapping[str, Any]]
) -> dict[str, dict[str, Any]]:
    """The modal's initial state with ``changes`` (``{block_id: {action_id: state}}``) applied:
    what Slack sends when someone fills in those inputs and leaves the rest as they were."""
    values = initial_state(view)
    for block_id, actions in changes.items():
        values.setdefault(block_id, {}).update({k: dict(v) for k, v in actions.items()})
    return values


class Stage:
    """Start with ``with Stage(...) as stage:``; everything stops and is removed on exit."""

    def __init__(
        self,
        directory: Path,
        *,
        start: datetime,
        team_id: str,
        team_name: str,
        admin_user_ids: Sequence[str] = (),
        log_level: str = "WARNING",
    ) -> None:
        self.directory = directory
        self.team_id = team_id
        self.team_name = team_name
        self.clock = ManualClock(start)
        self.database_url = f"sqlite:///{directory / 'skillswap-demo.db'}"
        self._admins = tuple(admin_user_ids)
        self._log_level = log_level
        self._signing_secret = secrets.token_hex(16)
        self._stack = ExitStack()
        self._deps: Deps | None = None
        self._sim: SlackSimulator | None = None
        self._slack: SignedClient | None = None
        self._server: Any = None

    # ------------------------------------------------------------------ lifecycle

    def __enter__(self) -> Self:
        from bot.demo.server import AppServer

        try:
            upgrade(self.database_url)
            sim = SlackSimulator(tokens={DEMO_BOT_TOKEN: self.team_id}).start()
            self._stack.callback(sim.stop)
            sim.add_team(self.team_id, name=self.team_name)
            settings = Settings(
                _env_file=None,
                # Explicit, so a real app's variables in the environment change nothing here.
                slack_bot_token=DEMO_BOT_TOKEN,
                slack_app_token=None,
                slack_client_id=None,
                slack_client_secret=None,
                delete_data_on_uninstall=False,
                slack_signing_secret=self._signing_secret,
                slack_api_url=sim.api_url,
                database_url=self.database_url,
                log_level=self._log_level,
                admin_user_ids=",".join(self._admins),
                web_threads=8,
            )
            engine = make_engine(self.database_url)
            self._stack.callback(engine.dispose)
            deps = Deps(
                settings=settings,
                engine=engine,
                session_factory=make_session_factory(engine),
                clock=self.clock,
            )
            server = AppServer(deps).start()
            self._stack.callback(server.stop)
            self._deps, self._sim, self._server = deps, sim, server
            self._slack = SignedClient(
                server.url, self._signing_secret, simulator=sim, timeout=REQUEST_TIMEOUT
            )
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stack.close()

    @property
    def deps(self) -> Deps:
        if self._deps is None:
            raise RuntimeError("the stage is not started")
        return self._deps

    @property
    def sim(self) -> SlackSimulator:
        if self._sim is None:
            raise RuntimeError("the stage is not started")
        return self._sim

    @property
    def slack(self) -> SignedClient:
        if self._slack is None:
            raise RuntimeError("the stage is not started")
        return self._slack

    def settle(self) -> None:
        """Wait until the app has finished what it does after acking Slack."""
        self._server.settle(REQUEST_TIMEOUT)

    # ------------------------------------------------------------------ people

    def add_people(self, people: Sequence[Person]) -> None:
        for person in people:
            self.sim.add_user(
                self.team_id,
                person.user_id,
                name=person.name,
                real_name=person.name,
                tz=person.tz,
                title=person.title or None,
                is_admin=person.is_admin,
            )

    # ------------------------------------------------------------------ Slack's side

    def _replies_to(self, response_url: str) -> list[dict[str, Any]]:
        hook = response_url.rstrip("/").rsplit("/", 1)[-1]
        return [
            call.params
            for call in self.sim.calls_to(RESPONSE_URL_METHOD)
            if call.status == 200 and call.response.get("hook_id") == hook
        ]

    def _check(self, status: int, what: str, body: str) -> None:
        if status != 200:
            raise StageError(f"{what}: the app answered HTTP {status} {body[:200]!r}")

    def command(self, user_id: str, text: str) -> list[dict[str, Any]]:
        """``/skillswap <text>`` as ``user_id``; returns the app's ephemeral replies."""
        response_url = self.sim.new_response_url()
        reply = self.slack.slash_command(
            team_id=self.team_id, user_id=user_id, text=text, response_url=response_url
        )
        self._check(reply.status, f"/skillswap {text.split(' ')[0]}", reply.body)
        self.settle()
        return self._replies_to(response_url)

    def click(
        self,
        user_id: str,
        message: Mapping[str, Any],
        action_id: str,
    ) -> list[dict[str, Any]]:
        """Click the button ``action_id`` of a posted ``message`` (with its channel and ts)."""
        found = find_button(message, action_id)
        if found is None:
            raise StageError(f"no button {action_id!r} in the message")
        block_id, value = found
        response_url = self.sim.new_response_url()
        reply = self.slack.block_action(
            team_id=self.team_id,
            user_id=user_id,
            action_id=action_id,
            value=value,
            block_id=block_id,
            message=message,
            response_url=response_url,
        )
        self._check(reply.status, f"button {action_id}", reply.body)
        self.settle()
        return self._replies_to(response_url)

    def submit(self, user_id: str, view: Mapping[str, Any], values: Mapping[str, Any]) -> Any:
        """Submit an opened modal with ``values`` (``view.state.values``, see
        :func:`form_values`); returns the app's JSON answer, if any."""
        reply = self.slack.view_submission(
            team_id=self.team_id,
            user_id=user_id,
            callback_id=str(view.get("callback_id") or ""),
            values=values,
            private_metadata=str(view.get("private_metadata") or ""),
            view_id=str(view.get("id") or "") or None,
        )
        self._check(reply.status, f"modal {view.get('callback_id')}", reply.body)
        self.settle()
        return reply.json

    def modals(self, callback_id: str) -> list[dict[str, Any]]:
        """Modals with ``callback_id`` the app opened or updated so far, oldest first."""
        return self.sim.views(callback_id)

    # ------------------------------------------------------------------ time

    def advance(self, delta: timedelta) -> datetime:
        return self.clock.advance(delta)

    def set_time(self, moment: datetime) -> None:
        self.clock.set(moment)


def find_button(message: Mapping[str, Any], action_id: str) -> tuple[str, str | None] | None:
    """(block_id, value) of the button ``action_id`` in a message's actions blocks."""
    for blk in message.get("blocks") or []:
        if not isinstance(blk, Mapping) or blk.get("type") != "actions":
            continue
        for element in blk.get("elements") or []:
            if isinstance(element, Mapping) and element.get("action_id") == action_id:
                value = element.get("value")
                return str(blk.get("block_id") or "b"), str(value) if value is not None else None
    return None


def button_labels(message: Mapping[str, Any]) -> dict[str, str]:
    """action_id → label of every button in the message."""
    labels: dict[str, str] = {}
    for blk in message.get("blocks") or []:
        if not isinstance(blk, Mapping) or blk.get("type") != "actions":
            continue
        for element in blk.get("elements") or []:
            if isinstance(element, Mapping) and element.get("type") == "button":
                text = element.get("text") or {}
                labels[str(element.get("action_id"))] = str(text.get("text") or "")
    return labels

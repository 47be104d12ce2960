"""What every test area shares (fixtures live in conftest.py): settings, serving the app, and
one Slack driver.

:class:`SlackDriver` plays Slack's side of HTTP mode against a served Bolt app: it sends
signed commands, clicks, modal submits and events, waits for what the app sent back, and
drains the app's listeners so a test can say that nothing *else* happened. :class:`Harness`
is that driver over the real SkillSwap app, with its ``deps`` and driven clock.

Reading what Slack shows: :func:`shown_text` (the words a person reads), :func:`payload_json`
(the whole payload, ids and button values included), :func:`buttons` / :func:`button`.

Helpers of one test area live next to its tests as ``tests/<area>/<area>_kit.py``.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from socketserver import ThreadingMixIn
from typing import Any, TypeVar
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import App
from sqlalchemy import Engine, Table, select

from bot.app import create_app
from bot.clock import ManualClock
from bot.deps import Deps
from bot.settings import Settings
from bot.sim import RecordedCall, Reply, SignedClient, SlackSimulator
from bot.sim.server import RESPONSE_URL_METHOD
from bot.store.models import Base, Workspace
from bot.web import create_wsgi_app

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
IN_CI = os.environ.get("CI", "").lower() == "true"
TEAM = "T0001"
BOT_TOKEN = "xoxb-test-token"
SIGNING_SECRET = "test-signing-secret"
# A Monday morning: the default round day.
START = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
#: How long a test waits for the app by default (listeners run after the ack).
WAIT_SECONDS = 10.0


def make_settings(
    database_url: str, api_url: str = "http://127.0.0.1:9/api/", **extra: Any
) -> Settings:
    values: dict[str, Any] = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": api_url,
        "database_url": database_url,
        "log_level": "INFO",
    }
    values.update(extra)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


# --------------------------------------------------------------------------- waiting


def wait_until(
    condition: Callable[[], bool], *, timeout: float = WAIT_SECONDS, what: str = "condition"
) -> None:
    """Check ``condition`` until it holds; fail once the deadline passes.

    For effects with no listener to drain (another process, a socket); for what a listener
    does, :meth:`SlackDriver.drain` and then assert.
    """
    deadline = time.monotonic() + timeout
    idle = threading.Event()  # never set: its timed wait paces the checks
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} still false after {timeout}s")
        idle.wait(0.005)


class Listeners:
    """Every listener run a Bolt app submitted to its thread pool, so a test can wait for all
    of them (Bolt acks first and runs the listener after, in that pool)."""

    def __init__(self, app: App) -> None:
        executor = app.listener_runner.listener_executor
        submit = executor.submit
        self._futures: list[Future[Any]] = []
        self._lock = threading.Lock()

        def tracked(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
            future: Future[Any] = submit(fn, *args, **kwargs)
            with self._lock:
                self._futures.append(future)
            return future

        # The instance attribute shadows the method for Bolt's listener and lazy runners,
        # which share this executor.
        setattr(executor, "submit", tracked)  # noqa: B010

    def drain(self, timeout: float = WAIT_SECONDS * 3) -> None:
        """Wait until every listener submitted so far (and any they submitted) has finished."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                running = [f for f in self._futures if not f.done()]
            if not running:
                return
            _, not_done = wait(running, timeout=max(0.0, deadline - time.monotonic()))
            if not_done:
                raise AssertionError(f"{len(not_done)} listener(s) still running after {timeout}s")


# --------------------------------------------------------------------------- the driver


@dataclass(frozen=True)
class Sent:
    """A request sent as Slack would: the app's HTTP answer (the ack) and, for commands and
    message clicks, the id of its own ``response_url`` so its replies are told apart."""

    http: Reply
    hook: str | None
    sim: SlackSimulator

    @property
    def status(self) -> int:
        return self.http.status

    @property
    def ack(self) -> dict[str, Any]:
        """The JSON the app acked with (e.g. a modal's ``response_action``), or ``{}``."""
        return self.http.json if isinstance(self.http.json, dict) else {}

    def replies(self) -> list[dict[str, Any]]:
        """What the app posted to this request's response URL so far (accepted ones)."""
        return [c.params for c in self.sim.calls_to(RESPONSE_URL_METHOD) if self._mine(c)]

    def reply(self, containing: str = "", timeout: float = WAIT_SECONDS) -> dict[str, Any]:
        """The first reply on this request's response URL (whose shown text has
        ``containing``), waiting for it up to ``timeout``."""

        def wanted(call: RecordedCall) -> bool:
            return self._mine(call) and containing in shown_text(call.params)

        calls = self.sim.wait_for(RESPONSE_URL_METHOD, timeout=timeout, predicate=wanted)
        params: dict[str, Any] = calls[0].params
        return params

    def _mine(self, call: RecordedCall) -> bool:
        assert self.hook is not None, "this request had no response URL"
        return call.status == 200 and call.response.get("hook_id") == self.hook


@dataclass(kw_only=True)
class SlackDriver:
    """Slack's side of a served Bolt app: signed requests in, the Web API calls it made out."""

    slack: SignedClient
    sim: SlackSimulator
    listeners: Listeners
    team_id: str = TEAM

    def _hook(self) -> tuple[str, str]:
        hook = secrets.token_hex(8)
        return hook, f"{self.sim.base_url}/response/{hook}"

    # ------------------------------------------------------------------ commands

    def send_command(
        self, user: str, text: str, *, team_id: str | None = None, **fields: Any
    ) -> Sent:
        """``/skillswap <text>`` from ``user``, whatever the app answers (no waiting)."""
        hook, url = self._hook()
        http = self.slack.slash_command(
            team_id=team_id or self.team_id, user_id=user, text=text, response_url=url, **fields
        )
        return Sent(http, hook, self.sim)

    def command(
        self, user: str, text: str, *, team_id: str | None = None, **fields: Any
    ) -> dict[str, Any]:
        """``/skillswap <text>`` from ``user``; returns the reply the member sees."""
        sent = self.send_command(user, text, team_id=team_id, **fields)
        assert sent.status == 200, sent.http.body
        return sent.reply()

    # ------------------------------------------------------------------ interactivity

    def send_click(
        self,
        user: str,
        action: str | Mapping[str, Any],
        *,
        message: Mapping[str, Any] | None = None,
        view: Mapping[str, Any] | None = None,
        value: str | None = None,
        team_id: str | None = None,
        **fields: Any,
    ) -> Sent:
        """``user`` clicks a button, given as its element or its action id. From ``message``
        (one Slack stored) or ``view`` (a modal or Home), the button's value is taken from it;
        without either, from an ephemeral reply."""
        element: Mapping[str, Any]
        if isinstance(action, str):
            shown = message if message is not None else view
            element = button(shown, action) if shown is not None else {"action_id": action}
        else:
            element = action
        hook, url = (None, None) if view is not None else self._hook()
        http = self.slack.block_action(
            team_id=team_id or self.team_id,
            user_id=user,
            action_id=str(element["action_id"]),
            value=value if value is not None else element.get("value"),
            message=message,
            view=view,
            response_url=url,
            **fields,
        )
        return Sent(http, hook, self.sim)

    def click(
        self,
        user: str,
        action: str | Mapping[str, Any],
        *,
        message: Mapping[str, Any] | None = None,
        view: Mapping[str, Any] | None = None,
        value: str | None = None,
        **fields: Any,
    ) -> Sent:
        """:meth:`send_click`, and the app must accept it (HTTP 200)."""
        sent = self.send_click(user, action, message=message, view=view, value=value, **fields)
        assert sent.status == 200, sent.http.body
        return sent

    def submit(
        self,
        user: str,
        callback_id: str,
        values: Mapping[str, Any],
        *,
        private_metadata: str = "",
        **fields: Any,
    ) -> dict[str, Any]:
        """Submit a modal (``values`` as Slack's ``view.state.values``); returns the ack's JSON
        (``{}`` when the modal just closes)."""
        http = self.slack.view_submission(
            team_id=self.team_id,
            user_id=user,
            callback_id=callback_id,
            values=values,
            private_metadata=private_metadata,
            **fields,
        )
        assert http.status == 200, http.body
        return http.json if isinstance(http.json, dict) else {}

    def event(
        self, event: Mapping[str, Any], *, team_id: str | None = None, **fields: Any
    ) -> Reply:
        """An Events API callback (acked at once; its listener runs after)."""
        return self.slack.event(team_id=team_id or self.team_id, event=event, **fields)

    # ------------------------------------------------------------------ what came out

    def drain(self) -> None:
        """Wait for every listener started so far: after this, nothing more will happen
        unless the test sends something (then assert that nothing else happened)."""
        self.listeners.drain()

    def calls(self, method: str) -> list[RecordedCall]:
        """Web API calls to ``method`` so far."""
        return self.sim.calls_to(method)

    def dm(self, *users: str) -> list[dict[str, Any]]:
        """Messages in the (group) DM of ``users`` with the app, oldest first."""
        return self.sim.messages(self.sim.dm_channel_id(self.team_id, *users))

    def latest(self, message: Mapping[str, Any]) -> dict[str, Any]:
        """``message`` as Slack shows it now (after any ``chat.update``)."""
        return next(m for m in self.sim.messages(message["channel"]) if m["ts"] == message["ts"])


@dataclass(kw_only=True)
class Harness(SlackDriver):
    """The real SkillSwap app served over HTTP, driven from Slack's side."""

    deps: Deps
    clock: ManualClock
    url: str


# --------------------------------------------------------------------------- reading payloads


@contextmanager
def writer_holding_its_transaction(deps: Deps, team_id: str = "T0WRITER") -> Iterator[Any]:
    """A writer that has added workspace ``team_id`` and keeps its transaction open until the
    block ends; yields a thread pool to read from meanwhile. The block must not outlast the
    writer (it is still open when the block ends); the writer commits after it."""
    inside = threading.Event()
    release = threading.Event()

    def writer() -> None:
        with deps.unit_of_work() as session:
            session.add(Workspace(team_id=team_id))
            session.flush()
            inside.set()
            assert release.wait(timeout=30)

    with ThreadPoolExecutor(max_workers=2) as pool:
        holding = pool.submit(writer)
        assert inside.wait(timeout=10)
        try:
            yield pool
            assert not holding.done()
        finally:
            release.set()
        holding.result(timeout=10)


def shown_text(payload: Mapping[str, Any] | list[Any] | None) -> str:
    """The words a person reads: a message's ``text`` and every string in its ``blocks``, a
    view's ``title`` and ``blocks``, or those of a list of blocks; one per line. Ids, button
    values and styles are not read by anyone, so they are left out."""
    if payload is None:
        return ""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, str):
            parts.append(node)
        elif isinstance(node, Mapping):
            for key, value in node.items():
                if key not in ("action_id", "block_id", "value", "type", "style"):
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    if isinstance(payload, list):
        walk(payload)
    else:
        parts.append(str(payload.get("text") or ""))
        walk(payload.get("title"))
        walk(payload.get("blocks") or [])
    return "\n".join(p for p in parts if p)


def payload_json(payload: Mapping[str, Any]) -> str:
    """The whole payload as JSON: shown text and also ids and button values."""
    return json.dumps(payload, ensure_ascii=False, default=str)


def buttons(payload: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """{action_id: element} of every button or select in a message's or view's blocks."""
    found: dict[str, dict[str, Any]] = {}
    for block in payload.get("blocks") or []:
        elements = list(block.get("elements") or [])
        if block.get("accessory"):
            elements.append(block["accessory"])
        if isinstance(block.get("element"), dict):
            elements.append(block["element"])
        for element in elements:
            if isinstance(element, dict) and element.get("action_id"):
                found[str(element["action_id"])] = dict(element)
    return found


def button(payload: Mapping[str, Any], action_id: str) -> dict[str, Any]:
    """The button ``action_id`` in a message or view; fails saying what was there."""
    found = buttons(payload)
    if action_id not in found:
        raise AssertionError(f"no button {action_id!r} in {shown_text(payload)[:200]!r}")
    return found[action_id]


# --------------------------------------------------------------------------- the database

Snapshot = dict[str, list[tuple[Any, ...]]]


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


def rows_mentioning(engine: Engine, *needles: str) -> list[str]:
    """``table: row`` for every row of every table with one of ``needles`` in its text."""
    found = []
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(select(table)).all():
                dumped = "\t".join(str(value) for value in row)
                if any(needle in dumped for needle in needles):
                    found.append(f"{table.name}: {dumped[:300]}")
    return found


def member_fk_columns(table: Table) -> list[str]:
    """The columns of ``table`` that point at ``members.id``."""
    return [
        c.name
        for c in table.columns
        if any(fk.column.table.name == "members" for fk in c.foreign_keys)
    ]


def rows_referencing_member(engine: Engine, member_id: int) -> dict[str, int]:
    """{``table.column``: rows} of every row with a foreign key to that member."""
    found: dict[str, int] = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for name in member_fk_columns(table):
                rows = conn.execute(select(table).where(table.c[name] == member_id)).all()
                if rows:
                    found[f"{table.name}.{name}"] = len(rows)
    return found


# --------------------------------------------------------------------------- serving


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True

    def server_close(self) -> None:
        """Close the socket, then let the app finish the listeners still running after their
        ack and release its database (as a worker does on SIGTERM): a listener must never
        hold a pooled connection after the test's engine is disposed."""
        super().server_close()
        close = getattr(self.get_app(), "close", None)
        if callable(close):
            close()


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class LoopbackServer:
    """A WSGI app on a loopback port; :meth:`stop` shuts it down."""

    url: str
    server: _ThreadingWSGIServer
    thread: threading.Thread = field(repr=False)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=WAIT_SECONDS)


def serve_wsgi(wsgi: Any, path: str = "/slack/events") -> LoopbackServer:
    """Serve ``wsgi`` on an ephemeral loopback port (threads, like gunicorn's workers)."""
    server = make_server(
        "127.0.0.1", 0, wsgi, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
    )
    assert isinstance(server, _ThreadingWSGIServer)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    return LoopbackServer(f"http://127.0.0.1:{server.server_port}{path}", server, thread)


H = TypeVar("H", bound=Harness)


@contextmanager
def serve(
    deps: Deps,
    sim: SlackSimulator,
    clock: ManualClock,
    *,
    team_id: str = TEAM,
    kind: type[H] = Harness,  # type: ignore[assignment]
) -> Iterator[H]:
    """The real app, served until the block ends; a :class:`Harness` (or ``kind``) on it."""
    app = create_app(deps)
    listeners = Listeners(app)
    served = serve_wsgi(create_wsgi_app(app, deps))
    try:
        yield kind(
            slack=SignedClient(served.url, SIGNING_SECRET, simulator=sim),
            sim=sim,
            listeners=listeners,
            team_id=team_id,
            deps=deps,
            clock=clock,
            url=served.url,
        )
    finally:
        served.stop()

"""A fake Slack Web API over real HTTP, for tests, benchmarks and ``skillswap demo``.

``SlackSimulator`` serves ``POST /api/<method>`` on an ephemeral loopback port and answers like
Slack does: HTTP 200 with ``ok:false`` for API errors, 429 + ``Retry-After`` when rate limited,
Block Kit validated with ``slack_sdk.models``. It also serves file upload URLs
(``/upload/<file_id>``) and ``response_url`` webhooks (``/response/<id>``), records every call
and can inject faults. The idea of a thread-backed ``http.server`` fake follows bolt-python's
``tests/mock_web_api_server`` and python-slack-sdk's mock handler; the code is our own.
"""

from __future__ import annotations

import contextlib
import copy
import json
import logging
import secrets
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

from bot.sim.blocks_check import BlockError, check_message
from bot.sim.directory import build_user
from bot.sim.methods import _METHODS, WebApiMethods
from bot.sim.records import (
    _JSON_FIELDS,
    _NO_AUTH_METHODS,
    RESPONSE_URL_METHOD,
    RecordedCall,
    SlackApiFailure,
    UploadedFile,
    _Bot,
    _Ctx,
    _Fault,
    _json_bytes,
    _OAuthGrant,
    _Reply,
    _short,
)

logger = logging.getLogger(__name__)


# An idle kept-alive connection is closed after this long (a thread serves each connection).
KEEP_ALIVE_SECONDS = 60.0


class _Server(ThreadingHTTPServer):
    """One thread per connection; it serves that connection's requests until the client
    closes it, asks ``Connection: close``, or leaves it idle for ``KEEP_ALIVE_SECONDS``."""

    daemon_threads = True
    simulator: SlackSimulator

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self.lock = threading.Lock()
        self.accepted = 0
        self.open: dict[socket.socket, bool] = {}  # each open connection: serving a request?

    def process_request(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any
    ) -> None:
        if isinstance(request, socket.socket):
            with self.lock:
                self.accepted += 1
                self.open[request] = False
        super().process_request(request, client_address)

    def shutdown_request(self, request: socket.socket | tuple[bytes, socket.socket]) -> None:
        if isinstance(request, socket.socket):
            with self.lock:
                self.open.pop(request, None)
        super().shutdown_request(request)

    def serving(self, connection: socket.socket, busy: bool) -> None:
        with self.lock:
            if connection in self.open:
                self.open[connection] = busy

    def hang_up(self, *, idle_only: bool) -> int:
        """Close open connections (``idle_only``: those between two requests); how many."""
        with self.lock:
            chosen = [c for c, busy in self.open.items() if not (idle_only and busy)]
        for connection in chosen:
            with contextlib.suppress(OSError):  # already gone
                connection.shutdown(socket.SHUT_RDWR)  # its thread sees the end and closes it
        return len(chosen)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"  # keep-alive, as Slack's servers do
    timeout = KEEP_ALIVE_SECONDS
    # An answer leaves in one write when the handler returns (headers and body together),
    # without waiting for the client to acknowledge a previous packet (Nagle).
    wbufsize = -1
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("sim http: " + format, *args)

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _serve(self, verb: str) -> None:
        self.server.serving(self.request, True)
        try:
            self._answer(verb)
        finally:
            self.server.serving(self.request, False)

    def _answer(self, verb: str) -> None:
        body = self._read_body() if verb == "POST" else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        reply = self.server.simulator.handle_http(verb, self.path, headers, body)
        if reply.hang_up:
            self.close_connection = True
            return
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        # idle again before the answer is complete: once a client has it, closing this
        # connection as idle can never cut a request short
        self.server.serving(self.request, False)
        self.wfile.write(reply.body)

    def do_POST(self) -> None:
        self._serve("POST")

    def do_GET(self) -> None:
        self._serve("GET")


class SlackSimulator(WebApiMethods):
    """A fake Slack (Web API, upload URLs, response URLs) on ``127.0.0.1:<ephemeral>``.

    ``tokens`` maps bot token → team id. ``clock`` (seconds since the epoch) drives message
    timestamps, trigger-id expiry and rate-limit buckets; it defaults to :func:`time.time`.
    Every public method is thread-safe.
    """

    _server: _Server | None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> Self:
        if self._server is not None:
            return self
        self._stopping.clear()
        server = _Server(("127.0.0.1", 0), _Handler)
        server.simulator = self
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"slack-simulator-{server.server_port}",
            daemon=True,
        )
        self._server, self._thread = server, thread
        thread.start()
        logger.info("Slack simulator listening on %s", self.base_url)
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.hang_up(idle_only=False)
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def api_url(self) -> str:
        return self.base_url + "/api/"

    @property
    def connections_accepted(self) -> int:
        """TCP connections accepted since :meth:`start` (each serves one or more requests)."""
        server = self._server
        if server is None:
            return 0
        with server.lock:
            return server.accepted

    def close_idle_connections(self) -> int:
        """Close every kept-alive connection that sits between two requests, as a server whose
        idle timeout ran out does; returns how many. Call it while no request is under way."""
        server = self._server
        return server.hang_up(idle_only=True) if server is not None else 0

    # ------------------------------------------------------------------ configuration

    def add_user(
        self,
        team_id: str,
        user_id: str,
        *,
        name: str,
        real_name: str | None = None,
        tz: str = "Europe/London",
        is_bot: bool = False,
        deleted: bool = False,
        is_admin: bool = False,
        is_owner: bool = False,
        title: str | None = None,
        email: str | None = None,
        is_restricted: bool = False,
        is_ultra_restricted: bool = False,
    ) -> dict[str, Any]:
        """Add (or replace) a user in a workspace's directory; returns the user object."""
        user = build_user(
            team_id,
            user_id,
            name=name,
            real_name=real_name,
            tz=tz,
            is_bot=is_bot,
            deleted=deleted,
            is_admin=is_admin,
            is_owner=is_owner,
            title=title,
            email=email,
            is_restricted=is_restricted,
            is_ultra_restricted=is_ultra_restricted,
            at=datetime.fromtimestamp(self.now(), UTC),
        )
        with self._cond:
            self.add_team(team_id)
            self._users.setdefault(team_id, {})[user_id] = user
        return copy.deepcopy(user)

    def add_channel(
        self,
        team_id: str,
        channel_id: str,
        *,
        name: str,
        members: Sequence[str],
        is_private: bool = False,
        app_is_member: bool = True,
        is_archived: bool = False,
    ) -> None:
        """A channel of ``team_id``. The app reads a public channel's members whether or not it
        is in it (``channels:read``); a private one only if it is (otherwise Slack answers
        ``channel_not_found``, as if it did not exist)."""
        with self._cond:
            self.add_team(team_id)
            self._channels[channel_id] = {
                "team_id": team_id,
                "id": channel_id,
                "name": name,
                "is_channel": not is_private,
                "is_group": is_private,
                "is_private": is_private,
                "is_archived": is_archived,
                "is_member": app_is_member,
                "members": list(dict.fromkeys(members)),
            }

    def add_usergroup(
        self, team_id: str, usergroup_id: str, *, handle: str, users: Sequence[str]
    ) -> None:
        """A user group (``@handle``) of ``team_id`` and its members."""
        with self._cond:
            self.add_team(team_id)
            self._usergroups.setdefault(team_id, {})[usergroup_id] = {
                "id": usergroup_id,
                "team_id": team_id,
                "handle": handle,
                "name": handle,
                "is_usergroup": True,
                "users": list(dict.fromkeys(users)),
                "user_count": len(set(users)),
            }

    def set_profile_fields(self, team_id: str, fields: Mapping[str, str]) -> None:
        """The workspace's custom profile fields (id → label), for ``team.profile.get``."""
        with self._cond:
            self._profile_fields[team_id] = dict(fields)

    def set_user_field(self, team_id: str, user_id: str, field_id: str, value: str) -> None:
        """A custom profile field's value for a user (seen by ``users.profile.get``)."""
        with self._cond:
            user = self._users[team_id][user_id]
            fields = user["profile"].get("fields") or {}
            fields[field_id] = {"value": value, "alt": ""}
            user["profile"]["fields"] = fields

    def register_oauth_code(
        self,
        code: str,
        team_id: str,
        team_name: str,
        bot_token: str,
        bot_user_id: str,
        scopes: tuple[str, ...] | list[str] | str,
        authed_user_id: str,
        *,
        bot_id: str | None = None,
        enterprise_id: str | None = None,
    ) -> None:
        """Make ``oauth.v2.access(code=code)`` install the app in ``team_id`` (once)."""
        scope_list = tuple(scopes.split(",")) if isinstance(scopes, str) else tuple(scopes)
        with self._cond:
            self._oauth_codes[code] = _OAuthGrant(
                code=code,
                team_id=team_id,
                team_name=team_name,
                bot_token=bot_token,
                bot_user_id=bot_user_id,
                scopes=scope_list,
                authed_user_id=authed_user_id,
                bot_id=bot_id or f"BB{team_id}",
                enterprise_id=enterprise_id,
            )

    def issue_trigger_id(self) -> str:
        """A fresh trigger id, ``<issue unix ms>.<serial>.<random>``, valid for 3 s."""
        return f"{int(self.now() * 1000)}.{next(self._ids)}.{secrets.token_hex(4)}"

    def new_response_url(self) -> str:
        return f"{self.base_url}/response/{secrets.token_hex(8)}"

    # ------------------------------------------------------------------ faults

    def _add_fault(self, method: str, fault: _Fault) -> None:
        if fault.times < 1:
            raise ValueError("times must be at least 1")
        with self._cond:
            self._faults.setdefault(method, deque()).append(fault)

    def fail_next(self, method: str, error: str = "internal_error", times: int = 1) -> None:
        """The next ``times`` calls to ``method`` answer ``ok:false`` with ``error``."""
        self._add_fault(method, _Fault("error", times, error=error))

    def rate_limit_next(self, method: str, times: int = 1, retry_after: int = 1) -> None:
        """The next ``times`` calls answer HTTP 429 with ``Retry-After: retry_after``."""
        self._add_fault(method, _Fault("ratelimit", times, retry_after=retry_after))

    def server_error_next(self, method: str, times: int = 1, status: int = 500) -> None:
        self._add_fault(method, _Fault("server_error", times, status=status))

    def slow_next(self, method: str, seconds: float, times: int = 1) -> None:
        """Delay the next ``times`` calls by ``seconds`` (then answer normally)."""
        self._add_fault(method, _Fault("slow", times, seconds=seconds))

    def hang_up_next_response(self, times: int = 1) -> None:
        """The next ``times`` ``response_url`` posts are taken (recorded, shown) but the
        connection closes before the answer: a reply the app cannot know arrived."""
        self._add_fault(RESPONSE_URL_METHOD, _Fault("hang_up", times))

    # ------------------------------------------------------------------ inspection

    @property
    def calls(self) -> list[RecordedCall]:
        with self._cond:
            return list(self._calls)

    def calls_to(self, method: str) -> list[RecordedCall]:
        with self._cond:
            return [c for c in self._calls if c.method == method]

    def wait_for(
        self,
        method: str,
        *,
        count: int = 1,
        timeout: float = 5.0,
        predicate: Callable[[RecordedCall], bool] | None = None,
    ) -> list[RecordedCall]:
        """Wait until ``count`` calls to ``method`` (matching ``predicate``) were recorded.

        Returns every matching call recorded at that moment (at least ``count``).
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                matched = [
                    c
                    for c in self._calls
                    if c.method == method and (predicate is None or predicate(c))
                ]
                if len(matched) >= count:
                    return matched
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    recent = "\n".join(
                        f"  {c.method} status={c.status} ok={c.response.get('ok')} "
                        f"error={c.response.get('error')} params={_short(c.params)}"
                        for c in self._calls[-15:]
                    )
                    raise AssertionError(
                        f"expected {count} call(s) to {method!r}"
                        f"{' matching the predicate' if predicate else ''} within {timeout}s, "
                        f"saw {len(matched)}. Recent calls ({len(self._calls)} total):\n"
                        f"{recent or '  (none)'}"
                    )
                self._cond.wait(remaining)

    def responses(self) -> list[dict[str, Any]]:
        """JSON bodies accepted on ``response_url``s, in arrival order."""
        return [c.params for c in self.calls_to(RESPONSE_URL_METHOD) if c.status == 200]

    def wait_for_response(
        self,
        count: int = 1,
        timeout: float = 5.0,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
    ) -> list[dict[str, Any]]:
        def accepted(call: RecordedCall) -> bool:
            return call.status == 200 and (predicate is None or predicate(call.params))

        calls = self.wait_for(RESPONSE_URL_METHOD, count=count, timeout=timeout, predicate=accepted)
        return [c.params for c in calls]

    def messages(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Stored messages (oldest first), each with its ``channel``; scheduled messages whose
        time has come are posted first."""
        with self._cond:
            self.post_due_scheduled()
            return [
                {**copy.deepcopy(m.body), "channel": m.channel}
                for m in self._messages
                if channel is None or m.channel == channel
            ]

    def ephemerals(self, channel: str | None = None) -> list[dict[str, Any]]:
        with self._cond:
            return [
                {**copy.deepcopy(m.body), "channel": m.channel}
                for m in self._ephemerals
                if channel is None or m.channel == channel
            ]

    def home_view(self, team_id: str | None, user_id: str) -> dict[str, Any] | None:
        """The latest Home tab published for ``user_id`` (in ``team_id``, or any team)."""
        with self._cond:
            for (team, user), view_id in reversed(list(self._homes.items())):
                if user == user_id and (team_id is None or team == team_id):
                    return copy.deepcopy(self._views[view_id])
            return None

    def view(self, view_id: str) -> dict[str, Any] | None:
        with self._cond:
            found = self._views.get(view_id)
            return copy.deepcopy(found) if found is not None else None

    def views(self, callback_id: str | None = None) -> list[dict[str, Any]]:
        """Modals opened, pushed or updated (not Home tabs), oldest first."""
        with self._cond:
            return [
                copy.deepcopy(v)
                for v in self._views.values()
                if v["type"] == "modal" and (callback_id is None or v["callback_id"] == callback_id)
            ]

    def scheduled_messages(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Messages ``chat.scheduleMessage`` holds (not posted, not deleted), soonest first,
        each with its ``channel``, ``post_at`` and ``scheduled_message_id``."""
        with self._cond:
            return [
                {
                    **copy.deepcopy(s.body),
                    "channel": s.channel,
                    "post_at": s.post_at,
                    "scheduled_message_id": s.scheduled_id,
                }
                for s in sorted(self._scheduled.values(), key=lambda s: (s.post_at, s.scheduled_id))
                if channel is None or s.channel == channel
            ]

    def uploaded_files(self) -> list[UploadedFile]:
        with self._cond:
            return list(self._files)

    def reset(self) -> None:
        """Forget calls, messages, views, files, faults and rate-limit state.

        Tokens, teams, users and OAuth codes stay.
        """
        with self._cond:
            self._calls.clear()
            self._faults.clear()
            self._messages.clear()
            self._ephemerals.clear()
            self._views.clear()
            self._homes.clear()
            self._uploads.clear()
            self._files.clear()
            self._scheduled.clear()
            self._used_triggers.clear()
            self._conversations.clear()
            self._limiter.reset()
            self._cond.notify_all()

    # ------------------------------------------------------------------ HTTP entry

    def handle_http(self, verb: str, path: str, headers: Mapping[str, str], body: bytes) -> _Reply:
        """Answer one HTTP request (called from the server's handler threads)."""
        parts = urlsplit(path)
        route = parts.path
        if route.startswith("/api/"):
            params = self._parse_params(parts.query, headers, body)
            return self._api_call(route[len("/api/") :], params, headers)
        if route.startswith("/response/") and verb == "POST":
            return self._response_url(route[len("/response/") :], headers, body)
        if route.startswith("/upload/") and verb == "POST":
            return self._upload(route[len("/upload/") :], headers, body)
        return _Reply(404, b"not found", content_type="text/plain")

    @staticmethod
    def _parse_params(query: str, headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
        params: dict[str, Any] = {k: v[-1] for k, v in parse_qs(query).items()}
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if body:
            if content_type == "application/json":
                try:
                    decoded = json.loads(body)
                except ValueError:
                    decoded = None
                if isinstance(decoded, dict):
                    params.update(decoded)
                else:
                    params["__invalid_json__"] = True
            else:
                text = body.decode("utf-8", errors="replace")
                params.update({k: v[-1] for k, v in parse_qs(text, keep_blank_values=True).items()})
        for name in _JSON_FIELDS:
            value = params.get(name)
            if isinstance(value, str) and value[:1] in ("[", "{"):
                try:
                    params[name] = json.loads(value)
                except ValueError:
                    params[f"__invalid_{name}__"] = True
        return params

    def _api_call(self, method: str, params: dict[str, Any], headers: Mapping[str, str]) -> _Reply:
        auth = headers.get("authorization", "")
        token: str | None = auth[7:].strip() if auth.lower().startswith("bearer ") else None
        form_token = params.pop("token", None)
        if token is None and isinstance(form_token, str) and form_token:
            token = form_token
        bot = self._bots.get(token) if token else None
        team_id = bot.team_id if bot else None
        self.post_due_scheduled()  # Slack posts them when their time comes

        status, body, extra_headers = self._answer(method, params, token, bot, headers)
        self._record(
            RecordedCall(
                method=method,
                params=params,
                token=token,
                status=status,
                response=body,
                at=self.now(),
                team_id=team_id,
            )
        )
        logger.debug(
            "sim %s team=%s status=%s ok=%s error=%s",
            method,
            team_id,
            status,
            body.get("ok"),
            body.get("error"),
        )
        return _Reply(status, _json_bytes(body), headers=extra_headers)

    def _answer(
        self,
        method: str,
        params: dict[str, Any],
        token: str | None,
        bot: _Bot | None,
        headers: Mapping[str, str],
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        implementation = _METHODS.get(method)
        if implementation is None:
            return 404, {"ok": False, "error": "unknown_method", "req_method": method}, {}
        if method not in _NO_AUTH_METHODS:
            if token is None:
                return 200, {"ok": False, "error": "not_authed"}, {}
            if bot is None:
                return 200, {"ok": False, "error": "invalid_auth"}, {}
        fault = self._take_fault(method)
        if fault is not None:
            if fault.kind == "slow":
                self._stopping.wait(fault.seconds)
            elif fault.kind == "error":
                return 200, {"ok": False, "error": fault.error}, {}
            elif fault.kind == "ratelimit":
                return (
                    429,
                    {"ok": False, "error": "ratelimited"},
                    {"Retry-After": str(fault.retry_after)},
                )
            else:
                return fault.status, {"ok": False, "error": "fatal_error"}, {}
        if self.enforce_rate_limits and bot is not None:
            channel = params.get("channel")
            retry_after = self._limiter.take(
                method, bot.team_id, channel if isinstance(channel, str) else None
            )
            if retry_after is not None:
                return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)}
        if any(k.startswith("__invalid_") for k in params):
            return 200, {"ok": False, "error": "invalid_json"}, {}
        ctx = _Ctx(method=method, params=params, token=token, bot=bot, headers=headers)
        try:
            with self._cond:
                result = implementation(self, ctx)
        except SlackApiFailure as failure:
            body: dict[str, Any] = {"ok": False, "error": failure.error}
            if failure.messages:
                body["response_metadata"] = {"messages": failure.messages}
                if failure.error == "invalid_blocks":
                    body["errors"] = failure.messages
            return failure.status, body, {}
        except BlockError as problem:
            body = {
                "ok": False,
                "error": problem.error,
                "response_metadata": {"messages": problem.messages},
            }
            if problem.error == "invalid_blocks":
                body["errors"] = problem.messages
            return 200, body, {}
        return 200, {"ok": True, **result}, {}

    def _response_url(self, hook_id: str, headers: Mapping[str, str], body: bytes) -> _Reply:
        try:
            payload = json.loads(body or b"null")
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            payload = {"raw": body.decode(errors="replace")}
            self._record_response(hook_id, payload, 400)
            return _Reply(400, b"invalid_payload", content_type="text/html")
        fault = self._take_fault(RESPONSE_URL_METHOD)
        if fault is not None and fault.kind == "slow":
            self._stopping.wait(fault.seconds)
        elif fault is not None and fault.kind != "hang_up":
            # as the Web API answers these faults, over plain text
            status, error, headers = fault.status, "fatal_error", {}
            if fault.kind == "ratelimit":
                status, error = 429, "ratelimited"
                headers = {"Retry-After": str(fault.retry_after)}
            elif fault.kind == "error":
                status, error = 400, fault.error
            self._record_response(hook_id, payload, status)
            return _Reply(status, error.encode(), content_type="text/html", headers=headers)
        status, answer = self._record_response(hook_id, payload)
        hang_up = fault is not None and fault.kind == "hang_up"
        return _Reply(status, answer, content_type="text/html", hang_up=hang_up)

    def show_command_reply(self, payload: dict[str, Any], hook_id: str = "ack") -> int:
        """Record a slash command's immediate answer (the body of the app's HTTP 200).

        Slack shows that body to the member exactly like a ``response_url`` post, so it lands
        in :meth:`responses` too; returns 200, or 400 when Slack would reject its blocks.
        """
        return self._record_response(hook_id, payload)[0]

    def _record_response(
        self, hook_id: str, payload: dict[str, Any], status: int | None = None
    ) -> tuple[int, bytes]:
        answer = b"ok"
        if status is None:
            status = 200
            try:
                check_message(payload.get("text"), payload.get("blocks"))
            except BlockError as problem:
                status, answer = 400, problem.error.encode()
        self._record(
            RecordedCall(
                method=RESPONSE_URL_METHOD,
                params=payload,
                token=None,
                status=status,
                response={"ok": status == 200, "hook_id": hook_id},
                at=self.now(),
            )
        )
        logger.debug("sim response_url status=%s", status)
        return status, answer

    # ------------------------------------------------------------------ helpers (lock held)

    # ------------------------------------------------------------------ Web API methods

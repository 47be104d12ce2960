"""A fake Slack Web API over real HTTP, for tests, benchmarks and ``skillswap demo``.

``SlackSimulator`` serves ``POST /api/<method>`` on an ephemeral loopback port and answers like
Slack does: HTTP 200 with ``ok:false`` for API errors, 429 + ``Retry-After`` when rate limited,
Block Kit validated with ``slack_sdk.models``. It also serves file upload URLs
(``/upload/<file_id>``) and ``response_url`` webhooks (``/response/<id>``), records every call
and can inject faults. The idea of a thread-backed ``http.server`` fake follows bolt-python's
``tests/mock_web_api_server`` and python-slack-sdk's mock handler; the code is our own.
"""

from __future__ import annotations

import base64
import binascii
import copy
import email.parser
import email.policy
import hashlib
import itertools
import json
import logging
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal, Self
from urllib.parse import parse_qs, urlsplit

from bot.sim.blocks_check import BlockError, check_message, check_view
from bot.sim.directory import build_user
from bot.sim.ratelimits import RateLimiter

logger = logging.getLogger(__name__)

TRIGGER_TTL_SECONDS = 3.0
APP_ID = "A0SKILLSWAP"
BOT_NAME = "skillswap"
#: Request-body fields slack_sdk may send as JSON strings when it form-encodes.
_JSON_FIELDS = ("blocks", "attachments", "metadata", "view", "files")
_NO_AUTH_METHODS = frozenset({"oauth.v2.access"})
#: Pseudo-methods recorded for requests that are not Web API calls.
RESPONSE_URL_METHOD = "response_url"
UPLOAD_METHOD = "upload"


@dataclass(frozen=True)
class RecordedCall:
    """One request the simulator answered (tokens are kept only here, never logged)."""

    method: str
    params: dict[str, Any]
    token: str | None
    status: int
    response: dict[str, Any]
    at: float
    team_id: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.response.get("ok") is True


@dataclass(frozen=True)
class UploadedFile:
    file_id: str
    team_id: str
    filename: str
    title: str | None
    content: bytes
    channels: tuple[str, ...]
    initial_comment: str | None


@dataclass
class _Fault:
    kind: Literal["error", "ratelimit", "server_error", "slow"]
    times: int
    error: str = "internal_error"
    status: int = 500
    retry_after: int = 1
    seconds: float = 0.0


@dataclass
class _Team:
    team_id: str
    name: str
    domain: str


@dataclass(frozen=True)
class _Bot:
    token: str
    team_id: str
    bot_user_id: str
    bot_id: str


@dataclass(frozen=True)
class _OAuthGrant:
    code: str
    team_id: str
    team_name: str
    bot_token: str
    bot_user_id: str
    scopes: tuple[str, ...]
    authed_user_id: str
    bot_id: str
    enterprise_id: str | None


@dataclass
class _Message:
    channel: str
    team_id: str
    body: dict[str, Any]


@dataclass
class _Upload:
    file_id: str
    team_id: str
    filename: str
    length: int
    content: bytes | None = None


@dataclass
class _Reply:
    status: int
    body: bytes
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


class SlackApiFailure(Exception):
    """Raised inside a method implementation: becomes ``{"ok": false, "error": ...}``."""

    def __init__(self, error: str, *, messages: list[str] | None = None, status: int = 200) -> None:
        super().__init__(error)
        self.error = error
        self.messages = messages or []
        self.status = status


@dataclass(frozen=True)
class _Ctx:
    method: str
    params: dict[str, Any]
    token: str | None
    bot: _Bot | None
    headers: Mapping[str, str]

    @property
    def team_id(self) -> str:
        assert self.bot is not None
        return self.bot.team_id


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes")


def _as_int(value: Any, name: str, default: int | None = None) -> int:
    if value is None or value == "":
        if default is None:
            raise SlackApiFailure(
                "invalid_arguments", messages=[f"[ERROR] missing required field: {name}"]
            )
        return default
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise SlackApiFailure(
            "invalid_arguments", messages=[f"[ERROR] {name} must be an integer"]
        ) from exc


def _encode_cursor(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def _decode_cursor(cursor: str) -> int:
    try:
        kind, _, number = base64.b64decode(cursor.encode(), validate=True).decode().partition(":")
        if kind != "offset":
            raise ValueError(cursor)
        return int(number)
    except (ValueError, binascii.Error) as exc:
        raise SlackApiFailure("invalid_cursor") from exc


def _stable_id(prefix: str, *parts: str) -> str:
    digest = hashlib.sha1("|".join(parts).encode()).hexdigest()[:10].upper()
    return prefix + digest


def _json_bytes(body: Mapping[str, Any]) -> bytes:
    return json.dumps(body).encode()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    simulator: SlackSimulator


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("sim http: " + format, *args)

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _serve(self, verb: str) -> None:
        body = self._read_body() if verb == "POST" else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        reply = self.server.simulator.handle_http(verb, self.path, headers, body)
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(reply.body)

    def do_POST(self) -> None:
        self._serve("POST")

    def do_GET(self) -> None:
        self._serve("GET")


class SlackSimulator:
    """A fake Slack (Web API, upload URLs, response URLs) on ``127.0.0.1:<ephemeral>``.

    ``tokens`` maps bot token → team id. ``clock`` (seconds since the epoch) drives message
    timestamps, trigger-id expiry and rate-limit buckets; it defaults to :func:`time.time`.
    Every public method is thread-safe.
    """

    def __init__(
        self,
        tokens: Mapping[str, str] | None = None,
        *,
        enforce_rate_limits: bool = False,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.enforce_rate_limits = enforce_rate_limits
        self._clock: Callable[[], float] = clock or time.time
        self._cond = threading.Condition(threading.RLock())
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._ids = itertools.count(1)
        self._limiter = RateLimiter(self.now)
        # configuration (kept by reset())
        self._teams: dict[str, _Team] = {}
        self._bots: dict[str, _Bot] = {}
        self._users: dict[str, dict[str, dict[str, Any]]] = {}
        self._oauth_codes: dict[str, _OAuthGrant] = {}
        # recorded state (cleared by reset())
        self._calls: list[RecordedCall] = []
        self._faults: dict[str, deque[_Fault]] = {}
        self._messages: list[_Message] = []
        self._ephemerals: list[_Message] = []
        self._views: dict[str, dict[str, Any]] = {}
        self._homes: dict[tuple[str, str], str] = {}
        self._uploads: dict[str, _Upload] = {}
        self._files: list[UploadedFile] = []
        self._used_triggers: set[str] = set()
        self._conversations: dict[str, dict[str, Any]] = {}
        self._last_ts = 0
        for token, team_id in (tokens or {}).items():
            self.add_token(token, team_id)

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
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("SlackSimulator is not started; call start() first")
        return f"http://127.0.0.1:{self._server.server_port}"

    @property
    def api_url(self) -> str:
        return self.base_url + "/api/"

    def now(self) -> float:
        return self._clock()

    # ------------------------------------------------------------------ configuration

    def add_team(self, team_id: str, *, name: str | None = None, domain: str | None = None) -> None:
        with self._cond:
            team = self._teams.get(team_id)
            if team is None:
                self._teams[team_id] = _Team(
                    team_id, name or f"Team {team_id}", domain or f"team-{team_id.lower()}"
                )
            else:
                team.name = name or team.name
                team.domain = domain or team.domain

    def add_token(
        self,
        token: str,
        team_id: str,
        bot_user_id: str | None = None,
        *,
        bot_id: str | None = None,
    ) -> None:
        with self._cond:
            self.add_team(team_id)
            self._bots[token] = _Bot(
                token=token,
                team_id=team_id,
                bot_user_id=bot_user_id or f"UB{team_id}",
                bot_id=bot_id or f"BB{team_id}",
            )

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

    def user(self, team_id: str, user_id: str) -> dict[str, Any] | None:
        with self._cond:
            found = self._users.get(team_id, {}).get(user_id)
            return copy.deepcopy(found) if found is not None else None

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

    def dm_channel_id(self, team_id: str, *user_ids: str) -> str:
        """The channel id ``conversations.open`` returns for these users (deterministic)."""
        members = sorted(set(user_ids))
        prefix = "D" if len(members) == 1 else "G"
        return _stable_id(prefix, team_id, *members)

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

    def _take_fault(self, method: str) -> _Fault | None:
        with self._cond:
            queue = self._faults.get(method)
            if not queue:
                return None
            fault = queue[0]
            fault.times -= 1
            if fault.times <= 0:
                queue.popleft()
            return fault

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
        """Stored messages (oldest first), each with its ``channel``."""
        with self._cond:
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

    def _record(self, call: RecordedCall) -> None:
        with self._cond:
            self._calls.append(call)
            self._cond.notify_all()

    def _api_call(self, method: str, params: dict[str, Any], headers: Mapping[str, str]) -> _Reply:
        auth = headers.get("authorization", "")
        token: str | None = auth[7:].strip() if auth.lower().startswith("bearer ") else None
        form_token = params.pop("token", None)
        if token is None and isinstance(form_token, str) and form_token:
            token = form_token
        bot = self._bots.get(token) if token else None
        team_id = bot.team_id if bot else None

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
        status, answer = self._record_response(hook_id, payload)
        return _Reply(status, answer, content_type="text/html")

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

    def _upload(self, file_id: str, headers: Mapping[str, str], body: bytes) -> _Reply:
        content_type = headers.get("content-type", "")
        content = body
        if content_type.lower().startswith("multipart/form-data"):
            content = _first_multipart_file(content_type, body)
        with self._cond:
            upload = self._uploads.get(file_id)
            if upload is not None:
                upload.content = content
        status = 200 if upload is not None else 404
        self._record(
            RecordedCall(
                method=UPLOAD_METHOD,
                params={"file_id": file_id, "length": len(content)},
                token=None,
                status=status,
                response={"ok": status == 200},
                at=self.now(),
                team_id=upload.team_id if upload else None,
            )
        )
        if upload is None:
            return _Reply(404, b"file_not_found", content_type="text/plain")
        return _Reply(200, f"OK - {len(content)}".encode(), content_type="text/plain")

    # ------------------------------------------------------------------ helpers (lock held)

    def _next_ts(self) -> str:
        micros = int(self.now() * 1_000_000) // 100 * 100
        if micros <= self._last_ts:
            micros = self._last_ts + 100
        self._last_ts = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _team(self, team_id: str) -> _Team:
        team = self._teams.get(team_id)
        if team is None:
            raise SlackApiFailure("team_not_found")
        return team

    def _consume_trigger(self, trigger_id: Any) -> None:
        if not trigger_id:
            raise SlackApiFailure(
                "invalid_arguments", messages=["[ERROR] missing required field: trigger_id"]
            )
        head = str(trigger_id).split(".", 1)[0]
        if not head.isdigit():
            raise SlackApiFailure("invalid_trigger_id")
        age = self.now() - int(head) / 1000
        if age > TRIGGER_TTL_SECONDS:
            raise SlackApiFailure("expired_trigger_id")
        if trigger_id in self._used_triggers:
            raise SlackApiFailure("exchanged_trigger_id")
        self._used_triggers.add(str(trigger_id))

    def _message_body(self, ctx: _Ctx, ts: str) -> dict[str, Any]:
        assert ctx.bot is not None
        params = ctx.params
        check_message(params.get("text"), params.get("blocks"))
        message: dict[str, Any] = {
            "type": "message",
            "text": params.get("text") or "",
            "user": ctx.bot.bot_user_id,
            "bot_id": ctx.bot.bot_id,
            "app_id": APP_ID,
            "ts": ts,
            "team": ctx.bot.team_id,
        }
        for name in ("blocks", "attachments", "thread_ts"):
            if params.get(name) is not None:
                message[name] = params[name]
        metadata = params.get("metadata")
        if metadata is not None:
            if (
                not isinstance(metadata, dict)
                or not isinstance(metadata.get("event_type"), str)
                or not isinstance(metadata.get("event_payload", {}), dict)
            ):
                raise SlackApiFailure("invalid_metadata_format")
            message["metadata"] = {
                "event_type": metadata["event_type"],
                "event_payload": metadata.get("event_payload", {}),
            }
        return message

    def _resolve_channel(self, ctx: _Ctx) -> str:
        channel = ctx.params.get("channel")
        if not isinstance(channel, str) or not channel:
            raise SlackApiFailure("channel_not_found")
        if channel[0] in "UW":  # posting to a user id opens (or reuses) the DM
            return self.dm_channel_id(ctx.team_id, channel)
        return channel

    def _new_view(self, ctx: _Ctx, view: dict[str, Any], **overrides: Any) -> dict[str, Any]:
        assert ctx.bot is not None
        view_id = overrides.pop("id", None) or f"V{next(self._ids):08d}SIM"
        stored: dict[str, Any] = {
            "id": view_id,
            "team_id": ctx.bot.team_id,
            "type": view.get("type"),
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": f"{int(self.now())}.{secrets.token_hex(4)}",
            "title": view.get("title"),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "close": view.get("close"),
            "submit": view.get("submit"),
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": APP_ID,
            "external_id": view.get("external_id", ""),
            "app_installed_team_id": ctx.bot.team_id,
            "bot_id": ctx.bot.bot_id,
        }
        stored.update(overrides)
        self._views[view_id] = stored
        return copy.deepcopy(stored)

    def _view_param(self, ctx: _Ctx) -> dict[str, Any]:
        view = ctx.params.get("view")
        if view is None:
            raise SlackApiFailure(
                "invalid_arguments", messages=["[ERROR] missing required field: view"]
            )
        check_view(view)
        assert isinstance(view, dict)
        external_id = view.get("external_id")
        if (
            external_id
            and any(
                v.get("external_id") == external_id and v["team_id"] == ctx.team_id
                for v in self._views.values()
            )
            and ctx.method in ("views.open", "views.push")
        ):
            raise SlackApiFailure("duplicate_external_id")
        return view

    # ------------------------------------------------------------------ Web API methods

    def _auth_test(self, ctx: _Ctx) -> dict[str, Any]:
        assert ctx.bot is not None
        team = self._team(ctx.bot.team_id)
        return {
            "url": f"https://{team.domain}.slack.com/",
            "team": team.name,
            "user": BOT_NAME,
            "team_id": team.team_id,
            "user_id": ctx.bot.bot_user_id,
            "bot_id": ctx.bot.bot_id,
            "is_enterprise_install": False,
        }

    def _team_info(self, ctx: _Ctx) -> dict[str, Any]:
        team = self._team(str(ctx.params.get("team") or ctx.team_id))
        return {
            "team": {
                "id": team.team_id,
                "name": team.name,
                "url": f"https://{team.domain}.slack.com/",
                "domain": team.domain,
                "email_domain": "",
                "icon": {"image_default": True},
                "is_verified": False,
            }
        }

    def _users_info(self, ctx: _Ctx) -> dict[str, Any]:
        user = self._users.get(ctx.team_id, {}).get(str(ctx.params.get("user") or ""))
        if user is None:
            raise SlackApiFailure("user_not_found")
        return {"user": copy.deepcopy(user)}

    def _users_list(self, ctx: _Ctx) -> dict[str, Any]:
        members = list(self._users.get(ctx.team_id, {}).values())
        limit = _as_int(ctx.params.get("limit"), "limit", default=0)
        cursor = ctx.params.get("cursor")
        start = _decode_cursor(str(cursor)) if cursor else 0
        end = len(members) if limit <= 0 else start + limit
        page = members[start:end]
        next_cursor = _encode_cursor(end) if end < len(members) else ""
        return {
            "members": copy.deepcopy(page),
            "cache_ts": int(self.now()),
            "response_metadata": {"next_cursor": next_cursor},
        }

    def _conversations_open(self, ctx: _Ctx) -> dict[str, Any]:
        channel = ctx.params.get("channel")
        if channel and not ctx.params.get("users"):
            if channel not in self._conversations:
                raise SlackApiFailure("channel_not_found")
            return {"channel": {"id": channel}, "no_op": True, "already_open": True}
        raw = str(ctx.params.get("users") or "")
        user_ids = [u.strip() for u in raw.split(",") if u.strip()]
        if not user_ids:
            raise SlackApiFailure("users_list_not_supplied")
        if len(user_ids) > 8:
            raise SlackApiFailure("too_many_users")
        directory = self._users.get(ctx.team_id, {})
        for user_id in user_ids:
            user = directory.get(user_id)
            if user is None:
                raise SlackApiFailure("user_not_found")
            if user["deleted"]:
                raise SlackApiFailure("account_inactive")
            if user["is_bot"] and len(user_ids) == 1:
                raise SlackApiFailure("cannot_dm_bot")
        channel_id = self.dm_channel_id(ctx.team_id, *user_ids)
        already_open = channel_id in self._conversations
        is_im = len(set(user_ids)) == 1
        info = {
            "id": channel_id,
            "created": int(self.now()),
            "is_im": is_im,
            "is_mpim": not is_im,
            "is_open": True,
            "members": sorted(set(user_ids)),
        }
        if is_im:
            info["user"] = user_ids[0]
        self._conversations.setdefault(channel_id, info)
        answer: dict[str, Any] = {
            "channel": (
                copy.deepcopy(self._conversations[channel_id])
                if _truthy(ctx.params.get("return_im", False))
                else {"id": channel_id}
            )
        }
        if already_open:
            answer["no_op"] = True
            answer["already_open"] = True
        return answer

    def _conversations_history(self, ctx: _Ctx) -> dict[str, Any]:
        channel = ctx.params.get("channel")
        if not channel:
            raise SlackApiFailure("channel_not_found")
        limit = max(1, min(_as_int(ctx.params.get("limit"), "limit", default=100), 999))
        oldest = float(ctx.params.get("oldest") or 0)
        latest = float(ctx.params.get("latest") or 0) or float("inf")
        inclusive = _truthy(ctx.params.get("inclusive", False))
        with_metadata = _truthy(ctx.params.get("include_all_metadata", False))

        def in_range(ts: float) -> bool:
            if inclusive:
                return oldest <= ts <= latest
            return oldest < ts < latest

        found = [
            m.body
            for m in reversed(self._messages)
            if m.channel == channel
            and m.team_id == ctx.team_id
            and m.body.get("thread_ts", m.body["ts"]) == m.body["ts"]
            and in_range(float(m.body["ts"]))
        ]
        cursor = ctx.params.get("cursor")
        start = _decode_cursor(str(cursor)) if cursor else 0
        page = copy.deepcopy(found[start : start + limit])
        if not with_metadata:
            for message in page:
                message.pop("metadata", None)
        has_more = start + limit < len(found)
        return {
            "messages": page,
            "has_more": has_more,
            "pin_count": 0,
            "response_metadata": {"next_cursor": _encode_cursor(start + limit) if has_more else ""},
        }

    def _chat_post_message(self, ctx: _Ctx) -> dict[str, Any]:
        channel = self._resolve_channel(ctx)
        if (
            not ctx.params.get("text")
            and not ctx.params.get("blocks")
            and not ctx.params.get("attachments")
        ):
            raise SlackApiFailure("no_text")
        ts = self._next_ts()
        message = self._message_body(ctx, ts)
        self._messages.append(_Message(channel, ctx.team_id, message))
        return {"channel": channel, "ts": ts, "message": copy.deepcopy(message)}

    def _chat_update(self, ctx: _Ctx) -> dict[str, Any]:
        channel = self._resolve_channel(ctx)
        ts = str(ctx.params.get("ts") or "")
        target = next(
            (
                m
                for m in self._messages
                if m.channel == channel and m.team_id == ctx.team_id and m.body["ts"] == ts
            ),
            None,
        )
        if target is None:
            raise SlackApiFailure("message_not_found")
        if (
            not ctx.params.get("text")
            and not ctx.params.get("blocks")
            and not ctx.params.get("attachments")
        ):
            raise SlackApiFailure("no_text")
        updated = self._message_body(ctx, ts)
        updated.pop("thread_ts", None)
        if "thread_ts" in target.body:
            updated["thread_ts"] = target.body["thread_ts"]
        if "metadata" not in updated and "metadata" in target.body:
            updated["metadata"] = target.body["metadata"]
        updated["edited"] = {"user": updated["user"], "ts": self._next_ts()}
        target.body = updated
        return {"channel": channel, "ts": ts, "text": updated["text"], "message": updated}

    def _chat_post_ephemeral(self, ctx: _Ctx) -> dict[str, Any]:
        channel = self._resolve_channel(ctx)
        user = ctx.params.get("user")
        if not user:
            raise SlackApiFailure("user_not_found")
        known = self._users.get(ctx.team_id, {})
        if user in known and known[user]["deleted"]:
            raise SlackApiFailure("user_not_found")
        if (
            not ctx.params.get("text")
            and not ctx.params.get("blocks")
            and not ctx.params.get("attachments")
        ):
            raise SlackApiFailure("no_text")
        ts = self._next_ts()
        message = self._message_body(ctx, ts)
        message["ephemeral_to"] = user
        self._ephemerals.append(_Message(channel, ctx.team_id, message))
        return {"message_ts": ts}

    def _views_open(self, ctx: _Ctx) -> dict[str, Any]:
        view = self._view_param(ctx)
        if view.get("type") != "modal":
            raise SlackApiFailure(
                "invalid_arguments", messages=["[ERROR] must be modal [json-pointer:/view/type]"]
            )
        self._consume_trigger(ctx.params.get("trigger_id"))
        return {"view": self._new_view(ctx, view)}

    def _views_push(self, ctx: _Ctx) -> dict[str, Any]:
        view = self._view_param(ctx)
        if view.get("type") != "modal":
            raise SlackApiFailure(
                "invalid_arguments", messages=["[ERROR] must be modal [json-pointer:/view/type]"]
            )
        self._consume_trigger(ctx.params.get("trigger_id"))
        return {"view": self._new_view(ctx, view, root_view_id=None)}

    def _views_update(self, ctx: _Ctx) -> dict[str, Any]:
        view = self._view_param(ctx)
        view_id = ctx.params.get("view_id")
        external_id = ctx.params.get("external_id")
        if not view_id and not external_id:
            raise SlackApiFailure(
                "invalid_arguments", messages=["[ERROR] view_id or external_id is required"]
            )
        current = next(
            (
                v
                for v in self._views.values()
                if v["team_id"] == ctx.team_id
                and (
                    (view_id and v["id"] == view_id)
                    or (external_id and v["external_id"] == external_id)
                )
            ),
            None,
        )
        if current is None:
            raise SlackApiFailure("not_found")
        expected_hash = ctx.params.get("hash")
        if expected_hash and expected_hash != current["hash"]:
            raise SlackApiFailure("hash_conflict")
        return {
            "view": self._new_view(
                ctx,
                view,
                id=current["id"],
                root_view_id=current["root_view_id"],
                previous_view_id=current["previous_view_id"],
                state=current["state"],
                external_id=view.get("external_id", current["external_id"]),
            )
        }

    def _views_publish(self, ctx: _Ctx) -> dict[str, Any]:
        user_id = ctx.params.get("user_id")
        if not user_id:
            raise SlackApiFailure(
                "invalid_arguments", messages=["[ERROR] missing required field: user_id"]
            )
        view = self._view_param(ctx)
        if view.get("type") != "home":
            raise SlackApiFailure(
                "invalid_arguments", messages=["[ERROR] must be home [json-pointer:/view/type]"]
            )
        user = self._users.get(ctx.team_id, {}).get(str(user_id))
        if user is not None and user["deleted"]:
            raise SlackApiFailure("account_inactive")
        key = (ctx.team_id, str(user_id))
        existing = self._homes.get(key)
        expected_hash = ctx.params.get("hash")
        if existing and expected_hash and expected_hash != self._views[existing]["hash"]:
            raise SlackApiFailure("hash_conflict")
        published = self._new_view(ctx, view, **({"id": existing} if existing else {}))
        self._homes.pop(key, None)
        self._homes[key] = published["id"]
        return {"view": published}

    def _files_get_upload_url(self, ctx: _Ctx) -> dict[str, Any]:
        filename = ctx.params.get("filename")
        if not filename:
            raise SlackApiFailure(
                "invalid_arguments", messages=["[ERROR] missing required field: filename"]
            )
        length = _as_int(ctx.params.get("length"), "length")
        file_id = f"F{next(self._ids):08d}SIM"
        self._uploads[file_id] = _Upload(file_id, ctx.team_id, str(filename), length)
        return {"upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}

    def _files_complete_upload(self, ctx: _Ctx) -> dict[str, Any]:
        assert ctx.bot is not None
        files = ctx.params.get("files")
        if not isinstance(files, list) or not files:
            raise SlackApiFailure(
                "invalid_arguments", messages=["[ERROR] files must be a non-empty array"]
            )
        channels: tuple[str, ...] = ()
        if ctx.params.get("channel_id"):
            channels = (str(ctx.params["channel_id"]),)
        elif ctx.params.get("channels"):
            channels = tuple(c for c in str(ctx.params["channels"]).split(",") if c)
        comment = ctx.params.get("initial_comment")
        done: list[dict[str, Any]] = []
        for item in files:
            file_id = item.get("id") if isinstance(item, dict) else None
            upload = self._uploads.get(str(file_id))
            if upload is None or upload.team_id != ctx.team_id or upload.content is None:
                raise SlackApiFailure("file_not_found")
            title = item.get("title") or upload.filename
            self._files.append(
                UploadedFile(
                    file_id=upload.file_id,
                    team_id=upload.team_id,
                    filename=upload.filename,
                    title=title,
                    content=upload.content,
                    channels=channels,
                    initial_comment=str(comment) if comment is not None else None,
                )
            )
            del self._uploads[upload.file_id]
            done.append(
                {
                    "id": upload.file_id,
                    "created": int(self.now()),
                    "name": upload.filename,
                    "title": title,
                    "size": len(upload.content),
                    "user": ctx.bot.bot_user_id,
                    "channels": list(channels),
                }
            )
        for channel in channels:
            ts = self._next_ts()
            self._messages.append(
                _Message(
                    channel,
                    ctx.team_id,
                    {
                        "type": "message",
                        "text": str(comment or ""),
                        "user": ctx.bot.bot_user_id,
                        "bot_id": ctx.bot.bot_id,
                        "ts": ts,
                        "team": ctx.team_id,
                        "upload": True,
                        "files": copy.deepcopy(done),
                    },
                )
            )
        return {"files": done}

    def _oauth_v2_access(self, ctx: _Ctx) -> dict[str, Any]:
        client_id = ctx.params.get("client_id")
        client_secret = ctx.params.get("client_secret")
        auth = ctx.headers.get("authorization", "")
        if auth.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(auth[6:].strip()).decode()
            except (ValueError, binascii.Error) as exc:
                raise SlackApiFailure("invalid_client_id") from exc
            client_id, _, client_secret = decoded.partition(":")
        if not client_id:
            raise SlackApiFailure("invalid_client_id")
        if not client_secret:
            raise SlackApiFailure("bad_client_secret")
        grant = self._oauth_codes.pop(str(ctx.params.get("code") or ""), None)
        if grant is None:
            raise SlackApiFailure("invalid_code")
        self.add_team(grant.team_id, name=grant.team_name)
        self.add_token(grant.bot_token, grant.team_id, grant.bot_user_id, bot_id=grant.bot_id)
        logger.info("sim oauth.v2.access installed team=%s", grant.team_id)
        return {
            "access_token": grant.bot_token,
            "token_type": "bot",
            "scope": ",".join(grant.scopes),
            "bot_user_id": grant.bot_user_id,
            "app_id": APP_ID,
            "team": {"name": grant.team_name, "id": grant.team_id},
            "enterprise": (
                {"name": grant.enterprise_id, "id": grant.enterprise_id}
                if grant.enterprise_id
                else None
            ),
            "is_enterprise_install": False,
            "authed_user": {"id": grant.authed_user_id},
        }


def _short(params: Mapping[str, Any], limit: int = 160) -> str:
    text = json.dumps(params, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _first_multipart_file(content_type: str, body: bytes) -> bytes:
    """The first part of a multipart/form-data body (a file upload form)."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    parts: Iterator[Any] = message.iter_parts()
    for part in parts:
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            return payload
    return b""


_Method = Callable[[SlackSimulator, _Ctx], dict[str, Any]]
_METHODS: dict[str, _Method] = {
    "auth.test": SlackSimulator._auth_test,
    "team.info": SlackSimulator._team_info,
    "users.info": SlackSimulator._users_info,
    "users.list": SlackSimulator._users_list,
    "conversations.open": SlackSimulator._conversations_open,
    "conversations.history": SlackSimulator._conversations_history,
    "chat.postMessage": SlackSimulator._chat_post_message,
    "chat.update": SlackSimulator._chat_update,
    "chat.postEphemeral": SlackSimulator._chat_post_ephemeral,
    "views.open": SlackSimulator._views_open,
    "views.push": SlackSimulator._views_push,
    "views.update": SlackSimulator._views_update,
    "views.publish": SlackSimulator._views_publish,
    "files.getUploadURLExternal": SlackSimulator._files_get_upload_url,
    "files.completeUploadExternal": SlackSimulator._files_complete_upload,
    "oauth.v2.access": SlackSimulator._oauth_v2_access,
}

"""The simulator's state (teams, users, conversations, messages, views, uploads, recorded
calls) and the helpers its Web API methods share."""

from __future__ import annotations

import copy
import itertools
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from http.server import ThreadingHTTPServer
from typing import Any

from bot.sim.blocks_check import check_message, check_view
from bot.sim.ratelimits import RateLimiter
from bot.sim.records import (
    APP_ID,
    TRIGGER_TTL_SECONDS,
    UPLOAD_METHOD,
    RecordedCall,
    SlackApiFailure,
    UploadedFile,
    _Bot,
    _Ctx,
    _Fault,
    _first_multipart_file,
    _Message,
    _OAuthGrant,
    _Reply,
    _Scheduled,
    _stable_id,
    _Team,
    _Upload,
)


class SimulatorState:
    """What the simulator holds; :class:`~bot.sim.server.SlackSimulator` serves it."""

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
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._ids = itertools.count(1)
        self._limiter = RateLimiter(self.now)
        # configuration (kept by reset())
        self._teams: dict[str, _Team] = {}
        self._bots: dict[str, _Bot] = {}
        self._users: dict[str, dict[str, dict[str, Any]]] = {}
        self._oauth_codes: dict[str, _OAuthGrant] = {}
        self._channels: dict[str, dict[str, Any]] = {}  # channel id -> info and members
        self._usergroups: dict[str, dict[str, dict[str, Any]]] = {}  # team -> group id -> group
        self._profile_fields: dict[str, dict[str, str]] = {}  # team -> field id -> label
        # recorded state (cleared by reset())
        self._calls: list[RecordedCall] = []
        self._faults: dict[str, deque[_Fault]] = {}
        self._messages: list[_Message] = []
        self._ephemerals: list[_Message] = []
        self._views: dict[str, dict[str, Any]] = {}
        self._homes: dict[tuple[str, str], str] = {}
        self._uploads: dict[str, _Upload] = {}
        self._files: list[UploadedFile] = []
        self._scheduled: dict[str, _Scheduled] = {}  # scheduled message id -> message
        self._used_triggers: set[str] = set()
        self._conversations: dict[str, dict[str, Any]] = {}
        self._last_ts = 0
        for token, team_id in (tokens or {}).items():
            self.add_token(token, team_id)

    def now(self) -> float:
        return self._clock()

    def post_due_scheduled(self) -> int:
        """Post every scheduled message whose ``post_at`` the clock has passed into its
        channel's history, as Slack does at that time; returns how many were posted."""
        with self._cond:
            due = sorted(
                (s for s in self._scheduled.values() if s.post_at <= self.now()),
                key=lambda s: (s.post_at, s.scheduled_id),
            )
            for scheduled in due:
                del self._scheduled[scheduled.scheduled_id]
                body = copy.deepcopy(scheduled.body)
                body["ts"] = self._next_ts()
                self._messages.append(_Message(scheduled.channel, scheduled.team_id, body))
            if due:
                self._cond.notify_all()
            return len(due)

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

    def user(self, team_id: str, user_id: str) -> dict[str, Any] | None:
        with self._cond:
            found = self._users.get(team_id, {}).get(user_id)
            return copy.deepcopy(found) if found is not None else None

    def dm_channel_id(self, team_id: str, *user_ids: str) -> str:
        """The channel id ``conversations.open`` returns for these users (deterministic)."""
        members = sorted(set(user_ids))
        prefix = "D" if len(members) == 1 else "G"
        return _stable_id(prefix, team_id, *members)

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("SlackSimulator is not started; call start() first")
        return f"http://127.0.0.1:{self._server.server_port}"

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

    def _record(self, call: RecordedCall) -> None:
        with self._cond:
            self._calls.append(call)
            self._cond.notify_all()

    def _check_can_post(self, ctx: _Ctx, channel_id: str) -> None:
        """Posting in a known channel: ``channel_not_found`` for a private one the app is not
        in, ``is_archived``, ``not_in_channel``, like Slack. Channels nobody added stay open to
        posts (older tests use bare ids)."""
        channel = self._channels.get(channel_id)
        if channel is None:
            return
        if channel["team_id"] != ctx.team_id or (
            channel["is_private"] and not channel["is_member"]
        ):
            raise SlackApiFailure("channel_not_found")
        if channel["is_archived"]:
            raise SlackApiFailure("is_archived")
        if not channel["is_member"]:
            raise SlackApiFailure("not_in_channel")

"""Slack's side of HTTP mode: signed requests to the app, shaped like Slack's payloads.

Every request goes to one URL (e.g. ``http://127.0.0.1:3000/slack/events``), signed with the
v0 scheme (``X-Slack-Signature`` = HMAC-SHA256 over ``v0:{ts}:{raw_body}``). Payload shapes
follow the samples in ``/work/shared/slack-payloads`` (bolt-python's scenario tests).
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import itertools
import json
import logging
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

from slack_sdk.signature import SignatureVerifier

from bot.sim.records import APP_ID
from bot.sim.server import SlackSimulator

logger = logging.getLogger(__name__)

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@dataclass(frozen=True)
class Reply:
    """The app's HTTP answer (never raised on 4xx/5xx)."""

    status: int
    headers: dict[str, str]
    body: str
    json: Any | None = None


@dataclass
class SignedClient:
    """Sends signed Slack requests (commands, interactivity, events) to the app over HTTP.

    With a ``simulator``, response URLs point at it and trigger ids come from it (so
    ``views.open`` there can tell fresh from stale ones); without one, trigger ids still encode
    their issue time and response URLs point at an unroutable address.
    """

    app_url: str
    signing_secret: str
    simulator: SlackSimulator | None = None
    api_app_id: str = APP_ID
    verification_token: str = "verification_token"
    timeout: float = 10.0
    issued_trigger_ids: list[str] = field(default_factory=list, init=False)
    _serial: itertools.count[int] = field(default_factory=lambda: itertools.count(1), init=False)

    def __post_init__(self) -> None:
        self._verifier = SignatureVerifier(self.signing_secret)

    # ------------------------------------------------------------------ transport

    def _sign(self, timestamp: str, body: bytes) -> str:
        try:
            return str(self._verifier.generate_signature(timestamp=timestamp, body=body))
        except UnicodeDecodeError:
            # slack_sdk signs text only; Slack signs the raw bytes, so forged-body tests that
            # send bytes which are not UTF-8 still need a real signature over those bytes.
            digest = hmac.new(
                self.signing_secret.encode(),
                b"v0:" + timestamp.encode() + b":" + body,
                hashlib.sha256,
            ).hexdigest()
            return f"v0={digest}"

    def post(
        self,
        path: str,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Reply:
        """POST raw bytes to ``path`` (relative to ``app_url``), signed unless told otherwise.

        ``timestamp`` forges ``X-Slack-Request-Timestamp`` (the signature is computed over it
        unless ``signature`` is given too).
        """
        url = urlsplit(urljoin(self.app_url, path))
        ts = str(int(time.time()) if timestamp is None else timestamp)
        sig = signature or self._sign(ts, body)
        headers = {
            "Content-Type": content_type,
            "Content-Length": str(len(body)),
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": sig or "",
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        }
        headers.update(extra_headers or {})
        target = url.path + (f"?{url.query}" if url.query else "")
        conn_cls = (
            http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
        )
        conn = conn_cls(url.hostname or "127.0.0.1", url.port, timeout=self.timeout)
        try:
            try:
                conn.request("POST", target, body=body, headers=headers)
            except (BrokenPipeError, ConnectionResetError):
                # The app answered (e.g. 413) before reading the whole body; read its answer.
                logger.debug("app closed the connection while we were sending")
            response = conn.getresponse()
            raw = response.read().decode("utf-8", errors="replace")
            reply_headers = {k.lower(): v for k, v in response.getheaders()}
            status = response.status
        finally:
            conn.close()
        parsed: Any | None = None
        if raw:
            try:
                parsed = json.loads(raw)
            except ValueError:
                parsed = None
        return Reply(status=status, headers=reply_headers, body=raw, json=parsed)

    def _post_form(self, fields: Mapping[str, str], **kwargs: Any) -> Reply:
        return self.post(self.app_url, urlencode(fields).encode(), FORM, **kwargs)

    def _post_payload(self, payload: Mapping[str, Any]) -> Reply:
        return self._post_form({"payload": json.dumps(payload)})

    # ------------------------------------------------------------------ helpers

    def new_trigger_id(self) -> str:
        if self.simulator is not None:
            trigger = self.simulator.issue_trigger_id()
        else:
            trigger = f"{int(time.time() * 1000)}.{next(self._serial)}.{secrets.token_hex(4)}"
        self.issued_trigger_ids.append(trigger)
        return trigger

    def _response_url(self, given: str | None) -> str:
        if given is not None:
            return given
        if self.simulator is not None:
            return self.simulator.new_response_url()
        return f"http://127.0.0.1:9/response/{secrets.token_hex(8)}"

    def _team_domain(self, team_id: str) -> str:
        return f"team-{team_id.lower()}"

    def _bot_user_id(self, team_id: str) -> str:
        return f"UB{team_id}"

    def _team(self, team_id: str) -> dict[str, Any]:
        return {"id": team_id, "domain": self._team_domain(team_id)}

    def _user(self, team_id: str, user_id: str, user_name: str | None) -> dict[str, Any]:
        name = user_name or user_id.lower()
        return {"id": user_id, "username": name, "name": name, "team_id": team_id}

    @staticmethod
    def _action_ts() -> str:
        return f"{time.time():.6f}"

    def _view_object(
        self,
        *,
        team_id: str,
        view_id: str | None,
        callback_id: str,
        private_metadata: str,
        values: Mapping[str, Any],
        blocks: list[dict[str, Any]] | None,
    ) -> dict[str, Any]:
        stored = None
        if self.simulator is not None:
            if view_id is not None:
                stored = self.simulator.view(view_id)
            else:
                opened = self.simulator.views(callback_id)
                stored = opened[-1] if opened else None
        view: dict[str, Any] = {
            "id": view_id or f"V{next(self._serial):08d}CLI",
            "team_id": team_id,
            "type": "modal",
            "blocks": blocks or [],
            "private_metadata": private_metadata,
            "callback_id": callback_id,
            "state": {"values": dict(values)},
            "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
            "title": {"type": "plain_text", "text": "SkillSwap"},
            "clear_on_close": False,
            "notify_on_close": False,
            "close": {"type": "plain_text", "text": "Cancel"},
            "submit": {"type": "plain_text", "text": "Submit"},
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": self.api_app_id,
            "external_id": "",
            "app_installed_team_id": team_id,
            "bot_id": f"BB{team_id}",
        }
        if stored is not None:
            view.update({k: v for k, v in stored.items() if k != "state"})
            if blocks is not None:
                view["blocks"] = blocks
            if private_metadata:
                view["private_metadata"] = private_metadata
            view["callback_id"] = callback_id
        view["root_view_id"] = view["root_view_id"] or view["id"]
        return view

    # ------------------------------------------------------------------ slash commands

    def slash_command(
        self,
        *,
        team_id: str,
        user_id: str,
        text: str = "",
        command: str = "/skillswap",
        channel_id: str = "C0GENERAL",
        user_name: str | None = None,
        trigger_id: str | None = None,
        response_url: str | None = None,
        channel_name: str | None = None,
    ) -> Reply:
        """A slash command: plain form fields, as Slack sends them."""
        if channel_name is None:
            channel_name = "directmessage" if channel_id.startswith("D") else "general"
        fields = {
            "token": self.verification_token,
            "team_id": team_id,
            "team_domain": self._team_domain(team_id),
            "channel_id": channel_id,
            "channel_name": channel_name,
            "user_id": user_id,
            "user_name": user_name or user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "false",
            "response_url": self._response_url(response_url),
            "trigger_id": trigger_id or self.new_trigger_id(),
        }
        logger.debug("slash command %s team=%s", command, team_id)
        reply = self._post_form(fields)
        if self.simulator is not None and reply.status == 200 and reply.body.strip():
            # Slack shows the body of the app's answer to the member, like a response_url post.
            shown = reply.json if isinstance(reply.json, dict) else {"text": reply.body}
            hook = str(fields["response_url"]).rsplit("/response/", 1)[-1]
            self.simulator.show_command_reply(shown, hook_id=hook)
        return reply

    # ------------------------------------------------------------------ interactivity

    def block_action(
        self,
        *,
        team_id: str,
        user_id: str,
        action_id: str,
        value: str | None = None,
        block_id: str = "b",
        channel_id: str | None = None,
        message_ts: str | None = None,
        message: Mapping[str, Any] | None = None,
        view: Mapping[str, Any] | None = None,
        trigger_id: str | None = None,
        response_url: str | None = None,
        action_type: str = "button",
        selected_option: Mapping[str, Any] | None = None,
        state_values: Mapping[str, Any] | None = None,
    ) -> Reply:
        """A ``block_actions`` payload from a message (default) or from ``view``."""
        action: dict[str, Any] = {
            "action_id": action_id,
            "block_id": block_id,
            "type": action_type,
            "action_ts": self._action_ts(),
        }
        if action_type == "button":
            action["text"] = {"type": "plain_text", "text": "Button", "emoji": True}
        if value is not None:
            action["value"] = value
        if selected_option is not None:
            action["selected_option"] = dict(selected_option)
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": self._user(team_id, user_id, None),
            "api_app_id": self.api_app_id,
            "token": self.verification_token,
            "trigger_id": trigger_id or self.new_trigger_id(),
            "team": self._team(team_id),
            "enterprise": None,
            "is_enterprise_install": False,
            "actions": [action],
        }
        if view is not None:
            view_dict = dict(view)
            if state_values is not None:
                view_dict["state"] = {"values": dict(state_values)}
            payload["container"] = {"type": "view", "view_id": view_dict.get("id")}
            payload["view"] = view_dict
            payload["state"] = view_dict.get("state", {"values": {}})
        else:
            if message is not None:
                message_ts = message_ts or str(message.get("ts", ""))
                channel_id = channel_id or message.get("channel")
            channel_id = channel_id or "C0GENERAL"
            message_ts = message_ts or f"{int(time.time())}.000100"
            payload["container"] = {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel_id,
                "is_ephemeral": message is None,
            }
            payload["channel"] = {"id": channel_id, "name": "general"}
            if message is not None:
                payload["message"] = {k: v for k, v in message.items() if k != "channel"}
            payload["state"] = {"values": dict(state_values or {})}
            payload["response_url"] = self._response_url(response_url)
        logger.debug("block action %s team=%s", action_id, team_id)
        return self._post_payload(payload)

    def view_submission(
        self,
        *,
        team_id: str,
        user_id: str,
        callback_id: str,
        values: Mapping[str, Any],
        private_metadata: str = "",
        view_id: str | None = None,
        trigger_id: str | None = None,
        blocks: list[dict[str, Any]] | None = None,
    ) -> Reply:
        """A modal submit. ``values`` is ``view.state.values`` ({block_id: {action_id: {...}}}).

        With a simulator, the view opened there (by ``view_id``, else the latest with this
        ``callback_id``) supplies the blocks, title and ids.
        """
        payload = {
            "type": "view_submission",
            "team": self._team(team_id),
            "user": self._user(team_id, user_id, None),
            "api_app_id": self.api_app_id,
            "token": self.verification_token,
            "trigger_id": trigger_id or self.new_trigger_id(),
            "view": self._view_object(
                team_id=team_id,
                view_id=view_id,
                callback_id=callback_id,
                private_metadata=private_metadata,
                values=values,
                blocks=blocks,
            ),
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        logger.debug("view submission %s team=%s", callback_id, team_id)
        return self._post_payload(payload)

    def view_closed(
        self,
        *,
        team_id: str,
        user_id: str,
        callback_id: str,
        private_metadata: str = "",
        view_id: str | None = None,
        is_cleared: bool = False,
    ) -> Reply:
        payload = {
            "type": "view_closed",
            "team": self._team(team_id),
            "user": self._user(team_id, user_id, None),
            "api_app_id": self.api_app_id,
            "token": self.verification_token,
            "view": self._view_object(
                team_id=team_id,
                view_id=view_id,
                callback_id=callback_id,
                private_metadata=private_metadata,
                values={},
                blocks=None,
            ),
            "is_cleared": is_cleared,
            "is_enterprise_install": False,
            "enterprise": None,
        }
        return self._post_payload(payload)

    def block_suggestion(
        self,
        *,
        team_id: str,
        user_id: str,
        action_id: str,
        value: str,
        block_id: str = "b",
        view_callback_id: str = "",
        view_id: str | None = None,
    ) -> Reply:
        """An external-select ``options`` request; the reply carries the options."""
        view = self._view_object(
            team_id=team_id,
            view_id=view_id,
            callback_id=view_callback_id,
            private_metadata="",
            values={},
            blocks=None,
        )
        payload = {
            "type": "block_suggestion",
            "user": self._user(team_id, user_id, None),
            "container": {"type": "view", "view_id": view["id"]},
            "api_app_id": self.api_app_id,
            "token": self.verification_token,
            "action_id": action_id,
            "block_id": block_id,
            "value": value,
            "team": self._team(team_id),
            "enterprise": None,
            "is_enterprise_install": False,
            "view": view,
        }
        return self._post_payload(payload)

    def shortcut(
        self, *, team_id: str, user_id: str, callback_id: str, trigger_id: str | None = None
    ) -> Reply:
        """A global shortcut (``type: shortcut``), as from the lightning-bolt menu."""
        payload: dict[str, Any] = {
            "type": "shortcut",
            "token": self.verification_token,
            "action_ts": self._action_ts(),
            "team": self._team(team_id),
            "user": self._user(team_id, user_id, None),
            "is_enterprise_install": False,
            "enterprise": None,
            "callback_id": callback_id,
            "trigger_id": trigger_id or self.new_trigger_id(),
        }
        logger.debug("shortcut %s team=%s", callback_id, team_id)
        return self._post_payload(payload)

    # ------------------------------------------------------------------ Events API

    def event(
        self,
        *,
        team_id: str,
        event: Mapping[str, Any],
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str | None = None,
        event_time: int | None = None,
    ) -> Reply:
        """An ``event_callback`` envelope (JSON), with Slack's retry headers if asked."""
        inner = dict(event)
        inner.setdefault("event_ts", f"{time.time():.6f}")
        envelope = {
            "token": self.verification_token,
            "team_id": team_id,
            "api_app_id": self.api_app_id,
            "event": inner,
            "type": "event_callback",
            "event_id": event_id or f"Ev{secrets.token_hex(5).upper()}",
            "event_time": int(time.time()) if event_time is None else event_time,
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": team_id,
                    "user_id": self._bot_user_id(team_id),
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"4-{secrets.token_hex(12)}",
        }
        headers: dict[str, str] = {}
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = retry_reason or "http_timeout"
        elif retry_reason is not None:
            headers["X-Slack-Retry-Reason"] = retry_reason
        logger.debug("event %s team=%s", inner.get("type"), team_id)
        return self.post(self.app_url, json.dumps(envelope).encode(), JSON, extra_headers=headers)

    def url_verification(self, challenge: str) -> Reply:
        body = {
            "token": self.verification_token,
            "challenge": challenge,
            "type": "url_verification",
        }
        return self.post(self.app_url, json.dumps(body).encode(), JSON)

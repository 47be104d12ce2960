"""The simulator's records and small helpers: recorded calls, uploads, faults, the request
context a Web API method gets, cursors and ids."""

from __future__ import annotations

import base64
import binascii
import email.parser
import email.policy
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

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
    kind: Literal["error", "ratelimit", "server_error", "slow", "hang_up"]
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
class _Scheduled:
    """A message ``chat.scheduleMessage`` holds until ``post_at`` (then posted, or deleted)."""

    scheduled_id: str
    channel: str
    team_id: str
    post_at: int
    date_created: int
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
    hang_up: bool = False  # close the connection without answering


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

"""One logging configuration for every process: text for people, JSON for log pipelines.

Context (team, user, round ids) travels as ``extra=`` fields, or is bound for a whole Slack
request with :func:`bind_log_context` (Bolt's listener threads inherit it through
:class:`ContextThreadPoolExecutor`). Tokens never reach a log line: the formatters mask
anything shaped like a Slack token or secret in the finished line, exception text included,
as a last line of defence. Message text is never logged by our code; keep it that way.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, ParamSpec, TypeVar

CONTEXT_FIELDS = (
    "team_id",
    "enterprise_id",
    "user_id",
    "round_id",
    "group_id",
    "outbox_id",
    "event_id",
    "error_id",
)
# Bot, user, app-level, refresh and config tokens; Slack secrets are hex but never logged.
_TOKEN_RE = re.compile(r"\b(?:xox[abposre]|xapp|xoxe\.xox[bp])-[A-Za-z0-9-]+")
REDACTED = "[redacted-token]"

_NO_CONTEXT: Mapping[str, str] = MappingProxyType({})
_context: contextvars.ContextVar[Mapping[str, str]] = contextvars.ContextVar(
    "skillswap_log_context", default=_NO_CONTEXT
)

P = ParamSpec("P")
T = TypeVar("T")


def redact(text: str) -> str:
    return _TOKEN_RE.sub(REDACTED, text)


def bind_log_context(**ids: str | None) -> contextvars.Token[Mapping[str, str]]:
    """Add ids to every log line in this context until :func:`reset_log_context`."""
    merged = dict(_context.get())
    merged.update({k: v for k, v in ids.items() if v})
    return _context.set(MappingProxyType(merged))


def reset_log_context(token: contextvars.Token[Mapping[str, str]]) -> None:
    _context.reset(token)


class ContextThreadPoolExecutor(ThreadPoolExecutor):
    """A thread pool whose tasks run in a copy of the submitter's context (its log ids)."""

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        ctx = contextvars.copy_context()

        def run() -> T:
            return ctx.run(fn, *args, **kwargs)

        return super().submit(run)


class ContextFilter(logging.Filter):
    """Fills the context fields a record does not set itself from the bound context."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in _context.get().items():
            if getattr(record, name, None) is None:
                setattr(record, name, value)
        return True


_BODY_RE = re.compile(r"\bbody: .*", re.DOTALL)


class OmitBoltBodies(logging.Filter):
    """Bolt quotes request and response bodies in some lines (e.g. a request whose signature
    failed): those bodies are members' words, so they are cut from the line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith(("slack_bolt", "bot.bolt")):
            message = record.getMessage()
            if _BODY_RE.search(message):
                record.msg = _BODY_RE.sub("body: [omitted]", message)
                record.args = None
        return True


_omit_bolt_bodies = OmitBoltBodies()


class RedactTokens(logging.Filter):
    """Masks tokens in the message (kept for handlers that use their own formatter)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _TOKEN_RE.search(message):
            record.msg = redact(message)
            record.args = None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for field in CONTEXT_FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                entry[field] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return redact(json.dumps(entry, ensure_ascii=False, default=str))


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        base = super().format(record)
        ctx = " ".join(
            f"{f}={getattr(record, f)}" for f in CONTEXT_FIELDS if getattr(record, f, None)
        )
        return redact(f"{base} [{ctx}]" if ctx else base)


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a record comes (CLIs and test runners swap
    it), unless a stream was set explicitly with ``setStream``."""

    def __init__(self) -> None:
        self._fixed: Any = None
        super().__init__()

    @property
    def stream(self) -> Any:
        return self._fixed if self._fixed is not None else sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        self._fixed = None if value is sys.stderr else value


def guard_bolt_loggers(app_logger: logging.Logger) -> None:
    """Filter Bolt's records on Bolt's loggers themselves, so every handler (not only ours)
    gets them clean. Bolt copies its app logger's filters to its own loggers only when they
    have none yet, so every ``slack_bolt.*`` logger that exists is given the filter too."""
    names = [n for n in list(logging.root.manager.loggerDict) if n.startswith("slack_bolt")]
    for logger in (app_logger, *(logging.getLogger(n) for n in names)):
        logger.addFilter(_omit_bolt_bodies)  # the same object is never added twice


def make_handler(fmt: str = "text") -> logging.Handler:
    """The one handler SkillSwap logs through (stderr), in ``text`` or ``json``."""
    handler = StderrHandler()
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(ContextFilter())
    handler.addFilter(OmitBoltBodies())
    handler.addFilter(RedactTokens())
    return handler


def configure_logging(level: str = "INFO", fmt: str = "text") -> None:
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(make_handler(fmt))
    root.setLevel(level.upper())
    # slack_sdk logs request and response bodies at DEBUG (message text, OAuth responses);
    # keep it at INFO or above whatever the root level is.
    # Bolt's debug lines quote payloads too (its loggers copy the level of ``bot.bolt``).
    for name in ("slack_sdk", "slack_bolt", "bot.bolt"):
        logging.getLogger(name).setLevel(max(logging.INFO, root.level))
    # Gunicorn's own loggers go through the same handler (see bot/cli/serve.py).
    for name in ("gunicorn.error", "gunicorn.access"):
        gunicorn_log = logging.getLogger(name)
        for old in list(gunicorn_log.handlers):
            gunicorn_log.removeHandler(old)
        gunicorn_log.propagate = True

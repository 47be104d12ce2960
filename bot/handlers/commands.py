"""``/skillswap``: one slash command, many subcommands.

Feature modules add subcommands to the :class:`CommandRegistry` in their ``register``. Most
subcommands take milliseconds, so the listener runs them and acknowledges Slack *with* the
ephemeral reply (one HTTP exchange, nothing more to send). A subcommand marked ``slow`` is
acknowledged at once and replies later through the ``response_url``. Help text is derived
from the registry, so it cannot drift from the code.
"""

from __future__ import annotations

import difflib
import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.models.blocks import Block

from bot.blocks.common import help_blocks, text_blocks
from bot.deps import Deps
from bot.errors import SkillSwapError
from bot.services.admin import require_admin

log = logging.getLogger(__name__)

COMMAND = "/skillswap"
# Slack shows "operation timed out" after 3 s without an ack; past this budget we ack empty.
ACK_BUDGET_SECONDS = 2.0


@dataclass(frozen=True)
class CommandContext:
    """A parsed ``/skillswap`` invocation."""

    team_id: str
    enterprise_id: str | None
    user_id: str
    channel_id: str | None
    trigger_id: str | None
    subcommand: str
    args: str
    client: WebClient
    deps: Deps
    respond: Respond


@dataclass(frozen=True)
class Reply:
    """What a subcommand shows the member (ephemeral)."""

    text: str
    blocks: list[Block] = field(default_factory=list)

    @cached_property
    def block_dicts(self) -> list[dict[str, Any]]:
        """The blocks as Slack's JSON, validated by slack_sdk (once per reply)."""
        return [b.to_dict() for b in self.blocks]


Handler = Callable[[CommandContext], Reply | None]


@dataclass(frozen=True)
class Subcommand:
    name: str
    usage: str  # e.g. "teach <skill>[, <skill>…]"
    summary: str  # one line for the help
    handler: Handler
    aliases: tuple[str, ...] = ()
    admin_only: bool = False  # enforced by dispatch(): handlers need not check again
    order: int = 100
    slow: bool = False  # may take more than a second: ack first, reply via response_url


class CommandRegistry:
    def __init__(self) -> None:
        self._by_name: dict[str, Subcommand] = {}
        self._primary: list[Subcommand] = []
        self._help: Reply | None = None

    def add(self, sub: Subcommand) -> None:
        for name in (sub.name, *sub.aliases):
            if name in self._by_name:
                raise ValueError(f"subcommand {name!r} registered twice")
            self._by_name[name] = sub
        self._primary.append(sub)
        self._help = None

    def help(self) -> Reply:
        """The help reply: built from the registry once, then reused (it only changes when a
        subcommand is added, which happens before the app serves anything)."""
        if self._help is None:
            self._help = help_reply(self)
        return self._help

    def get(self, name: str) -> Subcommand | None:
        return self._by_name.get(name)

    def all(self) -> list[Subcommand]:
        return sorted(self._primary, key=lambda s: (s.order, s.name))

    def closest(self, name: str) -> Subcommand | None:
        hits = difflib.get_close_matches(name, list(self._by_name), n=1, cutoff=0.6)
        return self._by_name[hits[0]] if hits else None


def parse_text(text: str | None) -> tuple[str, str]:
    """Split ``"teach Spanish, SQL"`` into ``("teach", "Spanish, SQL")``."""
    cleaned = (text or "").strip()
    if not cleaned:
        return "", ""
    head, _, rest = cleaned.partition(" ")
    return head.lower(), rest.strip()


def help_reply(registry: CommandRegistry) -> Reply:
    lines = [
        (f"{COMMAND} {s.usage}".rstrip(), s.summary + (" _(admins)_" if s.admin_only else ""))
        for s in registry.all()
    ]
    return Reply(
        text="SkillSwap pairs colleagues every week to teach each other what they know.",
        blocks=help_blocks(lines),
    )


def unknown_reply(registry: CommandRegistry, ctx: CommandContext) -> Reply:
    near = registry.closest(ctx.subcommand)
    hint = (
        f" Did you mean `{COMMAND} {near.usage}`?"
        if near
        else f" Try `{COMMAND} help` to see what I can do."
    )
    message = f"I don't know `{_short(ctx.subcommand)}`.{hint}"
    return Reply(text=message, blocks=text_blocks(message))


def dispatch(registry: CommandRegistry, ctx: CommandContext) -> Reply | None:
    """Run the subcommand; domain errors become the reply the member sees."""
    try:
        return _run(registry, ctx)
    except SkillSwapError as exc:
        return Reply(text=exc.message, blocks=text_blocks(exc.message))


def _run(registry: CommandRegistry, ctx: CommandContext) -> Reply | None:
    if ctx.subcommand in ("", "help"):
        return registry.help()
    sub = registry.get(ctx.subcommand)
    if sub is None:
        return unknown_reply(registry, ctx)
    if sub.admin_only:
        # Enforced here for every admin subcommand, whatever its handler does itself.
        with ctx.deps.unit_of_work() as session:
            require_admin(
                session=session,
                deps=ctx.deps,
                client=ctx.client,
                team_id=ctx.team_id,
                user_id=ctx.user_id,
            )
    return sub.handler(ctx)


def _short(value: str, limit: int = 40) -> str:
    value = value.replace("`", "'")
    return value if len(value) <= limit else value[: limit - 1] + "…"


def register(app: App, deps: Deps) -> None:
    registry = deps.commands
    if registry is None:  # pragma: no cover - create_app always sets it
        raise RuntimeError("Deps.commands must be set before handlers are registered")

    @app.command(COMMAND)
    def on_command(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        subcommand, args = parse_text(body.get("text"))
        sub = registry.get(subcommand)
        guard = _AckGuard(ack, budget=0.0 if sub is not None and sub.slow else ACK_BUDGET_SECONDS)
        ctx = CommandContext(
            team_id=str(body.get("team_id", "")),
            enterprise_id=body.get("enterprise_id") or None,
            user_id=str(body.get("user_id", "")),
            channel_id=body.get("channel_id"),
            trigger_id=body.get("trigger_id"),
            subcommand=subcommand,
            args=args,
            client=client,
            deps=deps,
            respond=respond,
        )
        log.info(
            "command %s",
            subcommand or "help",
            extra={"team_id": ctx.team_id, "user_id": ctx.user_id},
        )
        try:
            reply = dispatch(registry, ctx)
        finally:
            guard.stop()
        blocks = reply.block_dicts if reply is not None else []
        if guard.answer(reply.text if reply else None, blocks):
            return
        if reply is not None:  # acknowledged already: the reply goes to the response_url
            respond(
                text=reply.text,
                blocks=blocks or None,
                response_type="ephemeral",
                replace_original=False,
            )


class _AckGuard:
    """Slack needs the ack within 3 s. Replies normally travel in the ack; if the work runs
    past ``budget`` seconds (a busy database, say), acknowledge empty and reply later."""

    def __init__(self, ack: Ack, *, budget: float) -> None:
        self._ack = ack
        self._lock = threading.Lock()
        self._acked = False
        self.finished = False
        if budget <= 0:
            self.expire()
        else:
            _WATCHDOG.watch(time.monotonic() + budget, self)

    def expire(self) -> None:
        """Acknowledge empty, unless the reply went out already."""
        with self._lock:
            if not self._acked:
                self._acked = True
                self._ack()

    def stop(self) -> None:
        self.finished = True

    def answer(self, text: str | None, blocks: list[dict[str, Any]]) -> bool:
        """Ack with the reply; False when the ack went out already (reply another way)."""
        with self._lock:
            if self._acked:
                return False
            self._acked = True
        if text is None:
            self._ack()
        else:
            self._ack(text=text, blocks=blocks or None, response_type="ephemeral")
        return True


class _Watchdog:
    """One thread per process expires every command's ack budget (a timer thread per
    command would cost more than most commands do)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._due: list[tuple[float, int, _AckGuard]] = []
        self._serial = itertools.count()
        self._thread: threading.Thread | None = None

    def watch(self, deadline: float, guard: _AckGuard) -> None:
        with self._cond:
            heapq.heappush(self._due, (deadline, next(self._serial), guard))
            if self._thread is None or not self._thread.is_alive():  # first use, or forked
                self._thread = threading.Thread(target=self._run, name="ack-watchdog", daemon=True)
                self._thread.start()
            elif self._due[0][2] is guard:
                self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while True:
                    while self._due and self._due[0][2].finished:
                        heapq.heappop(self._due)
                    if not self._due:
                        self._cond.wait()
                        continue
                    delay = self._due[0][0] - time.monotonic()
                    if delay <= 0:
                        guard = heapq.heappop(self._due)[2]
                        break
                    self._cond.wait(delay)
            try:
                guard.expire()
            except Exception:  # never let one failed ack stop the watchdog
                log.exception("could not acknowledge a slow command")


_WATCHDOG = _Watchdog()

"""``/skillswap``: one slash command, many subcommands.

Listener modules export their subcommands as ``SUBCOMMANDS``; :func:`build_registry` collects
them into a :class:`CommandRegistry` when the listener is registered. Most
subcommands take milliseconds, so the listener runs them and acknowledges Slack *with* the
ephemeral reply (one HTTP exchange, nothing more to send). A subcommand marked ``slow`` is
acknowledged at once and replies later through the ``response_url``. Help text is derived
from the registry, so it cannot drift from the code.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.models.blocks import Block

from bot.blocks.common import blocks_json, text_blocks
from bot.blocks.help import HelpAction, HelpCommand, HelpView, command_help_text, help_blocks
from bot.deps import Deps
from bot.errors import SkillSwapError
from bot.slack.acks import ACK_BUDGET_SECONDS, AckGuard
from bot.slack.actor import Actor
from bot.slack.text import COMMAND, clip
from bot.workspaces.admins import RecentSlackAdmins, require_admin, shows_admin

log = logging.getLogger(__name__)


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
    api_app_id: str | None = None  # for the help's "Open Home" link


@dataclass(frozen=True)
class Reply:
    """What a subcommand shows the member (ephemeral)."""

    text: str
    blocks: list[Block] = field(default_factory=list)

    @cached_property
    def block_dicts(self) -> list[dict[str, Any]]:
        """The blocks as Slack's JSON, validated by slack_sdk's models (once per reply)."""
        return blocks_json(self.blocks)


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
        self._help: dict[bool, HelpView] = {}
        self._help_replies: dict[tuple[bool, str | None], Reply] = {}
        #: Slack's recent answers on who is an admin, for the help's admin line only.
        self.recent_admins = RecentSlackAdmins()

    def add(self, sub: Subcommand) -> None:
        for name in (sub.name, *sub.aliases):
            if name in self._by_name:
                raise ValueError(f"subcommand {name!r} registered twice")
            self._by_name[name] = sub
        self._primary.append(sub)
        self._help = {}
        self._help_replies = {}

    def help(self, *, admin: bool) -> HelpView:
        """What the help shows (admin subcommands to admins only): built from the registry once
        per audience, then reused (subcommands are added before the app serves anything)."""
        if admin not in self._help:
            self._help[admin] = help_view(self, admin=admin)
        return self._help[admin]

    def help_reply(self, *, admin: bool, home_url: str | None) -> Reply:
        """The help's reply for one audience and Home link, its Block Kit JSON converted once
        (the same for every request with these; a workspace has one Home link per app)."""
        key = (admin, home_url)
        found = self._help_replies.get(key)
        if found is None:
            view = self.help(admin=admin)
            if home_url:
                view = replace(view, home_url=home_url)
            found = Reply(
                text="SkillSwap pairs colleagues each round to show each other what they know.",
                blocks=help_blocks(view),
            )
            found.block_dicts  # noqa: B018 - converted (and validated) once, here
            if len(self._help_replies) >= HELP_REPLIES_KEPT:
                self._help_replies.clear()
            self._help_replies[key] = found
        return found

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


#: Help replies kept (per audience and Home link: two per workspace and app).
HELP_REPLIES_KEPT = 1_000

#: Subcommands ordered before this join SkillSwap (teach, learn): the help's "Join" line.
JOIN_ORDER = 30


def _help_command(sub: Subcommand) -> HelpCommand:
    return HelpCommand(name=sub.name, usage=sub.usage, summary=sub.summary)


def help_view(registry: CommandRegistry, *, admin: bool) -> HelpView:
    subs = registry.all()
    return HelpView(
        join=tuple(_help_command(s) for s in subs if s.order < JOIN_ORDER and not s.admin_only),
        more=tuple(_help_command(s) for s in subs if s.order >= JOIN_ORDER and not s.admin_only),
        admin=tuple(_help_command(s) for s in subs if s.admin_only) if admin else (),
    )


def help_reply(registry: CommandRegistry, ctx: CommandContext) -> Reply:
    """Four lines and two buttons; ``help <command>`` explains one (admin ones to admins)."""
    admin = shows_admin(
        ctx.deps,
        ctx.client,
        team_id=ctx.team_id,
        user_id=ctx.user_id,
        recent=registry.recent_admins,
    )
    if ctx.args:
        sub = registry.get(parse_text(ctx.args)[0])
        if sub is None or (sub.admin_only and not admin):
            typed = clip(ctx.args.replace("`", "'"), 40)
            message = f"I don't know `{typed}`. Try `{COMMAND} help` to see what I can do."
            return Reply(text=message, blocks=text_blocks(message))
        message = command_help_text(_help_command(sub))
        return Reply(text=message, blocks=text_blocks(message))
    home_url = (
        f"slack://app?team={ctx.team_id}&id={ctx.api_app_id}&tab=home" if ctx.api_app_id else None
    )
    return registry.help_reply(admin=admin, home_url=home_url)


def unknown_reply(registry: CommandRegistry, ctx: CommandContext) -> Reply:
    near = registry.closest(ctx.subcommand)
    hint = (
        f" Did you mean `{COMMAND} {near.usage}`?"
        if near
        else f" Try `{COMMAND} help` to see what I can do."
    )
    typed = clip(ctx.subcommand.replace("`", "'"), 40)
    message = f"I don't know `{typed}`.{hint}"
    return Reply(text=message, blocks=text_blocks(message))


def dispatch(registry: CommandRegistry, ctx: CommandContext) -> Reply | None:
    """Run the subcommand; domain errors become the reply the member sees."""
    try:
        return _run(registry, ctx)
    except SkillSwapError as exc:
        return Reply(text=exc.message, blocks=text_blocks(exc.message))


def _run(registry: CommandRegistry, ctx: CommandContext) -> Reply | None:
    if ctx.subcommand in ("", "help"):
        return help_reply(registry, ctx)
    sub = registry.get(ctx.subcommand)
    if sub is None:
        return unknown_reply(registry, ctx)
    if sub.admin_only:
        # Enforced here for every admin subcommand, whatever its handler does itself.
        require_admin(ctx.deps, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id)
    return sub.handler(ctx)


def logged_name(typed: str, sub: Subcommand | None) -> str:
    """The subcommand as logs name it: a registered name, ``help``, or ``unknown`` — never the
    word someone typed (logs carry ids, not what people write)."""
    if sub is not None:
        return sub.name
    return "help" if typed in ("", "help") else "unknown"


def build_registry() -> CommandRegistry:
    """Every listener module's ``SUBCOMMANDS``, in one registry."""
    from bot.handlers import collect

    registry = CommandRegistry()
    for sub in collect("SUBCOMMANDS"):
        registry.add(sub)
    return registry


def register(app: App, deps: Deps) -> None:
    registry = build_registry()

    @app.command(COMMAND)
    def on_command(
        ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
    ) -> None:
        actor = Actor.of(context)
        subcommand, args = parse_text(body.get("text"))
        sub = registry.get(subcommand)
        guard = AckGuard(ack, budget=0.0 if sub is not None and sub.slow else ACK_BUDGET_SECONDS)
        ctx = CommandContext(
            team_id=actor.team_id,
            enterprise_id=actor.enterprise_id,
            user_id=actor.user_id,
            channel_id=body.get("channel_id"),
            trigger_id=body.get("trigger_id"),
            subcommand=subcommand,
            args=args,
            client=client,
            deps=deps,
            respond=respond,
            api_app_id=body.get("api_app_id") or None,
        )
        log.info(
            "command %s",
            logged_name(subcommand, sub),
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

    @app.action(HelpAction.OPEN_HOME)
    def on_help_open_home(ack: Ack) -> None:
        ack()  # a link: Slack opens the Home tab itself and tells us of the click

"""The Slack app manifest, derived from the code so it cannot drift from it.

* the slash command comes from the listeners registered on a built :class:`slack_bolt.App`
  (and its usage hint from the ``/skillswap`` subcommand registry);
* the bot events, interactivity, the options load URL and shortcuts come from the same
  listeners, read off Bolt's built-in matchers;
* the bot scopes are :data:`bot.app.BOT_SCOPES`; :func:`scopes_needed` computes what the code
  needs (Web API methods it calls, events it listens to) so a test can prove the two agree.

Everything here is pure except :func:`manifest_for_code`, which builds a throw-away app (no
network, no database connection) to read its listeners.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from slack_bolt import App
from slack_sdk import WebClient

APP_NAME = "SkillSwap"
SHORT_DESCRIPTION = "Pairs colleagues every week to teach each other what they know."
LONG_DESCRIPTION = (
    "SkillSwap is co-learning for your workspace. Colleagues write down what they can teach "
    "(work skills and everything else: a language, coding, music, drawing) and what they want "
    "to learn. Every round SkillSwap pairs people for a skill swap, ideally both ways, sends "
    "the pair a direct message with a concrete first 30-minute session, checks in afterwards "
    "with one-click buttons and shows admins the new connections forming across teams. "
    "Joining is voluntary and a pause is one click."
)
BACKGROUND_COLOR = "#1d4e89"

# Bolt's matcher factories, by what they mean for the manifest.
_EVENT_MATCHERS = {"event", "message_event"}
_COMMAND_MATCHERS = {"command"}
_INTERACTIVE_MATCHERS = {
    "action",
    "block_action",
    "attachment_action",
    "dialog_submission",
    "dialog_cancellation",
    "view",
    "view_submission",
    "view_closed",
}
_OPTIONS_MATCHERS = {"options", "block_suggestion", "dialog_suggestion"}
_GLOBAL_SHORTCUT_MATCHERS = {"shortcut", "global_shortcut"}
_MESSAGE_SHORTCUT_MATCHERS = {"message_shortcut"}

# What each Web API method the code calls needs (docs.slack.dev/reference/methods/<method>).
METHOD_SCOPES: Mapping[str, tuple[str, ...]] = {
    "auth.test": (),
    "oauth.v2.access": (),
    "apps.connections.open": (),  # app-level token (connections:write), not a bot scope
    "views.open": (),
    "views.push": (),
    "views.update": (),
    "views.publish": (),
    "chat.postMessage": ("chat:write",),
    "chat.postEphemeral": ("chat:write",),
    "chat.update": ("chat:write",),
    "chat.delete": ("chat:write",),
    "chat.scheduleMessage": ("chat:write",),
    "chat.deleteScheduledMessage": ("chat:write",),
    "chat.getPermalink": (),
    "conversations.open": ("im:write",),  # a group DM also needs mpim:write, see below
    "conversations.history": ("im:history", "mpim:history"),
    # Channels only (who takes part): SkillSwap never asks about DMs.
    "conversations.info": ("channels:read", "groups:read"),
    "conversations.members": ("channels:read", "groups:read"),
    "usergroups.list": ("usergroups:read",),
    "usergroups.users.list": ("usergroups:read",),
    "users.profile.get": ("users.profile:read",),
    "team.profile.get": ("users.profile:read",),
    "users.info": ("users:read",),
    "users.list": ("users:read",),
    "users.lookupByEmail": ("users:read", "users:read.email"),
    "team.info": ("team:read",),
    "files.getUploadURLExternal": ("files:write",),
    "files.completeUploadExternal": ("files:write",),
    "reactions.add": ("reactions:write",),
}
# WebClient helpers that call several methods.
_COMPOSITE_METHODS: Mapping[str, tuple[str, ...]] = {
    "files.upload.v2": ("files.getUploadURLExternal", "files.completeUploadExternal"),
}
# Events the code may subscribe to, and the scope each needs (docs.slack.dev/reference/events).
EVENT_SCOPES: Mapping[str, tuple[str, ...]] = {
    "app_home_opened": (),  # needs the Home tab, no scope
    "app_uninstalled": (),
    "tokens_revoked": (),
    "team_join": ("users:read",),
    "user_change": ("users:read",),
    "member_joined_channel": ("channels:read", "groups:read"),
}


class ManifestError(Exception):
    """The manifest cannot be built (bad option, or a listener it cannot describe)."""


@dataclass(frozen=True)
class Listeners:
    """What a built Bolt app listens to, as far as the manifest is concerned."""

    commands: frozenset[str]
    events: frozenset[str]
    interactive: bool
    options: bool
    global_shortcuts: frozenset[str]
    message_shortcuts: frozenset[str]


def _closure(func: Any) -> dict[str, Any]:
    names = getattr(getattr(func, "__code__", None), "co_freevars", ())
    cells = getattr(func, "__closure__", None) or ()
    return {name: cell.cell_contents for name, cell in zip(names, cells, strict=False)}


def _plain(value: Any, what: str) -> str:
    if isinstance(value, str):
        return value
    raise ManifestError(
        f"a {what} listener is registered with {value!r}; the manifest needs a literal name"
    )


def registered_listeners(app: App) -> Listeners:
    """Read the listeners off Bolt's built-in matchers (the first matcher of each listener).

    Bolt keeps them in ``App._listeners``; each primary matcher's function is a closure made by
    a factory in ``slack_bolt.listener_matcher.builtins`` (``event``, ``command``, ...) that
    holds the event type, command or callback id. Anything not understood raises
    :class:`ManifestError`, so a new kind of listener fails the manifest tests instead of
    silently missing from the manifest.
    """
    commands: set[str] = set()
    events: set[str] = set()
    global_shortcuts: set[str] = set()
    message_shortcuts: set[str] = set()
    interactive = options = False
    for listener in app._listeners:
        func = getattr(listener.matchers[0], "func", None)
        factory = getattr(func, "__qualname__", "").split(".<locals>", 1)[0]
        cells = _closure(func)
        if factory in _EVENT_MATCHERS:
            raw = cells.get("event_type")
            if raw is None and isinstance(cells.get("constraints"), dict):
                raw = cells["constraints"].get("type")
            event = _plain(raw, "event")
            if event == "message":
                raise ManifestError(
                    "message events need a channel type (message.im, message.channels, ...) "
                    "and history scopes; add them to bot/manifest.py before listening to them"
                )
            events.add(event)
        elif factory in _COMMAND_MATCHERS:
            commands.add(_plain(cells.get("command"), "command"))
        elif factory in _INTERACTIVE_MATCHERS:
            interactive = True
        elif factory in _OPTIONS_MATCHERS:
            interactive = options = True
        elif factory in _GLOBAL_SHORTCUT_MATCHERS:
            interactive = True
            global_shortcuts.add(_plain(cells.get("callback_id"), "shortcut"))
        elif factory in _MESSAGE_SHORTCUT_MATCHERS:
            interactive = True
            message_shortcuts.add(_plain(cells.get("callback_id"), "message shortcut"))
        else:
            raise ManifestError(
                f"cannot describe the listener matched by {factory or func!r} in the manifest; "
                "teach bot/manifest.py about it"
            )
    return Listeners(
        commands=frozenset(commands),
        events=frozenset(events),
        interactive=interactive,
        options=options,
        global_shortcuts=frozenset(global_shortcuts),
        message_shortcuts=frozenset(message_shortcuts),
    )


# --------------------------------------------------------------------------- scopes


def _web_client_methods() -> dict[str, str]:
    """WebClient attribute name → Web API method (``chat_postMessage`` → ``chat.postMessage``)."""
    names: dict[str, str] = {}
    for name in dir(WebClient):
        if name.startswith("_") or not callable(getattr(WebClient, name)):
            continue
        if name in ("api_call",):
            continue
        if "_" in name:  # every API method has a family prefix: chat_, users_, views_, ...
            names[name] = name.replace("_", ".")
    return names


def web_api_methods_in_source(paths: Iterable[Path]) -> set[str]:
    """Every Web API method the Python files at ``paths`` call on a ``WebClient``.

    Finds ``<anything>.<web_client_method>(...)`` calls and ``api_call("method.name", ...)``.
    Attribute names that WebClient does not define are not API calls and are ignored.
    """
    known = _web_client_methods()
    found: set[str] = set()
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            attr = node.func.attr
            if attr == "api_call" and node.args and isinstance(node.args[0], ast.Constant):
                if isinstance(node.args[0].value, str):
                    found.add(node.args[0].value)
            elif attr in known:
                found.add(known[attr])
    expanded: set[str] = set()
    for method in found:
        expanded.update(_COMPOSITE_METHODS.get(method, (method,)))
    return expanded


def scopes_needed(
    *,
    methods: Iterable[str],
    events: Iterable[str],
    commands: Iterable[str],
    group_dms: bool,
) -> set[str]:
    """The least bot scopes for these Web API methods, event subscriptions and commands.

    ``group_dms``: the app opens conversations with several members (``mpim:write``).
    Unknown methods or events raise :class:`ManifestError` naming them.
    """
    unknown = sorted({m for m in methods if m not in METHOD_SCOPES})
    unknown += sorted({f"event {e}" for e in events if e not in EVENT_SCOPES})
    if unknown:
        raise ManifestError(
            "add the scopes these need to METHOD_SCOPES / EVENT_SCOPES in bot/manifest.py: "
            + ", ".join(unknown)
        )
    scopes: set[str] = set()
    for method in methods:
        scopes.update(METHOD_SCOPES[method])
    for event in events:
        scopes.update(EVENT_SCOPES[event])
    if any(True for _ in commands):
        scopes.add("commands")
    if group_dms and "conversations.open" in set(methods):
        scopes.add("mpim:write")
    return scopes


# --------------------------------------------------------------------------- the manifest

_URL_SUFFIXES = ("/slack/events", "/")


def _base_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme != "https" or not parts.netloc:
        raise ManifestError(
            f"--url must be the public https:// address of `skillswap serve` (got {url!r}); "
            "Slack only sends requests to https URLs"
        )
    if parts.query or parts.fragment:
        raise ManifestError("--url must not have a query string or fragment")
    base = f"https://{parts.netloc}{parts.path}"
    for suffix in _URL_SUFFIXES:
        if base.endswith(suffix):
            base = base[: -len(suffix)]
    return base


def _usage_hint(subcommands: Sequence[str]) -> str:
    hint = ""
    for name in ["help", *[s for s in subcommands if s != "help"]]:
        candidate = f"{hint} | {name}" if hint else name
        if len(candidate) > 90:
            return hint + " | …"
        hint = candidate
    return hint


def _shortcut_name(callback_id: str, app_name: str = "") -> str:
    """``skillswap_profile`` → ``SkillSwap profile`` (the app's own spelling of its name)."""
    words = re.sub(r"[_\-.]+", " ", callback_id).strip()
    if app_name and words.lower().startswith(app_name.lower()):
        words = app_name + words[len(app_name) :]
    return (words[:1].upper() + words[1:])[:24] or callback_id[:24]


def build_manifest(
    listeners: Listeners,
    *,
    scopes: Sequence[str],
    subcommands: Sequence[str] = (),
    url: str | None = None,
    socket_mode: bool = False,
    org_deploy: bool = False,
    events_path: str = "/slack/events",
    redirect_path: str = "/slack/oauth_redirect",
    name: str = APP_NAME,
) -> dict[str, Any]:
    """The manifest as a dict (see docs.slack.dev/reference/app-manifest).

    HTTP mode needs ``url``, the public https base address of ``skillswap serve``; every
    request URL is ``<url>/slack/events`` and the OAuth redirect ``<url>/slack/oauth_redirect``.
    Socket Mode takes no URL.
    """
    if socket_mode and url:
        raise ManifestError("--url is not used in Socket Mode: Slack sends everything over it")
    if not socket_mode and not url:
        raise ManifestError(
            "give --url https://your.host (HTTP mode) or --socket-mode (no public URL)"
        )
    request_url = None if socket_mode else _base_url(url or "") + events_path

    features: dict[str, Any] = {
        "app_home": {
            "home_tab_enabled": "app_home_opened" in listeners.events,
            # Intros, check-ins and invitations arrive as DMs from the app and every answer
            # is a button (or /skillswap): the app does not read what people type there
            # (no message.im), so the composer is off rather than swallowing replies.
            "messages_tab_enabled": True,
            "messages_tab_read_only_enabled": True,
        },
        "bot_user": {"display_name": name, "always_online": True},
    }
    shortcuts = [
        {
            "name": _shortcut_name(cid, name),
            "type": kind,
            "callback_id": cid,
            "description": f"Open {_shortcut_name(cid, name)}",
        }
        for kind, ids in (
            ("global", listeners.global_shortcuts),
            ("message", listeners.message_shortcuts),
        )
        for cid in sorted(ids)
    ]
    if shortcuts:
        features["shortcuts"] = shortcuts
    if listeners.commands:
        commands = []
        for command in sorted(listeners.commands):
            entry: dict[str, Any] = {
                "command": command,
                "description": "Teach and learn with colleagues: skills, pauses, rounds",
                "usage_hint": _usage_hint(subcommands),
                "should_escape": False,
            }
            if request_url:
                entry["url"] = request_url
            commands.append(entry)
        features["slash_commands"] = commands

    oauth_config: dict[str, Any] = {"scopes": {"bot": sorted(scopes)}}
    if not socket_mode:
        oauth_config["redirect_urls"] = [_base_url(url or "") + redirect_path]

    settings: dict[str, Any] = {}
    if listeners.events:
        subscriptions: dict[str, Any] = {"bot_events": sorted(listeners.events)}
        if request_url:
            subscriptions = {"request_url": request_url, **subscriptions}
        settings["event_subscriptions"] = subscriptions
    if listeners.interactive:
        interactivity: dict[str, Any] = {"is_enabled": True}
        if request_url:
            interactivity["request_url"] = request_url
            if listeners.options:
                # external_select menus load their options from here (block_suggestion).
                interactivity["message_menu_options_url"] = request_url
        settings["interactivity"] = interactivity
    settings["org_deploy_enabled"] = org_deploy
    settings["socket_mode_enabled"] = socket_mode
    settings["token_rotation_enabled"] = False

    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": name,
            "description": SHORT_DESCRIPTION,
            "long_description": LONG_DESCRIPTION,
            "background_color": BACKGROUND_COLOR,
        },
        "features": features,
        "oauth_config": oauth_config,
        "settings": settings,
    }


def to_yaml(manifest: Mapping[str, Any]) -> str:
    return yaml.safe_dump(dict(manifest), sort_keys=False, allow_unicode=True, width=100)


def built_app() -> tuple[App, list[str]]:
    """A throw-away app with every listener registered, and its subcommand names.

    Built with placeholder credentials and an in-memory SQLite engine that is never
    connected; Bolt makes no network call because token verification is off.
    """
    from pydantic import SecretStr

    from bot.app import create_app
    from bot.deps import Deps
    from bot.handlers.commands import build_registry
    from bot.settings import Settings
    from bot.store.db import make_engine, make_session_factory

    settings = Settings(
        _env_file=None,
        slack_bot_token=SecretStr("xoxb-manifest-placeholder"),
        slack_signing_secret=SecretStr("manifest-placeholder"),
        slack_client_id=None,
        slack_client_secret=None,
        slack_app_token=None,
        database_url="sqlite://",
    )
    engine = make_engine(settings.database_url)
    deps = Deps(settings=settings, engine=engine, session_factory=make_session_factory(engine))
    try:
        app = create_app(deps)
    finally:
        engine.dispose()
    names = [s.name for s in build_registry().all() if not s.admin_only]
    return app, names


def manifest_for_code(
    *, url: str | None = None, socket_mode: bool = False, org_deploy: bool = False
) -> dict[str, Any]:
    """The manifest for this version of SkillSwap (what ``skillswap manifest`` prints)."""
    from bot.slack.oauth import BOT_SCOPES, REDIRECT_PATH
    from bot.web import EVENTS_PATH

    app, subcommands = built_app()
    return build_manifest(
        registered_listeners(app),
        scopes=BOT_SCOPES,
        subcommands=subcommands,
        url=url,
        socket_mode=socket_mode,
        org_deploy=org_deploy,
        events_path=EVENTS_PATH,
        redirect_path=REDIRECT_PATH,
    )

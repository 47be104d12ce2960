"""Slack listeners. Every module here defines ``register(app: App, deps: Deps) -> None``.

``register_all`` imports each module of this package and calls its ``register``: a new
listener module needs no edit elsewhere. A module may also export ``SUBCOMMANDS`` (a tuple
of :class:`bot.handlers.commands.Subcommand`, collected by ``commands``) and
``HOME_SECTIONS`` (a tuple of :class:`bot.handlers.home.HomeSection`, collected by ``home``).
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from types import ModuleType
from typing import Any

from slack_bolt import App

from bot.deps import Deps


def module_names() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


@cache
def modules() -> tuple[ModuleType, ...]:
    return tuple(importlib.import_module(f"{__name__}.{name}") for name in module_names())


def collect(attribute: str) -> list[Any]:
    """What every listener module exports under ``attribute`` (a tuple), in module order."""
    found: list[Any] = []
    for module in modules():
        found.extend(getattr(module, attribute, ()))
    return found


# Bolt tries listeners in the order they were registered, building each matcher's keyword
# arguments as it goes: the most frequent requests (the slash command, then the members'
# buttons) are matched first. Each id has exactly one listener, so order changes no outcome.
HOT_MODULES = ("commands", "members")


def register_all(app: App, deps: Deps) -> None:
    rank = {name: i for i, name in enumerate(HOT_MODULES)}
    ordered = sorted(modules(), key=lambda m: rank.get(m.__name__.rsplit(".", 1)[1], len(rank)))
    for module in ordered:
        register = getattr(module, "register", None)
        if callable(register):
            register(app, deps)

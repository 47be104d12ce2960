"""Slack listeners. Every module here defines ``register(app: App, deps: Deps) -> None``.

``register_all`` imports each module of this package and calls its ``register``: a new
listener module needs no edit elsewhere. ``commands`` goes first because other modules add
subcommands to its registry.
"""

from __future__ import annotations

import importlib
import pkgutil

from slack_bolt import App

from bot.deps import Deps

FIRST = ("commands",)


def module_names() -> list[str]:
    found = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
    return [*[n for n in FIRST if n in found], *[n for n in found if n not in FIRST]]


def register_all(app: App, deps: Deps) -> None:
    for name in module_names():
        module = importlib.import_module(f"{__name__}.{name}")
        register = getattr(module, "register", None)
        if callable(register):
            register(app, deps)

"""The floor for the load benchmark: a trivial Bolt app that only acks.

``python bench/_floor.py --port N`` serves it under gunicorn with exactly the options
``skillswap serve`` uses (``bot.cli.serve.gunicorn_options``, same environment), so the only
difference between the two servers is the work SkillSwap does per request.

``--variant framework`` serves SkillSwap itself (its WSGI app, middleware, every listener and
the ``/skillswap`` dispatcher) with each subcommand's work replaced by a fixed reply: what the
app costs before its handlers touch the database or build their blocks.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any

from gunicorn.app.base import BaseApplication
from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.cli.serve import gunicorn_options
from bot.settings import load_settings


def build_floor_app() -> Any:
    settings = load_settings()
    settings.require_http()
    assert settings.slack_bot_token is not None and settings.slack_signing_secret is not None
    app = App(
        client=WebClient(
            token=settings.slack_bot_token.get_secret_value(), base_url=settings.slack_api_url
        ),
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        token_verification_enabled=False,
    )

    @app.command(re.compile(".*"))
    def on_command(ack: Ack) -> None:
        ack()

    @app.action(re.compile(".*"))
    def on_action(ack: Ack) -> None:
        ack()

    return SlackRequestHandler(app, path="/slack/events")


def build_framework_app() -> Any:
    from bot.handlers import commands
    from bot.web import build_wsgi_from_settings

    def no_work(
        registry: commands.CommandRegistry, ctx: commands.CommandContext
    ) -> commands.Reply | None:
        return commands.Reply(text=f"{ctx.subcommand or 'help'}: answered without work")

    commands.dispatch = no_work  # the listener looks it up at call time
    return build_wsgi_from_settings()


class _FloorGunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any], variant: str = "bolt") -> None:
        self.options = options
        self.variant = variant
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return build_framework_app() if self.variant == "framework" else build_floor_app()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--variant", choices=("bolt", "framework"), default="bolt")
    args = parser.parse_args(argv)
    options = gunicorn_options(load_settings(), port=args.port)
    options.pop("worker_exit", None)  # SkillSwap's drain hook; the floor has nothing to drain
    options["proc_name"] = "skillswap-floor"
    if args.variant == "framework":
        options["proc_name"] = "skillswap-framework"
    _FloorGunicorn(options, args.variant).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())

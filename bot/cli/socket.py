"""``skillswap socket``: Socket Mode, for internal installs with no public URL.

SkillSwap opens a WebSocket to Slack with the app-level token (``SLACK_APP_TOKEN``, ``xapp-…``
with ``connections:write``) and receives commands, interactivity and events over it; no
inbound HTTP, no signing secret. Run one ``socket`` process (Slack spreads events over up to
ten connections, but one is plenty here) plus the ``clock`` process. Socket Mode apps cannot
be listed in the Slack Marketplace; use ``skillswap serve`` with OAuth for that.
"""

from __future__ import annotations

import logging
import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from types import FrameType

import typer
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient

from bot.deps import Deps, build_deps
from bot.logs import configure_logging
from bot.settings import Settings, load_settings

log = logging.getLogger(__name__)


def socket_handler(deps: Deps, *, web_client: WebClient | None = None) -> SocketModeHandler:
    """The app behind a Socket Mode connection (not yet connected)."""
    from bot.app import create_app

    settings = deps.settings
    settings.require_socket()
    assert settings.slack_app_token is not None
    app = create_app(deps)
    return SocketModeHandler(
        app,
        app_token=settings.slack_app_token.get_secret_value(),
        logger=logging.getLogger("bot.socket"),
        web_client=web_client,
        concurrency=max(4, settings.web_threads),
    )


def run_socket(
    settings: Settings,
    *,
    stop: threading.Event,
    deps: Deps | None = None,
    web_client: WebClient | None = None,
) -> None:
    """Connect and serve until ``stop`` is set; then finish the listeners running and close."""
    deps = deps or build_deps(settings)
    handler = socket_handler(deps, web_client=web_client)
    handler.connect()  # type: ignore[no-untyped-call]
    if handler.client.is_connected():
        log.info("connected to Slack in Socket Mode")
    else:  # slack_sdk logged why; its monitor keeps retrying
        log.warning("not connected to Slack yet; retrying in the background")
    try:
        stop.wait()
    finally:
        log.info("stopping: closing the Socket Mode connection")
        handler.close()  # type: ignore[no-untyped-call]
        executor = handler.app.listener_runner.listener_executor
        if isinstance(executor, ThreadPoolExecutor):
            executor.shutdown(wait=True)
        deps.engine.dispose()
        log.info("stopped")


def register(app: typer.Typer) -> None:
    @app.command("socket")
    def socket() -> None:
        """Receive Slack's requests over Socket Mode (SLACK_APP_TOKEN); no public URL needed."""
        settings = load_settings()
        settings.require_socket()
        configure_logging(settings.log_level, settings.log_format)
        stop = threading.Event()

        def on_signal(signum: int, _frame: FrameType | None) -> None:
            log.info("received %s", signal.Signals(signum).name)
            stop.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        run_socket(settings, stop=stop)

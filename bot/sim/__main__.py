"""Run the Slack simulator standalone: ``python -m bot.sim --token xoxb-demo=T0001``.

Point the app at it with ``SLACK_API_URL=<printed api url>``.
"""

from __future__ import annotations

import logging
import threading
from typing import Annotated

import typer
from rich.console import Console

from bot.sim.server import SlackSimulator

cli = typer.Typer(add_completion=False, help="Run a fake Slack Web API on 127.0.0.1.")


def run_simulator(
    tokens: dict[str, str],
    users: list[tuple[str, str, str]] | None = None,
    *,
    enforce_rate_limits: bool = False,
    stop: threading.Event | None = None,
) -> SlackSimulator:
    """Start a simulator with ``tokens`` (token → team) and ``users`` (team, id, name).

    Blocks until ``stop`` is set when one is given; otherwise returns the started simulator.
    """
    sim = SlackSimulator(tokens=tokens, enforce_rate_limits=enforce_rate_limits)
    for team_id, user_id, name in users or []:
        sim.add_user(team_id, user_id, name=name)
    sim.start()
    if stop is not None:
        try:
            stop.wait()
        finally:
            sim.stop()
    return sim


def _pairs(values: list[str], sep: str, parts: int, what: str) -> list[list[str]]:
    out = []
    for value in values:
        pieces = value.split(sep)
        if len(pieces) != parts or not all(pieces):
            raise typer.BadParameter(f"{what}: expected {parts} parts separated by {sep!r}")
        out.append(pieces)
    return out


@cli.command()
def main(
    token: Annotated[
        list[str] | None, typer.Option(help="TOKEN=TEAM_ID, repeatable [xoxb-demo=T0001].")
    ] = None,
    user: Annotated[
        list[str] | None, typer.Option(help="TEAM_ID:USER_ID:NAME, repeatable.")
    ] = None,
    rate_limits: Annotated[bool, typer.Option(help="Enforce Slack's rate-limit tiers.")] = False,
) -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
    console = Console()
    tokens = {t: team for t, team in _pairs(token or ["xoxb-demo=T0001"], "=", 2, "--token")}
    users = [(a, b, c) for a, b, c in _pairs(user or [], ":", 3, "--user")]
    stop = threading.Event()
    sim = run_simulator(tokens, users, enforce_rate_limits=rate_limits)
    console.print(f"Slack simulator: [bold]{sim.api_url}[/bold]  (SLACK_API_URL)")
    console.print(f"Teams: {', '.join(sorted(set(tokens.values())))}. Ctrl-C to stop.")
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()


if __name__ == "__main__":
    cli()

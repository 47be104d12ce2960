"""``skillswap manifest``: the Slack app manifest for this version, to create or update the app.

Paste the output into https://api.slack.com/apps → Create New App → From a manifest (or an
existing app's "App Manifest" page). It is derived from the code: the command, events,
interactivity and scopes are exactly what this version uses.
"""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.markup import escape

from bot.manifest import ManifestError, manifest_for_code, to_yaml


def register(app: typer.Typer) -> None:
    @app.command("manifest")
    def manifest(
        url: str | None = typer.Option(
            None,
            "--url",
            help="Public https address of `skillswap serve`, e.g. https://skillswap.example.com",
        ),
        socket_mode: bool = typer.Option(
            False, "--socket-mode", help="Socket Mode (no public URL; run `skillswap socket`)."
        ),
        org_deploy: bool = typer.Option(
            False,
            "--org-deploy",
            help="Allow an Enterprise Grid org to install the app on several workspaces at once.",
        ),
        as_json: bool = typer.Option(False, "--json", help="JSON instead of YAML."),
    ) -> None:
        """Print the Slack app manifest (YAML) for HTTP mode (--url) or Socket Mode."""
        try:
            data = manifest_for_code(url=url, socket_mode=socket_mode, org_deploy=org_deploy)
        except ManifestError as exc:
            Console(stderr=True, soft_wrap=True).print(f"[bold red]Error:[/] {escape(str(exc))}")
            raise typer.Exit(2) from exc
        text = json.dumps(data, indent=2) + "\n" if as_json else to_yaml(data)
        Console(soft_wrap=True, highlight=False, markup=False, emoji=False).out(text, end="")

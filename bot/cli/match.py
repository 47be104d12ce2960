"""``skillswap match``: run the matching engine on a workspace JSON file (previews, checks)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bot.matching import check, match
from bot.matching.io import InputError, parse_input, result_to_json


def register(app: typer.Typer) -> None:
    @app.command("match")
    def match_command(
        input_path: Annotated[
            Path,
            typer.Option(
                "--input", "-i", help="Workspace JSON (members, history, do_not_pair, settings)."
            ),
        ],
        output: Annotated[
            Path | None,
            typer.Option("--output", "-o", help="Write the groups as JSON here (default: print)."),
        ] = None,
        seed: Annotated[int, typer.Option("--seed", help="Same seed, same groups.")] = 0,
    ) -> None:
        """Preview a round: pair the members of a workspace file and explain each group."""
        console = Console()
        err = Console(stderr=True)
        try:
            text = input_path.read_text(encoding="utf-8")
        except OSError as exc:
            err.print(f"[bold red]Cannot read {input_path}:[/] {exc.strerror}. Check the path.")
            raise typer.Exit(2) from None
        try:
            inp = parse_input(text)
        except InputError as exc:
            err.print(f"[bold red]Invalid input in {input_path}:[/] {exc}", highlight=False)
            err.print("Fix that field and run the command again.")
            raise typer.Exit(2) from None
        result = match(inp, seed=seed)
        problems = check(inp, result)
        payload = result_to_json(result)
        if output is not None:
            output.write_text(
                json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )
            console.print(f"[green]Wrote {len(result.groups)} groups to {output}.[/]")
        else:
            console.print_json(data=payload)
        s = result.stats
        table = Table(title="Round preview", show_header=False)
        for label, value in (
            ("members", s.members),
            ("due this round", s.eligible),
            ("groups", s.groups),
            ("swaps", s.swaps),
            ("circles", s.circles),
            ("one-way", s.one_way),
            ("trios", s.trios),
            ("discovery swaps", s.discovery),
            ("new connections", s.new_connections),
            ("repeats (chosen)", s.repeats),
            ("cross-team", s.cross_team),
            ("unmatched", s.unmatched),
            ("resting (cadence)", s.skipped),
            ("seconds", s.seconds),
        ):
            table.add_row(label, str(value))
        err.print(table)
        if problems:
            for p in problems:
                err.print(f"[bold red]constraint violated:[/] {p}", highlight=False)
            raise typer.Exit(1)

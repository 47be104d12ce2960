"""The slash command's name and the one way to shorten text for Slack. Pure: no imports."""

from __future__ import annotations

COMMAND = "/skillswap"


def clip(text: str, limit: int) -> str:
    """Shorten ``text`` to ``limit`` characters, marking the cut with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"

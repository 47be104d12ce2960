"""The slash command's name, the one way to shorten text for Slack, and bidi isolation of
names. Pure: standard library only."""

from __future__ import annotations

import unicodedata

COMMAND = "/skillswap"


def clip(text: str, limit: int) -> str:
    """Shorten ``text`` to ``limit`` characters, marking the cut with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


#: Unicode FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE (Unicode bidi algorithm, UAX #9).
FSI, PDI = "\u2068", "\u2069"


def isolate(name: str) -> str:
    """``name`` wrapped in FSI…PDI when it holds right-to-left letters, so an Arabic or Hebrew
    name inside an English sentence does not reorder the words around it."""
    if any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in name):
        return f"{FSI}{name}{PDI}"
    return name

"""Rounds: when they happen (``schedule``), how they are made (``service``), check-ins."""

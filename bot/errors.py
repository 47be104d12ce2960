"""Domain exceptions. Services raise them; one Bolt error handler turns them into replies."""

from __future__ import annotations


class SkillSwapError(Exception):
    """Base class for errors the member should see, phrased for them, saying what to do next."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UserInputError(SkillSwapError):
    """The member typed something we cannot use."""


class NotAllowedError(SkillSwapError):
    """The member may not do this (for example an admin-only command)."""


class NotFoundError(SkillSwapError):
    """What the member referred to does not exist (any more)."""

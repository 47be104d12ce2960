"""Logs carry ids, never what people write: a subcommand is logged by its registered name."""

from __future__ import annotations

import logging

import pytest

from tests.support import Harness


def _command_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "bot.handlers.commands"]


def test_an_unknown_subcommand_is_logged_without_the_word_typed(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.handlers.commands")
    reply = harness.command("U0LOGS001", "🎸tabs-for-wonderwall please")
    harness.drain()
    assert "I don't know" in reply["text"]
    assert _command_lines(caplog) == ["command unknown"]
    logged = " ".join(r.getMessage() + str(r.__dict__) for r in caplog.records)
    assert "wonderwall" not in logged and "🎸" not in logged


def test_a_known_subcommand_is_logged_by_its_name_even_when_typed_as_an_alias(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.handlers.commands")
    harness.command("U0LOGS001", "STATUS")
    harness.command("U0LOGS001", "")
    harness.drain()
    assert _command_lines(caplog) == ["command me", "command help"]

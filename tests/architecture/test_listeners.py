"""Every action id and callback id (a member of a StrEnum in ``bot/blocks/``) has exactly one
listener on a built app: none means a dead button, two mean a click handled twice."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from enum import StrEnum
from functools import cache
from typing import Any

import pytest
from slack_bolt import App, BoltRequest, BoltResponse

import bot.blocks
from bot.manifest import built_app

#: StrEnums in the builders that are block ids, not action or callback ids (no listener).
BLOCK_IDS = {"AdminField", "FeedbackField", "InviteField", "ProfileBlock", "RequestField"}


@cache
def id_enums() -> dict[str, type[StrEnum]]:
    found: dict[str, type[StrEnum]] = {}
    for info in pkgutil.iter_modules(bot.blocks.__path__, prefix="bot.blocks."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, StrEnum)
                and value.__module__ == module.__name__
            ):
                found[name] = value
    return found


def _kind(enum_name: str) -> str:
    if enum_name.endswith("Action"):
        return "block_actions"
    if enum_name.endswith("Callback"):
        return "view_submission"
    if enum_name.endswith("Menu"):
        return "block_suggestion"
    raise AssertionError(
        f"{enum_name}: name it …Action, …Callback or …Menu (it needs a listener), "
        "or list it in BLOCK_IDS"
    )


def _ids() -> list[tuple[str, str]]:
    return [
        (_kind(name), member.value)
        for name, enum in sorted(id_enums().items())
        if name not in BLOCK_IDS
        for member in enum
    ]


def _body(kind: str, value: str) -> dict[str, Any]:
    who = {"team": {"id": "T0001"}, "user": {"id": "U0001", "team_id": "T0001"}}
    if kind == "block_actions":
        action = {"action_id": value, "block_id": "b", "type": "button", "value": "{}"}
        return {"type": kind, **who, "actions": [action], "trigger_id": "1.2"}
    if kind == "view_submission":
        view = {"id": "V1", "type": "modal", "callback_id": value, "state": {"values": {}}}
        return {"type": kind, **who, "view": view}
    return {"type": kind, **who, "action_id": value, "block_id": "b", "value": "sp"}


@pytest.fixture(scope="module")
def app() -> App:
    return built_app()[0]


def test_every_enum_of_the_builders_is_classified() -> None:
    names = set(id_enums())
    assert {"IntroAction", "CheckinAction", "FeedbackCallback", "SkillMenu"} <= names
    assert names >= BLOCK_IDS
    for name in names - BLOCK_IDS:
        _kind(name)


@pytest.mark.parametrize(("kind", "value"), _ids())
def test_each_id_has_exactly_one_listener(app: App, kind: str, value: str) -> None:
    request = BoltRequest(body=_body(kind, value), mode="socket_mode")
    matching = [
        listener.ack_function.__name__
        for listener in app._listeners
        if listener.matches(req=request, resp=BoltResponse(status=404))
    ]
    assert len(matching) == 1, f"{kind} {value}: listeners {matching}"

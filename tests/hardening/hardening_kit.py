"""Helpers for the hardening tests: whole-database snapshots, modal state, internal errors."""

from __future__ import annotations

from typing import Any

from tests.support import shown_text

# A reply meaning an exception escaped a listener (the error handler's generic text).
GENERIC_ERROR = "Something went wrong on our side"
TRACEBACK_MARKERS = ("Traceback (most recent call last)", 'File "', "sqlalchemy.exc", "Error:")


def assert_no_internal_error(reply: dict[str, Any] | None) -> None:
    text = shown_text(reply)
    assert GENERIC_ERROR not in text, f"an exception escaped a listener: {text[:300]!r}"
    for marker in TRACEBACK_MARKERS[:3]:
        assert marker not in text, f"internals shown to the member: {text[:300]!r}"


def state_from_view(view: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """``view.state.values`` as Slack would send it if the member submitted the modal as shown
    (every input element at its initial value)."""
    values: dict[str, dict[str, dict[str, Any]]] = {}
    for block in view.get("blocks") or []:
        if block.get("type") != "input":
            continue
        element = block.get("element") or {}
        kind = element.get("type")
        state: dict[str, Any] = {"type": kind}
        if kind == "plain_text_input":
            state["value"] = element.get("initial_value")
        elif kind in ("static_select", "external_select", "radio_buttons"):
            state["selected_option"] = element.get("initial_option")
        elif kind in ("multi_static_select", "multi_external_select", "checkboxes"):
            state["selected_options"] = element.get("initial_options") or []
        elif kind == "multi_users_select":
            state["selected_users"] = element.get("initial_users") or []
        elif kind in ("users_select",):
            state["selected_user"] = element.get("initial_user")
        elif kind in ("conversations_select", "channels_select"):
            state["selected_conversation"] = element.get("initial_conversation")
            state["selected_channel"] = element.get("initial_channel")
        elif kind == "timepicker":
            state["selected_time"] = element.get("initial_time")
        elif kind == "datepicker":
            state["selected_date"] = element.get("initial_date")
        elif kind == "number_input":
            state["value"] = element.get("initial_value")
        values[block["block_id"]] = {element.get("action_id", ""): state}
    return values

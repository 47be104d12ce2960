"""``skillswap manifest``: a manifest Slack accepts, declaring exactly what the code uses."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk import WebClient
from typer.testing import CliRunner

from bot.cli import build_cli
from bot.manifest import (
    EVENT_SCOPES,
    ManifestError,
    built_app,
    registered_listeners,
    scopes_needed,
    web_api_methods_in_source,
)
from bot.slack.oauth import BOT_SCOPES
from bot.slack.text import COMMAND

ROOT = Path(__file__).resolve().parents[2]
URL = "https://skillswap.example.com"
# The features' events (PRODUCT and issue 7): the Home tab, directory sync, clean-up.
PRODUCT_EVENTS = {
    "app_home_opened",
    "team_join",
    "user_change",
    "app_uninstalled",
    "tokens_revoked",
}


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(build_cli(), ["manifest", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def http_manifest() -> dict[str, Any]:
    code, out, err = _run("--url", URL)
    assert code == 0, err
    manifest = yaml.safe_load(out)
    assert isinstance(manifest, dict)
    return manifest


@pytest.fixture(scope="module")
def app() -> App:
    return built_app()[0]


def _matches(app: App, body: dict[str, Any]) -> bool:
    request = BoltRequest(body=json.dumps(body), headers={"content-type": ["application/json"]})
    return any(
        listener.matchers[0].matches(request, BoltResponse(status=200))
        for listener in app._listeners
    )


def test_manifest_declares_the_command_every_event_and_the_scopes(
    http_manifest: dict[str, Any], app: App
) -> None:
    listeners = registered_listeners(app)
    [command] = http_manifest["features"]["slash_commands"]
    assert command["command"] == COMMAND
    assert listeners.commands == {COMMAND}
    assert command["url"] == f"{URL}/slack/events"
    assert "help" in command["usage_hint"]

    events = set(http_manifest["settings"]["event_subscriptions"]["bot_events"])
    assert events == listeners.events
    assert events >= PRODUCT_EVENTS
    assert http_manifest["settings"]["event_subscriptions"]["request_url"] == f"{URL}/slack/events"
    assert http_manifest["features"]["app_home"]["home_tab_enabled"] is True

    assert http_manifest["oauth_config"]["scopes"]["bot"] == sorted(BOT_SCOPES)
    assert http_manifest["oauth_config"]["redirect_urls"] == [f"{URL}/slack/oauth_redirect"]
    assert http_manifest["settings"]["socket_mode_enabled"] is False


def test_every_declared_event_reaches_a_listener(http_manifest: dict[str, Any], app: App) -> None:
    """The manifest's list is read off Bolt's matchers; dispatching proves the reading right."""
    for event in http_manifest["settings"]["event_subscriptions"]["bot_events"]:
        body = {"type": "event_callback", "team_id": "T1", "event": {"type": event}}
        assert _matches(app, body), event
    body = {"type": "event_callback", "team_id": "T1", "event": {"type": "reaction_added"}}
    assert not _matches(app, body)


def test_interactivity_and_the_options_url_follow_the_listeners(
    http_manifest: dict[str, Any], app: App
) -> None:
    listeners = registered_listeners(app)
    interactivity = http_manifest["settings"]["interactivity"]
    assert interactivity["is_enabled"] is True
    assert interactivity["request_url"] == f"{URL}/slack/events"
    assert ("message_menu_options_url" in interactivity) == listeners.options
    if listeners.options:
        assert interactivity["message_menu_options_url"] == f"{URL}/slack/events"


def test_bot_scopes_are_the_least_the_code_needs(app: App) -> None:
    """Every Web API method called in ``bot/`` and every event has its scope, and no more."""
    sources = [p for p in (ROOT / "bot").rglob("*.py") if "sim" not in p.relative_to(ROOT).parts]
    methods = web_api_methods_in_source(sources)
    assert "chat.postMessage" in methods and "users.info" in methods  # the scan sees calls
    listeners = registered_listeners(app)
    # Pair intros open one conversation with every member of the group (outbox target_users).
    needed = scopes_needed(
        methods=methods, events=listeners.events, commands=listeners.commands, group_dms=True
    )
    assert set(BOT_SCOPES) == needed
    assert len(BOT_SCOPES) == len(set(BOT_SCOPES))


def test_scan_finds_web_api_calls_and_unknown_methods_fail(tmp_path: Path) -> None:
    source = tmp_path / "example.py"
    source.write_text(
        "def f(client, other):\n"
        "    client.chat_postMessage(channel='C1', text='hi')\n"
        "    other.files_upload_v2(content=b'x')\n"
        "    client.api_call('team.info')\n"
        "    client.not_an_api_method()\n"
    )
    methods = web_api_methods_in_source([source])
    assert methods == {
        "chat.postMessage",
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
        "team.info",
    }
    with pytest.raises(ManifestError, match=r"reactions\.remove"):
        scopes_needed(methods={"reactions.remove"}, events=(), commands=(), group_dms=False)
    with pytest.raises(ManifestError, match="event channel_left"):
        scopes_needed(methods=(), events={"channel_left"}, commands=(), group_dms=False)
    assert set(EVENT_SCOPES) >= PRODUCT_EVENTS


def test_listeners_the_manifest_cannot_describe_fail_loudly() -> None:
    app = App(
        client=WebClient(token="xoxb-x", base_url="http://127.0.0.1:9/api/"),
        signing_secret="s",
        token_verification_enabled=False,
    )
    app.event(re.compile("app_.*"))(lambda: None)
    with pytest.raises(ManifestError, match="literal name"):
        registered_listeners(app)
    other = App(
        client=WebClient(token="xoxb-x", base_url="http://127.0.0.1:9/api/"),
        signing_secret="s",
        token_verification_enabled=False,
    )
    other.message("hello")(lambda: None)
    with pytest.raises(ManifestError, match="channel type"):
        registered_listeners(other)


def test_socket_mode_manifest_has_no_urls() -> None:
    code, out, err = _run("--socket-mode")
    assert code == 0, err
    manifest = yaml.safe_load(out)
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert "url" not in out.replace("redirect_urls", "")
    assert "request_url" not in manifest["settings"]["event_subscriptions"]
    assert "redirect_urls" not in manifest["oauth_config"]
    assert manifest["features"]["slash_commands"][0]["command"] == COMMAND


def test_json_output_is_the_same_manifest(http_manifest: dict[str, Any]) -> None:
    code, out, err = _run("--url", URL + "/slack/events", "--json")
    assert code == 0, err
    assert json.loads(out) == http_manifest


def test_manifest_fits_slacks_limits(http_manifest: dict[str, Any]) -> None:
    info = http_manifest["display_information"]
    assert len(info["name"]) <= 35
    assert len(info["description"]) <= 140
    assert 175 <= len(info["long_description"]) <= 4000
    assert re.fullmatch(r"#[0-9a-f]{6}", info["background_color"])
    assert len(http_manifest["features"]["bot_user"]["display_name"]) <= 80
    for command in http_manifest["features"]["slash_commands"]:
        assert re.fullmatch(r"/[a-z0-9_-]{1,31}", command["command"])
        assert len(command["description"]) <= 2000
        assert len(command["usage_hint"]) <= 1000


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "--url https://your.host"),
        (("--url", "http://skillswap.example.com"), "https://"),
        (("--url", "skillswap.example.com"), "https://"),
        (("--socket-mode", "--url", URL), "not used in Socket Mode"),
    ],
)
def test_bad_options_say_what_to_do(args: tuple[str, ...], message: str) -> None:
    code, out, err = _run(*args)
    assert code == 2
    assert message in err
    assert out == ""

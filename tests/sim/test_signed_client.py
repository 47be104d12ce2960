"""SignedClient drives a real Bolt app over HTTP; the app's replies land in the simulator."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltRequest, Respond
from slack_sdk import WebClient

from bot.sim import SignedClient
from tests.sim.sim_kit import SECRET, TEAM, BoltHarness

Build = Callable[[Callable[[App], None]], BoltHarness]


def _modal() -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "teach",
        "title": {"type": "plain_text", "text": "Teach"},
        "submit": {"type": "plain_text", "text": "Save"},
        "blocks": [
            {
                "type": "input",
                "block_id": "skill",
                "label": {"type": "plain_text", "text": "Skill"},
                "element": {"type": "plain_text_input", "action_id": "name"},
            }
        ],
    }


def test_slash_command_reaches_listener_and_reply_lands(bolt: Build) -> None:
    def register(app: App) -> None:
        @app.command("/skillswap")
        def command(ack: Ack, respond: Respond, command: dict[str, Any], client: WebClient) -> None:
            ack()
            respond(text=f"you said {command['text']}")
            client.chat_postMessage(channel=command["user_id"], text="a DM")

    h = bolt(register)
    reply = h.slack.slash_command(team_id=TEAM, user_id="U1", text="help")
    assert reply.status == 200
    [posted] = h.sim.wait_for_response(count=1)
    assert posted["text"] == "you said help"
    [dm] = h.sim.wait_for("chat.postMessage")
    assert dm.params["channel"] == "U1" and dm.team_id == TEAM


def test_slash_command_trigger_id_opens_a_modal(bolt: Build) -> None:
    def register(app: App) -> None:
        @app.command("/skillswap")
        def command(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
            ack()
            client.views_open(trigger_id=body["trigger_id"], view=_modal())

    h = bolt(register)
    h.slack.slash_command(team_id=TEAM, user_id="U1", text="teach")
    [call] = h.sim.wait_for("views.open")
    assert call.ok, call.response
    assert call.params["trigger_id"] in h.slack.issued_trigger_ids


def test_bad_signature_and_stale_timestamp_get_401(bolt: Build) -> None:
    h = bolt(lambda app: None)
    body = b"command=%2Fskillswap&text=help&team_id=T0SIM&user_id=U1"
    form = "application/x-www-form-urlencoded"
    assert h.slack.post("/slack/events", body, form, signature="v0=deadbeef").status == 401
    stale = h.slack.post("/slack/events", body, form, timestamp=int(time.time()) - 6 * 60)
    assert stale.status == 401
    wrong_secret = SignedClient(h.url, "not-the-secret", simulator=h.sim)
    assert wrong_secret.slash_command(team_id=TEAM, user_id="U1").status == 401
    assert h.sim.responses() == []


def test_block_action_from_a_message(bolt: Build) -> None:
    def register(app: App) -> None:
        @app.action("accept")
        def accept(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
            ack()
            action = body["actions"][0]
            respond(
                text=f"{action['value']} in {body['container']['channel_id']}",
                replace_original=True,
            )

    h = bolt(register)
    web = WebClient(token="xoxb-sim-test", base_url=h.sim.api_url)
    posted = web.chat_postMessage(channel="C1", text="pair?")
    message = {**posted["message"], "channel": posted["channel"]}
    reply = h.slack.block_action(
        team_id=TEAM, user_id="U1", action_id="accept", value="p-1", message=message
    )
    assert reply.status == 200
    [answer] = h.sim.wait_for_response()
    assert answer["text"] == "p-1 in C1" and answer["replace_original"] is True


def test_view_submission_uses_the_opened_view(bolt: Build) -> None:
    def register(app: App) -> None:
        @app.view("teach")
        def submit(ack: Ack, view: dict[str, Any]) -> None:
            value = view["state"]["values"]["skill"]["name"]["value"]
            if not value:
                ack(response_action="errors", errors={"skill": "Tell us a skill"})
            else:
                ack()

    h = bolt(register)
    web = WebClient(token="xoxb-sim-test", base_url=h.sim.api_url)
    opened = web.views_open(trigger_id=h.sim.issue_trigger_id(), view=_modal())["view"]
    empty = {"skill": {"name": {"type": "plain_text_input", "value": None}}}
    reply = h.slack.view_submission(team_id=TEAM, user_id="U1", callback_id="teach", values=empty)
    assert reply.status == 200
    assert reply.json == {"response_action": "errors", "errors": {"skill": "Tell us a skill"}}
    good = {"skill": {"name": {"type": "plain_text_input", "value": "Rust"}}}
    ok = h.slack.view_submission(
        team_id=TEAM, user_id="U1", callback_id="teach", values=good, view_id=opened["id"]
    )
    assert (ok.status, ok.body) == (200, "")


def test_view_closed_and_block_suggestion(bolt: Build) -> None:
    def register(app: App) -> None:
        @app.view_closed("teach")
        def closed(ack: Ack, client: WebClient, body: dict[str, Any]) -> None:
            ack()
            client.chat_postMessage(channel=body["user"]["id"], text="closed")

        @app.options("skill_search")
        def options(ack: Ack, payload: dict[str, Any]) -> None:
            ack(options=[{"text": {"type": "plain_text", "text": payload["value"]}, "value": "1"}])

    h = bolt(register)
    h.slack.view_closed(team_id=TEAM, user_id="U1", callback_id="teach")
    h.sim.wait_for("chat.postMessage", predicate=lambda c: c.params["text"] == "closed")
    reply = h.slack.block_suggestion(
        team_id=TEAM,
        user_id="U1",
        action_id="skill_search",
        value="pyth",
        view_callback_id="teach",
    )
    assert reply.status == 200
    assert reply.json is not None and reply.json["options"][0]["text"]["text"] == "pyth"


def test_event_with_retry_headers(bolt: Build) -> None:
    def register(app: App) -> None:
        @app.event("app_home_opened")
        def home(event: dict[str, Any], client: WebClient, request: BoltRequest) -> None:
            retry = request.headers.get("x-slack-retry-num", ["0"])[0]
            client.views_publish(
                user_id=event["user"],
                view={
                    "type": "home",
                    "blocks": [
                        {"type": "section", "text": {"type": "mrkdwn", "text": f"retry {retry}"}}
                    ],
                },
            )

    h = bolt(register)
    event = {"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"}
    assert h.slack.event(team_id=TEAM, event=event).status == 200
    h.sim.wait_for("views.publish")
    assert h.slack.event(team_id=TEAM, event=event, event_id="Ev1", retry_num=1).status == 200
    h.sim.wait_for("views.publish", count=2)
    home = h.sim.home_view(TEAM, "U1")
    assert home is not None and home["blocks"][0]["text"]["text"] == "retry 1"


def test_url_verification(bolt: Build) -> None:
    h = bolt(lambda app: None)
    reply = h.slack.url_verification("challenge-123")
    assert reply.status == 200
    assert reply.json == {"challenge": "challenge-123"}


def test_payload_shapes_match_slack(bolt: Build) -> None:
    h = bolt(lambda app: None)
    seen: list[bytes] = []

    class Capture(SignedClient):
        def post(self, path: str, body: bytes, content_type: str, **kw: Any) -> Any:
            seen.append(body)
            return super().post(path, body, content_type, **kw)

    slack = Capture(h.url, SECRET, simulator=h.sim)
    slack.slash_command(team_id=TEAM, user_id="U1", text="hi")
    slack.block_action(team_id=TEAM, user_id="U1", action_id="a", value="v")
    slack.event(team_id=TEAM, event={"type": "app_mention", "user": "U1", "text": "hi"})
    from urllib.parse import parse_qs

    command = {k: v[0] for k, v in parse_qs(seen[0].decode(), keep_blank_values=True).items()}
    assert set(command) >= {
        "token",
        "team_id",
        "team_domain",
        "channel_id",
        "channel_name",
        "user_id",
        "user_name",
        "command",
        "text",
        "api_app_id",
        "is_enterprise_install",
        "response_url",
        "trigger_id",
    }
    assert command["response_url"].startswith(h.sim.base_url + "/response/")
    action = json.loads(parse_qs(seen[1].decode())["payload"][0])
    assert action["type"] == "block_actions"
    assert action["container"]["type"] == "message"
    assert set(action["actions"][0]) >= {"action_id", "block_id", "value", "type", "action_ts"}
    envelope = json.loads(seen[2])
    assert envelope["type"] == "event_callback"
    assert set(envelope) >= {
        "team_id",
        "api_app_id",
        "event",
        "event_id",
        "event_time",
        "authorizations",
    }

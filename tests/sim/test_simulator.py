"""The simulator answers slack_sdk's WebClient like Slack's Web API does."""

from __future__ import annotations

import json
import logging
import threading
import urllib.request
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import SectionBlock
from slack_sdk.models.metadata import Metadata

from bot.sim import SlackSimulator
from tests.sim.sim_kit import TEAM, TOKEN, DrivenClock


def _error(call: Any) -> SlackApiError:
    with pytest.raises(SlackApiError) as info:
        call()
    return info.value


def _section(text: str = "hi") -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _modal(blocks: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "teach",
        "title": {"type": "plain_text", "text": "Teach"},
        "blocks": blocks if blocks is not None else [_section()],
        **extra,
    }


# ---------------------------------------------------------------- lifecycle and auth


def test_urls_and_lifecycle() -> None:
    sim = SlackSimulator()
    with pytest.raises(RuntimeError):
        _ = sim.api_url
    with sim:
        assert sim.api_url.startswith("http://127.0.0.1:")
        assert sim.api_url == sim.base_url + "/api/"
    sim.stop()  # idempotent


def test_auth_test_identifies_the_bot(simulator: SlackSimulator, web: WebClient) -> None:
    simulator.add_token("xoxb-other", "T2", bot_user_id="U0BOT2", bot_id="B0BOT2")
    simulator.add_team("T2", name="Acme", domain="acme")
    answer = web.auth_test()
    assert answer["team_id"] == TEAM and answer["user_id"] and answer["bot_id"]
    assert answer["is_enterprise_install"] is False
    other = WebClient(token="xoxb-other", base_url=simulator.api_url).auth_test()
    assert (other["team_id"], other["user_id"], other["bot_id"]) == ("T2", "U0BOT2", "B0BOT2")
    assert (other["team"], other["url"]) == ("Acme", "https://acme.slack.com/")
    [call] = simulator.calls_to("auth.test")[-1:]
    assert call.token == "xoxb-other" and call.team_id == "T2" and call.ok


def test_missing_or_unknown_token(simulator: SlackSimulator) -> None:
    no_token = _error(WebClient(base_url=simulator.api_url).auth_test)
    assert no_token.response.status_code == 200
    assert no_token.response["error"] == "not_authed"
    bad = _error(WebClient(token="xoxb-nope", base_url=simulator.api_url).auth_test)
    assert bad.response["error"] == "invalid_auth"


def test_token_in_form_field_is_accepted(simulator: SlackSimulator) -> None:
    request = urllib.request.Request(
        simulator.api_url + "auth.test", data=f"token={TOKEN}".encode(), method="POST"
    )
    with urllib.request.urlopen(request, timeout=5) as resp:
        body = json.loads(resp.read())
    assert body["ok"] is True and body["team_id"] == TEAM
    assert "token" not in simulator.calls_to("auth.test")[0].params


def test_unknown_method(simulator: SlackSimulator, web: WebClient) -> None:
    err = _error(lambda: web.api_call("nope.nothing"))
    assert err.response.status_code == 404
    assert err.response["error"] == "unknown_method"


def test_team_info(web: WebClient) -> None:
    team = web.team_info()["team"]
    assert team["id"] == TEAM and team["domain"] and team["name"]
    assert _error(lambda: web.team_info(team="T404")).response["error"] == "team_not_found"


# ---------------------------------------------------------------- users


def test_users_info_builds_realistic_users(simulator: SlackSimulator, web: WebClient) -> None:
    user = web.users_info(user="U2")["user"]
    assert user["tz"] == "America/New_York"
    assert user["tz_offset"] in (-5 * 3600, -4 * 3600)
    assert user["tz_label"] in ("Eastern Standard Time", "Eastern Daylight Time")
    assert user["profile"]["real_name"] == "Grace Hopper"
    assert user["profile"]["display_name"] == "grace"
    assert web.users_info(user="U1")["user"]["profile"]["title"] == "Engineer"
    assert _error(lambda: web.users_info(user="U404")).response["error"] == "user_not_found"
    # the form-encoded body reached the simulator as params
    assert simulator.calls_to("users.info")[0].params == {"user": "U2"}


def test_users_info_offset_follows_the_clock(driven_clock: DrivenClock) -> None:
    with SlackSimulator(tokens={TOKEN: TEAM}, clock=driven_clock) as sim:
        driven_clock.value = 1_782_900_000.0  # July 2026: BST
        summer = sim.add_user(TEAM, "U1", name="ada")
        driven_clock.value = 1_796_000_000.0  # December 2026: GMT
        winter = sim.add_user(TEAM, "U1", name="ada")
    assert (summer["tz_offset"], summer["tz_label"]) == (3600, "British Summer Time")
    assert (winter["tz_offset"], winter["tz_label"]) == (0, "Greenwich Mean Time")


def test_users_list_paginates_with_cursor(simulator: SlackSimulator, web: WebClient) -> None:
    for i in range(3, 8):
        simulator.add_user(TEAM, f"U{i}", name=f"user{i}", deleted=i == 7)
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = web.users_list(limit=3, cursor=cursor)
        seen += [m["id"] for m in page["members"]]
        pages += 1
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert pages == 3
    assert seen == ["U1", "U2", "U3", "U4", "U5", "U6", "U7"]
    assert len(web.users_list()["members"]) == 7
    assert _error(lambda: web.users_list(cursor="garbage")).response["error"] == "invalid_cursor"


# ---------------------------------------------------------------- conversations


def test_conversations_open(simulator: SlackSimulator, web: WebClient) -> None:
    simulator.add_user(TEAM, "U3", name="gone", deleted=True)
    simulator.add_user(TEAM, "UBOT", name="robot", is_bot=True)
    im = web.conversations_open(users="U1")["channel"]["id"]
    assert im.startswith("D")
    again = web.conversations_open(users=["U1"])
    assert again["channel"]["id"] == im and again["already_open"] is True
    group = web.conversations_open(users="U2,U1")["channel"]["id"]
    assert group.startswith("G")
    assert web.conversations_open(users=["U1", "U2"])["channel"]["id"] == group
    assert group == simulator.dm_channel_id(TEAM, "U1", "U2")
    full = web.conversations_open(users="U1", return_im=True)["channel"]
    assert full["is_im"] is True and full["user"] == "U1"
    errors = {
        users: _error(lambda users=users: web.conversations_open(users=users)).response["error"]
        for users in ("U404", "U3", "UBOT", "U1,U3")
    }
    assert errors == {
        "U404": "user_not_found",
        "U3": "account_inactive",
        "UBOT": "cannot_dm_bot",
        "U1,U3": "account_inactive",
    }


def test_post_message_json_body_and_history(simulator: SlackSimulator, web: WebClient) -> None:
    first = web.chat_postMessage(channel="C1", text="one", blocks=[_section("one")])
    second = web.chat_postMessage(
        channel="C1",
        text="two",
        metadata=Metadata(event_type="pair_intro", event_payload={"pair_id": 7}),
    )
    web.chat_postMessage(channel="C2", text="elsewhere")
    assert first["channel"] == "C1" and first["message"]["text"] == "one"
    assert float(first["ts"]) < float(second["ts"])
    assert len({first["ts"], second["ts"]}) == 2
    # JSON bodies: blocks arrive as a list, metadata as an object
    call = simulator.calls_to("chat.postMessage")[0]
    assert isinstance(call.params["blocks"], list)

    history = web.conversations_history(channel="C1")["messages"]
    assert [m["text"] for m in history] == ["two", "one"]  # newest first
    assert all("metadata" not in m for m in history)
    with_meta = web.conversations_history(channel="C1", include_all_metadata=True)["messages"]
    assert with_meta[0]["metadata"] == {"event_type": "pair_intro", "event_payload": {"pair_id": 7}}
    newer = web.conversations_history(channel="C1", oldest=first["ts"])["messages"]
    assert [m["text"] for m in newer] == ["two"]
    assert [m["text"] for m in web.conversations_history(channel="C1", limit=1)["messages"]] == [
        "two"
    ]
    assert [m["text"] for m in simulator.messages("C1")] == ["one", "two"]
    assert len(simulator.messages()) == 3


def test_post_message_form_body_with_json_strings(simulator: SlackSimulator) -> None:
    body = {
        "channel": "C1",
        "text": "form",
        "blocks": json.dumps([_section("form")]),
        "metadata": json.dumps({"event_type": "x", "event_payload": {"a": 1}}),
    }
    web = WebClient(token=TOKEN, base_url=simulator.api_url)
    answer = web.api_call("chat.postMessage", params=body)
    assert answer["message"]["blocks"][0]["type"] == "section"
    assert answer["message"]["metadata"]["event_payload"] == {"a": 1}


def test_post_message_to_a_user_lands_in_their_dm(
    simulator: SlackSimulator, web: WebClient
) -> None:
    answer = web.chat_postMessage(channel="U1", text="hello")
    assert answer["channel"] == simulator.dm_channel_id(TEAM, "U1")
    assert answer["channel"] == web.conversations_open(users="U1")["channel"]["id"]


def test_post_message_errors(web: WebClient) -> None:
    no_text = _error(lambda: web.api_call("chat.postMessage", json={"channel": "C1"}))
    assert no_text.response["error"] == "no_text"
    assert _error(lambda: web.chat_postMessage(channel="", text="x")).response["error"] == (
        "channel_not_found"
    )
    too_long = _error(lambda: web.chat_postMessage(channel="C1", text="x" * 40_001))
    assert too_long.response["error"] == "msg_too_long"
    web.chat_postMessage(channel="C1", text="x" * 40_000)


def test_chat_update(simulator: SlackSimulator, web: WebClient) -> None:
    posted = web.chat_postMessage(channel="C1", text="before")
    updated = web.chat_update(channel="C1", ts=posted["ts"], text="after")
    assert updated["ts"] == posted["ts"] and updated["message"]["text"] == "after"
    assert [m["text"] for m in simulator.messages("C1")] == ["after"]
    missing = _error(lambda: web.chat_update(channel="C1", ts="1.000100", text="x"))
    assert missing.response["error"] == "message_not_found"


def test_post_ephemeral(simulator: SlackSimulator, web: WebClient) -> None:
    answer = web.chat_postEphemeral(channel="C1", user="U1", text="only you")
    assert answer["message_ts"]
    [ephemeral] = simulator.ephemerals("C1")
    assert ephemeral["ephemeral_to"] == "U1" and simulator.messages("C1") == []


# ---------------------------------------------------------------- Block Kit limits


def test_51_blocks_are_rejected_50_accepted(web: WebClient) -> None:
    web.chat_postMessage(channel="C1", text="ok", blocks=[_section()] * 50)
    err = _error(lambda: web.chat_postMessage(channel="C1", text="x", blocks=[_section()] * 51))
    assert err.response["error"] == "invalid_blocks"
    assert err.response["response_metadata"]["messages"]


@pytest.mark.parametrize(
    "block",
    [
        {"type": "no_such_block"},
        {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}},
        {"type": "section", "fields": [{"type": "mrkdwn", "text": "x" * 2001}]},
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": "a",
                    "text": {"type": "plain_text", "text": "x" * 76},
                }
            ],
        },
        {"type": "header", "text": {"type": "plain_text", "text": "x" * 151}},
    ],
    ids=["unknown-type", "long-section", "long-field", "long-button", "long-header"],
)
def test_invalid_block_is_rejected(web: WebClient, block: dict[str, Any]) -> None:
    err = _error(lambda: web.chat_postMessage(channel="C1", text="x", blocks=[block]))
    assert err.response["error"] == "invalid_blocks"


def test_sdk_model_blocks_pass(web: WebClient) -> None:
    web.chat_postMessage(channel="C1", text="x", blocks=[SectionBlock(text="*hello*")])


# ---------------------------------------------------------------- views


def test_views_open_update_push(simulator: SlackSimulator, web: WebClient) -> None:
    opened = web.views_open(trigger_id=simulator.issue_trigger_id(), view=_modal())["view"]
    assert opened["id"].startswith("V") and opened["callback_id"] == "teach"
    assert opened["root_view_id"] == opened["id"]
    updated = web.views_update(
        view_id=opened["id"], view=_modal([_section("changed")]), hash=opened["hash"]
    )["view"]
    assert updated["id"] == opened["id"] and updated["blocks"][0]["text"]["text"] == "changed"
    stale = _error(lambda: web.views_update(view_id=opened["id"], view=_modal(), hash="old"))
    assert stale.response["error"] == "hash_conflict"
    assert (
        _error(lambda: web.views_update(view_id="V404", view=_modal())).response["error"]
        == "not_found"
    )
    pushed = web.views_push(trigger_id=simulator.issue_trigger_id(), view=_modal())["view"]
    assert pushed["id"] != opened["id"]
    by_external = web.views_open(
        trigger_id=simulator.issue_trigger_id(), view=_modal(external_id="ext-1")
    )["view"]
    web.views_update(external_id="ext-1", view=_modal([_section("via external")]))
    assert simulator.view(by_external["id"])["blocks"][0]["text"]["text"] == "via external"  # type: ignore[index]
    assert len(simulator.views("teach")) == 3


def test_trigger_ids_expire_and_are_single_use(driven_clock: DrivenClock) -> None:
    with SlackSimulator(tokens={TOKEN: TEAM}, clock=driven_clock) as sim:
        web = WebClient(token=TOKEN, base_url=sim.api_url)
        fresh = sim.issue_trigger_id()
        web.views_open(trigger_id=fresh, view=_modal())
        reused = _error(lambda: web.views_open(trigger_id=fresh, view=_modal()))
        assert reused.response["error"] == "exchanged_trigger_id"
        old = sim.issue_trigger_id()
        driven_clock.advance(3.5)
        expired = _error(lambda: web.views_open(trigger_id=old, view=_modal()))
        assert expired.response["error"] == "expired_trigger_id"
        invalid = _error(lambda: web.views_open(trigger_id="not-a-trigger", view=_modal()))
        assert invalid.response["error"] == "invalid_trigger_id"


def test_view_limits(simulator: SlackSimulator, web: WebClient) -> None:
    web.views_open(trigger_id=simulator.issue_trigger_id(), view=_modal([_section()] * 100))
    too_many = _error(
        lambda: web.views_open(
            trigger_id=simulator.issue_trigger_id(), view=_modal([_section()] * 101)
        )
    )
    assert too_many.response["error"] == "invalid_arguments"
    assert too_many.response["response_metadata"]["messages"]
    long_title = _modal()
    long_title["title"] = {"type": "plain_text", "text": "x" * 25}
    bad_title = _error(
        lambda: web.views_open(trigger_id=simulator.issue_trigger_id(), view=long_title)
    )
    assert bad_title.response["error"] == "invalid_arguments"
    bad_block = _error(
        lambda: web.views_publish(user_id="U1", view={"type": "home", "blocks": [{"type": "nope"}]})
    )
    assert bad_block.response["error"] == "invalid_arguments"


def test_views_publish_keeps_latest_home(simulator: SlackSimulator, web: WebClient) -> None:
    assert simulator.home_view(TEAM, "U1") is None
    first = web.views_publish(user_id="U1", view={"type": "home", "blocks": [_section("v1")]})
    second = web.views_publish(user_id="U1", view={"type": "home", "blocks": [_section("v2")]})
    assert first["view"]["id"] == second["view"]["id"]
    home = simulator.home_view(TEAM, "U1")
    assert home is not None and home["blocks"][0]["text"]["text"] == "v2"
    assert simulator.home_view(None, "U1") == home
    assert simulator.home_view("T404", "U1") is None
    modal = _error(lambda: web.views_publish(user_id="U1", view=_modal()))
    assert modal.response["error"] == "invalid_arguments"


# ---------------------------------------------------------------- files, oauth


def test_files_upload_v2_end_to_end(simulator: SlackSimulator, web: WebClient) -> None:
    answer = web.files_upload_v2(
        channel="C1",
        content=b"name,skill\nada,python\n",
        filename="report.csv",
        title="Weekly report",
        initial_comment="Here you go",
    )
    assert answer["file"]["name"] == "report.csv"
    [uploaded] = simulator.uploaded_files()
    assert uploaded.content == b"name,skill\nada,python\n"
    assert (uploaded.title, uploaded.channels, uploaded.initial_comment) == (
        "Weekly report",
        ("C1",),
        "Here you go",
    )
    [shared] = simulator.messages("C1")
    assert shared["text"] == "Here you go" and shared["files"][0]["id"] == uploaded.file_id
    assert simulator.calls_to("upload")[0].params["length"] == len(uploaded.content)


def test_upload_accepts_multipart(simulator: SlackSimulator, web: WebClient) -> None:
    target = web.files_getUploadURLExternal(filename="a.txt", length=5)
    boundary = "XyZ"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n'
        f"Content-Type: text/plain\r\n\r\nhello\r\n--{boundary}--\r\n"
    ).encode()
    request = urllib.request.Request(
        target["upload_url"],
        data=body,
        method="POST",
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    with urllib.request.urlopen(request, timeout=5) as resp:
        assert resp.status == 200
    web.files_completeUploadExternal(files=[{"id": target["file_id"], "title": "A"}])
    assert simulator.uploaded_files()[0].content == b"hello"
    never = web.files_getUploadURLExternal(filename="b.txt", length=1)
    err = _error(lambda: web.files_completeUploadExternal(files=[{"id": never["file_id"]}]))
    assert err.response["error"] == "file_not_found"


def test_oauth_v2_access(simulator: SlackSimulator) -> None:
    simulator.register_oauth_code(
        "code-1",
        team_id="T9",
        team_name="Nine",
        bot_token="xoxb-nine",
        bot_user_id="U9BOT",
        scopes=["commands", "chat:write"],
        authed_user_id="U9ADMIN",
    )
    anonymous = WebClient(base_url=simulator.api_url)
    answer = anonymous.oauth_v2_access(client_id="cid", client_secret="secret", code="code-1")
    assert answer["access_token"] == "xoxb-nine" and answer["token_type"] == "bot"
    assert answer["team"] == {"name": "Nine", "id": "T9"}
    assert answer["scope"] == "commands,chat:write"
    assert answer["authed_user"]["id"] == "U9ADMIN" and answer["bot_user_id"] == "U9BOT"
    assert answer["is_enterprise_install"] is False and answer["enterprise"] is None
    # the installed token now works
    auth = WebClient(token="xoxb-nine", base_url=simulator.api_url).auth_test()
    assert (auth["team_id"], auth["user_id"]) == ("T9", "U9BOT")
    again = _error(
        lambda: anonymous.oauth_v2_access(client_id="cid", client_secret="secret", code="code-1")
    )
    assert again.response["error"] == "invalid_code"


# ---------------------------------------------------------------- response_url, recording


def test_response_url_records_json(simulator: SlackSimulator) -> None:
    url = simulator.new_response_url()
    assert url.startswith(simulator.base_url + "/response/")
    request = urllib.request.Request(
        url,
        data=json.dumps({"text": "done", "response_type": "ephemeral"}).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5) as resp:
        assert (resp.status, resp.read()) == (200, b"ok")
    [posted] = simulator.wait_for_response(count=1)
    assert posted == {"text": "done", "response_type": "ephemeral"}
    assert simulator.responses() == [posted]


def test_wait_for_wakes_on_a_call_from_another_thread(
    simulator: SlackSimulator, web: WebClient
) -> None:
    worker = threading.Thread(target=lambda: web.chat_postMessage(channel="C9", text="later"))
    worker.start()
    [call] = simulator.wait_for(
        "chat.postMessage", predicate=lambda c: c.params.get("channel") == "C9"
    )
    worker.join()
    assert call.ok and call.params["text"] == "later"


def test_wait_for_times_out_with_recent_calls(simulator: SlackSimulator, web: WebClient) -> None:
    web.auth_test()
    with pytest.raises(AssertionError, match=r"chat.postMessage(.|\n)*auth.test"):
        simulator.wait_for("chat.postMessage", timeout=0.05)


def test_reset_forgets_state_but_keeps_configuration(
    simulator: SlackSimulator, web: WebClient
) -> None:
    web.chat_postMessage(channel="C1", text="x")
    simulator.fail_next("auth.test")
    simulator.reset()
    assert simulator.calls == [] and simulator.messages() == []
    assert web.auth_test()["ok"] and web.users_info(user="U1")["ok"]


def test_run_simulator_standalone() -> None:
    from bot.sim.__main__ import run_simulator

    sim = run_simulator({"xoxb-demo": "T0001"}, [("T0001", "U1", "ada")])
    try:
        web = WebClient(token="xoxb-demo", base_url=sim.api_url)
        assert web.users_info(user="U1")["user"]["name"] == "ada"
    finally:
        sim.stop()


def test_concurrent_posts_get_unique_increasing_ts(
    simulator: SlackSimulator, web: WebClient
) -> None:
    def post(i: int) -> None:
        web.chat_postMessage(channel="C1", text=str(i))

    threads = [threading.Thread(target=post, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stamps = [m["ts"] for m in simulator.messages("C1")]
    assert len(set(stamps)) == 20
    assert stamps == sorted(stamps, key=float)


def test_users_list_pages_cover_everyone_once(simulator: SlackSimulator, web: WebClient) -> None:
    for i in range(3, 12):
        simulator.add_user(TEAM, f"U{i}", name=f"user{i}")
    everyone = [m["id"] for m in web.users_list()["members"]]

    @given(limit=st.integers(min_value=1, max_value=15))
    @settings(max_examples=15, deadline=None)
    def check(limit: int) -> None:
        seen: list[str] = []
        cursor = None
        while True:
            page = web.users_list(limit=limit, cursor=cursor)
            assert len(page["members"]) <= limit
            seen += [m["id"] for m in page["members"]]
            cursor = page["response_metadata"]["next_cursor"]
            if not cursor:
                break
        assert seen == everyone

    check()


def test_logs_never_contain_tokens(
    simulator: SlackSimulator, web: WebClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.sim")
    web.auth_test()
    web.chat_postMessage(channel="C1", text="x")
    _error(lambda: WebClient(token="xoxb-secret-bad", base_url=simulator.api_url).auth_test())
    assert "chat.postMessage" in caplog.text
    assert TOKEN not in caplog.text and "xoxb-secret-bad" not in caplog.text

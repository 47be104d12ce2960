"""Every request is verified: forged, stale and tampered requests get 401 and store nothing.

Replays inside Slack's 5-minute window carry a valid signature (Slack's scheme has no nonce),
so they are handled by idempotency instead: a repeated ``event_id`` is processed once and a
repeated command stores nothing new (see RELIABILITY.md).
"""

from __future__ import annotations

import contextlib
import json
import time
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, inspect, select

from bot.sim.client import FORM, JSON
from bot.sim.server import RESPONSE_URL_METHOD
from bot.store.models import Base, Member, MemberSkill, ProcessedEvent
from tests.support import TEAM, Harness, diff, snapshot

TEACH = {
    "token": "verification_token",
    "team_id": TEAM,
    "team_domain": "acme",
    "channel_id": "C0GENERAL",
    "channel_name": "general",
    "user_id": "UALICE",
    "user_name": "alice",
    "command": "/skillswap",
    "text": "teach Python",
    "api_app_id": "A0SKILLSWAP",
    "is_enterprise_install": "false",
    "trigger_id": "1.1.abc",
}


def _teach_body(served: Harness, hook: str = "forged") -> bytes:
    fields = {**TEACH, "response_url": f"{served.sim.base_url}/response/{hook}"}
    return urlencode(fields).encode()


def _home_event(event_id: str, user: str = "UALICE") -> bytes:
    return json.dumps(
        {
            "token": "verification_token",
            "team_id": TEAM,
            "api_app_id": "A0SKILLSWAP",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "event": {
                "type": "app_home_opened",
                "user": user,
                "channel": "D0HOME",
                "tab": "home",
                "event_ts": f"{time.time():.6f}",
            },
            "authorizations": [{"team_id": TEAM, "user_id": "UBT0001", "is_bot": True}],
        }
    ).encode()


# name -> (signature override, timestamp offset from now in seconds)
FORGERIES: dict[str, tuple[str | None, int]] = {
    "bad signature": ("v0=" + "0" * 64, 0),
    "empty signature": ("v0=", 0),
    "stale (301 s old)": (None, -301),
    "future (301 s ahead)": (None, 301),
    "a day old": (None, -86400),
}


@pytest.mark.parametrize("forgery", list(FORGERIES))
def test_forged_or_stale_command_is_401_and_stores_nothing(served: Harness, forgery: str) -> None:
    engine = served.deps.engine
    before = snapshot(engine)
    signature, offset = FORGERIES[forgery]
    reply = served.slack.post(
        served.url,
        _teach_body(served),
        FORM,
        timestamp=int(time.time()) + offset,
        signature=signature,
    )
    assert reply.status == 401
    served.drain()
    assert diff(before, snapshot(engine)) == {}
    assert served.sim.calls == []  # not even users.info: nothing ran


def test_signature_from_another_secret_is_401(served: Harness) -> None:
    from slack_sdk.signature import SignatureVerifier

    body = _teach_body(served)
    ts = str(int(time.time()))
    wrong = SignatureVerifier("not-our-secret").generate_signature(timestamp=ts, body=body)
    reply = served.slack.post(served.url, body, FORM, timestamp=int(ts), signature=wrong)
    assert reply.status == 401
    served.drain()
    assert served.sim.calls == []


def test_body_changed_after_signing_is_401(served: Harness) -> None:
    from slack_sdk.signature import SignatureVerifier

    signed = _teach_body(served)
    ts = str(int(time.time()))
    sig = SignatureVerifier("test-signing-secret").generate_signature(timestamp=ts, body=signed)
    tampered = signed.replace(b"UALICE", b"UADMIN")
    reply = served.slack.post(served.url, tampered, FORM, timestamp=int(ts), signature=sig)
    assert reply.status == 401
    served.drain()
    assert served.sim.calls == []


@pytest.mark.parametrize("missing", ["X-Slack-Signature", "X-Slack-Request-Timestamp"])
def test_missing_signature_headers_are_401(served: Harness, missing: str) -> None:
    import http.client
    from urllib.parse import urlsplit

    body = _teach_body(served)
    url = urlsplit(served.url)
    headers = {
        "Content-Type": FORM,
        "X-Slack-Request-Timestamp": str(int(time.time())),
        "X-Slack-Signature": "v0=" + "a" * 64,
    }
    del headers[missing]
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=10)
    try:
        conn.request("POST", url.path, body=body, headers=headers)
        status = conn.getresponse().status
    finally:
        conn.close()
    assert status == 401
    served.drain()
    assert served.sim.calls == []


@pytest.mark.parametrize("timestamp", ["yesterday", "", "1e9"])
def test_non_numeric_timestamp_is_401_and_calls_nobody(served: Harness, timestamp: str) -> None:
    import http.client
    from urllib.parse import urlsplit

    url = urlsplit(served.url)
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=10)
    try:
        conn.request(
            "POST",
            url.path,
            body=_teach_body(served, hook="ssrf"),
            headers={
                "Content-Type": FORM,
                "X-Slack-Request-Timestamp": timestamp,
                "X-Slack-Signature": "v0=abc",
            },
        )
        status = conn.getresponse().status
    finally:
        conn.close()
    served.drain()
    assert served.sim.calls_to(RESPONSE_URL_METHOD) == []  # no reply to an unverified URL
    assert status == 401


def test_forged_event_is_401_and_not_recorded(served: Harness) -> None:
    engine = served.deps.engine
    reply = served.slack.post(served.url, _home_event("EvFORGED"), JSON, signature="v0=" + "1" * 64)
    assert reply.status == 401
    stale = served.slack.post(
        served.url, _home_event("EvSTALE"), JSON, timestamp=int(time.time()) - 400
    )
    assert stale.status == 401
    served.drain()
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(ProcessedEvent)) == 0
    assert served.sim.calls_to("views.publish") == []


def test_replayed_command_inside_the_window_stores_one_row(served: Harness) -> None:
    """Same bytes, same signature, twice: both verify; the skill is stored once."""
    body = _teach_body(served, hook="replay")
    ts = int(time.time())
    first = served.slack.post(served.url, body, FORM, timestamp=ts)
    assert first.status == 200
    assert first.json is not None and "Added" in first.json["text"]  # the reply, in the ack
    again = served.slack.post(served.url, body, FORM, timestamp=ts)
    assert again.status == 200
    served.drain()
    engine = served.deps.engine
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Member)) == 1
        assert conn.scalar(select(func.count()).select_from(MemberSkill)) == 1


def test_replayed_event_is_processed_once(served: Harness) -> None:
    body = _home_event("EvREPLAY1")
    ts = int(time.time())
    assert served.slack.post(served.url, body, JSON, timestamp=ts).status == 200
    served.sim.wait_for("views.publish")
    assert served.slack.post(served.url, body, JSON, timestamp=ts).status == 200
    served.drain()
    assert len(served.sim.calls_to("views.publish")) == 1


@pytest.mark.parametrize("reason", ["http_timeout", "http_error", "connection_failed"])
def test_event_retries_are_processed_once(served: Harness, reason: str) -> None:
    event = {"type": "app_home_opened", "user": "UBOB", "channel": "D0HOME", "tab": "home"}
    first = served.event(event, event_id="EvRETRY")
    assert first.status == 200
    for retry in (1, 2, 3):
        reply = served.event(event, event_id="EvRETRY", retry_num=retry, retry_reason=reason)
        assert reply.status == 200  # a non-2xx would make Slack retry again
    served.drain()
    assert len(served.sim.calls_to("views.publish")) == 1
    with served.deps.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(ProcessedEvent)) == 1


def test_a_retry_that_is_the_only_delivery_is_processed(served: Harness) -> None:
    """Slack's first attempt may never have reached us: a retry alone must still count."""
    event = {"type": "app_home_opened", "user": "UCAROL", "channel": "D0HOME", "tab": "home"}
    reply = served.event(event, event_id="EvONLYRETRY", retry_num=2)
    assert reply.status == 200
    served.sim.wait_for("views.publish")


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    [
        ("GET", "/slack/events", b"", 405),
        ("PUT", "/slack/events", b"x", 405),
        ("POST", "/nowhere", b"x", 404),
        ("POST", "/slack/events", b"x" * (1024 * 1024 + 1), 413),
    ],
)
def test_bad_http_is_4xx_never_5xx(
    served: Harness, method: str, path: str, body: bytes, expected: int
) -> None:
    import http.client
    from urllib.parse import urlsplit

    url = urlsplit(served.url)
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=10)
    try:
        # The app may answer (413) before it has read the whole body.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            conn.request(method, path, body=body, headers={"Content-Type": FORM})
        status = conn.getresponse().status
    finally:
        conn.close()
    assert status == expected


GARBAGE = [
    pytest.param(b"", id="empty"),
    pytest.param(b"payload=", id="empty-payload"),
    pytest.param(b"payload=%7Bnot+json", id="payload-not-json"),
    pytest.param(b"payload=%5B%5D", id="payload-list"),
    pytest.param(b"payload=null", id="payload-null"),
    pytest.param(b"\xff\xfe\x00garbage", id="not-utf8"),
    pytest.param(b'{"type": "event_callback"}', id="event-without-event"),
    pytest.param(b'{"type": "url_verification"}', id="url-verification-no-challenge"),
    pytest.param(b"[1, 2, 3]", id="json-list"),
]


def _garbage_cases() -> list[Any]:
    return [pytest.param(*case.values, id=case.id) for case in GARBAGE]


@pytest.mark.parametrize("signed", [True, False], ids=["signed", "unsigned"])
@pytest.mark.parametrize("payload", _garbage_cases())
def test_garbage_is_answered_without_a_5xx(served: Harness, payload: bytes, signed: bool) -> None:
    engine = served.deps.engine
    before = snapshot(engine)
    ctype = JSON if payload.startswith((b"{", b"[")) else FORM
    signature = None if signed else "v0=" + "2" * 64
    reply = served.slack.post(served.url, payload, ctype, signature=signature)
    assert reply.status < 500, reply.body[:200]
    if not signed:
        assert reply.status == 401
    assert "Traceback" not in reply.body
    served.drain()
    assert diff(before, snapshot(engine)) == {}


INJECTIONS = [
    "Robert'); DROP TABLE members;--",
    "x' OR '1'='1",
    '"; DELETE FROM member_skills; --',
    "1; UPDATE workspaces SET active = 0",
    "%' UNION SELECT token FROM slack_bots --",
]


@pytest.mark.parametrize("text", INJECTIONS)
def test_sql_injection_is_only_ever_data(served: Harness, text: str) -> None:
    engine = served.deps.engine
    served.command("UBOB", "teach Python")
    tables_before = set(inspect(engine).get_table_names())
    reply = served.command("UALICE", f"teach {text}")
    served.command("UALICE", f"who {text}")
    served.command("UALICE", f"drop {text}")
    served.drain()
    assert reply is not None
    assert set(inspect(engine).get_table_names()) == tables_before
    assert {t.name for t in Base.metadata.sorted_tables} <= tables_before
    with engine.connect() as conn:
        # Bob's skill survived every attempt; nothing was deleted or updated wholesale.
        assert (conn.scalar(select(func.count()).select_from(MemberSkill)) or 0) >= 1
        assert (conn.scalar(select(func.count()).select_from(Member)) or 0) >= 1


def test_no_reply_reaches_a_forged_response_url_host(served: Harness) -> None:
    """A forged request naming an attacker's response_url is rejected before anything runs."""
    fields = {**TEACH, "response_url": "http://127.0.0.1:9/steal"}
    reply = served.slack.post(
        served.url, urlencode(fields).encode(), FORM, signature="v0=" + "f" * 64
    )
    assert reply.status == 401
    served.drain()
    assert served.sim.calls_to(RESPONSE_URL_METHOD) == []

"""``/slack/events`` checks Slack's signature before Bolt reads anything; junk is a 4xx."""

from __future__ import annotations

import http.client
import time
from urllib.parse import urlsplit

import pytest

from tests.support import Harness, shown_text

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"payload=%7Bnot+json", FORM),
        (b"payload=null", FORM),
        (b"payload=%5B%5D", FORM),
        (b"[1, 2, 3]", JSON),
        (b"command=%2Fskillswap&text=\xff\xfe", FORM),  # not UTF-8
    ],
)
def test_signed_junk_is_400_and_unsigned_junk_is_401(
    harness: Harness, body: bytes, content_type: str
) -> None:
    signed = harness.slack.post("/slack/events", body, content_type)
    assert signed.status == 400
    assert "Traceback" not in signed.body
    forged = harness.slack.post("/slack/events", body, content_type, signature="v0=" + "1" * 64)
    assert forged.status == 401
    harness.drain()
    assert harness.sim.calls == []


@pytest.mark.parametrize("timestamp", ["yesterday", "", "1e9", str(int(time.time()) + 3600)])
def test_bad_timestamps_are_401_and_nobody_is_called(harness: Harness, timestamp: str) -> None:
    url = urlsplit(harness.url)
    body = (
        "command=%2Fskillswap&text=help&team_id=T0001&user_id=U1"
        f"&response_url={harness.sim.new_response_url()}"
    ).encode()
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=10)
    try:
        conn.request(
            "POST",
            url.path,
            body=body,
            headers={
                "Content-Type": FORM,
                "X-Slack-Request-Timestamp": timestamp,
                "X-Slack-Signature": "v0=abc",
            },
        )
        status = conn.getresponse().status
    finally:
        conn.close()
    assert status == 401
    harness.drain()
    assert harness.sim.calls == []


def test_a_signed_command_still_works(harness: Harness) -> None:
    assert "/skillswap" in shown_text(harness.command("U1", "help"))

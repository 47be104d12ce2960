"""The simulator keeps connections alive between requests, as Slack's servers do."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

from slack_sdk import WebClient

from bot.sim import SlackSimulator
from tests.sim.sim_kit import TOKEN


def _connect(sim: SlackSimulator) -> http.client.HTTPConnection:
    address = urlsplit(sim.base_url)
    return http.client.HTTPConnection(address.hostname or "", address.port, timeout=5)


def _auth_test(conn: http.client.HTTPConnection, **headers: str) -> dict[str, object]:
    conn.request("POST", "/api/auth.test", headers={"Authorization": f"Bearer {TOKEN}", **headers})
    answer = conn.getresponse()
    body: dict[str, object] = json.loads(answer.read())
    return body


def test_web_api_calls_share_one_connection(simulator: SlackSimulator) -> None:
    conn = _connect(simulator)
    try:
        answers = [_auth_test(conn) for _ in range(3)]
    finally:
        conn.close()
    assert [a["ok"] for a in answers] == [True, True, True]
    assert len(simulator.calls_to("auth.test")) == 3
    assert simulator.connections_accepted == 1


def test_a_client_asking_to_close_gets_a_new_connection_each_time(
    simulator: SlackSimulator, web: WebClient
) -> None:
    """slack_sdk's WebClient (urllib) sends ``Connection: close``: one connection a call."""
    for _ in range(2):
        assert web.auth_test()["ok"] is True
    assert simulator.connections_accepted == 2


def test_stopping_closes_kept_alive_connections(simulator: SlackSimulator) -> None:
    conn = _connect(simulator)
    try:
        _auth_test(conn)
        simulator.stop()
        assert conn.sock is not None
        assert conn.sock.recv(1) == b""  # the server's end is closed: no thread left behind
    finally:
        conn.close()

"""Slack's Socket Mode side, small enough to read: ``apps.connections.open`` and a WebSocket.

One loopback port answers ``POST /api/apps.connections.open`` (with the app-level token) with
a ``ws://`` URL on itself, then speaks RFC 6455 on that URL: it sends envelopes, answers pings
and records every envelope the app acknowledges. Text frames only, no extensions.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import socket
import struct
import threading
import uuid
from typing import Any

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA


def _frame(opcode: int, payload: bytes) -> bytes:
    head = bytes([0x80 | opcode])
    size = len(payload)
    if size < 126:
        head += bytes([size])
    elif size < 1 << 16:
        head += bytes([126]) + struct.pack("!H", size)
    else:
        head += bytes([127]) + struct.pack("!Q", size)
    return head + payload


def _read_exact(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def _read_frame(conn: socket.socket) -> tuple[int, bytes]:
    first, second = _read_exact(conn, 2)
    size = second & 0x7F
    if size == 126:
        size = struct.unpack("!H", _read_exact(conn, 2))[0]
    elif size == 127:
        size = struct.unpack("!Q", _read_exact(conn, 8))[0]
    mask = _read_exact(conn, 4) if second & 0x80 else b"\0\0\0\0"
    payload = bytes(b ^ mask[i % 4] for i, b in enumerate(_read_exact(conn, size)))
    return first & 0x0F, payload


class FakeSocketMode:
    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self.app_tokens: list[str] = []
        self.acks: list[dict[str, Any]] = []
        self._cond = threading.Condition()
        self._ws: socket.socket | None = None
        self._closed_by_app = False
        self._send_lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def start(self) -> FakeSocketMode:
        thread = threading.Thread(target=self._accept_loop, daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self._server.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        self._server.close()
        with self._cond:
            ws, self._ws = self._ws, None
        if ws is not None:
            ws.close()
        for thread in self._threads:
            thread.join(timeout=5)

    # ------------------------------------------------------------------ test API

    def wait_connected(self, timeout: float = 10.0) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: self._ws is not None, timeout):
                raise AssertionError("the app did not open a Socket Mode connection")

    def wait_closed_by_app(self, timeout: float = 10.0) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: self._closed_by_app, timeout):
                raise AssertionError("the app did not close its Socket Mode connection")

    def send(self, kind: str, payload: dict[str, Any]) -> str:
        """Deliver an envelope (``slash_commands``, ``events_api``, ``interactive``)."""
        envelope_id = str(uuid.uuid4())
        message = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
        }
        self._send(TEXT, json.dumps(message).encode())
        return envelope_id

    def wait_ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        def found() -> dict[str, Any] | None:
            return next((a for a in self.acks if a.get("envelope_id") == envelope_id), None)

        with self._cond:
            if not self._cond.wait_for(lambda: found() is not None, timeout):
                raise AssertionError(f"no ack for envelope {envelope_id}")
            ack = found()
            assert ack is not None
            return ack

    # ------------------------------------------------------------------ server

    def _send(self, opcode: int, payload: bytes) -> None:
        with self._cond:
            ws = self._ws
        assert ws is not None, "no Socket Mode connection"
        with self._send_lock:
            ws.sendall(_frame(opcode, payload))

    def _accept_loop(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _serve(self, conn: socket.socket) -> None:
        try:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                head += chunk
            header_text, _, body = head.partition(b"\r\n\r\n")
            lines = header_text.decode().split("\r\n")
            headers = {
                k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in lines[1:])
            }
            if lines[0].startswith("POST /api/apps.connections.open"):
                self._connections_open(conn, headers, body)
            elif headers.get("upgrade", "").lower() == "websocket":
                self._websocket(conn, headers)
        finally:
            conn.close()

    def _connections_open(self, conn: socket.socket, headers: dict[str, str], body: bytes) -> None:
        length = int(headers.get("content-length", "0"))
        if len(body) < length:
            _read_exact(conn, length - len(body))
        token = headers.get("authorization", "").removeprefix("Bearer ").strip()
        with self._cond:
            self.app_tokens.append(token)
        ok = token.startswith("xapp-")
        answer = (
            {"ok": True, "url": f"ws://127.0.0.1:{self.port}/link/?ticket=t1"}
            if ok
            else {"ok": False, "error": "not_allowed_token_type"}
        )
        data = json.dumps(answer).encode()
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n".encode()
            + data
        )

    def _websocket(self, conn: socket.socket, headers: dict[str, str]) -> None:
        accept = base64.b64encode(
            hashlib.sha1((headers["sec-websocket-key"] + _GUID).encode()).digest()
        ).decode()
        conn.sendall(
            (
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
            ).encode()
        )
        with self._cond:
            self._ws = conn
            self._cond.notify_all()
        conn.sendall(_frame(TEXT, json.dumps({"type": "hello", "num_connections": 1}).encode()))
        try:
            while True:
                opcode, payload = _read_frame(conn)
                if opcode == PING:
                    with self._send_lock:
                        conn.sendall(_frame(PONG, payload))
                elif opcode == TEXT:
                    with self._cond:
                        self.acks.append(json.loads(payload))
                        self._cond.notify_all()
                elif opcode == CLOSE:
                    with self._send_lock:
                        conn.sendall(_frame(CLOSE, payload[:2]))
                    break
        except (ConnectionError, OSError):
            pass
        with self._cond:
            self._closed_by_app = True
            if self._ws is conn:
                self._ws = None
            self._cond.notify_all()

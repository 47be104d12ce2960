"""The real SkillSwap WSGI app on a loopback port, in this process, for the demo.

A small threaded ``wsgiref`` server (the test helpers have their own; this one ships with the
package). It also keeps the futures of the work Bolt runs after the ack, so the demo can
wait until a click or a command has been fully handled (:meth:`AppServer.settle`) without
sleeping or guessing which Slack call comes last.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, wait
from socketserver import ThreadingMixIn
from types import TracebackType
from typing import Any, Self
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from bot.deps import Deps
from bot.web import EVENTS_PATH, SkillSwapWsgi, build_wsgi


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class ListenerTracker:
    """Remembers every task submitted to an executor, to wait for them all later."""

    def __init__(self, executor: Executor) -> None:
        self._lock = threading.Lock()
        self._pending: list[Future[Any]] = []
        original: Callable[..., Future[Any]] = executor.submit

        def submit(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
            future = original(fn, *args, **kwargs)
            with self._lock:
                self._pending.append(future)
            return future

        # Wrap this one instance's ``submit``; the class and other executors are untouched.
        setattr(executor, "submit", submit)  # noqa: B010

    def settle(self, timeout: float) -> bool:
        """Wait until every task submitted so far (and any they submit) is done."""
        while True:
            with self._lock:
                pending = [f for f in self._pending if not f.done()]
                self._pending = pending
            if not pending:
                return True
            _done, not_done = wait(pending, timeout=timeout)
            if not_done:
                return False


class AppServer:
    """The app (:func:`bot.web.build_wsgi`) served over HTTP on ``127.0.0.1:<ephemeral>``."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self._server: _ThreadingWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._wsgi: SkillSwapWsgi | None = None
        self._tracker: ListenerTracker | None = None

    def start(self) -> Self:
        if self._server is not None:
            return self
        self._wsgi = build_wsgi(self.deps)
        self._tracker = ListenerTracker(self._wsgi.app.listener_runner.listener_executor)
        server = make_server(
            "127.0.0.1",
            0,
            self._wsgi,
            server_class=_ThreadingWSGIServer,
            handler_class=_QuietHandler,
        )
        assert isinstance(server, _ThreadingWSGIServer)
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"skillswap-demo-app-{server.server_port}",
            daemon=True,
        )
        self._server, self._thread = server, thread
        thread.start()
        return self

    @property
    def url(self) -> str:
        """Where Slack would send its requests (``…/slack/events``)."""
        if self._server is None:
            raise RuntimeError("AppServer is not started; call start() first")
        return f"http://127.0.0.1:{self._server.server_port}{EVENTS_PATH}"

    def settle(self, timeout: float = 15.0) -> None:
        """Wait for the listeners still running after their ack; raise if they hang."""
        if self._tracker is not None and not self._tracker.settle(timeout):
            raise TimeoutError(f"SkillSwap's listeners were still busy after {timeout:.0f}s")

    def stop(self) -> None:
        server, thread, wsgi = self._server, self._thread, self._wsgi
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        if wsgi is not None:
            wsgi.close()  # lets running listeners finish, then disposes the engine
        self._server = self._thread = self._wsgi = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

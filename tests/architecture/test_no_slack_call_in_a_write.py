"""No Slack call while a write unit of work is open.

On SQLite a writing transaction holds the writer lock every process waits on; a Slack call
inside one (a slow ``users.info``, a 429 with its retries) stalls every other request. So
every Web API call and every ``response_url`` post is recorded with whether the thread making
it had a write open at that moment — a :meth:`Deps.unit_of_work` block entered and not left,
or a database transaction that is not read-only begun on a connection and not ended — while
a representative set of commands, buttons, events and a whole round run through the app.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from slack_sdk.web.base_client import BaseClient
from slack_sdk.webhook import WebhookClient
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from bot.blocks.checkins import CheckinAction, FeedbackCallback
from bot.blocks.insights import InsightsAction
from bot.blocks.members import MemberAction
from bot.blocks.rounds import IntroAction
from bot.delivery.worker import deliver_pending
from bot.deps import Deps
from bot.rounds.checkins import process_due
from bot.rounds.service import start_round
from bot.slack.respond import ResponsePoster
from bot.store.db import READ_ONLY
from tests.support import Harness, button

ADMIN, ANA, BEN, NEWCOMER = "U0ADM0001", "U0ANA0001", "U0BEN0002", "U0NEW0003"
_WRITING = "skillswap_test_writing"


@dataclass
class WriteWatch:
    """Per thread: how many write units of work and write transactions are open."""

    open: Counter[int] = field(default_factory=Counter)
    calls: list[tuple[str, bool]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def change(self, delta: int) -> None:
        with self.lock:
            self.open[threading.get_ident()] += delta

    def record(self, method: str) -> None:
        with self.lock:
            self.calls.append((method, self.open[threading.get_ident()] > 0))

    def inside(self) -> list[str]:
        with self.lock:
            return [method for method, writing in self.calls if writing]

    def methods(self) -> set[str]:
        with self.lock:
            return {method for method, _ in self.calls}

    def attach(self, engine: Engine) -> None:
        def began(conn: Any) -> None:
            options = conn.get_execution_options()
            if options.get(READ_ONLY) or options.get("postgresql_readonly"):
                return
            conn.info[_WRITING] = True
            self.change(+1)

        def ended(conn: Any) -> None:
            if conn.info.pop(_WRITING, False):
                self.change(-1)

        event.listen(engine, "begin", began)
        event.listen(engine, "commit", ended)
        event.listen(engine, "rollback", ended)


@pytest.fixture
def watch(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> Iterator[WriteWatch]:
    watch = WriteWatch()
    watch.attach(harness.deps.engine)
    unit_of_work = Deps.unit_of_work

    @contextmanager
    def watched_unit(self: Deps) -> Iterator[Session]:
        watch.change(+1)
        try:
            with unit_of_work(self) as session:
                yield session
        finally:
            watch.change(-1)

    api_call = BaseClient.api_call

    def watched_api_call(self: BaseClient, api_method: str, **kwargs: Any) -> Any:
        watch.record(api_method)
        return api_call(self, api_method, **kwargs)

    send_dict = WebhookClient.send_dict

    def watched_send_dict(self: WebhookClient, *args: Any, **kwargs: Any) -> Any:
        watch.record("response_url")
        return send_dict(self, *args, **kwargs)

    monkeypatch.setattr(Deps, "unit_of_work", watched_unit)
    monkeypatch.setattr(BaseClient, "api_call", watched_api_call)
    post = ResponsePoster.post

    def watched_post(self: ResponsePoster, *args: Any, **kwargs: Any) -> Any:
        watch.record("response_url")
        return post(self, *args, **kwargs)

    monkeypatch.setattr(WebhookClient, "send_dict", watched_send_dict)
    monkeypatch.setattr(ResponsePoster, "post", watched_post)  # respond() and the error reply
    yield watch


def test_no_slack_call_happens_while_a_write_is_open(harness: Harness, watch: WriteWatch) -> None:
    h, sim = harness, harness.sim
    sim.add_user(h.team_id, ADMIN, name="ada", real_name="Ada Admin", is_admin=True)
    sim.add_user(h.team_id, ANA, name="ana", real_name="Ana Alvarez", tz="Europe/Madrid")
    sim.add_user(h.team_id, BEN, name="ben", real_name="Ben Brown", tz="Europe/London")

    # Commands: newcomers joining (users.info), members' own, the profile modal (views.open).
    for user, text in [
        (ANA, "teach Spanish"),
        (ANA, "learn SQL"),
        (BEN, "teach SQL, Spanish"),
        (BEN, "learn Spanish"),
        (ANA, "me"),
        (ANA, "who SQL"),
        (BEN, "drop Spanish"),
        (ANA, "pause 2 weeks"),
        (ANA, "resume"),
        (ANA, "profile"),
        (ANA, "stats"),
    ]:
        assert h.send_command(user, text).status == 200
    sim.wait_for("views.open")

    # Admin subcommands: the admin check (users.info), the settings modal, a report with
    # its pictures (auth.test, file uploads) and an export, and a member refused.
    h.send_command(ADMIN, "admin")
    sim.wait_for("views.open", count=2)
    h.command(BEN, "report")
    h.command(ADMIN, "report")
    sim.wait_for("files.completeUploadExternal")
    h.command(ADMIN, "export members")
    sim.wait_for("files.completeUploadExternal", count=2)

    # Events: the Home tab (admins' section: users.info), a newcomer's welcome (the outbox).
    for user in (ANA, ADMIN):
        h.event({"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home"})
    views = sim.wait_for("views.publish", count=2)
    admin_home = next(c for c in views if c.params["user_id"] == ADMIN).params["view"]
    h.click(ADMIN, InsightsAction.FULL_REPORT, view=admin_home)
    sim.wait_for("files.completeUploadExternal", count=3)
    newcomer = sim.add_user(h.team_id, NEWCOMER, name="nia")
    h.event({"type": "team_join", "user": newcomer})
    sim.wait_for("chat.postMessage", predicate=lambda c: "Welcome" in str(c.params))

    # A round: started and delivered, an intro button, a check-in answered with feedback.
    start_round(h.deps, h.team_id, now=h.clock.now())
    assert deliver_pending(h.deps).sent >= 1
    pair_dm = sim.dm_channel_id(h.team_id, ANA, BEN)
    [intro] = sim.messages(pair_dm)
    h.click(ANA, IntroAction.SCHEDULED, message=intro)
    sim.wait_for("chat.update")
    h.clock.advance(timedelta(days=3))
    assert process_due(h.deps, h.clock.now()).checkins == 1
    deliver_pending(h.deps)
    checkin = sim.messages(pair_dm)[1]
    h.click(BEN, CheckinAction.MET, message=checkin)
    [opened] = sim.wait_for(
        "views.open",
        predicate=lambda c: c.params["view"]["callback_id"] == FeedbackCallback.FEEDBACK,
    )
    h.submit(
        BEN,
        FeedbackCallback.FEEDBACK,
        {
            "rating": {"value": {"type": "static_select", "selected_option": {"value": "5"}}},
            "learned": {"value": {"type": "plain_text_input", "value": "Tapas"}},
        },
        private_metadata=opened.params["view"]["private_metadata"],
    )
    h.click(ANA, CheckinAction.SCHEDULED, message=checkin).reply("ask once more")

    # Leaving: the confirmation button erases, then the Home tab is published again.
    confirm = h.command(ANA, "leave")
    publishes = len(sim.calls_to("views.publish"))
    h.click(ANA, button(confirm, MemberAction.LEAVE_CONFIRM)).reply("deleted")
    sim.wait_for("views.publish", count=publishes + 1)
    h.drain()  # every listener is done: nothing more can be recorded

    exercised = watch.methods()
    assert {
        "users.info",
        "views.open",
        "views.publish",
        "conversations.open",
        "chat.postMessage",
        "chat.update",
        "auth.test",
        "files.getUploadURLExternal",
        "response_url",
    } <= exercised, exercised
    assert watch.inside() == []

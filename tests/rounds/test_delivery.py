"""Delivery from the outbox: every message once — through 429s, 5xx, timeouts and crashes."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from bot.delivery.outbox import OutboxKind
from bot.delivery.worker import LEASE, MAX_ATTEMPTS, DeliveryWorker, deliver_pending
from bot.rounds.service import start_round
from bot.store.models import Group, GroupState, OutboxState, Round, RoundState
from tests.rounds.rounds_kit import ANA, BEN, CAL, DEV, Team, pair_world
from tests.support import BOT_TOKEN


class Killed(BaseException):
    """The process dies (like SIGKILL): nothing after this line runs."""


class CrashingClient(WebClient):
    """Slack answers, then the worker dies before it can record the answer."""

    def __init__(self, *args: Any, crash_before: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.crash_before = crash_before

    def chat_postMessage(self, **kwargs: Any) -> Any:
        if self.crash_before:
            raise Killed("before the post")
        super().chat_postMessage(**kwargs)
        raise Killed("after the post, before recording it")


def client(team: Team, *, timeout: float = 5, cls: type[WebClient] = WebClient, **kw: Any) -> Any:
    def factory(team_id: str, enterprise_id: str | None) -> WebClient:
        return cls(
            token=BOT_TOKEN,
            base_url=team.sim.api_url,
            timeout=timeout,
            retry_handlers=[],
            **kw,
        )

    return factory


def group(team: Team) -> Group:
    with team.deps.unit_of_work() as session:
        return session.scalars(select(Group)).one()


def posted(team: Team, key: str) -> list[dict[str, Any]]:
    return [
        m
        for m in team.sim.messages()
        if (m.get("metadata") or {}).get("event_payload", {}).get("key") == key
    ]


def test_a_pair_gets_one_group_dm_and_the_round_is_delivered(team: Team) -> None:
    pair_world(team, discovery_swaps=False)  # Cal sits out: no discovery guest
    team.member(CAL, "Cal", teach=["Knitting"], learn=["Origami"])
    start_round(team.deps, team.team_id, now=team.clock.now())

    report = deliver_pending(team.deps, until_idle=True)

    assert (report.sent, report.failed, report.resolved) == (2, 0, 0)
    opened = team.sim.calls_to("conversations.open")
    assert sorted(c.params["users"] for c in opened) == [f"{ANA},{BEN}", CAL]
    dm = team.sim.dm_channel_id(team.team_id, ANA, BEN)
    [intro] = team.sim.messages(dm)
    text = intro["blocks"][0]["text"]["text"]
    assert f"<@{ANA}> and <@{BEN}>, you're this week's skill swap!" in text
    assert "Ana Alvarez can teach *Spanish* (intermediate) — Ben Brown wants to learn it" in text
    assert "You've never been paired before and work in different teams (Design, Data)." in text
    assert (
        "First session idea: 30 minutes, 15 each way. "
        "Ana Alvarez's 10:00 is Ben Brown's 09:00 (<!date^" in text
    )
    labels = [e["text"]["text"] for e in intro["blocks"][1]["elements"]]
    assert labels == ["We've scheduled it", "Pick a time", "Skip this round", "Not a fit"]
    g = group(team)
    assert (g.state, g.channel_id, g.intro_ts) == (GroupState.INTRODUCED, dm, intro["ts"])
    [cal_dm] = team.sim.messages(team.sim.dm_channel_id(team.team_id, CAL))
    assert "no skill swap for you this week" in cal_dm["blocks"][0]["text"]["text"]
    with team.deps.unit_of_work() as session:
        assert session.scalars(select(Round)).one().state is RoundState.DELIVERED
    assert all(m.state is OutboxState.SENT and m.slack_ts for m in team.outbox())


def test_429_holds_the_method_for_retry_after_then_delivers_once(team: Team) -> None:
    pair_world(team)
    start_round(team.deps, team.team_id, now=team.clock.now())
    team.sim.rate_limit_next("chat.postMessage", times=1, retry_after=30)

    first = deliver_pending(team.deps)  # one pass, no waiting
    assert (first.sent, first.deferred) == (0, 1)
    [row] = team.outbox()
    assert row.state is OutboxState.PENDING  # a 429 means it was not posted
    assert row.next_attempt_at == team.clock.now() + timedelta(seconds=30)

    team.clock.advance(timedelta(seconds=29))
    assert deliver_pending(team.deps).sent == 0  # still inside Retry-After
    assert len(team.sim.calls_to("chat.postMessage")) == 1

    team.clock.advance(timedelta(seconds=1))
    assert deliver_pending(team.deps).sent == 1
    assert len(posted(team, row.idempotency_key)) == 1


def test_a_429_storm_on_every_method_still_delivers_each_message_once(team: Team) -> None:
    team.workspace()
    people = [(f"U0P{i:04d}", f"Person {i}") for i in range(12)]
    for i, (user, name) in enumerate(people):
        skills = (["Spanish"], ["SQL"]) if i % 2 else (["SQL"], ["Spanish"])
        team.member(user, name, teach=skills[0], learn=skills[1])
    start_round(team.deps, team.team_id, now=team.clock.now())
    team.sim.rate_limit_next("conversations.open", times=7, retry_after=3)
    team.sim.rate_limit_next("chat.postMessage", times=9, retry_after=2)
    start = team.clock.now()

    report = deliver_pending(team.deps, until_idle=True)

    assert report.delivered == 6 and report.failed == 0
    assert report.errors.get("ratelimited", 0) >= 2
    for row in team.outbox():
        assert len(posted(team, row.idempotency_key)) == 1
    # Retry-After was honoured: the driven clock moved at least one Retry-After per storm.
    assert team.clock.now() - start >= timedelta(seconds=5)


def test_5xx_retries_with_backoff_and_checks_before_posting_again(team: Team) -> None:
    pair_world(team)
    start_round(team.deps, team.team_id, now=team.clock.now())
    team.sim.server_error_next("chat.postMessage", times=2, status=503)

    first = deliver_pending(team.deps)
    assert first.deferred == 1
    [row] = team.outbox()
    assert row.state is OutboxState.SENDING  # a 5xx leaves the post in doubt
    assert row.attempts == 1 and "http_503" in (row.last_error or "")
    assert row.next_attempt_at > team.clock.now()

    report = deliver_pending(team.deps, until_idle=True)

    assert report.sent == 1
    assert len(team.sim.calls_to("conversations.history")) == 2  # looked before each re-post
    assert len(posted(team, row.idempotency_key)) == 1
    assert team.outbox()[0].state is OutboxState.SENT


def test_a_timeout_after_slack_posted_is_resolved_from_history_not_reposted(team: Team) -> None:
    pair_world(team)
    start_round(team.deps, team.team_id, now=team.clock.now())
    team.sim.slow_next("chat.postMessage", seconds=1.0)  # Slack posts, the answer comes late
    impatient = client(team, timeout=0.2)

    first = deliver_pending(team.deps, client_for=impatient)
    assert first.deferred == 1
    team.sim.wait_for("chat.postMessage", count=1)  # the slow post landed meanwhile
    [row] = team.outbox()
    assert row.state is OutboxState.SENDING

    report = deliver_pending(team.deps, client_for=impatient, until_idle=True)

    assert (report.resolved, report.sent) == (1, 0)
    assert len(team.sim.calls_to("chat.postMessage")) == 1
    assert len(posted(team, row.idempotency_key)) == 1
    g = group(team)
    assert (
        g.state is GroupState.INTRODUCED
        and g.intro_ts == posted(team, row.idempotency_key)[0]["ts"]
    )


def test_killed_between_sent_and_recorded_a_fresh_worker_does_not_post_twice(team: Team) -> None:
    pair_world(team)
    start_round(team.deps, team.team_id, now=team.clock.now())

    with pytest.raises(Killed):
        deliver_pending(team.deps, client_for=client(team, cls=CrashingClient))
    [row] = team.outbox()
    assert (row.state, row.claimed_at) == (OutboxState.SENDING, team.clock.now())
    assert len(posted(team, row.idempotency_key)) == 1

    # While the dead worker's lease lasts, nobody touches the row.
    assert deliver_pending(team.deps).delivered == 0
    team.clock.advance(LEASE + timedelta(seconds=1))
    report = deliver_pending(team.deps)

    assert (report.resolved, report.sent) == (1, 0)
    assert len(team.sim.calls_to("chat.postMessage")) == 1
    assert team.outbox()[0].state is OutboxState.SENT
    assert group(team).state is GroupState.INTRODUCED


def test_killed_after_recording_sending_but_before_the_post_posts_once(team: Team) -> None:
    pair_world(team)
    start_round(team.deps, team.team_id, now=team.clock.now())

    with pytest.raises(Killed):
        deliver_pending(team.deps, client_for=client(team, cls=CrashingClient, crash_before=True))
    assert team.outbox()[0].state is OutboxState.SENDING
    team.clock.advance(LEASE + timedelta(seconds=1))

    report = deliver_pending(team.deps)

    assert (report.sent, report.resolved) == (1, 0)
    assert len(team.sim.calls_to("conversations.history")) == 1
    assert len(team.sim.calls_to("chat.postMessage")) == 1


@pytest.mark.parametrize(
    ("setup", "error"),
    [
        ("deleted", "account_inactive"),
        ("unknown", "user_not_found"),
        ("bot", "cannot_dm_bot"),
    ],
)
def test_permanent_errors_are_recorded_on_the_group_and_not_retried(
    team: Team, setup: str, error: str
) -> None:
    team.workspace()
    team.member(ANA, "Ana", teach=["Spanish"], learn=["SQL"])
    team.member(BEN, "Ben", teach=["SQL"], learn=["Spanish"], in_slack=setup != "unknown")
    if setup == "deleted":
        team.sim.add_user(team.team_id, BEN, name="ben", deleted=True)
    if setup == "bot":
        team.sim.fail_next("conversations.open", error="cannot_dm_bot")
    start_round(team.deps, team.team_id, now=team.clock.now())

    report = deliver_pending(team.deps, until_idle=True)

    assert report.failed == 1 and report.errors == {error: 1}
    assert len(team.sim.calls_to("conversations.open")) == 1
    assert team.sim.calls_to("chat.postMessage") == []
    g = group(team)
    assert (g.state, g.delivery_error) == (GroupState.FAILED, error)
    assert team.outbox()[0].state is OutboxState.FAILED
    with team.deps.unit_of_work() as session:
        assert session.scalars(select(Round)).one().state is RoundState.DELIVERED


def test_after_too_many_5xx_the_message_is_given_up_and_recorded(team: Team) -> None:
    pair_world(team)
    start_round(team.deps, team.team_id, now=team.clock.now())
    team.sim.server_error_next("conversations.open", times=MAX_ATTEMPTS, status=500)

    report = deliver_pending(team.deps, until_idle=True)

    assert report.failed == 1
    assert len(team.sim.calls_to("conversations.open")) == MAX_ATTEMPTS
    assert group(team).delivery_error == "gave up: http_500"


def test_several_workers_at_once_deliver_each_message_exactly_once(team: Team) -> None:
    team.workspace()
    for i in range(40):
        skills = (["Spanish"], ["SQL"]) if i % 2 else (["SQL"], ["Spanish"])
        team.member(f"U0W{i:04d}", f"Worker {i}", teach=skills[0], learn=skills[1])
    start_round(team.deps, team.team_id, now=team.clock.now())
    assert len(team.outbox()) == 20
    start = threading.Barrier(4)
    reports: list[Any] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            start.wait()
            reports.append(DeliveryWorker(team.deps).run(until_idle=True))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors
    assert sum(r.sent for r in reports) == 20
    assert len(team.sim.calls_to("chat.postMessage")) == 20
    for row in team.outbox():
        assert row.state is OutboxState.SENT
        assert len(posted(team, row.idempotency_key)) == 1


def test_the_home_channel_gets_counts_not_names(team: Team) -> None:
    pair_world(team, home_channel="C0ANNOUNCE", discovery_swaps=False)
    team.member(DEV, "Dev", teach=["Knitting"], learn=["Origami"])
    start_round(team.deps, team.team_id, now=team.clock.now())

    deliver_pending(team.deps, until_idle=True)

    [summary] = team.sim.messages("C0ANNOUNCE")
    assert "1 swap, 2 people paired, 1 first in line next time" in summary["text"]
    assert "1 new connection, 1 across teams" in summary["text"]
    assert "<@" not in str(summary["blocks"])
    summary_rows = team.outbox(kind=OutboxKind.SUMMARY)
    assert summary_rows[0].state is OutboxState.SENT

"""Privacy: ``leave`` removes every personal row (every table is walked, so a new one cannot
be missed), and logs carry ids, never tokens, secrets or what people typed."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from sqlalchemy import Table, select, text

from bot.blocks.members import LeaveValue, MemberAction
from bot.delivery.worker import deliver_pending
from bot.rounds.service import start_round
from bot.sim.client import FORM
from bot.store.models import (
    Base,
    Checkin,
    CheckinAnswer,
    DoNotPair,
    Feedback,
    Group,
    Member,
    OutboxMessage,
    SwapRequest,
)
from tests.hardening.hardening_support import Served, reply_text
from tests.support import BOT_TOKEN, SIGNING_SECRET, TEAM

LEAVER = "UZOE"
LEAVER_NAME = "Zoë Privacy-Walker"


def _member_fk_columns(table: Table) -> list[str]:
    return [
        c.name
        for c in table.columns
        if any(fk.column.table.name == "members" for fk in c.foreign_keys)
    ]


def _personal_tables() -> list[Table]:
    return [t for t in Base.metadata.sorted_tables if _member_fk_columns(t)]


def _rows_referencing(served: Served, member_id: int) -> dict[str, int]:
    found: dict[str, int] = {}
    with served.harness.deps.engine.connect() as conn:
        for table in _personal_tables():
            for name in _member_fk_columns(table):
                rows = conn.execute(select(table).where(table.c[name] == member_id)).all()
                if rows:
                    found[f"{table.name}.{name}"] = len(rows)
    return found


def _rows_mentioning(served: Served, needles: tuple[str, ...]) -> list[str]:
    found = []
    with served.harness.deps.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(select(table)).all():
                dumped = repr(tuple(row))
                if any(n in dumped for n in needles):
                    found.append(f"{table.name}: {dumped[:200]}")
    return found


def _populate(served: Served) -> int:
    """A real member life: skills, a round, a delivered intro, a check-in, feedback."""
    sim = served.sim
    sim.add_user(TEAM, LEAVER, name="zoe", real_name=LEAVER_NAME)
    served.command("teach Spanish, SQL", user_id=LEAVER)
    served.command("learn Python", user_id=LEAVER)
    served.command("teach Python", user_id="UBOB")
    served.command("learn Spanish", user_id="UBOB")
    served.command("teach Rust", user_id="UCAROL")
    served.command("learn SQL", user_id="UCAROL")
    deps = served.harness.deps
    outcome = start_round(deps, TEAM, now=served.harness.clock.now())
    assert outcome.created, outcome.note
    deliver_pending(deps)
    with deps.unit_of_work() as session:
        me = session.scalars(select(Member).where(Member.slack_user_id == LEAVER)).one()
        other = session.scalars(select(Member).where(Member.slack_user_id == "UBOB")).one()
        group = session.scalars(
            select(Group).where(Group.round_id == outcome.round_id).join(Group.members)
        ).first()
        assert group is not None
        # What the check-in and feedback buttons store, and a do-not-pair both ways.
        session.add(Checkin(group_id=group.id, member_id=me.id, answer=CheckinAnswer.MET))
        session.add(
            Feedback(group_id=group.id, member_id=me.id, rating=5, learned=f"{LEAVER_NAME} ok")
        )
        session.add(
            OutboxMessage(
                workspace_id=me.workspace_id,
                idempotency_key=f"hardening:{me.id}",
                kind="reminder",
                member_id=me.id,
                target_users=LEAVER,
                payload={"text": f"<@{LEAVER}>, a reminder"},
            )
        )
        for a, b in ((me.id, other.id), (other.id, me.id)):
            session.add(DoNotPair(workspace_id=me.workspace_id, member_id=a, other_member_id=b))
            session.add(
                SwapRequest(
                    workspace_id=me.workspace_id,
                    asker_id=a,
                    teacher_id=b,
                    skill_label="Spanish",
                    note="a note only the two of them see",
                    expires_at=datetime(2026, 12, 14, tzinfo=UTC),
                )
            )
        return me.id


def test_leave_removes_every_personal_row_in_every_table(served: Served) -> None:
    member_id = _populate(served)
    before = _rows_referencing(served, member_id)
    uncovered = [
        f"{t.name}.{c}"
        for t in _personal_tables()
        for c in _member_fk_columns(t)
        if f"{t.name}.{c}" not in before
    ]
    # Coverage: each column pointing at members holds a row of the leaver before they leave.
    # A new personal table fails here until this test gives it data.
    assert uncovered == [], f"give the leaver rows in {uncovered}"
    assert _rows_mentioning(served, (LEAVER,))

    _, confirm = served.command("leave", user_id=LEAVER)
    assert "delete" in reply_text(confirm).lower()
    _, done = served.action(
        MemberAction.LEAVE_CONFIRM.value, LeaveValue(u=LEAVER).model_dump_json(), user_id=LEAVER
    )
    assert "deleted" in reply_text(done)
    served.drain()

    assert _rows_referencing(served, member_id) == {}
    assert _rows_mentioning(served, (LEAVER, LEAVER_NAME, "Privacy-Walker")) == []


def test_leave_twice_is_harmless(served: Served) -> None:
    served.command("teach Spanish", user_id="UALICE")
    value = LeaveValue(u="UALICE").model_dump_json()
    _, first = served.action(MemberAction.LEAVE_CONFIRM.value, value)
    _, second = served.action(MemberAction.LEAVE_CONFIRM.value, value)
    assert "deleted" in reply_text(first)
    assert "nothing of yours" in reply_text(second)


SECRET_SKILL = "Quokkaherding"


def _log_text(caplog: pytest.LogCaptureFixture) -> str:
    parts = []
    for record in caplog.records:
        parts.append(record.getMessage())
        if record.exc_info:
            parts.append(logging.Formatter().formatException(record.exc_info))
        parts.extend(str(v) for k, v in vars(record).items() if k not in ("msg", "args"))
    return "\n".join(parts)


def test_logs_carry_ids_not_tokens_or_what_people_typed(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot")
    served.command(f"teach {SECRET_SKILL}", user_id="UALICE")
    served.command(f"who {SECRET_SKILL}", user_id="UBOB")
    served.command(f"learn {SECRET_SKILL}", user_id="UBOB")
    served.command(f"drop {SECRET_SKILL}", user_id="UALICE")
    served.command(f"nonsense {SECRET_SKILL}", user_id="UALICE")
    served.command("me", user_id="UALICE")
    served.drain()
    logged = _log_text(caplog)
    assert "UALICE" in logged  # ids are there…
    assert SECRET_SKILL not in logged and SECRET_SKILL.lower() not in logged  # …text is not
    assert BOT_TOKEN not in logged
    assert SIGNING_SECRET not in logged


def test_rejected_requests_do_not_log_their_body(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    """Bolt logs a rejected request's body; bot/logs.py strips it (fixed in e32c26f)."""
    caplog.set_level(logging.DEBUG)
    fields = {
        "team_id": TEAM,
        "user_id": "UALICE",
        "command": "/skillswap",
        "text": f"teach {SECRET_SKILL}",
        "response_url": f"{served.sim.base_url}/response/x",
    }
    reply = served.slack.post(
        served.harness.url, urlencode(fields).encode(), FORM, timestamp=int(time.time()) - 600
    )
    assert reply.status == 401
    assert SECRET_SKILL not in _log_text(caplog)


def test_database_errors_do_not_log_what_people_typed(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    served.command("teach Python", user_id="UALICE")
    with served.harness.deps.engine.begin() as conn:
        conn.execute(text("ALTER TABLE skills RENAME TO skills_gone"))
    try:
        caplog.set_level(logging.INFO)
        _, reply = served.command(f"teach {SECRET_SKILL}", user_id="UBOB")
        served.drain()
    finally:
        with served.harness.deps.engine.begin() as conn:
            conn.execute(text("ALTER TABLE skills_gone RENAME TO skills"))
    shown = reply_text(reply)
    assert "error id" in shown and "Traceback" not in shown  # the member sees an id only
    logged = _log_text(caplog)
    assert "unhandled error" in logged
    assert SECRET_SKILL.lower() not in logged.lower()

"""Shared fixtures: databases (SQLite and PostgreSQL), a driven clock, the Slack simulator and
the real app served over HTTP.

Every database test runs twice, on SQLite and on PostgreSQL. PostgreSQL comes from
``SKILLSWAP_TEST_POSTGRES_URL`` (default: the local server at 127.0.0.1:5432, database
``test``); each test session works in a database of its own, created and dropped here.
Locally, without PostgreSQL, those tests skip with a reason; under ``CI=true`` they fail.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.models.blocks import Block
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from bot.cli.db import upgrade
from bot.clock import ManualClock
from bot.deps import Deps
from bot.sim import SlackSimulator
from bot.store.db import make_engine, make_session_factory
from bot.store.models import Base
from tests.support import BOT_TOKEN, IN_CI, PG_DEFAULT, START, TEAM, Harness, make_settings, serve

_pg_state: dict[str, Any] = {"ran": 0}


def _pg_base_url() -> str:
    return os.environ.get("SKILLSWAP_TEST_POSTGRES_URL", PG_DEFAULT)


def _pg_unavailable(reason: str) -> None:
    message = f"PostgreSQL tests need a server ({reason}); set SKILLSWAP_TEST_POSTGRES_URL."
    if IN_CI:
        pytest.fail(f"CI=true and {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, at the migrations' head."""
    base = make_url(_pg_base_url())
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    name = f"skillswap_t_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # server down, wrong credentials…
        admin.dispose()
        _pg_unavailable(type(exc).__name__)
    url = base.set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


def _truncate_all(url: str) -> None:
    engine = create_engine(url)
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database at the migrations' head, on each backend."""
    if request.param == "sqlite":
        target = tmp_path / "skillswap.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), target)
        return f"sqlite:///{target}"
    url: str = request.getfixturevalue("pg_url")
    _truncate_all(url)
    _pg_state["ran"] += 1
    return url


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def sim() -> Iterator[SlackSimulator]:
    simulator = SlackSimulator(tokens={BOT_TOKEN: TEAM})
    simulator.start()
    try:
        yield simulator
    finally:
        simulator.stop()


@pytest.fixture
def deps(engine: Engine, database_url: str, sim: SlackSimulator, clock: ManualClock) -> Deps:
    return Deps(
        settings=make_settings(database_url, sim.api_url),
        engine=engine,
        session_factory=make_session_factory(engine),
        clock=clock,
    )


@pytest.fixture
def harness(deps: Deps, sim: SlackSimulator, clock: ManualClock) -> Iterator[Harness]:
    """The real app over HTTP, driven from Slack's side (see ``tests/support.py``)."""
    with serve(deps, sim, clock) as driven:
        yield driven


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Under CI=true, a run that selected PostgreSQL tests but ran none of them fails."""
    if not IN_CI:
        return
    selected = [i for i in session.items if i.get_closest_marker("postgres")]
    if selected and _pg_state["ran"] == 0:
        session.exitstatus = 1


@pytest.fixture(autouse=True)
def _replies_are_slack_sdks_json(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every reply of every test: the fast Block Kit conversion (``blocks_json``) gives
    exactly the JSON slack_sdk's ``to_dict()`` gives (checked when the test ends, as replies
    are built on listener threads)."""
    from bot.blocks.common import blocks_json
    from bot.handlers import commands

    differ: list[tuple[Any, Any]] = []

    def checked(blocks: Sequence[Block]) -> list[dict[str, Any]]:
        fast = blocks_json(blocks)
        slow = [block.to_dict() for block in blocks]
        if fast != slow:
            differ.append((fast, slow))
        return fast

    monkeypatch.setattr(commands, "blocks_json", checked)
    yield
    assert not differ, f"blocks_json differs from slack_sdk's to_dict: {differ[0]}"

"""The hot reads of teach, learn, me and the help run on the driver's cursor
(``bot.store.prepared``): they must read exactly what SQLAlchemy would, types included, and
fail as SQLAlchemy fails."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import bindparam, column, select, table, update
from sqlalchemy.exc import DBAPIError

from bot.store import read_model
from bot.store.models import Member, Skill, Workspace
from bot.store.prepared import PreparedSelect
from bot.store.workspaces import _SAVED_ADMINS
from tests.members.members_kit import ANA, BEN, CAL, make_round
from tests.support import Harness


def _ids(h: Harness) -> tuple[int, int, int, int]:
    with h.deps.read_only() as s:
        workspace = s.scalars(select(Workspace.id).where(Workspace.team_id == h.team_id)).one()
        ana = s.scalars(select(Member.id).where(Member.slack_user_id == ANA)).one()
        spanish = s.scalars(select(Skill.id).where(Skill.key == "spanish")).one()
        sql = s.scalars(select(Skill.id).where(Skill.key == "sql")).one()
    return workspace, ana, spanish, sql


def test_hot_reads_return_what_sqlalchemy_returns(driver: Harness) -> None:
    driver.command(ANA, "teach Spanish (expert), SQL")
    driver.command(ANA, "learn guitar")
    driver.command(ANA, "pause until 2027-01-15")
    driver.command(BEN, "learn Español")
    driver.command(CAL, "teach spanish")
    make_round(
        driver,
        [([ANA, BEN], [(ANA, BEN, "Spanish")])],
        round_date=date(2026, 11, 30),
        period="2026-W49",
    )
    workspace, ana, spanish, sql = _ids(driver)
    with driver.deps.unit_of_work() as s:
        s.execute(update(Workspace).values(admin_user_ids=[BEN, CAL]))
    reads: list[tuple[PreparedSelect, dict[str, Any]]] = [
        (read_model._WORKSPACE, {"team_id": driver.team_id}),
        (read_model._MEMBER, {"team_id": driver.team_id, "user_id": ANA}),
        (read_model._MEMBER_OVERVIEW, {"team_id": driver.team_id, "user_id": ANA}),
        (read_model._MEMBER_OVERVIEW, {"team_id": driver.team_id, "user_id": "U0NOBODY"}),
        (read_model._LATEST_ROUND, {"workspace_id": workspace}),
        (read_model._FIND_SKILL, {"workspace_id": workspace, "spelling": "espanol", "key": "x"}),
        (read_model._FIND_SKILL, {"workspace_id": workspace, "spelling": "sql", "key": "sql"}),
        (read_model._DIRECTORY, {"skill_id": spanish, "exclude": 0, "shown": 10}),
        (read_model._DIRECTORY, {"skill_id": sql, "exclude": ana, "shown": 1}),
        (_SAVED_ADMINS, {"team_id": driver.team_id}),
    ]
    with driver.deps.read_only() as s:
        for prepared, params in reads:
            expected = [tuple(row) for row in s.execute(prepared.statement, params)]
            got = prepared.rows(s, params)
            assert [tuple(row) for row in got] == expected, params
            assert [[type(v) for v in row] for row in got] == [
                [type(v) for v in row] for row in expected
            ]
            if got:
                assert got[0]._fields == tuple(s.execute(prepared.statement, params).keys())
    # What the reads are for: ANA's profile, paused, in a swap, with the round's date.
    with driver.deps.read_only() as s:
        view = read_model.member_overview(session=s, team_id=driver.team_id, slack_user_id=ANA)
        admins = _SAVED_ADMINS.first(s, {"team_id": driver.team_id})
    assert view is not None and view.in_any_group
    assert view.latest_round is not None and view.latest_round.round_date == date(2026, 11, 30)
    assert view.member.paused_until == date(2027, 1, 15)
    assert {(r.label, r.level) for r in view.member.skills} == {
        ("Spanish", 3),
        ("SQL", 1),
        ("guitar", 1),
    }
    assert admins is not None and admins.admin_user_ids == [BEN, CAL]


def test_a_failing_hot_read_fails_as_sqlalchemy_fails_and_hides_what_was_typed(
    driver: Harness,
) -> None:
    missing = PreparedSelect(
        select(column("x")).select_from(table("no_such_table")).where(column("x") == bindparam("x"))
    )
    with pytest.raises(DBAPIError) as raised, driver.deps.read_only() as s:
        missing.rows(s, {"x": "what someone typed"})
    assert "no_such_table" in str(raised.value)
    assert "what someone typed" not in str(raised.value)
    # Nothing is left broken: the next request reads as usual.
    driver.command(ANA, "teach Spanish")
    assert "Spanish" in str(driver.command(ANA, "me"))


def test_an_expanding_in_is_refused_when_first_run(driver: Harness) -> None:
    expanding = PreparedSelect(
        select(Member.id).where(Member.slack_user_id.in_(bindparam("ids", expanding=True)))
    )
    with pytest.raises(ValueError, match="expanding"), driver.deps.read_only() as s:
        expanding.rows(s, {"ids": [ANA]})

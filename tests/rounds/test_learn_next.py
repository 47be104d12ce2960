"""After "We met", the feedback form asks "What would you like to learn next?" and adds the
answer to the member's learn list, validated like any skill a member types."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.blocks.checkins import CheckinAction, FeedbackCallback
from bot.kinds import Direction
from bot.scheduler import tick
from bot.store.models import Feedback, Member, MemberSkill
from tests.rounds.rounds_kit import ANA, BEN, Team, pair_world
from tests.support import Harness

MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
THURSDAY = MONDAY + timedelta(days=3)


def at(team: Team, moment: datetime) -> None:
    team.clock.set(moment)
    tick(team.deps)


def open_feedback(harness: Harness, team: Team) -> str:
    """Ana clicks "We met"; the feedback modal's private metadata."""
    pair_world(team, discovery_swaps=False)
    at(team, MONDAY)
    at(team, THURSDAY)
    checkin = harness.dm(ANA, BEN)[1]
    harness.click(ANA, CheckinAction.MET, message=checkin)
    [opened] = team.sim.wait_for("views.open")
    view = opened.params["view"]
    labels = [b.get("label", {}).get("text") for b in view["blocks"]]
    assert "What would you like to learn next?" in labels
    return str(view["private_metadata"])


def submit(harness: Harness, meta: str, learn_next: str | None) -> dict[str, Any]:
    values = {
        "rating": {"value": {"type": "static_select", "selected_option": {"value": "5"}}},
        "learn_next": {"value": {"type": "plain_text_input", "value": learn_next}},
    }
    return harness.submit(ANA, FeedbackCallback.FEEDBACK, values, private_metadata=meta)


def learns(team: Team) -> list[str]:
    with team.deps.unit_of_work() as session:
        return sorted(
            session.scalars(
                select(MemberSkill.label)
                .join(Member, Member.id == MemberSkill.member_id)
                .where(Member.slack_user_id == ANA, MemberSkill.direction == Direction.LEARN)
            )
        )


def feedback_rows(team: Team) -> int:
    with team.deps.unit_of_work() as session:
        return int(session.scalar(select(func.count(Feedback.id))) or 0)


def test_the_answer_goes_on_the_learn_list_and_the_thanks_say_so(
    harness: Harness, team: Team
) -> None:
    meta = open_feedback(harness, team)
    answer = submit(harness, meta, "Python, public speaking, sql")
    assert answer["response_action"] == "update"
    shown = json.dumps(answer["view"], ensure_ascii=False)
    assert "Added *Python* and *public speaking* to what you'd like to learn" in shown
    assert "*SQL* is already on your list" in shown
    assert learns(team) == ["Python", "SQL", "public speaking"]
    assert feedback_rows(team) == 1
    me = json.dumps(harness.command(ANA, "me"), ensure_ascii=False)
    assert "Python" in me and "public speaking" in me


@pytest.mark.parametrize("empty", [None, "", "   ", " , ,\n"])
def test_an_empty_answer_adds_nothing(harness: Harness, team: Team, empty: str | None) -> None:
    meta = open_feedback(harness, team)
    answer = submit(harness, meta, empty)
    assert answer["response_action"] == "update"
    assert "Added" not in json.dumps(answer["view"])
    assert learns(team) == ["SQL"]
    assert feedback_rows(team) == 1


def test_unicode_and_injection_strings_are_stored_as_text(harness: Harness, team: Team) -> None:
    meta = open_feedback(harness, team)
    answer = submit(harness, meta, "日本語, Robert'); DROP TABLE members;--")
    assert answer["response_action"] == "update"
    assert "日本語" in learns(team)
    assert any("DROP TABLE members" in label for label in learns(team))
    with team.deps.unit_of_work() as session:
        assert session.scalar(select(func.count(Member.id))) == 2  # the table is fine


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("x" * 301, "under 300 characters"),
        ("a" * 61, "skill names fit in 60"),
        (", ".join(f"skill {n}" for n in range(21)), "up to 20"),
        ("!!!", "no letters or digits"),
    ],
)
def test_bad_answers_are_sent_back_on_the_field_and_nothing_is_stored(
    harness: Harness, team: Team, raw: str, says: str
) -> None:
    meta = open_feedback(harness, team)
    answer = submit(harness, meta, raw)
    assert answer["response_action"] == "errors"
    assert says in answer["errors"]["learn_next"]
    assert learns(team) == ["SQL"]
    assert feedback_rows(team) == 0  # sent back: nothing half-saved


def test_a_full_learn_list_keeps_the_feedback_and_says_why(harness: Harness, team: Team) -> None:
    meta = open_feedback(harness, team)
    harness.command(ANA, "learn " + ", ".join(f"topic {n}" for n in range(19)))
    assert len(learns(team)) == 20
    answer = submit(harness, meta, "Python")
    assert answer["response_action"] == "update"
    shown = json.dumps(answer["view"])
    assert "I couldn't add what you'd like to learn next" in shown and "up to 20" in shown
    assert "Python" not in learns(team)
    assert feedback_rows(team) == 1

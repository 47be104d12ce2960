"""Issue 19, bad input and limits: a tick from outside the group, a stale form after booking, a
double submit, a slot that has passed, a member who left since, forged values, and a group
with no shared working time — each a clear reply, nothing changed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.blocks.meetings import MeetingAction, MeetingCallback, PollMeta, PollRef
from bot.blocks.rounds import IntroAction
from bot.store.models import MeetingAnswer, MeetingPoll, Member
from tests.rounds.rounds_kit import ANA, BEN, CAL, Team, pair_world
from tests.rounds.test_pick_a_time import (
    MONDAY,
    at,
    intro_of,
    open_poll,
    options,
    poll_row,
    slot,
    tick_slots,
)
from tests.support import Harness, buttons, diff, shown_text, snapshot


def _error(answer: dict[str, Any]) -> str:
    assert answer.get("response_action") == "errors", answer
    errors: dict[str, str] = answer["errors"]
    [message] = errors.values()
    return message


def _booked(harness: Harness, team: Team) -> tuple[dict[str, Any], list[str]]:
    pair_world(team)
    at(team, MONDAY)
    intro = intro_of(harness)
    view = open_poll(harness, ANA, intro)
    offered = [o["value"] for o in options(view)]
    return view, offered


def test_a_tick_from_outside_the_group_is_refused(harness: Harness, team: Team) -> None:
    view, offered = _booked(harness, team)
    team.member(CAL, "Cal Chen", teach=["Go"], learn=["SQL"])
    before = snapshot(team.deps.engine)
    message = _error(tick_slots(harness, CAL, view, [offered[0]]))
    assert "belong to the people in this swap" in message  # the same words as every swap button
    assert diff(before, snapshot(team.deps.engine)) == {}

    # and Cal clicking Pick a time on their intro gets the same, privately
    harness.click(CAL, MeetingAction.PICK, message=intro_of(harness))
    reply = harness.sim.wait_for_response(
        predicate=lambda r: "belong to the people" in str(r.get("text"))
    )
    assert reply[-1]["response_type"] == "ephemeral"


def test_a_stale_form_after_booking_and_a_double_submit(harness: Harness, team: Team) -> None:
    view, offered = _booked(harness, team)
    ben_view = open_poll(harness, BEN, intro_of(harness))
    assert tick_slots(harness, ANA, view, [offered[2]]) == {}
    assert tick_slots(harness, ANA, view, [offered[2]]) == {}  # double submit: same answer
    assert len(harness.sim.calls_to("files.completeUploadExternal")) == 0
    assert tick_slots(harness, BEN, ben_view, [offered[2]]) == {}
    assert poll_row(team).booked_at == slot(offered[2])
    uploads = len(harness.sim.uploaded_files())

    before = snapshot(team.deps.engine)
    # Ben submits the same form again (double submit after booking), Ana her old form
    again = _error(tick_slots(harness, BEN, ben_view, [offered[2]]))
    stale = _error(tick_slots(harness, ANA, view, [offered[0]]))
    for message in (again, stale):
        assert "A time was booked already" in message and "Reschedule" in message
    assert diff(before, snapshot(team.deps.engine)) == {}
    assert len(harness.sim.uploaded_files()) == uploads
    assert len(harness.sim.scheduled_messages()) == 1

    # Pick a time once booked says what is booked instead of a form
    harness.click(ANA, MeetingAction.PICK, message=intro_of(harness))
    reply = harness.sim.wait_for_response(
        predicate=lambda r: "booked already" in str(r.get("text"))
    )
    assert "Booked:" in reply[-1]["text"]


def test_a_form_whose_slots_were_replaced_is_refused(harness: Harness, team: Team) -> None:
    view, offered = _booked(harness, team)
    tick_slots(harness, ANA, view, [offered[0]])
    ben_view = open_poll(harness, BEN, intro_of(harness))
    more = tick_slots(harness, BEN, ben_view, [offered[1]])  # no common slot: 5 more
    assert more["response_action"] == "update"
    before = snapshot(team.deps.engine)
    message = _error(tick_slots(harness, ANA, view, [offered[1]]))  # Ana's old form
    assert "replaced by new ones" in message
    assert diff(before, snapshot(team.deps.engine)) == {}


def test_a_slot_that_has_passed(harness: Harness, team: Team) -> None:
    view, offered = _booked(harness, team)
    team.clock.set(slot(offered[0]) + timedelta(minutes=5))
    before = snapshot(team.deps.engine)
    message = _error(tick_slots(harness, ANA, view, [offered[0], offered[1]]))
    assert "has already passed" in message and "Pick a time" in message
    assert diff(before, snapshot(team.deps.engine)) == {}
    # opening the poll again shows only what is still ahead
    fresh = [slot(o["value"]) for o in options(open_poll(harness, ANA, intro_of(harness)))]
    assert fresh and all(s > team.clock.now() for s in fresh)


def test_a_member_who_left_since(harness: Harness, team: Team) -> None:
    view, offered = _booked(harness, team)
    confirm = harness.command(ANA, "leave")
    harness.click(ANA, buttons(confirm)["member_leave_confirm"]).reply()
    harness.drain()
    before = snapshot(team.deps.engine)
    message = _error(tick_slots(harness, ANA, view, [offered[0]]))
    assert "You've left SkillSwap" in message
    assert diff(before, snapshot(team.deps.engine)) == {}


@pytest.mark.parametrize(
    "values",
    [
        ["not-a-number"],
        ["1" * 40],
        ["'; DROP TABLE meeting_polls; --"],
        [str(i) for i in range(11)],
    ],
)
def test_forged_ticks_change_nothing(harness: Harness, team: Team, values: list[str]) -> None:
    view, _offered = _booked(harness, team)
    before = snapshot(team.deps.engine)
    message = _error(tick_slots(harness, ANA, view, values))
    assert "Pick a time" in message
    assert diff(before, snapshot(team.deps.engine)) == {}


def test_forged_metadata_and_buttons(harness: Harness, team: Team) -> None:
    view, offered = _booked(harness, team)
    forged = dict(view, private_metadata='{"group": "x"}')
    assert "Pick a time" in _error(tick_slots(harness, ANA, forged, [offered[0]]))
    other_offer = dict(view, private_metadata=PollMeta(group=999999, offer="abc").model_dump_json())
    assert "can't find this swap" in _error(tick_slots(harness, ANA, other_offer, [offered[0]]))
    harness.click(ANA, MeetingAction.RESCHEDULE, value="{nope")
    reply = harness.sim.wait_for_response(predicate=lambda r: "old message" in str(r.get("text")))
    assert reply[-1]["response_type"] == "ephemeral"
    harness.click(
        ANA,
        MeetingAction.RESCHEDULE,
        value=PollRef(group=poll_row(team).group_id).model_dump_json(),
    )
    reply = harness.sim.wait_for_response(
        predicate=lambda r: "Nothing is booked" in str(r.get("text"))
    )
    assert reply
    with team.deps.unit_of_work() as session:
        assert session.scalars(select(MeetingAnswer)).all() == []


def test_no_shared_working_time_shows_the_near_miss(harness: Harness, team: Team) -> None:
    pair_world(team)
    at(team, MONDAY)
    with team.deps.unit_of_work() as session:  # Ana moved to UTC+14 since the round
        session.execute(
            update(Member).where(Member.slack_user_id == ANA).values(tz="Pacific/Kiritimati")
        )
    view = open_poll(harness, BEN, intro_of(harness))
    text = shown_text(view)
    assert all(b.get("type") != "input" for b in view["blocks"])  # no empty form
    assert view.get("submit") is None
    assert "No 30 minutes in the next 7 days are inside everyone's working hours" in text
    assert "The closest is" in text and "inside the hours of 1 of 2 of you" in text
    with team.deps.unit_of_work() as session:
        assert session.scalars(select(MeetingPoll)).one().offered == []
    assert view["callback_id"] == MeetingCallback.POLL


def test_a_form_after_the_swap_was_called_off(harness: Harness, team: Team) -> None:
    view, offered = _booked(harness, team)
    intro = intro_of(harness)  # as it was before the skip: a stale button
    harness.click(BEN, IntroAction.SKIP, message=intro)
    harness.drain()
    before = snapshot(team.deps.engine)
    assert "off this round" in _error(tick_slots(harness, ANA, view, [offered[0]]))
    assert diff(before, snapshot(team.deps.engine)) == {}
    harness.click(ANA, MeetingAction.PICK, message=intro)
    reply = harness.sim.wait_for_response(
        predicate=lambda r: "off this round" in str(r.get("text"))
    )
    assert reply[-1]["response_type"] == "ephemeral"

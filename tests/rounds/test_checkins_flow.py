"""Check-ins, reminders, feedback and intro buttons, through signed requests to the real app."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.blocks.checkins import CheckinAction, FeedbackCallback
from bot.blocks.meetings import MeetingAction
from bot.blocks.rounds import IntroAction
from bot.delivery.outbox import OutboxKind
from bot.scheduler import tick
from bot.store.models import (
    Checkin,
    CheckinAnswer,
    DoNotPair,
    Feedback,
    Group,
    GroupState,
    Member,
    MemberStatus,
)
from tests.rounds.rounds_kit import ANA, BEN, CAL, Team, pair_world
from tests.support import Harness, shown_text

MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # the round (London = UTC in December)
THURSDAY = MONDAY + timedelta(days=3)  # check-ins (default delay: 3 days)
FRIDAY = MONDAY + timedelta(days=4)  # the reminder


def at(team: Team, moment: datetime) -> None:
    team.clock.set(moment)
    tick(team.deps)


def group(team: Team) -> Group:
    with team.deps.unit_of_work() as session:
        return session.scalars(select(Group)).one()


def checkins(team: Team) -> list[tuple[str, CheckinAnswer]]:
    with team.deps.unit_of_work() as session:
        rows = session.execute(
            select(Member.slack_user_id, Checkin.answer).join(
                Member, Member.id == Checkin.member_id
            )
        )
        return sorted((u, a) for u, a in rows)


def test_checkin_goes_out_after_the_delay_and_we_met_opens_feedback(
    harness: Harness, team: Team
) -> None:
    pair_world(team)
    at(team, MONDAY)
    [intro] = harness.dm(ANA, BEN)
    at(team, THURSDAY - timedelta(minutes=1))
    assert len(harness.dm(ANA, BEN)) == 1  # not yet

    at(team, THURSDAY)

    intro_then_checkin = harness.dm(ANA, BEN)
    assert len(intro_then_checkin) == 2
    checkin = intro_then_checkin[1]
    assert "did you meet for your skill swap (Spanish ↔ SQL)?" in shown_text(checkin)
    labels = [e["text"]["text"] for e in checkin["blocks"][1]["elements"]]
    assert labels == ["We met", "Scheduled", "Not yet", "Couldn't make it"]
    assert group(team).checkin_ts == checkin["ts"]

    harness.click(ANA, CheckinAction.MET, message=checkin)
    harness.drain()

    [opened] = team.sim.calls_to("views.open")
    assert opened.ok and opened.params["view"]["callback_id"] == FeedbackCallback.FEEDBACK
    assert f"<@{ANA}>: met" in shown_text(harness.latest(checkin))
    assert checkins(team) == [(ANA, CheckinAnswer.MET)]
    assert group(team).state is GroupState.MET
    assert intro["ts"] != checkin["ts"]


def test_feedback_is_stored_per_member_and_a_resubmit_replaces_it(
    harness: Harness, team: Team
) -> None:
    pair_world(team)
    at(team, MONDAY)
    at(team, THURSDAY)
    checkin = harness.dm(ANA, BEN)[1]
    harness.click(BEN, CheckinAction.MET, message=checkin)
    [opened] = team.sim.wait_for("views.open")
    meta = opened.params["view"]["private_metadata"]

    def submit(rating: str, learned: str) -> dict[str, Any]:
        values = {
            "rating": {"value": {"type": "static_select", "selected_option": {"value": rating}}},
            "learned": {"value": {"type": "plain_text_input", "value": learned}},
            "taught": {"value": {"type": "plain_text_input", "value": None}},
            "again": {"value": {"type": "radio_buttons", "selected_option": {"value": "yes"}}},
        }
        return harness.submit(BEN, FeedbackCallback.FEEDBACK, values, private_metadata=meta)

    first = submit("5", "How to roll my Rs")
    assert first["response_action"] == "update"
    assert "Saved" in json.dumps(first["view"])
    submit("4", "How to roll my Rs, slowly")

    with team.deps.unit_of_work() as session:
        rows = session.execute(
            select(Member.slack_user_id, Feedback.rating, Feedback.learned, Feedback.taught,
                   Feedback.would_swap_again).join(Member, Member.id == Feedback.member_id)
        ).all()  # fmt: skip
    assert [tuple(r) for r in rows] == [(BEN, 4, "How to roll my Rs, slowly", None, True)]


def test_feedback_without_a_rating_is_sent_back_with_a_message(
    harness: Harness, team: Team
) -> None:
    pair_world(team)
    at(team, MONDAY)
    at(team, THURSDAY)
    answer = harness.submit(
        ANA,
        FeedbackCallback.FEEDBACK,
        {"rating": {"value": {"type": "static_select", "selected_option": None}}},
        private_metadata=json.dumps({"g": group(team).id}),
    )
    assert answer["response_action"] == "errors"
    assert "rating" in answer["errors"]["rating"]
    with team.deps.unit_of_work() as session:
        assert session.scalars(select(Feedback)).all() == []


def test_a_double_click_or_a_retry_records_one_answer(harness: Harness, team: Team) -> None:
    pair_world(team)
    at(team, MONDAY)
    at(team, THURSDAY)
    checkin = harness.dm(ANA, BEN)[1]

    first = harness.click(ANA, CheckinAction.NOT_YET, message=checkin)
    again = harness.click(ANA, CheckinAction.NOT_YET, message=checkin)  # double click / retry
    harness.drain()

    assert checkins(team) == [(ANA, CheckinAnswer.NOT_YET)]
    assert [len(first.replies()), len(again.replies())] == [1, 1]
    assert "No rush" in first.reply()["text"] and "No rush" in again.reply()["text"]
    assert f"<@{ANA}>: not yet" in shown_text(harness.latest(checkin))

    harness.click(ANA, CheckinAction.SCHEDULED, message=checkin)  # a later, different answer
    harness.drain()
    assert checkins(team) == [(ANA, CheckinAnswer.SCHEDULED)]
    assert group(team).state is GroupState.SCHEDULED


def test_someone_outside_the_swap_cannot_answer_for_it(harness: Harness, team: Team) -> None:
    pair_world(team)
    team.sim.add_user(team.team_id, CAL, name="cal")
    at(team, MONDAY)
    at(team, THURSDAY)
    checkin = harness.dm(ANA, BEN)[1]

    refused = harness.click(CAL, CheckinAction.MET, message=checkin)
    harness.drain()

    [reply] = refused.replies()
    assert "belong to the people in this swap" in reply["text"]
    assert checkins(team) == []
    assert team.sim.calls_to("views.open") == []
    assert team.sim.calls_to("chat.update") == []  # the check-in still waits for an answer


@pytest.mark.parametrize(
    "value",
    [
        "not json",
        '{"group": 1' + "9" * 400 + "}",  # a forged id no database column holds
        '{"group": -3}',
        '{"g": 99999999999}',
    ],
)
def test_a_tampered_button_value_gets_a_friendly_reply(
    harness: Harness, team: Team, value: str
) -> None:
    pair_world(team)
    at(team, MONDAY)
    [intro] = harness.dm(ANA, BEN)
    tampered = harness.click(ANA, IntroAction.SCHEDULED, message=intro, value=value)
    harness.drain()
    [answer] = tampered.replies()
    assert "old message" in answer["text"]  # out of date, not "something went wrong"
    assert group(team).state is GroupState.INTRODUCED
    assert team.sim.calls_to("chat.update") == []


def test_one_reminder_when_nobody_answered_none_when_someone_did(
    harness: Harness, team: Team
) -> None:
    pair_world(team)
    team.member("U0DAN0007", "Dan", team="Ops", teach=["Guitar"], learn=["Drawing"])
    team.member("U0ELL0008", "Ell", team="Art", teach=["Drawing"], learn=["Guitar"])
    at(team, MONDAY)
    at(team, THURSDAY)
    harness.click(ANA, CheckinAction.SCHEDULED, message=harness.dm(ANA, BEN)[1])
    harness.drain()

    at(team, FRIDAY)
    at(team, FRIDAY + timedelta(hours=3))  # a second tick sends nothing more

    assert len(harness.dm(ANA, BEN)) == 2  # intro + check-in, no reminder
    quiet = harness.dm("U0DAN0007", "U0ELL0008")
    assert len(quiet) == 3
    assert "A gentle nudge" in shown_text(quiet[2])
    # Answering on the reminder works like on the check-in.
    harness.click("U0DAN0007", CheckinAction.COULD_NOT, message=quiet[2])
    harness.drain()
    assert ("U0DAN0007", CheckinAnswer.COULD_NOT) in checkins(team)
    assert "A gentle nudge" in shown_text(harness.latest(quiet[2]))


def test_answering_a_checkin_resets_the_count_of_misses(harness: Harness, team: Team) -> None:
    pair_world(team, cooldown_rounds=0)
    with team.deps.unit_of_work() as session:
        for member in session.scalars(select(Member)):
            member.unanswered_checkins = 2
    at(team, MONDAY)
    at(team, THURSDAY)
    harness.click(ANA, CheckinAction.COULD_NOT, message=harness.dm(ANA, BEN)[1])
    harness.drain()
    at(team, FRIDAY)
    at(team, MONDAY + timedelta(weeks=1))
    with team.deps.unit_of_work() as session:
        people = {m.slack_user_id: m for m in session.scalars(select(Member))}
    assert (people[ANA].status, people[ANA].unanswered_checkins) == (MemberStatus.ACTIVE, 0)
    assert people[ANA].pause_asked_at is None
    assert people[BEN].pause_asked_at is not None  # asked first, not paused
    assert people[BEN].status is MemberStatus.ACTIVE


def test_intro_buttons_update_the_message_in_place(harness: Harness, team: Team) -> None:
    pair_world(team)
    at(team, MONDAY)
    [intro] = harness.dm(ANA, BEN)

    scheduled = harness.click(BEN, IntroAction.SCHEDULED, message=intro)
    harness.drain()
    now = harness.latest(intro)
    assert f"<@{BEN}> marked this as scheduled" in shown_text(now)
    assert [e["action_id"] for e in now["blocks"][1]["elements"]] == [
        MeetingAction.PICK,
        IntroAction.SKIP,
        IntroAction.NOT_A_FIT,
    ]
    assert "Ana Alvarez can teach *Spanish*" in shown_text(now)  # the intro itself is kept
    assert group(team).state is GroupState.SCHEDULED
    [ack] = scheduled.replies()
    assert "enjoy it" in ack["text"]


def test_skip_is_idempotent_and_skipped_groups_get_no_checkin(harness: Harness, team: Team) -> None:
    pair_world(team)
    at(team, MONDAY)
    [intro] = harness.dm(ANA, BEN)
    harness.click(ANA, IntroAction.SKIP, message=intro)
    harness.click(ANA, IntroAction.SKIP, message=intro)
    harness.drain()
    assert group(team).state is GroupState.SKIPPED
    assert "skipped this round" in shown_text(harness.latest(intro))
    at(team, THURSDAY)
    assert len(harness.dm(ANA, BEN)) == 1


def test_not_a_fit_means_never_paired_again(harness: Harness, team: Team) -> None:
    pair_world(team, cooldown_rounds=0)
    at(team, MONDAY)
    [intro] = harness.dm(ANA, BEN)
    first = harness.click(ANA, IntroAction.NOT_A_FIT, message=intro)
    harness.click(ANA, IntroAction.NOT_A_FIT, message=intro)
    harness.drain()
    with team.deps.unit_of_work() as session:
        assert len(session.scalars(select(DoNotPair)).all()) == 1
    assert group(team).state is GroupState.NOT_A_FIT
    assert [b["type"] for b in harness.latest(intro)["blocks"]] == ["section", "context"]
    [ack] = first.replies()
    assert f"won't pair you with <@{BEN}> again" in ack["text"]

    at(team, MONDAY + timedelta(weeks=1))
    assert len(team.outbox(kind=OutboxKind.INTRO)) == 1  # no new intro for the two of them

"""Skip and Not a fit are one person's, private where it matters, and undoable until the
check-in (issue 17, items 1 and 2): signed requests to the real app, Slack simulated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from bot.blocks.checkins import CheckinAction, FeedbackCallback
from bot.blocks.rounds import DeclineAction, EntryRef, GroupRef, IntroAction, PairingAction
from bot.delivery.outbox import OutboxKind
from bot.kinds import Decline, GroupKind
from bot.scheduler import tick
from bot.store.models import DoNotPair, Group, GroupMember, GroupState, Member
from tests.rounds.rounds_kit import ANA, BEN, CAL, Team, pair_world
from tests.support import Harness, shown_text

MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
THURSDAY = MONDAY + timedelta(days=3)


def at(team: Team, moment: datetime) -> None:
    team.clock.set(moment)
    tick(team.deps)


def dm(team: Team, *users: str) -> list[dict[str, Any]]:
    return team.sim.messages(team.sim.dm_channel_id(team.team_id, *users))


def latest(team: Team, message: dict[str, Any]) -> dict[str, Any]:
    return next(m for m in team.sim.messages(message["channel"]) if m["ts"] == message["ts"])


def the_group(team: Team) -> tuple[Group, dict[str, Decline | None]]:
    with team.deps.unit_of_work() as session:
        group = session.scalars(select(Group)).one()
        declined = {
            user: decline
            for user, decline in session.execute(
                select(Member.slack_user_id, GroupMember.declined).join(
                    Member, Member.id == GroupMember.member_id
                )
            )
        }
        return group, declined


def entries(team: Team) -> list[tuple[str, str]]:
    owner, other = aliased(Member), aliased(Member)
    with team.deps.unit_of_work() as session:
        rows = session.execute(
            select(owner.slack_user_id, other.slack_user_id)
            .select_from(DoNotPair)
            .join(owner, owner.id == DoNotPair.member_id)
            .join(other, other.id == DoNotPair.other_member_id)
        )
        return sorted((str(a), str(b)) for a, b in rows)


def last_reply(team: Team, count: int) -> dict[str, Any]:
    return team.sim.wait_for_response(count=count)[-1]


def undo(harness: Harness, user: str, group_id: int) -> None:
    reply = harness.slack.block_action(
        team_id=harness.team_id,
        user_id=user,
        action_id=DeclineAction.UNDO,
        value=GroupRef(group=group_id).model_dump_json(),
    )
    assert reply.status == 200, reply.body


def open_home(harness: Harness, user: str) -> dict[str, Any]:
    before = len(harness.sim.calls_to("views.publish"))
    harness.slack.event(
        team_id=harness.team_id,
        event={"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home"},
    )
    call = harness.sim.wait_for("views.publish", count=before + 1)[-1]
    view: dict[str, Any] = call.params["view"]
    return view


def home_text(view: dict[str, Any]) -> str:
    return "\n".join(
        str((b.get("text") or {}).get("text") or "") for b in view["blocks"] if b.get("text")
    )


def test_not_a_fit_is_private_listed_in_home_and_removable(harness: Harness, team: Team) -> None:
    pair_world(team)
    at(team, MONDAY)
    [intro] = dm(team, ANA, BEN)

    harness.click(ANA, IntroAction.NOT_A_FIT, message=intro)

    team.sim.wait_for("chat.update")
    shown = shown_text(latest(team, intro))
    assert "This swap won't go ahead this round." in shown
    assert "We won't pair you together again" not in shown
    assert shown.count(f"<@{ANA}>") == shown.count(f"<@{BEN}>")  # nothing points at Ana
    note = last_reply(team, 1)
    assert note["response_type"] == "ephemeral"
    assert "only you see this" in note["text"] and f"<@{BEN}>" in note["text"]
    assert [e["action_id"] for e in note["blocks"][1]["elements"]] == [DeclineAction.UNDO]
    assert entries(team) == [(ANA, BEN)]

    # Ana's Home lists Ben with Remove; Ben's Home says nothing about it.
    home = open_home(harness, ANA)
    assert "*Not paired with you*" in home_text(home) and f"<@{BEN}>" in home_text(home)
    assert "Not paired with you" not in home_text(open_home(harness, BEN))
    [remove] = [
        b["accessory"]
        for b in home["blocks"]
        if (b.get("accessory") or {}).get("action_id") == PairingAction.REMOVE
    ]

    # Ben forges Ana's Remove button: nothing changes.
    forged = harness.slack.block_action(
        team_id=harness.team_id,
        user_id=BEN,
        action_id=PairingAction.REMOVE,
        value=remove["value"],
        view=home,
    )
    assert forged.status == 200
    harness.sim.wait_for("views.publish", count=3)
    assert entries(team) == [(ANA, BEN)]

    removed = harness.slack.block_action(
        team_id=harness.team_id,
        user_id=ANA,
        action_id=PairingAction.REMOVE,
        value=remove["value"],
        view=home,
    )
    assert removed.status == 200
    after = harness.sim.wait_for("views.publish", count=4)[-1].params["view"]
    assert entries(team) == []
    assert "Not paired with you" not in home_text(after)
    assert EntryRef.model_validate_json(remove["value"]).entry > 0


def test_skip_can_be_undone_until_the_check_in(harness: Harness, team: Team) -> None:
    pair_world(team)
    at(team, MONDAY)
    [intro] = dm(team, ANA, BEN)

    harness.click(BEN, IntroAction.SKIP, message=intro)
    team.sim.wait_for("chat.update")
    group, declined = the_group(team)
    assert group.state is GroupState.SKIPPED and declined[BEN] is Decline.SKIPPED
    assert f"<@{BEN}> skipped this round" in shown_text(latest(team, intro))

    undo(harness, BEN, group.id)
    team.sim.wait_for("chat.update", count=2)
    group, declined = the_group(team)
    assert group.state is GroupState.INTRODUCED and declined[BEN] is None
    back = latest(team, intro)
    assert "skipped" not in shown_text(back)
    assert IntroAction.SKIP in str(back["blocks"])  # the buttons are back
    assert "Undone: you're back in this swap." in last_reply(team, 2)["text"]

    # Undo twice: a clear reply, nothing changes.
    undo(harness, BEN, group.id)
    assert "Nothing to undo" in last_reply(team, 3)["text"]

    # After the check-in, a Skip given earlier stands.
    harness.click(BEN, IntroAction.SKIP, message=intro)
    team.sim.wait_for("chat.update", count=3)
    at(team, THURSDAY)
    undo(harness, BEN, group.id)
    assert "check-in for this round has gone out" in last_reply(team, 5)["text"]
    group, declined = the_group(team)
    assert group.state is GroupState.SKIPPED and declined[BEN] is Decline.SKIPPED


def test_undo_of_not_a_fit_takes_the_entry_back_and_is_only_yours(
    harness: Harness, team: Team
) -> None:
    pair_world(team, discovery_swaps=False)  # Cal sits out rather than join as a guest
    team.member(CAL, "Cal", teach=["Chess"])
    at(team, MONDAY)
    [intro] = dm(team, ANA, BEN)
    harness.click(ANA, IntroAction.NOT_A_FIT, message=intro)
    team.sim.wait_for("chat.update")
    group, _ = the_group(team)

    undo(harness, CAL, group.id)  # not in this swap: a forged value acts for nobody
    assert "belong to the people in this swap" in last_reply(team, 2)["text"]
    undo(harness, BEN, group.id)  # in the swap, but it wasn't Ben's answer
    assert "Nothing to undo" in last_reply(team, 3)["text"]
    assert entries(team) == [(ANA, BEN)]

    undo(harness, ANA, group.id)
    team.sim.wait_for("chat.update", count=2)
    assert entries(team) == []
    assert the_group(team)[0].state is GroupState.INTRODUCED


def test_feedback_would_not_swap_again_feeds_the_same_private_list(
    harness: Harness, team: Team
) -> None:
    pair_world(team)
    at(team, MONDAY)
    at(team, THURSDAY)
    checkin = dm(team, ANA, BEN)[1]
    harness.click(BEN, CheckinAction.MET, message=checkin)
    [opened] = team.sim.wait_for("views.open")
    values = {
        "rating": {"value": {"type": "static_select", "selected_option": {"value": "2"}}},
        "learned": {"value": {"type": "plain_text_input", "value": None}},
        "taught": {"value": {"type": "plain_text_input", "value": None}},
        "again": {"value": {"type": "radio_buttons", "selected_option": {"value": "no"}}},
    }
    reply = harness.slack.view_submission(
        team_id=harness.team_id,
        user_id=BEN,
        callback_id=FeedbackCallback.FEEDBACK,
        private_metadata=opened.params["view"]["private_metadata"],
        values=values,
    )
    assert reply.status == 200, reply.body
    assert entries(team) == [(BEN, ANA)]


def three_world(team: Team) -> None:
    """Ana teaches Spanish to Ben and Cal, who teach nothing the others want: three people,
    one teacher, a trio of two lessons."""
    team.workspace()
    team.member(ANA, "Ana", teach=["Spanish"], learn=["Guitar"])
    team.member(BEN, "Ben", learn=["Spanish"], teach=["Guitar"])
    team.member(CAL, "Cal", learn=["Spanish"], teach=["Chess"])


def test_in_a_group_of_three_the_others_keep_the_lessons_that_still_fit(
    harness: Harness, team: Team
) -> None:
    three_world(team)
    at(team, MONDAY)
    group, _ = the_group(team)
    assert group.kind in (GroupKind.TRIO, GroupKind.CIRCLE)
    [intro] = dm(team, ANA, BEN, CAL)

    harness.click(CAL, IntroAction.SKIP, message=intro)
    team.sim.wait_for("chat.update")
    group, declined = the_group(team)
    assert group.state is GroupState.INTRODUCED and declined[CAL] is Decline.SKIPPED
    shown = shown_text(latest(team, intro))
    assert f"<@{CAL}> can't make it this round" in shown and "carry on" in shown
    assert "Ana can teach *Spanish* (beginner-friendly) — Ben wants to learn it" in shown
    assert "Ben and Cal want" not in shown  # Cal's lesson is gone

    # Ana, the only teacher, steps out too: no lesson is left, so the group gets a kind note.
    harness.click(ANA, IntroAction.SKIP, message=latest(team, intro))
    team.sim.wait_for("chat.update", count=2)
    group, _ = the_group(team)
    assert group.state is GroupState.SKIPPED
    assert "so this one is off" in shown_text(latest(team, intro))


def test_who_stepped_out_owes_no_check_in_answer(harness: Harness, team: Team) -> None:
    three_world(team)
    at(team, MONDAY)
    [intro] = dm(team, ANA, BEN, CAL)
    harness.click(CAL, IntroAction.SKIP, message=intro)
    team.sim.wait_for("chat.update")
    at(team, THURSDAY)
    assert len(team.outbox(kind=OutboxKind.CHECKIN)) == 1  # Ana and Ben carry on
    at(team, THURSDAY + timedelta(days=1))  # the reminder
    at(team, MONDAY + timedelta(days=7))  # nobody answered; the round closes
    with team.deps.unit_of_work() as session:
        rows = session.execute(select(Member.slack_user_id, Member.unanswered_checkins))
        misses = {user: count for user, count in rows}
    assert misses == {ANA: 1, BEN: 1, CAL: 0}

"""Leaving SkillSwap (``/skillswap leave`` or a deactivated account) erases a member entirely."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from bot.rounds.service import start_round
from bot.scheduler import tick
from bot.store.models import (
    Checkin,
    CheckinAnswer,
    DoNotPair,
    Feedback,
    Group,
    GroupMember,
    Member,
    OutboxMessage,
    Round,
    Workspace,
)
from tests.members.members_kit import ANA, BEN, CAL, catalog, make_round, member_row, skills, stored
from tests.support import (
    Harness,
    buttons,
    payload_json,
    rows_mentioning,
    rows_referencing_member,
)


def _populate(driver: Harness) -> tuple[int, int]:
    """Ana and Ben swapped last round, with check-ins, feedback, blocks and messages."""
    driver.command(ANA, "teach Spanish, Klingon")
    driver.command(ANA, "learn SQL")
    driver.command(BEN, "teach SQL")
    driver.command(BEN, "learn Spanish")
    driver.command(CAL, "learn Spanish")
    round_id = make_round(
        driver,
        [([ANA, BEN], [(ANA, BEN, "Spanish"), (BEN, ANA, "SQL")])],
        round_date=date(2026, 11, 30),
        period="2026-W49",
    )
    with driver.deps.unit_of_work() as s:
        ws = s.scalars(select(Workspace)).one()
        ids = {m.slack_user_id: m.id for m in s.scalars(select(Member))}
        group = s.scalars(select(Group).where(Group.round_id == round_id)).one()
        for user in (ANA, BEN):
            s.add(Checkin(group_id=group.id, member_id=ids[user], answer=CheckinAnswer.MET))
        s.add(Feedback(group_id=group.id, member_id=ids[ANA], rating=5, learned="joins in SQL"))
        s.add(
            Feedback(
                group_id=group.id,
                member_id=ids[BEN],
                rating=4,
                learned=f"<@{ANA}> taught me the subjunctive",
            )
        )
        s.add(DoNotPair(workspace_id=ws.id, member_id=ids[CAL], other_member_id=ids[ANA]))
        s.add(
            OutboxMessage(
                workspace_id=ws.id,
                idempotency_key=f"intro:{round_id}:{group.id}",
                kind="intro",
                round_id=round_id,
                group_id=group.id,
                target_users=f"{BEN},{ANA}",
                payload={"text": f"<@{ANA}> and <@{BEN}>, you're this week's swap!"},
            )
        )
        s.add(
            OutboxMessage(
                workspace_id=ws.id,
                idempotency_key=f"nudge:{ids[ANA]}",
                kind="nudge",
                member_id=ids[ANA],
                payload={"text": "hello"},
            )
        )
        s.add(
            OutboxMessage(
                workspace_id=ws.id,
                idempotency_key="intro:other",
                kind="intro",
                target_users=f"{BEN},{CAL}",
                payload={"text": f"<@{BEN}> and <@{CAL}>"},
            )
        )
        return ids[ANA], round_id


def _leave(driver: Harness, user: str) -> dict[str, Any]:
    confirm = driver.command(user, "leave")
    assert "deletes your profile" in payload_json(confirm)
    return driver.click(user, buttons(confirm)["member_leave_confirm"]).reply()


def _only_the_left_marker_names(driver: Harness, user: str) -> None:
    """One row keeps the leaver's user id: the marker that they left, so no invitation reaches
    them again (issue 16). It holds nothing else: no channel, no dates."""
    found = rows_mentioning(driver.deps.engine, user)
    assert [r for r in found if not r.startswith("invitations: ")] == []
    [left] = [r.removeprefix("invitations: ").split("\t") for r in found]
    assert left[2:] == [user, "None", "None", "None", "True"]


def test_leave_erases_every_row_that_names_the_member(driver: Harness) -> None:
    ana_id, round_id = _populate(driver)
    with driver.deps.unit_of_work() as s:
        counts_before = s.execute(
            select(Round.eligible_count, Round.group_count).where(Round.id == round_id)
        ).one()

    done = _leave(driver, ANA)

    assert done["replace_original"] is True
    assert "everything about you is deleted" in done["text"]
    _only_the_left_marker_names(driver, ANA)
    assert rows_referencing_member(driver.deps.engine, ana_id) == {}
    assert member_row(driver, ANA) is None
    # Only Ana listed Klingon: it left the catalog with her. Spanish and SQL stay.
    assert set(catalog(driver)) == {"spanish", "sql"}
    # Ben keeps his profile, his half of the round, his words (without Ana's name).
    assert skills(driver, BEN) == {("teach", "SQL", 1), ("learn", "Spanish", 1)}
    with driver.deps.unit_of_work() as s:
        group = s.scalars(select(Group).where(Group.round_id == round_id)).one()
        assert "left SkillSwap" in group.reason
        assert (
            len(s.scalars(select(GroupMember).where(GroupMember.group_id == group.id)).all()) == 1
        )
        feedback = s.scalars(select(Feedback)).one()
        assert feedback.learned == "someone taught me the subjunctive"
        assert (
            s.execute(
                select(Round.eligible_count, Round.group_count).where(Round.id == round_id)
            ).one()
            == counts_before
        )
        assert [o.idempotency_key for o in s.scalars(select(OutboxMessage))] == ["intro:other"]
    # The Home tab no longer shows her profile.
    home = driver.sim.wait_for("views.publish")[-1]
    assert "Join SkillSwap" in payload_json(home.params["view"])


def test_leave_can_be_cancelled(driver: Harness) -> None:
    driver.command(ANA, "teach Spanish")
    before = stored(driver)
    confirm = driver.command(ANA, "leave")
    cancelled = driver.click(ANA, buttons(confirm)["member_leave_cancel"]).reply()
    assert "still in SkillSwap" in cancelled["text"]
    driver.drain()
    assert stored(driver) == before


def test_someone_else_cannot_confirm_your_leave(driver: Harness) -> None:
    driver.command(ANA, "teach Spanish")
    driver.command(BEN, "teach SQL")
    confirm = driver.command(ANA, "leave")
    before = stored(driver)
    refused = driver.click(BEN, buttons(confirm)["member_leave_confirm"]).reply()
    assert "belongs to someone else" in refused["text"]
    driver.drain()
    assert stored(driver) == before


def test_a_forged_leave_value_changes_nothing(driver: Harness) -> None:
    driver.command(ANA, "teach Spanish")
    before = stored(driver)
    forged = {"action_id": "member_leave_confirm", "value": "'; DELETE FROM members; --"}
    refused = driver.click(ANA, forged).reply()
    assert "belongs to someone else" in refused["text"]
    driver.drain()
    assert stored(driver) == before


def test_leaving_without_having_joined_says_so(driver: Harness) -> None:
    done = _leave(driver, CAL)
    assert "nothing of yours to delete" in done["text"]


def test_deactivated_account_leaves_the_pool_at_once(driver: Harness) -> None:
    ana_id, _round_id = _populate(driver)
    with driver.deps.unit_of_work() as s:
        s.scalars(select(Workspace)).one().admin_user_ids = [ANA, BEN]
    user = driver.sim.add_user(driver.team_id, ANA, name="ana", deleted=True)

    driver.event({"type": "user_change", "user": user})

    driver.drain()

    assert member_row(driver, ANA) is None
    assert rows_mentioning(driver.deps.engine, ANA) == []
    assert rows_referencing_member(driver.deps.engine, ana_id) == {}
    with driver.deps.unit_of_work() as s:
        assert s.scalars(select(Workspace)).one().admin_user_ids == [BEN]


def test_a_checkin_queued_before_someone_leaves_never_names_them(driver: Harness) -> None:
    """The check-in "<@ana> and <@ben>, did you meet?" waits in the outbox, addressed to their
    group DM (no user ids in its columns, only in its text), when Ana leaves."""
    for user, text in ((ANA, "teach Spanish"), (ANA, "learn SQL")):
        driver.command(user, text)
    for user, text in ((BEN, "teach SQL"), (BEN, "learn Spanish")):
        driver.command(user, text)
    monday = driver.clock.now().replace(hour=9)  # the round's slot
    driver.clock.set(monday)
    assert start_round(driver.deps, driver.team_id, now=monday).created  # `skillswap round run`
    assert tick(driver.deps).delivery is not None  # the intro is delivered
    driver.clock.set(monday + timedelta(days=3))
    assert tick(driver.deps, deliver=False).checkins.checkins == 1
    mentions = rows_mentioning(driver.deps.engine, ANA)
    assert len([row for row in mentions if "did you meet" in row]) == 1  # the queued check-in
    posted_before = len(driver.sim.calls_to("chat.postMessage"))

    done = _leave(driver, ANA)
    driver.drain()

    assert "everything about you is deleted" in done["text"]
    _only_the_left_marker_names(driver, ANA)
    # What the clock sends next names nobody who left.
    tick(driver.deps)
    sent_after = driver.sim.calls_to("chat.postMessage")[posted_before:]
    assert all(ANA not in payload_json(call.params) for call in sent_after)

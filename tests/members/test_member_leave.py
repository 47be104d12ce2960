"""Leaving SkillSwap (``/skillswap leave`` or a deactivated account) erases a member entirely."""

from __future__ import annotations

from datetime import date
from typing import Any

from members_kit import (
    ANA,
    BEN,
    CAL,
    Driver,
    buttons,
    eventually,
    rows_mentioning,
    rows_referencing_member,
    text_of,
)
from sqlalchemy import select

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


def _populate(driver: Driver) -> tuple[int, int]:
    """Ana and Ben swapped last round, with check-ins, feedback, blocks and messages."""
    driver.command(ANA, "teach Spanish, Klingon")
    driver.command(ANA, "learn SQL")
    driver.command(BEN, "teach SQL")
    driver.command(BEN, "learn Spanish")
    driver.command(CAL, "learn Spanish")
    round_id = driver.make_round(
        [([ANA, BEN], [(ANA, BEN, "Spanish"), (BEN, ANA, "SQL")])],
        round_date=date(2026, 11, 30),
        period="2026-W49",
    )
    with driver.session() as s:
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


def _leave(driver: Driver, user: str) -> dict[str, Any]:
    confirm = driver.command(user, "leave")
    assert "deletes your profile" in text_of(confirm)
    return driver.click(user, buttons(confirm)["member_leave_confirm"])


def test_leave_erases_every_row_that_names_the_member(driver: Driver) -> None:
    ana_id, round_id = _populate(driver)
    with driver.session() as s:
        counts_before = s.execute(
            select(Round.eligible_count, Round.group_count).where(Round.id == round_id)
        ).one()

    done = _leave(driver, ANA)

    assert done["replace_original"] is True
    assert "everything about you is deleted" in done["text"]
    assert rows_mentioning(driver, ANA) == []
    assert rows_referencing_member(driver, ana_id) == []
    assert driver.member(ANA) is None
    # Only Ana listed Klingon: it left the catalog with her. Spanish and SQL stay.
    assert set(driver.catalog()) == {"spanish", "sql"}
    # Ben keeps his profile, his half of the round, his words (without Ana's name).
    assert driver.skills(BEN) == {("teach", "SQL", 1), ("learn", "Spanish", 1)}
    with driver.session() as s:
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
    home = driver.h.sim.wait_for("views.publish")[-1]
    assert "Set up my profile" in text_of(home.params["view"])


def test_leave_can_be_cancelled(driver: Driver) -> None:
    driver.command(ANA, "teach Spanish")
    before = driver.snapshot()
    confirm = driver.command(ANA, "leave")
    cancelled = driver.click(ANA, buttons(confirm)["member_leave_cancel"])
    assert "still in SkillSwap" in cancelled["text"]
    assert driver.snapshot() == before


def test_someone_else_cannot_confirm_your_leave(driver: Driver) -> None:
    driver.command(ANA, "teach Spanish")
    driver.command(BEN, "teach SQL")
    confirm = driver.command(ANA, "leave")
    before = driver.snapshot()
    refused = driver.click(BEN, buttons(confirm)["member_leave_confirm"])
    assert "belongs to someone else" in refused["text"]
    assert driver.snapshot() == before


def test_a_forged_leave_value_changes_nothing(driver: Driver) -> None:
    driver.command(ANA, "teach Spanish")
    before = driver.snapshot()
    forged = {"action_id": "member_leave_confirm", "value": "'; DELETE FROM members; --"}
    refused = driver.click(ANA, forged)
    assert "belongs to someone else" in refused["text"]
    assert driver.snapshot() == before


def test_leaving_without_having_joined_says_so(driver: Driver) -> None:
    done = _leave(driver, CAL)
    assert "nothing of yours to delete" in done["text"]


def test_deactivated_account_leaves_the_pool_at_once(driver: Driver) -> None:
    ana_id, _round_id = _populate(driver)
    with driver.session() as s:
        s.scalars(select(Workspace)).one().admin_user_ids = [ANA, BEN]
    user = driver.h.sim.add_user(driver.h.team_id, ANA, name="ana", deleted=True)

    driver.h.slack.event(team_id=driver.h.team_id, event={"type": "user_change", "user": user})

    eventually(lambda: driver.member(ANA) is None)
    assert rows_mentioning(driver, ANA) == []
    assert rows_referencing_member(driver, ana_id) == []
    with driver.session() as s:
        assert s.scalars(select(Workspace)).one().admin_user_ids == [BEN]

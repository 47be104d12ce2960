"""People joining the workspace get an invitation (never an enrolment); profiles follow Slack."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.store.models import OutboxMessage, OutboxState
from tests.members.members_kit import ANA, BEN, member_row, skills, stored
from tests.support import Harness, payload_json


def join(driver: Harness, user: dict[str, Any]) -> None:
    reply = driver.event({"type": "team_join", "user": user})
    assert reply.status == 200


def test_team_join_sends_one_friendly_invitation(driver: Harness) -> None:
    newcomer = driver.sim.add_user(driver.team_id, "U0NEW0001", name="nia", tz="Europe/Paris")

    join(driver, newcomer)
    [posted] = driver.sim.wait_for("chat.postMessage")

    assert posted.params["channel"] == driver.sim.dm_channel_id(driver.team_id, "U0NEW0001")
    body = payload_json(posted.params)
    assert "Welcome, <@U0NEW0001>" in body and "profile_open" in body
    assert member_row(driver, "U0NEW0001") is None  # nobody is enrolled without acting
    # Tagged so that the delivery worker never posts it twice after a crash.
    assert posted.params["metadata"]["event_payload"] == {"key": "welcome:T0001:U0NEW0001"}

    def recorded() -> bool:
        with driver.deps.unit_of_work() as s:
            row = s.scalars(select(OutboxMessage)).one()
            return (row.kind, row.state, row.slack_ts) == (
                "welcome",
                OutboxState.SENT,
                posted.response["ts"],
            )

    driver.drain()

    assert recorded()

    # Slack sends the event again under a new id: still one invitation.
    join(driver, newcomer)
    join(driver, driver.sim.add_user(driver.team_id, "U0NEW0002", name="noa"))
    driver.sim.wait_for("chat.postMessage", count=2)
    channels = [c.params["channel"] for c in driver.sim.calls_to("chat.postMessage")]
    assert sorted(channels) == sorted(
        driver.sim.dm_channel_id(driver.team_id, u) for u in ("U0NEW0001", "U0NEW0002")
    )


def test_bots_slackbot_guests_and_deactivated_people_get_no_invitation(driver: Harness) -> None:
    sim, team = driver.sim, driver.team_id
    for user in (
        sim.add_user(team, "U0BOT0001", name="deploybot", is_bot=True),
        sim.add_user(team, "USLACKBOT", name="slackbot"),
        sim.add_user(team, "U0GST0001", name="guest", is_restricted=True),
        sim.add_user(team, "U0OLD0001", name="gone", deleted=True),
    ):
        join(driver, user)
    join(driver, sim.add_user(team, "U0NEW0003", name="person"))
    driver.drain()
    assert [c.params["channel"] for c in sim.calls_to("chat.postMessage")] == [
        sim.dm_channel_id(team, "U0NEW0003")
    ]


def test_a_failed_invitation_is_recorded_not_retried_forever(driver: Harness) -> None:
    driver.sim.fail_next("conversations.open", error="account_inactive")
    join(driver, driver.sim.add_user(driver.team_id, "U0NEW0004", name="late"))
    driver.sim.wait_for("conversations.open")

    def failed() -> bool:
        with driver.deps.unit_of_work() as s:
            row = s.scalars(select(OutboxMessage)).first()
            return row is not None and row.state == OutboxState.FAILED

    driver.drain()

    assert failed()
    assert driver.sim.calls_to("chat.postMessage") == []


def test_user_change_keeps_name_and_time_zone_current(driver: Harness) -> None:
    driver.command(ANA, "teach Spanish")
    moved = driver.sim.add_user(driver.team_id, ANA, name="ana.g", tz="America/Mexico_City")
    driver.event({"type": "user_change", "user": moved})

    def updated() -> bool:
        member = member_row(driver, ANA)
        return member is not None and member.tz == "America/Mexico_City"

    driver.drain()

    assert updated()
    member = member_row(driver, ANA)
    assert member is not None and member.display_name == "ana.g"
    assert skills(driver, ANA) == {("teach", "Spanish", 1)}


def test_user_change_for_a_non_member_stores_nothing(driver: Harness) -> None:
    driver.command(ANA, "teach Spanish")
    before = stored(driver)
    user = driver.sim.add_user(driver.team_id, BEN, name="ben2")
    driver.event({"type": "user_change", "user": user})
    # A later event for Ana is processed after it.
    moved = driver.sim.add_user(driver.team_id, ANA, name="ana", tz="Asia/Tokyo")
    driver.event({"type": "user_change", "user": moved})

    def updated() -> bool:
        member = member_row(driver, ANA)
        return member is not None and member.tz == "Asia/Tokyo"

    driver.drain()

    assert updated()
    driver.drain()
    after = stored(driver)
    assert member_row(driver, BEN) is None
    assert {k: v for k, v in after.items() if k != "members"} == {
        k: v for k, v in before.items() if k != "members"
    }

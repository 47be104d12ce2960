"""People joining the workspace get an invitation (never an enrolment); profiles follow Slack."""

from __future__ import annotations

from typing import Any

from members_kit import ANA, BEN, Driver, eventually, text_of
from sqlalchemy import select

from bot.store.models import OutboxMessage, OutboxState


def join(driver: Driver, user: dict[str, Any]) -> None:
    reply = driver.h.slack.event(
        team_id=driver.h.team_id, event={"type": "team_join", "user": user}
    )
    assert reply.status == 200


def test_team_join_sends_one_friendly_invitation(driver: Driver) -> None:
    newcomer = driver.h.sim.add_user(driver.h.team_id, "U0NEW0001", name="nia", tz="Europe/Paris")

    join(driver, newcomer)
    [posted] = driver.h.sim.wait_for("chat.postMessage")

    assert posted.params["channel"] == driver.h.sim.dm_channel_id(driver.h.team_id, "U0NEW0001")
    body = text_of(posted.params)
    assert "Welcome, <@U0NEW0001>" in body and "profile_open" in body
    assert driver.member("U0NEW0001") is None  # nobody is enrolled without acting
    # Tagged so that the delivery worker never posts it twice after a crash.
    assert posted.params["metadata"]["event_payload"] == {"key": "welcome:T0001:U0NEW0001"}

    def recorded() -> bool:
        with driver.session() as s:
            row = s.scalars(select(OutboxMessage)).one()
            return (row.kind, row.state, row.slack_ts) == (
                "welcome",
                OutboxState.SENT,
                posted.response["ts"],
            )

    eventually(recorded)

    # Slack sends the event again under a new id: still one invitation.
    join(driver, newcomer)
    join(driver, driver.h.sim.add_user(driver.h.team_id, "U0NEW0002", name="noa"))
    driver.h.sim.wait_for("chat.postMessage", count=2)
    channels = [c.params["channel"] for c in driver.h.sim.calls_to("chat.postMessage")]
    assert sorted(channels) == sorted(
        driver.h.sim.dm_channel_id(driver.h.team_id, u) for u in ("U0NEW0001", "U0NEW0002")
    )


def test_bots_slackbot_guests_and_deactivated_people_get_no_invitation(driver: Driver) -> None:
    sim, team = driver.h.sim, driver.h.team_id
    for user in (
        sim.add_user(team, "U0BOT0001", name="deploybot", is_bot=True),
        sim.add_user(team, "USLACKBOT", name="slackbot"),
        sim.add_user(team, "U0GST0001", name="guest", is_restricted=True),
        sim.add_user(team, "U0OLD0001", name="gone", deleted=True),
    ):
        join(driver, user)
    join(driver, sim.add_user(team, "U0NEW0003", name="person"))
    sim.wait_for("chat.postMessage")
    assert [c.params["channel"] for c in sim.calls_to("chat.postMessage")] == [
        sim.dm_channel_id(team, "U0NEW0003")
    ]


def test_a_failed_invitation_is_recorded_not_retried_forever(driver: Driver) -> None:
    driver.h.sim.fail_next("conversations.open", error="account_inactive")
    join(driver, driver.h.sim.add_user(driver.h.team_id, "U0NEW0004", name="late"))
    driver.h.sim.wait_for("conversations.open")

    def failed() -> bool:
        with driver.session() as s:
            row = s.scalars(select(OutboxMessage)).first()
            return row is not None and row.state == OutboxState.FAILED

    eventually(failed)
    assert driver.h.sim.calls_to("chat.postMessage") == []


def test_user_change_keeps_name_and_time_zone_current(driver: Driver) -> None:
    driver.command(ANA, "teach Spanish")
    moved = driver.h.sim.add_user(driver.h.team_id, ANA, name="ana.g", tz="America/Mexico_City")
    driver.h.slack.event(team_id=driver.h.team_id, event={"type": "user_change", "user": moved})

    def updated() -> bool:
        member = driver.member(ANA)
        return member is not None and member.tz == "America/Mexico_City"

    eventually(updated)
    member = driver.member(ANA)
    assert member is not None and member.display_name == "ana.g"
    assert driver.skills(ANA) == {("teach", "Spanish", 1)}


def test_user_change_for_a_non_member_stores_nothing(driver: Driver) -> None:
    driver.command(ANA, "teach Spanish")
    before = driver.snapshot()
    user = driver.h.sim.add_user(driver.h.team_id, BEN, name="ben2")
    driver.h.slack.event(team_id=driver.h.team_id, event={"type": "user_change", "user": user})
    # A later event for Ana is processed after it.
    moved = driver.h.sim.add_user(driver.h.team_id, ANA, name="ana", tz="Asia/Tokyo")
    driver.h.slack.event(team_id=driver.h.team_id, event={"type": "user_change", "user": moved})

    def updated() -> bool:
        member = driver.member(ANA)
        return member is not None and member.tz == "Asia/Tokyo"

    eventually(updated)
    after = driver.snapshot()
    assert driver.member(BEN) is None
    assert {k: v for k, v in after.items() if k != "members"} == {
        k: v for k, v in before.items() if k != "members"
    }

"""Issue 19 on swap requests: an accepted request's introduction gets "Pick a time" too, and
booking works there as on a round's."""

from __future__ import annotations

import icalendar

from bot.blocks.meetings import MeetingAction
from bot.blocks.requests import RequestAction
from tests.members.members_kit import ANA, BEN
from tests.members.test_swap_requests import ask, click_dm, deliver, dms, setup
from tests.rounds.test_pick_a_time import options, slot, tick_slots
from tests.support import Harness, buttons, shown_text


def test_a_request_intro_can_pick_a_time(driver: Harness) -> None:
    setup(driver)
    ask(driver, BEN, ANA, "Spanish", offer="sql")
    deliver(driver)
    [card] = dms(driver, ANA)
    click_dm(driver, ANA, card, RequestAction.ACCEPT)
    deliver(driver)
    [intro] = dms(driver, ANA, BEN)
    assert MeetingAction.PICK in buttons(intro)

    views = []
    for user in (ANA, BEN):
        before = len(driver.sim.calls_to("views.open"))
        driver.click(user, MeetingAction.PICK, message=intro)
        views.append(driver.sim.wait_for("views.open", count=before + 1)[-1].params["view"])
    offered = [o["value"] for o in options(views[0])]
    assert [o["value"] for o in options(views[1])] == offered
    tick_slots(driver, ANA, views[0], [offered[0], offered[1]])
    tick_slots(driver, BEN, views[1], [offered[1]])
    booked = [m for m in dms(driver, ANA, BEN) if "Booked:" in shown_text(m)]
    assert len(booked) == 1
    [invite] = [f for f in driver.sim.uploaded_files() if f.filename.endswith(".ics")]
    [event] = icalendar.Calendar.from_ical(invite.content).walk("VEVENT")
    assert event.decoded("DTSTART") == slot(offered[1])
    assert len(driver.sim.scheduled_messages()) == 1

"""Asking for a swap: from ``who``, ``/skillswap ask`` and the Home explorer, through the
teacher's Accept / Not now, to the group DM, check-ins, expiry, limits and privacy."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.blocks.insights import report_blocks
from bot.blocks.requests import RequestAction, RequestCallback
from bot.delivery.worker import DeliveryWorker
from bot.insights.load import load_insights
from bot.kinds import GroupKind, Origin, RequestState
from bot.requests.expiry import expire_due
from bot.rounds.checkins import process_due
from bot.rounds.service import start_round
from bot.store.models import (
    DoNotPair,
    Feedback,
    Group,
    GroupMember,
    Lesson,
    Member,
    OutboxMessage,
    Round,
    Skill,
    SwapRequest,
    Workspace,
)
from tests.members.members_kit import ANA, BEN, CAL, DEV, stored
from tests.support import Harness, buttons, payload_json

BOT = "U0BOT0009"
EVE = "U0EVE0005"


def setup(driver: Harness) -> None:
    driver.command(ANA, "teach Spanish (expert), guitar")
    driver.command(ANA, "learn SQL")
    driver.command(BEN, "teach SQL, drawing")
    driver.command(BEN, "learn Spanish")
    driver.command(CAL, "teach Spanish")


def skill_id(driver: Harness, key: str) -> int:
    with driver.deps.unit_of_work() as s:
        return int(s.scalars(select(Skill.id).where(Skill.key == key)).one())


def deliver(driver: Harness) -> None:
    DeliveryWorker(driver.deps).run()


def dms(driver: Harness, *users: str) -> list[dict[str, Any]]:
    return driver.sim.messages(driver.sim.dm_channel_id(driver.team_id, *users))


def open_form_from_who(driver: Harness, asker: str, teacher: str, skill: str) -> dict[str, Any]:
    reply = driver.command(asker, f"who {skill}")
    ask = [
        b["accessory"]
        for b in reply["blocks"]
        if (b.get("accessory") or {}).get("action_id") == RequestAction.ASK
        and teacher in json.dumps(b)
    ]
    assert ask, payload_json(reply)
    before = len(driver.sim.calls_to("views.open"))
    driver.click(asker, ask[0])
    call = driver.sim.wait_for("views.open", count=before + 1)[-1]
    assert call.response["ok"], call.response
    view: dict[str, Any] = call.response["view"]
    return view


def form_values(skill: int, offer: int | None = None, note: str = "") -> dict[str, Any]:
    values: dict[str, Any] = {
        "request_skill": {
            "value": {"type": "static_select", "selected_option": {"value": str(skill)}}
        },
        "request_note": {"value": {"type": "plain_text_input", "value": note}},
    }
    if offer is not None:
        values["request_offer"] = {
            "value": {"type": "static_select", "selected_option": {"value": str(offer)}}
        }
    return values


def send(driver: Harness, asker: str, view: dict[str, Any], values: dict[str, Any]) -> Any:
    return driver.submit(
        asker,
        RequestCallback.FORM,
        values,
        private_metadata=view["private_metadata"],
        view_id=view["id"],
    )


def ask(driver: Harness, asker: str, teacher: str, skill: str, offer: str | None = None) -> int:
    view = open_form_from_who(driver, asker, teacher, skill)
    answer = send(
        driver,
        asker,
        view,
        form_values(skill_id(driver, skill.lower()), skill_id(driver, offer) if offer else None),
    )
    assert answer.get("response_action") == "update", answer
    with driver.deps.unit_of_work() as s:
        return int(s.scalars(select(SwapRequest.id).order_by(SwapRequest.id.desc())).first() or 0)


def click_dm(driver: Harness, user: str, message: dict[str, Any], action: str) -> dict[str, Any]:
    return driver.click(user, action, message=message).reply()


# ----------------------------------------------------------------------------- the happy path


def test_ask_from_who_accept_introduces_both_and_checks_in_later(driver: Harness) -> None:
    setup(driver)
    view = open_form_from_who(driver, BEN, ANA, "Spanish")
    form = payload_json(view)
    assert f"<@{ANA}>" in form
    offers = next(b for b in view["blocks"] if b.get("block_id") == "request_offer")
    labels = [o["text"]["text"] for o in offers["element"]["options"]]
    assert labels == ["SQL (they want it)", "drawing"]  # what Ana wants to learn comes first
    skill = next(b for b in view["blocks"] if b.get("block_id") == "request_skill")
    assert skill["element"]["initial_option"]["text"]["text"] == "Spanish"

    answer = send(
        driver,
        BEN,
        view,
        form_values(skill_id(driver, "spanish"), skill_id(driver, "sql"), "Off to Madrid in May"),
    )
    assert answer["response_action"] == "update" and "Sent to" in json.dumps(answer)
    deliver(driver)
    [card] = dms(driver, ANA)
    body = payload_json(card)
    assert f"<@{BEN}> would like to learn *Spanish*" in body
    assert "teach you *SQL*" in body and "Off to Madrid in May" in body
    assert {RequestAction.ACCEPT, RequestAction.DECLINE} <= set(buttons(card))

    reply = click_dm(driver, ANA, card, RequestAction.ACCEPT)
    assert reply.get("replace_original") is True and "You said yes" in payload_json(reply)
    deliver(driver)
    [intro] = dms(driver, ANA, BEN)
    intro_text = payload_json(intro)
    assert "you said yes to a skill swap!" in intro_text
    assert "can teach *Spanish*" in intro_text and "can teach *SQL*" in intro_text
    assert "15 each way" in intro_text and "is" in intro_text and "'s " in intro_text

    with driver.deps.unit_of_work() as s:
        request = s.scalars(select(SwapRequest)).one()
        round_ = s.scalars(select(Round)).one()
        group = s.scalars(select(Group)).one()
        assert request.state is RequestState.ACCEPTED and request.note is None
        assert round_.origin is Origin.REQUEST and group.kind is GroupKind.SWAP
        assert group.new_connection and request.group_id == group.id
        assert len(s.scalars(select(Lesson)).all()) == 2
        stored = json.dumps([o.payload for o in s.scalars(select(OutboxMessage))])
        assert "Off to Madrid in May" not in stored  # the note is gone once answered

    # The check-in comes like a round's, a few days later.
    later = driver.clock.now() + timedelta(days=3, hours=2)
    driver.clock.set(later)
    assert process_due(driver.deps, later).checkins == 1
    deliver(driver)
    assert "did you meet" in payload_json(dms(driver, ANA, BEN)[-1])


def test_not_now_tells_the_asker_kindly_with_other_teachers(driver: Harness) -> None:
    setup(driver)
    ask(driver, BEN, ANA, "Spanish")
    deliver(driver)
    [card] = dms(driver, ANA)
    reply = click_dm(driver, ANA, card, RequestAction.DECLINE)
    assert "not now" in payload_json(reply)
    deliver(driver)
    [told] = dms(driver, BEN)
    body = payload_json(told)
    assert f"<@{ANA}> can't take a *Spanish* swap right now" in body
    assert "because" not in body  # no reason given
    others = [b for b in told["blocks"] if (b.get("accessory") or {}).get("value")]
    assert [json.loads(b["accessory"]["value"])["teacher"] for b in others] == [CAL]
    with driver.deps.unit_of_work() as s:
        assert s.scalars(select(SwapRequest.state)).one() is RequestState.DECLINED
        assert s.scalars(select(Group)).all() == []


def test_ask_command_by_mention_or_name_opens_the_form(driver: Harness) -> None:
    setup(driver)
    for text in (f"ask <@{ANA}|ana> Spanish", "ask @Ana spanish"):
        before = len(driver.sim.calls_to("views.open"))
        driver.slack.slash_command(team_id=driver.team_id, user_id=BEN, text=text)
        call = driver.sim.wait_for("views.open", count=before + 1)[-1]
        assert call.params["view"]["callback_id"] == RequestCallback.FORM


# ----------------------------------------------------------------------------- bad input


def test_bad_asks_get_one_line_and_change_nothing(driver: Harness) -> None:
    setup(driver)
    driver.sim.add_user(driver.team_id, BOT, name="deploybot", is_bot=True)
    driver.sim.add_user(driver.team_id, DEV, name="dev", real_name="Dev", tz="Asia/Kolkata")
    before = stored(driver)
    cases = {
        f"ask <@{BEN}> SQL": "That's you!",
        f"ask <@{BOT}> SQL": "is a bot or an app",
        f"ask <@{DEV}> SQL": "isn't in SkillSwap",
        f"ask <@{ANA}> SQL": "doesn't list *SQL* to teach",
        "ask Spanish": "Say who and what",
        "ask @nobody Spanish": "can't find a SkillSwap member called @nobody",
    }
    for text, expected in cases.items():
        reply = driver.command(BEN, text)
        assert expected in payload_json(reply), (text, payload_json(reply))
    assert stored(driver) == before


def test_a_note_over_300_characters_is_an_inline_error(driver: Harness) -> None:
    setup(driver)
    view = open_form_from_who(driver, BEN, ANA, "Spanish")
    too_long = send(driver, BEN, view, form_values(skill_id(driver, "spanish"), note="x" * 301))
    assert too_long["response_action"] == "errors"
    assert "300 characters" in too_long["errors"]["request_note"]
    with driver.deps.unit_of_work() as s:
        assert s.scalars(select(SwapRequest)).all() == []


def test_duplicate_and_fourth_open_request_are_refused(driver: Harness) -> None:
    setup(driver)
    driver.sim.add_user(driver.team_id, DEV, name="dev", real_name="Dev", tz="Asia/Kolkata")
    driver.sim.add_user(driver.team_id, EVE, name="eve", real_name="Eve", tz="Europe/Paris")
    driver.command(DEV, "teach Spanish")
    driver.command(EVE, "teach chess")
    ask(driver, BEN, ANA, "Spanish")
    ask(driver, BEN, CAL, "Spanish")
    before = stored(driver)
    duplicate = driver.command(BEN, f"ask <@{ANA}> guitar")
    assert "already have a request waiting" in payload_json(duplicate)
    assert stored(driver) == before
    ask(driver, BEN, DEV, "Spanish")
    before = stored(driver)
    fourth = driver.command(BEN, f"ask <@{EVE}> chess")
    assert "You have 3 requests waiting" in payload_json(fourth)
    assert stored(driver) == before


def test_double_click_forged_answer_and_expired_answer_change_nothing(driver: Harness) -> None:
    setup(driver)
    ask(driver, BEN, ANA, "Spanish")
    deliver(driver)
    [card] = dms(driver, ANA)
    forged = click_dm(driver, CAL, card, RequestAction.ACCEPT)
    assert "only they can answer" in payload_json(forged)
    click_dm(driver, ANA, card, RequestAction.ACCEPT)
    before = stored(driver)
    again = click_dm(driver, ANA, card, RequestAction.ACCEPT)
    assert "already accepted" in payload_json(again)
    assert stored(driver) == before

    # A second request, never answered: it expires; both are told once.
    driver.command(CAL, "learn drawing")
    second = ask(driver, CAL, BEN, "drawing")
    deliver(driver)
    [late_card] = dms(driver, BEN)
    week = driver.clock.now() + timedelta(days=7, minutes=1)
    assert expire_due(driver.deps, week) == 1
    assert expire_due(driver.deps, week) == 0
    driver.clock.set(week)
    deliver(driver)
    assert "expired" in payload_json(dms(driver, CAL)[-1])
    assert "expired" in payload_json(dms(driver, BEN)[-1])
    told = len(dms(driver, CAL)) + len(dms(driver, BEN))
    before = stored(driver)
    late = click_dm(driver, BEN, late_card, RequestAction.ACCEPT)
    assert "expired" in payload_json(late)
    assert stored(driver) == before
    deliver(driver)
    assert len(dms(driver, CAL)) + len(dms(driver, BEN)) == told
    with driver.deps.unit_of_work() as s:
        assert s.get_one(SwapRequest, second).state is RequestState.EXPIRED


def test_do_not_pair_paused_and_opted_out_read_not_taking_requests(driver: Harness) -> None:
    setup(driver)
    with driver.deps.unit_of_work() as s:
        ana, ben = (
            s.scalars(select(Member).where(Member.slack_user_id == u)).one() for u in (ANA, BEN)
        )
        s.add(DoNotPair(workspace_id=ana.workspace_id, member_id=ana.id, other_member_id=ben.id))
    reply = driver.command(BEN, f"ask <@{ANA}> Spanish")
    assert "isn't taking requests right now" in payload_json(reply)
    driver.command(CAL, "pause")
    reply = driver.command(BEN, f"ask <@{CAL}> Spanish")
    assert "isn't taking requests right now" in payload_json(reply)
    with driver.deps.unit_of_work() as s:
        assert s.scalars(select(SwapRequest)).all() == []


def test_a_round_in_the_same_week_never_pairs_an_accepted_request(driver: Harness) -> None:
    setup(driver)
    ask(driver, BEN, ANA, "Spanish", offer="sql")
    deliver(driver)
    click_dm(driver, ANA, dms(driver, ANA)[0], RequestAction.ACCEPT)
    driver.command(CAL, "drop Spanish")  # Ana and Ben are each other's only match
    with driver.deps.unit_of_work() as s:
        for ws in s.scalars(select(Workspace)):
            ws.cooldown_rounds = 0  # only the same-week rule can keep them apart
    # Friday of the same week: four days on, outside a zero cooldown, but the same ISO week.
    friday = driver.clock.now() + timedelta(days=4)
    outcome = start_round(driver.deps, driver.team_id, now=friday)
    assert outcome.created and outcome.groups == 0
    with driver.deps.unit_of_work() as s:
        rounds = s.scalars(select(Round).where(Round.origin == Origin.ROUND)).all()
        pairs = [
            {gm.member.slack_user_id for gm in g.members}
            for g in s.scalars(select(Group).where(Group.round_id == rounds[0].id))
        ]
    assert {ANA, BEN} not in pairs


def test_a_round_the_next_week_may_pair_them_again(driver: Harness) -> None:
    setup(driver)
    ask(driver, BEN, ANA, "Spanish", offer="sql")
    deliver(driver)
    click_dm(driver, ANA, dms(driver, ANA)[0], RequestAction.ACCEPT)
    driver.command(CAL, "drop Spanish")
    with driver.deps.unit_of_work() as s:
        for ws in s.scalars(select(Workspace)):
            ws.cooldown_rounds = 0
        # A pair meets again only if both said they would (issue 15): both said yes.
        for gm in s.scalars(select(GroupMember)):
            s.add(
                Feedback(
                    group_id=gm.group_id, member_id=gm.member_id, rating=5, would_swap_again=True
                )
            )
    next_monday = driver.clock.now() + timedelta(days=7, hours=2)
    outcome = start_round(driver.deps, driver.team_id, now=next_monday)
    assert outcome.created and outcome.groups == 1


def test_home_explorer_lists_most_taught_first_and_shows_teachers(driver: Harness) -> None:
    setup(driver)
    driver.command(DEV, "teach Spanish, SQL")
    before = len(driver.sim.calls_to("views.publish"))
    driver.slack.event(
        team_id=driver.team_id,
        event={"type": "app_home_opened", "user": BEN, "channel": "D0HOME", "tab": "home"},
    )
    home = driver.sim.wait_for("views.publish", count=before + 1)[-1].params["view"]
    body = payload_json(home)
    assert "Explore skills" in body
    lines = [
        b["text"]["text"]
        for b in home["blocks"]
        if (b.get("accessory") or {}).get("action_id") == RequestAction.EXPLORE_SKILL
    ]
    assert lines[0] == "*Spanish*  3 teach · 1 want to learn"
    assert lines[1] == "*SQL*  2 teach · 1 want to learn"

    # The search offers existing skills only; picking one shows its teachers.
    found = driver.slack.block_suggestion(
        team_id=driver.team_id, user_id=BEN, action_id="explore_search", value="span"
    )
    [option] = found.json["options"]
    assert option["text"]["text"] == "Spanish"
    opened = len(driver.sim.calls_to("views.open"))
    driver.slack.block_action(
        team_id=driver.team_id,
        user_id=BEN,
        action_id="explore_search",
        action_type="external_select",
        selected_option=option,
        view=home,
    )
    modal = driver.sim.wait_for("views.open", count=opened + 1)[-1].response["view"]
    asks = [
        json.loads(b["accessory"]["value"])["teacher"]
        for b in modal["blocks"]
        if (b.get("accessory") or {}).get("action_id") == RequestAction.ASK
    ]
    assert asks == [ANA, CAL, DEV]  # the expert first, Ben not offered himself

    # Ask from the modal: the form is pushed on top.
    pushed = len(driver.sim.calls_to("views.push"))
    driver.slack.block_action(
        team_id=driver.team_id,
        user_id=BEN,
        action_id=RequestAction.ASK,
        value=next(
            b["accessory"]["value"]
            for b in modal["blocks"]
            if (b.get("accessory") or {}).get("action_id") == RequestAction.ASK
        ),
        view=modal,
    )
    form = driver.sim.wait_for("views.push", count=pushed + 1)[-1]
    assert form.params["view"]["callback_id"] == RequestCallback.FORM


def test_leave_deletes_requests_both_ways(driver: Harness) -> None:
    setup(driver)
    ask(driver, BEN, ANA, "Spanish")
    driver.command(ANA, "learn drawing")
    ask(driver, ANA, BEN, "drawing")
    reply = driver.command(BEN, "leave")
    confirm = buttons(reply)["member_leave_confirm"]
    driver.click(BEN, confirm).reply()
    driver.drain()
    with driver.deps.unit_of_work() as s:
        assert s.scalars(select(SwapRequest)).all() == []


def profile_values(teach: str, takes: str | None, per_month: str | None) -> dict[str, Any]:
    def typed(value: str | None) -> dict[str, Any]:
        return {"value": {"type": "plain_text_input", "value": value}}

    def picked(value: str | None) -> dict[str, Any]:
        chosen = {"value": value, "text": {"type": "plain_text", "text": value or ""}}
        return {"value": {"type": "static_select", "selected_option": chosen if value else None}}

    return {
        "teach_new": typed(teach),
        "teach_new_level": picked("3"),
        "cadence": picked("every_round"),
        "takes_requests": picked(takes),
        "requests_per_month": picked(per_month),
    }


def save_profile(driver: Harness, user: str, values: dict[str, Any]) -> dict[str, Any]:
    reply = driver.slack.view_submission(
        team_id=driver.team_id, user_id=user, callback_id="profile_modal", values=values
    )
    assert reply.status == 200, reply.body
    return reply.json or {}


def test_profile_form_says_whether_and_how_often_someone_takes_requests(driver: Harness) -> None:
    setup(driver)
    before = len(driver.sim.calls_to("views.open"))
    driver.slack.slash_command(team_id=driver.team_id, user_id=ANA, text="profile")
    modal = driver.sim.wait_for("views.open", count=before + 1)[-1].response["view"]
    initial = {
        b["block_id"]: b["element"].get("initial_option", {}).get("value")
        for b in modal["blocks"]
        if b.get("block_id") in ("takes_requests", "requests_per_month")
    }
    assert initial == {"takes_requests": "yes", "requests_per_month": "4"}

    bad = save_profile(driver, ANA, profile_values("Spanish, guitar", "yes", "99"))
    assert bad["response_action"] == "errors" and "1 to 10" in bad["errors"]["requests_per_month"]

    # A cap of one: the first request goes through, the second asker hears "not right now".
    assert save_profile(driver, ANA, profile_values("Spanish, guitar", "yes", "1")) == {}
    ask(driver, BEN, ANA, "Spanish")
    driver.command(CAL, "learn guitar")
    capped = driver.command(CAL, f"ask <@{ANA}> guitar")
    assert "isn't taking requests right now" in payload_json(capped)

    # Not taking requests at all: nobody can ask, and the explorer doesn't offer them.
    assert save_profile(driver, CAL, profile_values("Spanish", "no", "4")) == {}
    refused = driver.command(BEN, f"ask <@{CAL}> Spanish")
    assert "isn't taking requests right now" in payload_json(refused)
    with driver.deps.unit_of_work() as s:
        cal = s.scalars(select(Member).where(Member.slack_user_id == CAL)).one()
        assert (cal.takes_requests, cal.requests_per_month) == (False, 4)
        assert len(s.scalars(select(SwapRequest)).all()) == 1


def test_numbers_count_a_request_pair_and_the_report_maps_skills_across_teams(
    driver: Harness,
) -> None:
    setup(driver)
    with driver.deps.unit_of_work() as s:
        teams = {ANA: "Design", BEN: "Data", CAL: "Sales"}
        for member in s.scalars(select(Member)):
            member.team_label = teams[member.slack_user_id]
    ask(driver, BEN, ANA, "Spanish", offer="sql")
    deliver(driver)
    click_dm(driver, ANA, dms(driver, ANA)[0], RequestAction.ACCEPT)
    deliver(driver)
    later = driver.clock.now() + timedelta(days=3, hours=2)
    driver.clock.set(later)
    process_due(driver.deps, later)
    deliver(driver)
    checkin = dms(driver, ANA, BEN)[-1]
    driver.slack.block_action(
        team_id=driver.team_id,
        user_id=BEN,
        action_id="checkin_met",
        value=buttons(checkin)["checkin_met"]["value"],
        message=checkin,
    )
    driver.sim.wait_for("chat.update")

    with driver.deps.unit_of_work() as s:
        ins = load_insights(session=s, team_id=driver.team_id, now=later)
    assert (ins.pairs_made, ins.request_pairs, ins.swaps_completed) == (1, 1, 1)
    assert ins.request_swaps_completed == 1 and ins.new_connections == 1
    assert ins.rounds == 0 and ins.per_round == ()  # a request is not a round
    top = ins.skills_map(2)
    assert [(s.name, s.teachers, s.learners, s.teams) for s in top] == [
        ("Spanish", 2, 1, 2),
        ("SQL", 1, 1, 1),
    ]
    report = json.dumps([b.to_dict() for b in report_blocks(ins)])
    assert "Skills people here teach" in report and "Spanish: 2 teach" in report
    assert "1 from requests" in report
    assert "Madrid" not in report and "note" not in report  # counts only

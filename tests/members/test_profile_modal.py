"""The profile modal: opening it, the catalog typeahead, saving it, inline validation errors."""

from __future__ import annotations

import json
import time
from datetime import date
from typing import Any

import pytest
from slack_sdk.models.views import View
from sqlalchemy import select

from bot.kinds import OutboxState
from bot.store.models import MemberCadence, MemberStatus, OutboxMessage
from tests.members.members_kit import ANA, BEN, catalog, member_row, skills, stored
from tests.support import Harness, buttons, payload_json

CALLBACK = "profile_modal"


def option(value: str, text: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text, "emoji": True}, "value": value}


def state(
    *,
    teach1: list[dict[str, Any]] | None = None,
    teach2: list[dict[str, Any]] | None = None,
    teach3: list[dict[str, Any]] | None = None,
    teach_new: str | None = None,
    level: str = "1",
    learn: list[dict[str, Any]] | None = None,
    learn_new: str | None = None,
    team: str | None = None,
    cadence: str = "every_round",
    pause: str | None = None,
) -> dict[str, Any]:
    """``view.state.values`` as Slack sends it for the profile modal."""

    def menu(selected: list[dict[str, Any]] | None) -> dict[str, Any]:
        return {"type": "multi_external_select", "selected_options": selected or []}

    def typed(value: str | None) -> dict[str, Any]:
        return {"value": {"type": "plain_text_input", "value": value}}

    return {
        "teach_1": {"profile_teach_1": menu(teach1)},
        "teach_2": {"profile_teach_2": menu(teach2)},
        "teach_3": {"profile_teach_3": menu(teach3)},
        "teach_new": typed(teach_new),
        "teach_new_level": {
            "value": {"type": "static_select", "selected_option": option(level, level)}
        },
        "learn": {"profile_learn": menu(learn)},
        "learn_new": typed(learn_new),
        "team": typed(team),
        "cadence": {
            "value": {"type": "static_select", "selected_option": option(cadence, cadence)}
        },
        "pause_until": {"value": {"type": "datepicker", "selected_date": pause}},
    }


def open_modal(driver: Harness, user: str) -> dict[str, Any]:
    before = len(driver.sim.calls_to("views.open"))
    driver.send_command(user, "profile")
    call = driver.sim.wait_for("views.open", count=before + 1)[-1]
    assert call.response["ok"], call.response
    view: dict[str, Any] = call.response["view"]
    return view


def submit(driver: Harness, user: str, values: dict[str, Any]) -> Any:
    """Submit the profile modal; the HTTP answer, once every listener it started is done."""
    reply = driver.slack.view_submission(
        team_id=driver.team_id, user_id=user, callback_id=CALLBACK, values=values
    )
    assert reply.status == 200, reply.body
    driver.drain()
    return reply


def suggestions(driver: Harness, user: str, query: str, action_id: str = "profile_learn") -> Any:
    reply = driver.slack.block_suggestion(
        team_id=driver.team_id,
        user_id=user,
        action_id=action_id,
        value=query,
        view_callback_id=CALLBACK,
    )
    assert reply.status == 200, reply.body
    return reply.json["options"]


def skill_id(driver: Harness, key: str) -> int:
    from sqlalchemy import select

    from bot.store.models import Skill

    with driver.deps.unit_of_work() as s:
        return int(s.scalars(select(Skill.id).where(Skill.key == key)).one())


# ----------------------------------------------------------------------------- opening


def test_profile_opens_a_valid_modal_with_the_current_profile(driver: Harness) -> None:
    driver.command(ANA, "teach Spanish (expert), SQL")
    driver.command(ANA, "learn guitar")

    view = open_modal(driver, ANA)

    View(**view).to_dict()  # slack_sdk's validators accept it
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    expert = blocks["teach_3"]["element"]["initial_options"]
    beginner = blocks["teach_1"]["element"]["initial_options"]
    assert [o["text"]["text"] for o in expert] == ["Spanish"]
    assert [o["text"]["text"] for o in beginner] == ["SQL"]
    assert [o["text"]["text"] for o in blocks["learn"]["element"]["initial_options"]] == ["guitar"]
    assert blocks["teach_1"]["element"]["type"] == "multi_external_select"
    assert blocks["teach_1"]["element"]["min_query_length"] == 1
    assert member_row(driver, ANA) is not None


def test_profile_for_a_newcomer_opens_empty_and_stores_nothing(driver: Harness) -> None:
    before = stored(driver)
    view = open_modal(driver, BEN)
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert "initial_options" not in blocks["teach_1"]["element"]
    assert member_row(driver, BEN) is None
    driver.drain()
    after = stored(driver)
    after["workspaces"] = before["workspaces"] = []  # first contact creates the workspace row
    assert after == before


def test_expired_trigger_gets_a_try_again_reply(driver: Harness) -> None:
    stale = f"{int((time.time() - 10) * 1000)}.1.dead"
    reply = driver.command(ANA, "profile", trigger_id=stale)
    assert "try `/skillswap profile` again" in payload_json(reply)
    [call] = driver.sim.calls_to("views.open")
    assert call.response["error"] == "expired_trigger_id"


def test_edit_profile_button_in_a_reply_opens_the_modal(driver: Harness) -> None:
    reply = driver.command(ANA, "teach Spanish")
    button = buttons(reply)["profile_open"]
    driver.click(ANA, button)
    [call] = driver.sim.wait_for("views.open")
    assert call.response["ok"]


# ----------------------------------------------------------------------------- typeahead


def test_typeahead_serves_the_catalog_and_offers_to_add_new_names(driver: Harness) -> None:
    driver.command(ANA, "teach Spanish, Spark")
    driver.command(BEN, "learn spanish")

    found = suggestions(driver, BEN, "spa")
    texts = [o["text"]["text"] for o in found]
    assert texts[:2] == ["Spanish", "Spark"]  # most listed first
    assert texts[-1] == "Add “spa”"

    exact = suggestions(driver, BEN, "SPANISH")
    assert [o["text"]["text"] for o in exact] == ["Spanish"]  # known: no "Add" option

    alias = suggestions(driver, BEN, "js")
    assert [o["text"]["text"] for o in alias] == ["Add “JavaScript”"]


@pytest.mark.parametrize(
    "query",
    ["%", "_", "' OR 1=1 --", "'; DROP TABLE skills; --", "🎸", "x" * 5000, "עברית", ""],
)
def test_typeahead_survives_odd_queries(driver: Harness, query: str) -> None:
    driver.command(ANA, "teach Spanish")
    found = suggestions(driver, BEN, query)
    assert all(o["text"]["text"] != "Spanish" for o in found)  # nothing matches by accident
    assert len(found) <= 1
    assert catalog(driver) == {"spanish": "Spanish"}


# ----------------------------------------------------------------------------- saving


def test_saving_the_modal_replaces_the_profile(driver: Harness) -> None:
    driver.command(ANA, "teach Spanish, SQL")
    driver.command(ANA, "learn drawing")
    open_modal(driver, ANA)
    spanish = skill_id(driver, "spanish")

    reply = submit(
        driver,
        ANA,
        state(
            teach3=[option(f"s:{spanish}", "Spanish")],
            teach_new="Pottery, Rust",
            level="2",
            learn=[option("n:Guitar", "Add “Guitar”")],
            learn_new="public speaking",
            team="Design",
            cadence="every_other",
            pause="2027-01-04",
        ),
    )

    assert reply.body == ""  # the modal closes
    assert skills(driver, ANA) == {
        ("teach", "Spanish", 3),
        ("teach", "Pottery", 2),
        ("teach", "Rust", 2),
        ("learn", "Guitar", 1),
        ("learn", "public speaking", 1),
    }
    member = member_row(driver, ANA)
    assert member is not None
    assert (member.team_label, member.cadence) == ("Design", MemberCadence.EVERY_OTHER)
    assert (member.status, member.paused_until) == (MemberStatus.PAUSED, date(2027, 1, 4))
    # SQL and drawing were removed from the profile, and from the catalog (nobody lists them).
    assert set(catalog(driver)) == {"spanish", "pottery", "rust", "guitar", "public speaking"}
    # The confirmation goes to where the modal was opened (the command's response_url)…
    confirmation = driver.sim.wait_for_response(
        predicate=lambda r: "profile is saved" in r.get("text", "")
    )[-1]
    assert "Pottery (intermediate)" in payload_json(confirmation)
    # …and the Home tab is refreshed.
    home = driver.sim.wait_for("views.publish")[-1]
    assert "Pottery" in json.dumps(home.params["view"])


def test_clearing_the_date_ends_a_dated_pause(driver: Harness) -> None:
    driver.command(ANA, "teach Spanish")
    driver.command(ANA, "pause 2 weeks")
    view = open_modal(driver, ANA)
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks["pause_until"]["element"]["initial_date"] == "2026-12-21"
    spanish = skill_id(driver, "spanish")
    submit(driver, ANA, state(teach1=[option(f"s:{spanish}", "Spanish")]))
    member = member_row(driver, ANA)
    assert member is not None
    assert (member.status, member.paused_until) == (MemberStatus.ACTIVE, None)


def test_first_save_creates_the_member_from_slack(driver: Harness) -> None:
    open_modal(driver, BEN)
    submit(driver, BEN, state(learn_new="Spansh"))
    member = member_row(driver, BEN)
    assert member is not None and member.display_name == "ben"
    assert skills(driver, BEN) == {("learn", "Spansh", 1)}


def test_a_typed_near_miss_is_saved_and_a_fix_offered(driver: Harness) -> None:
    driver.command(ANA, "teach Spanish")
    open_modal(driver, BEN)
    submit(driver, BEN, state(learn_new="Spansh"))
    confirmation = driver.sim.wait_for_response(
        predicate=lambda r: "profile is saved" in r.get("text", "")
    )[-1]
    assert "Did you mean *Spanish*" in payload_json(confirmation)
    driver.click(BEN, buttons(confirmation)["member_switch_skill"]).reply()
    assert skills(driver, BEN) == {("learn", "Spanish", 1)}


# ----------------------------------------------------------------------------- validation


def _errors(reply: Any) -> dict[str, str]:
    assert reply.json is not None, reply.body
    assert reply.json["response_action"] == "errors"
    errors: dict[str, str] = reply.json["errors"]
    return errors


@pytest.mark.parametrize(
    ("values", "block", "words"),
    [
        (state(), "teach_new", "at least one skill"),
        (state(teach_new=", ,  ,"), "teach_new", "at least one skill"),
        (state(teach_new="x" * 61), "teach_new", "61 characters"),
        (state(learn_new="y" * 5000), "learn_new", "characters long"),
        (state(teach_new=", ".join(f"skill {i}" for i in range(21))), "teach_new", "up to 20"),
        (state(learn_new="🎸🎸"), "learn_new", "no letters or digits"),
        (state(learn_new="Spanish", pause="2026-12-01"), "pause_until", "after today"),
        (state(learn_new="Spanish", pause="2026-12-07"), "pause_until", "after today"),
        (state(learn_new="Spanish", pause="2028-06-01"), "pause_until", "up to a year"),
        (state(learn_new="Spanish", team="t" * 81), "team", "80 characters"),
        (state(learn=[option("n:" + "z" * 61, "Add")]), "learn", "characters long"),
    ],
)
def test_invalid_submissions_get_inline_errors_and_store_nothing(
    driver: Harness, values: dict[str, Any], block: str, words: str
) -> None:
    driver.command(ANA, "teach SQL")
    open_modal(driver, ANA)
    before = stored(driver)

    errors = _errors(submit(driver, ANA, values))

    assert block in errors and words in errors[block]
    driver.drain()
    assert stored(driver) == before


def test_more_than_twenty_across_the_level_menus_is_refused(driver: Harness) -> None:
    driver.command(ANA, "teach " + ", ".join(f"topic {i}" for i in range(20)))
    driver.command(BEN, "teach topic 20, topic 21")
    open_modal(driver, ANA)
    ids = [skill_id(driver, f"topic {i}") for i in range(22)]
    picked = [option(f"s:{i}", "t") for i in ids]
    errors = _errors(submit(driver, ANA, state(teach1=picked[:11], teach3=picked[11:])))
    assert "up to 20" in errors["teach_1"]


def test_a_skill_in_two_level_menus_keeps_the_higher_level(driver: Harness) -> None:
    driver.command(ANA, "teach SQL")
    open_modal(driver, ANA)
    sql = skill_id(driver, "sql")
    submit(
        driver,
        ANA,
        state(teach1=[option(f"s:{sql}", "SQL")], teach2=[option(f"s:{sql}", "SQL")]),
    )
    assert skills(driver, ANA) == {("teach", "SQL", 2)}


def test_a_forged_option_from_another_workspace_is_not_linked(driver: Harness) -> None:
    driver.command(ANA, "teach SQL")
    open_modal(driver, BEN)
    # "s:99999" is not a skill of this workspace: the option's text is used as a new name.
    submit(driver, BEN, state(learn=[option("s:99999", "Welsh")]))
    assert skills(driver, BEN) == {("learn", "Welsh", 1)}


def test_a_near_miss_saved_from_the_home_is_confirmed_by_dm_through_the_outbox(
    driver: Harness,
) -> None:
    driver.command(ANA, "teach Spanish")
    home = {"id": "VHOME0009", "type": "home", "team_id": driver.team_id}
    driver.click(BEN, {"action_id": "profile_open", "value": "open"}, view=home)
    driver.sim.wait_for("views.open")
    submit(driver, BEN, state(learn_new="Spansh"))
    dm = driver.sim.dm_channel_id(driver.team_id, BEN)
    [posted] = [c for c in driver.sim.calls_to("chat.postMessage") if c.params["channel"] == dm]
    assert "Did you mean *Spanish*" in payload_json(posted.params)
    assert "member_switch_skill" in buttons(posted.params)
    with driver.deps.unit_of_work() as s:
        rows = s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "notice")).all()
        assert [(r.state, r.slack_ts) for r in rows] == [(OutboxState.SENT, posted.response["ts"])]


# ----------------------------------------------------------------------------- working hours


def week(days: list[int], start: str | None, end: str | None) -> dict[str, Any]:
    """The working-week blocks of ``view.state.values``, as Slack sends them."""
    names = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    return {
        "work_days": {
            "value": {
                "type": "checkboxes",
                "selected_options": [option(str(d), names[d]) for d in days],
            }
        },
        "work_start": {"value": {"type": "timepicker", "selected_time": start}},
        "work_end": {"value": {"type": "timepicker", "selected_time": end}},
    }


def test_working_hours_default_to_weekdays_nine_to_five_and_are_saved(driver: Harness) -> None:
    driver.command(ANA, "teach SQL")
    view = open_modal(driver, ANA)
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    ticked = blocks["work_days"]["element"]["initial_options"]
    assert [o["value"] for o in ticked] == ["0", "1", "2", "3", "4"]
    assert blocks["work_start"]["element"]["initial_time"] == "09:00"
    assert blocks["work_end"]["element"]["initial_time"] == "17:00"
    assert "*Working hours:* Mon-Fri 09:00-17:00" in payload_json(driver.command(ANA, "me"))

    submit(driver, ANA, {**state(teach_new="SQL"), **week([0, 2, 3], "08:00", "12:30")})

    member = member_row(driver, ANA)
    assert member is not None
    assert (member.work_days, member.work_start, member.work_end) == (0b1101, 480, 750)
    assert "*Working hours:* Mon, Wed, Thu 08:00-12:30" in payload_json(driver.command(ANA, "me"))
    view = open_modal(driver, ANA)  # the form shows what was saved
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert [o["value"] for o in blocks["work_days"]["element"]["initial_options"]] == [
        "0",
        "2",
        "3",
    ]
    assert blocks["work_end"]["element"]["initial_time"] == "12:30"


def test_a_form_without_the_working_hours_keeps_them(driver: Harness) -> None:
    driver.command(ANA, "teach SQL")
    open_modal(driver, ANA)
    submit(driver, ANA, {**state(teach_new="SQL"), **week([5, 6], "10:00", "14:00")})
    submit(driver, ANA, state(teach_new="SQL, Go"))  # a modal opened before the fields existed
    member = member_row(driver, ANA)
    assert member is not None
    assert (member.work_days, member.work_start, member.work_end) == (0b1100000, 600, 840)


@pytest.mark.parametrize(
    ("days", "start", "end", "block", "words"),
    [
        ([], "09:00", "17:00", "work_days", "at least one day"),
        ([0, 1], "17:00", "09:00", "work_end", "before it starts"),
        ([0, 1], "09:00", "09:00", "work_end", "before it starts"),
        ([0, 1], None, "17:00", "work_start", "starts"),
        ([0, 1], "09:00", "25:99", "work_end", "ends"),
        ([0, 1], "9am", "17:00", "work_start", "starts"),
    ],
)
def test_bad_working_hours_get_inline_errors_and_store_nothing(
    driver: Harness, days: list[int], start: str | None, end: str | None, block: str, words: str
) -> None:
    driver.command(ANA, "teach SQL")
    open_modal(driver, ANA)
    before = stored(driver)

    errors = _errors(submit(driver, ANA, {**state(teach_new="Go"), **week(days, start, end)}))

    assert block in errors and words in errors[block]
    driver.drain()
    assert stored(driver) == before


def test_forged_day_values_are_ignored(driver: Harness) -> None:
    driver.command(ANA, "teach SQL")
    open_modal(driver, ANA)
    values = {**state(teach_new="SQL"), **week([1], "09:00", "17:00")}
    values["work_days"]["value"]["selected_options"] += [option("9", "x"), option("-1", "y")]
    submit(driver, ANA, values)
    member = member_row(driver, ANA)
    assert member is not None and member.work_days == 0b10

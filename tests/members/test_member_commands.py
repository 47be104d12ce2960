"""``/skillswap teach|learn|drop|me|who|pause|resume`` through signed requests to the app."""

from __future__ import annotations

from datetime import date

from bot.store.models import MemberStatus
from tests.members.members_kit import (
    ANA,
    BEN,
    CAL,
    DEV,
    catalog,
    make_round,
    member_row,
    skills,
    stored,
)
from tests.support import Harness, buttons, payload_json


def test_teach_creates_the_member_from_slack_and_shows_profile(driver: Harness) -> None:
    reply = driver.command(ANA, "teach Spanish, SQL")

    body = payload_json(reply)
    assert reply["response_type"] == "ephemeral"
    assert "Welcome to SkillSwap" in body
    assert "*Spanish*" in body and "*SQL*" in body
    member = member_row(driver, ANA)
    assert member is not None
    assert (member.display_name, member.tz) == ("ana", "Europe/Madrid")
    assert skills(driver, ANA) == {("teach", "Spanish", 1), ("teach", "SQL", 1)}
    [info] = driver.sim.calls_to("users.info")
    assert info.params["user"] == ANA
    # The reply offers the profile form.
    assert "profile_open" in buttons(reply)


def test_second_command_does_not_ask_slack_again(driver: Harness) -> None:
    driver.command(ANA, "teach Spanish")
    driver.command(ANA, "learn guitar")
    driver.drain()
    assert len(driver.sim.calls_to("users.info")) == 1
    assert skills(driver, ANA) == {("teach", "Spanish", 1), ("learn", "guitar", 1)}


def test_teach_reply_names_who_wants_it_and_who_else_teaches_it(driver: Harness) -> None:
    driver.command(BEN, "learn spanish")
    driver.command(CAL, "teach Español")  # an alias of the same skill

    reply = driver.command(ANA, "teach Spanish (expert)")

    body = payload_json(reply)
    assert f"<@{BEN}> want to learn it" in body
    assert f"<@{CAL}> also teach it" in body
    assert skills(driver, ANA) == {("teach", "Spanish", 3)}
    # One skill in the catalog, three spellings as typed.
    assert catalog(driver) == {"spanish": "Spanish"}
    assert skills(driver, CAL) == {("teach", "Español", 1)}


def test_teach_reply_names_the_best_teachers_first_and_counts_the_rest(driver: Harness) -> None:
    """Twelve colleagues teach Spanish and two want to learn it: the reply mentions the ten
    best teachers (experts, then the earliest) and says how many more there are."""
    levels = ["", "(expert)", "", "(intermediate)", "", "", "(expert)", "", "", "", "", ""]
    teachers = [f"U0TEACH{i:03d}" for i in range(len(levels))]
    learners = ["U0LEARN001", "U0LEARN002"]
    for user in teachers + learners:
        driver.sim.add_user(driver.team_id, user, name=user.lower())
    for user, level in zip(teachers, levels, strict=True):
        driver.command(user, f"teach Spanish {level}".strip())
    for user in learners:
        driver.command(user, "learn Spanish")

    body = payload_json(driver.command(ANA, "teach Spanish"))

    experts, intermediate = [teachers[1], teachers[6]], [teachers[3]]
    beginners = [u for u in teachers if u not in experts + intermediate]
    best_ten = experts + intermediate + beginners[:7]
    named = ", ".join(f"<@{u}>" for u in best_ten)
    assert f"{named} and 2 more also teach it" in body
    assert f"<@{learners[0]}> and <@{learners[1]}> want to learn it" in body
    assert f"<@{ANA}>" not in body  # never listed to themselves


def test_javascript_spellings_reach_one_skill(driver: Harness) -> None:
    driver.command(ANA, "teach JS")
    driver.command(BEN, "learn Java Script")
    reply = driver.command(CAL, "learn javascript")

    assert f"<@{ANA}> can teach it" in payload_json(reply)
    assert catalog(driver) == {"javascript": "JavaScript"}
    assert skills(driver, BEN) == {("learn", "Java Script", 1)}


def test_teaching_the_same_skill_twice_is_a_no_op_but_can_change_level(driver: Harness) -> None:
    driver.command(ANA, "teach SQL")
    again = driver.command(ANA, "teach sql")
    assert "already list" in payload_json(again)
    driver.command(ANA, "teach SQL (intermediate)")
    assert skills(driver, ANA) == {("teach", "SQL", 2)}


def test_near_miss_suggests_the_existing_skill_and_one_click_switches(driver: Harness) -> None:
    driver.command(BEN, "learn Spanish")
    reply = driver.command(ANA, "teach Spansh")

    assert "Did you mean *Spanish*" in payload_json(reply)
    switch = buttons(reply)["member_switch_skill"]
    after = driver.click(ANA, switch).reply()

    assert after["replace_original"] is True
    assert skills(driver, ANA) == {("teach", "Spanish", 1)}
    assert "spansh" not in catalog(driver)  # nobody lists the misspelling any more
    # A second click (double click) changes nothing.
    driver.click(ANA, switch).reply()
    assert skills(driver, ANA) == {("teach", "Spanish", 1)}


def test_drop_removes_the_skill_from_both_sides(driver: Harness) -> None:
    driver.command(ANA, "teach Python, guitar")
    driver.command(ANA, "learn python")

    reply = driver.command(ANA, "drop Python")

    assert "Removed *Python*" in payload_json(reply)
    assert skills(driver, ANA) == {("teach", "guitar", 1)}
    assert "python" not in catalog(driver)


def test_drop_of_a_skill_you_do_not_list_suggests_yours(driver: Harness) -> None:
    driver.command(ANA, "teach Spanish")
    reply = driver.command(ANA, "drop Spansh")
    body = payload_json(reply)
    assert "You don't list" in body and "/skillswap drop Spanish" in body
    assert skills(driver, ANA) == {("teach", "Spanish", 1)}


def test_who_lists_teachers_with_levels_and_learners(driver: Harness) -> None:
    driver.command(ANA, "teach Spanish (expert)")
    driver.command(CAL, "teach spanish")
    driver.command(BEN, "learn Castellano")

    body = payload_json(driver.command(DEV, "who spanish"))

    assert f"<@{ANA}> (expert)" in body
    assert f"<@{CAL}> (beginner-friendly)" in body
    assert f"*Want to learn it:* <@{BEN}>" in body
    assert member_row(driver, DEV) is None  # looking is not joining


def test_who_for_a_near_miss_and_an_unknown_skill(driver: Harness) -> None:
    driver.command(ANA, "teach Photography")
    near = payload_json(driver.command(BEN, "who photografy"))
    assert "Did you mean *Photography*" in near
    unknown = payload_json(driver.command(BEN, "who Klingon"))
    assert "Nobody lists *Klingon* yet" in unknown
    assert "/skillswap teach Klingon" in unknown


def test_who_without_a_skill_lists_the_most_listed(driver: Harness) -> None:
    driver.command(ANA, "teach SQL, Spanish")
    driver.command(BEN, "learn SQL")
    body = payload_json(driver.command(CAL, "who"))
    assert "*SQL*: 1 can teach, 1 want to learn" in body


def test_me_for_a_newcomer_invites_them(driver: Harness) -> None:
    body = payload_json(driver.command(ANA, "me"))
    assert "not in SkillSwap yet" in body
    assert member_row(driver, ANA) is None


def test_me_shows_profile_next_round_and_current_partner(driver: Harness) -> None:
    driver.command(ANA, "teach Spanish")
    driver.command(ANA, "learn SQL")
    driver.command(BEN, "teach SQL")
    driver.command(BEN, "learn Spanish")
    make_round(
        driver,
        [([ANA, BEN], [(ANA, BEN, "Spanish"), (BEN, ANA, "SQL")])],
        round_date=date(2026, 11, 30),
        period="2026-W49",
    )

    body = payload_json(driver.command(ANA, "me"))

    assert "*You can teach:* Spanish (beginner-friendly)" in body
    assert f"your swap with <@{BEN}>" in body
    assert f"you teach <@{BEN}> *Spanish*" in body
    assert f"<@{BEN}> teaches you *SQL*" in body
    assert "book 30 minutes" in body
    # Next round: Monday 14 December 2026 09:00 UTC (the default rhythm, the clock is
    # Monday 7 December 08:00 but the last round was 30 November, so weekly -> 7 Dec 09:00).
    assert "<!date^1796634000^" in body


# ----------------------------------------------------------------------------- pause / resume


def test_pause_without_a_length_lasts_until_resume(driver: Harness) -> None:
    driver.command(ANA, "teach Spanish")
    body = payload_json(driver.command(ANA, "pause"))
    assert "until you come back with `/skillswap resume`" in body
    member = member_row(driver, ANA)
    assert member is not None
    assert (member.status, member.paused_until) == (MemberStatus.PAUSED, None)
    assert "paused until you resume" in payload_json(driver.command(ANA, "me"))

    back = payload_json(driver.command(ANA, "resume"))
    assert "Welcome back" in back
    member = member_row(driver, ANA)
    assert member is not None
    assert (member.status, member.paused_until) == (MemberStatus.ACTIVE, None)


def test_pause_for_weeks_counts_from_the_members_today(driver: Harness) -> None:
    driver.command(ANA, "teach Spanish")
    body = payload_json(driver.command(ANA, "pause 2 weeks"))
    member = member_row(driver, ANA)
    assert member is not None
    # The clock says Monday 7 December 2026; two weeks later is Monday 21 December.
    assert member.paused_until == date(2026, 12, 21)
    assert "Mon 21 Dec 2026" in body


def test_pause_until_a_date_in_words_or_iso(driver: Harness) -> None:
    driver.command(ANA, "teach Spanish")
    driver.command(ANA, "pause until 15 Jan")
    member = member_row(driver, ANA)
    assert member is not None and member.paused_until == date(2027, 1, 15)
    driver.command(ANA, "pause until 2027-02-01")
    member = member_row(driver, ANA)
    assert member is not None and member.paused_until == date(2027, 2, 1)


def test_pause_rejects_past_dates_and_nonsense_without_changing_anything(driver: Harness) -> None:
    driver.command(ANA, "teach Spanish")
    before = stored(driver)
    past = payload_json(driver.command(ANA, "pause until 2026-12-01"))
    assert "not in the future" in past and "/skillswap pause until 2026-12-21" in past
    nonsense = payload_json(driver.command(ANA, "pause banana"))
    assert "couldn't read" in nonsense and "/skillswap pause 2 weeks" in nonsense
    too_long = payload_json(driver.command(ANA, "pause 500 weeks"))
    assert "up to a year" in too_long
    impossible = payload_json(driver.command(ANA, "pause until 2027-02-30"))
    assert "couldn't read" in impossible
    driver.drain()
    assert stored(driver) == before


def test_pause_and_resume_before_joining_say_how_to_join(driver: Harness) -> None:
    assert "not in SkillSwap yet" in payload_json(driver.command(ANA, "pause"))
    assert "not in SkillSwap yet" in payload_json(driver.command(ANA, "resume"))
    assert member_row(driver, ANA) is None


def test_help_is_four_lines_with_two_buttons_and_no_admin_commands(driver: Harness) -> None:
    reply = driver.command(ANA, "help")
    section, actions = reply["blocks"]
    lines = section["text"]["text"].split("\n")
    assert len(lines) == 4
    assert "`/skillswap teach <skill>` and `/skillswap learn <skill>`" in lines[1]
    order = ["`profile`", "`me`", "`who`", "`drop`", "`pause`", "`resume`", "`leave`"]
    positions = [lines[2].index(item) for item in order]
    assert positions == sorted(positions)
    assert "`admin`" not in section["text"]["text"] and "report" not in section["text"]["text"]
    labels = [e["text"]["text"] for e in actions["elements"]]
    assert labels == ["Set up my profile", "Open Home"]
    assert actions["elements"][1]["url"].startswith("slack://app?team=")
    assert member_row(driver, ANA) is None


def test_help_about_one_command_and_not_about_admin_ones(driver: Harness) -> None:
    assert "`/skillswap who <skill>`: who can teach a skill" in payload_json(
        driver.command(ANA, "help who")
    )
    assert "I don't know `report`" in payload_json(driver.command(ANA, "help report"))


def test_the_level_tip_only_when_no_level_was_given(driver: Harness) -> None:
    assert "Tip: add a level" in payload_json(driver.command(ANA, "teach Spanish"))
    assert "Tip: add a level" not in payload_json(driver.command(ANA, "teach SQL (expert)"))


def test_me_says_in_plain_words_where_you_stand_and_what_happens_next(driver: Harness) -> None:
    driver.command(ANA, "teach Spanish")
    body = payload_json(driver.command(ANA, "me"))
    assert "You're taking part in every round." in body
    assert "Status:" not in body and "Rhythm:" not in body
    assert "No partner right now: you're in for the next round, <!date^" in body


def test_unknown_subcommand_suggests_the_closest_member_command(driver: Harness) -> None:
    body = payload_json(driver.command(ANA, "lern guitar"))
    assert "Did you mean `/skillswap learn <skill>" in body
    assert member_row(driver, ANA) is None

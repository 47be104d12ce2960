"""Whatever people type, they get a clear answer and nothing stored is damaged or lost."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.store.models import Member, MemberSkill
from tests.members.members_kit import ANA, BEN, member_row, skills, stored
from tests.support import Harness, payload_json


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("teach", "Which skill?"),
        ("teach   ,  , \u060c ,", "Which skill?"),
        ("learn " + "a" * 5000, "5000 characters long"),
        ("teach " + "a, " * 1700, "you can list up to 20"),
        ("teach 🎸🔥", "no letters or digits"),
        ("teach " + "\ufdfa" * 5, "too long once spelled out"),
        ("teach C" + "+" * 40, "too long once spelled out"),
        ("teach \u202e\u200b", "Which skill?"),
        ("drop Klingon", "You don't list"),
        ("drop", "Which skill?"),
        ("drop '; DROP TABLE members; --", "You don't list"),
        ("who " + "w" * 5000, "characters long"),
        ("who %", "no letters or digits"),
        ("pause " + "9" * 5000, "couldn't read"),
        ("pause -3 weeks", "couldn't read"),
        ("pause 0 weeks", "at least one day"),
        ("resume now please", "takes nothing after it"),
        ("tech Spanish", "Did you mean `/skillswap teach"),
        ("🙂", "Try `/skillswap help`"),
        ("x" * 5000, "Try `/skillswap help`"),
    ],
)
def test_bad_input_gets_a_clear_reply_and_changes_nothing(
    driver: Harness, text: str, words: str
) -> None:
    driver.command(ANA, "teach Spanish, SQL")
    driver.command(ANA, "learn guitar")
    before = stored(driver)

    reply = driver.command(ANA, text)

    body = payload_json(reply)
    assert words in body
    assert "Something went wrong" not in body
    assert reply["response_type"] == "ephemeral"
    driver.drain()
    assert stored(driver) == before


def test_twenty_one_skills_on_one_side_are_refused_whole(driver: Harness) -> None:
    driver.command(ANA, "teach " + ", ".join(f"topic {i}" for i in range(18)))
    before = stored(driver)
    body = payload_json(driver.command(ANA, "teach alpha, beta, gamma"))
    assert "you have 18, so 2 more fit" in body
    driver.drain()
    assert stored(driver) == before
    driver.command(ANA, "teach alpha, beta")
    assert len(skills(driver, ANA)) == 20


@pytest.mark.parametrize(
    "label",
    [
        "Robert'); DROP TABLE members;--",
        "עברית",
        "اللغة العربية",
        "日本語の書道",
        "🎸 guitar",
        "C++",
        "C#",
        "R&D",
    ],
)
def test_unusual_but_real_names_are_stored_exactly_as_typed(driver: Harness, label: str) -> None:
    driver.command(BEN, "learn chess")
    reply = driver.command(ANA, f"teach {label.replace('&', '&amp;')}")  # Slack escapes &<>

    assert skills(driver, ANA) == {("teach", label, 1)}
    shown = label.replace("&", "&amp;")
    assert f"*{shown}*" in payload_json(reply)
    with driver.deps.unit_of_work() as s:  # nothing else was touched
        assert len(s.scalars(select(Member)).all()) == 2
        assert len(s.scalars(select(MemberSkill)).all()) == 2


def test_broadcast_and_mention_markup_is_shown_not_triggered(driver: Harness) -> None:
    reply = driver.command(ANA, "teach &lt;!channel&gt; juggling, &lt;@U0BEN0002&gt;")
    body = payload_json(reply)
    assert "<!channel>" not in body and "&lt;!channel&gt; juggling" in body
    assert "&lt;@U0BEN0002&gt;" in body
    assert skills(driver, ANA) == {
        ("teach", "<!channel> juggling", 1),
        ("teach", "<@U0BEN0002>", 1),
    }


def test_invisible_direction_overrides_are_removed(driver: Harness) -> None:
    driver.command(ANA, "teach \u202eSpanish\u202c, \u200bSQL")
    assert skills(driver, ANA) == {("teach", "Spanish", 1), ("teach", "SQL", 1)}


def test_commas_in_other_scripts_separate_skills(driver: Harness) -> None:
    driver.command(ANA, "learn 書道\u3001囲碁\uff0cالعربية\u060c فارسی")  # noqa: RUF001
    assert {label for _d, label, _l in skills(driver, ANA)} == {"書道", "囲碁", "العربية", "فارسی"}


def test_bots_and_slackbot_cannot_join(driver: Harness) -> None:
    driver.sim.add_user(driver.team_id, "U0BOT0009", name="ci-bot", is_bot=True)
    bot = payload_json(driver.command("U0BOT0009", "teach deploys"))
    slackbot = payload_json(driver.command("USLACKBOT", "learn manners"))
    assert "bots, apps and deactivated accounts can't join" in bot
    assert "bots, apps and deactivated accounts can't join" in slackbot
    assert member_row(driver, "U0BOT0009") is None and member_row(driver, "USLACKBOT") is None


def test_slack_being_down_does_not_stop_someone_joining(driver: Harness) -> None:
    driver.sim.fail_next("users.info", error="internal_error")
    driver.command(ANA, "teach Spanish")
    member = member_row(driver, ANA)
    assert member is not None and member.tz is None  # filled in by the next user_change

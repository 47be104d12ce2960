"""Whatever people type, they get a clear answer and nothing stored is damaged or lost."""

from __future__ import annotations

import pytest
from members_kit import ANA, BEN, Driver, text_of
from sqlalchemy import select

from bot.store.models import Member, MemberSkill


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
    driver: Driver, text: str, words: str
) -> None:
    driver.command(ANA, "teach Spanish, SQL")
    driver.command(ANA, "learn guitar")
    before = driver.snapshot()

    reply = driver.command(ANA, text)

    body = text_of(reply)
    assert words in body
    assert "Something went wrong" not in body
    assert reply["response_type"] == "ephemeral"
    assert driver.snapshot() == before


def test_twenty_one_skills_on_one_side_are_refused_whole(driver: Driver) -> None:
    driver.command(ANA, "teach " + ", ".join(f"topic {i}" for i in range(18)))
    before = driver.snapshot()
    body = text_of(driver.command(ANA, "teach alpha, beta, gamma"))
    assert "you have 18, so 2 more fit" in body
    assert driver.snapshot() == before
    driver.command(ANA, "teach alpha, beta")
    assert len(driver.skills(ANA)) == 20


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
def test_unusual_but_real_names_are_stored_exactly_as_typed(driver: Driver, label: str) -> None:
    driver.command(BEN, "learn chess")
    reply = driver.command(ANA, f"teach {label.replace('&', '&amp;')}")  # Slack escapes &<>

    assert driver.skills(ANA) == {("teach", label, 1)}
    shown = label.replace("&", "&amp;")
    assert f"*{shown}*" in text_of(reply)
    with driver.session() as s:  # nothing else was touched
        assert len(s.scalars(select(Member)).all()) == 2
        assert len(s.scalars(select(MemberSkill)).all()) == 2


def test_broadcast_and_mention_markup_is_shown_not_triggered(driver: Driver) -> None:
    reply = driver.command(ANA, "teach &lt;!channel&gt; juggling, &lt;@U0BEN0002&gt;")
    body = text_of(reply)
    assert "<!channel>" not in body and "&lt;!channel&gt; juggling" in body
    assert "&lt;@U0BEN0002&gt;" in body
    assert driver.skills(ANA) == {("teach", "<!channel> juggling", 1), ("teach", "<@U0BEN0002>", 1)}


def test_invisible_direction_overrides_are_removed(driver: Driver) -> None:
    driver.command(ANA, "teach \u202eSpanish\u202c, \u200bSQL")
    assert driver.skills(ANA) == {("teach", "Spanish", 1), ("teach", "SQL", 1)}


def test_commas_in_other_scripts_separate_skills(driver: Driver) -> None:
    driver.command(ANA, "learn 書道\u3001囲碁\uff0cالعربية\u060c فارسی")  # noqa: RUF001
    assert {label for _d, label, _l in driver.skills(ANA)} == {"書道", "囲碁", "العربية", "فارسی"}


def test_bots_and_slackbot_cannot_join(driver: Driver) -> None:
    driver.h.sim.add_user(driver.h.team_id, "U0BOT0009", name="ci-bot", is_bot=True)
    bot = text_of(driver.command("U0BOT0009", "teach deploys"))
    slackbot = text_of(driver.command("USLACKBOT", "learn manners"))
    assert "bots, apps and deactivated accounts can't join" in bot
    assert "bots, apps and deactivated accounts can't join" in slackbot
    assert driver.member("U0BOT0009") is None and driver.member("USLACKBOT") is None


def test_slack_being_down_does_not_stop_someone_joining(driver: Driver) -> None:
    driver.h.sim.fail_next("users.info", error="internal_error")
    driver.command(ANA, "teach Spanish")
    member = driver.member(ANA)
    assert member is not None and member.tz is None  # filled in by the next user_change

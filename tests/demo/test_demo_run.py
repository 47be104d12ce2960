"""``skillswap demo`` end to end, in process: the output must make sense."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.console import Console

from bot.demo import company
from bot.demo.run import DemoResult, first_monday, run_demo
from bot.demo.stage import find_button, form_values, initial_state

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[DemoResult, str, Path]:
    out = tmp_path_factory.mktemp("demo") / "skillswap-demo-out"
    buffer = io.StringIO()
    console = Console(file=buffer, width=120, color_system=None)
    result = run_demo(console, output=out, start=datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
    return result, buffer.getvalue(), out


def test_every_learner_got_a_partner_or_a_reason(demo: tuple[DemoResult, str, Path]) -> None:
    result, text, _out = demo
    learners = {p.user_id for p in company.colleagues() if p.learn}
    assert result.learners == learners
    for user_id in learners:
        assert user_id in result.partnered or result.reasons.get(user_id), user_id
    for user_id, reason in result.reasons.items():
        assert "no skill swap for you" in reason
        assert user_id not in result.partnered
        assert company.names_by_id()[user_id] in text  # the reason is shown with their name
    told = len([u for u in learners if u not in result.partnered])
    assert (
        f"Everyone who asked to learn something ({len(learners)}) got a partner "
        f"({len(learners) - told}) or a reason ({told})." in " ".join(text.split())
    )


def test_the_numbers_add_up(demo: tuple[DemoResult, str, Path]) -> None:
    result, text, _out = demo
    people = company.colleagues()
    assert result.members == len(people) == 40
    assert result.teams == 6
    assert result.eligible == len(people)  # everyone listed a skill and is due
    assert sum(result.group_sizes) + result.unmatched == result.eligible
    assert all(size in (2, 3) for size in result.group_sizes)
    assert len(result.reasons) == result.unmatched
    assert result.intros_delivered == len(result.group_sizes) > 10
    for user_id, partners in result.partnered.items():  # partners are mutual
        for other in partners:
            assert user_id in result.partnered[other]
    assert result.checkins_delivered == result.intros_delivered - result.skipped
    assert 0 < result.met <= result.checkins_delivered
    assert result.feedback == result.met
    flat = " ".join(text.split())
    assert f"pairs {result.eligible} people into {len(result.group_sizes)} groups" in flat
    between = r"[\s│]+"  # spaces, new lines and the panel's border
    groups = len(result.group_sizes)
    assert re.search(rf"1{between}\({groups}{between}groups{between}formed\)", text)
    assert re.search(rf"\({result.met}{between}of{between}{groups}{between}groups\)", text)


def test_the_pairs_see_their_introductions(demo: tuple[DemoResult, str, Path]) -> None:
    _result, text, _out = demo
    assert "Group DM · Ana García, " in text
    assert "you're this week's skill swap!" in text
    assert "[We've scheduled it] [Pick a time] [Skip this round] [Not a fit]" in text
    assert "[We met] [Scheduled] [Not yet] [Couldn't make it]" in text
    assert "modal · How did it go?" in text
    assert "<@U0DEMO" not in text  # every mention became a name
    assert "Team or department  “Design”" in text


def test_leaders_get_the_summary_and_the_pictures(demo: tuple[DemoResult, str, Path]) -> None:
    result, text, out = demo
    assert "SkillSwap in numbers" in text
    assert "SkillSwap report: Brightwater Labs" in text
    assert result.network_png == out / "skillswap-connections.png"
    assert result.network_png.read_bytes().startswith(PNG_MAGIC)
    assert result.rounds_png is not None and result.rounds_png.read_bytes().startswith(PNG_MAGIC)
    assert result.report_html is not None
    assert result.report_html.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype")
    assert f"Network picture: {result.network_png.resolve()}" in text
    assert result.seconds < 60


def test_first_monday_is_the_coming_monday() -> None:
    assert first_monday(datetime(2026, 11, 28).date()) == datetime(2026, 11, 30, 9, tzinfo=UTC)
    assert first_monday(datetime(2026, 11, 30).date()) == datetime(2026, 11, 30, 9, tzinfo=UTC)


def test_form_values_start_from_what_the_modal_shows() -> None:
    view = {
        "blocks": [
            {
                "type": "input",
                "block_id": "cadence",
                "element": {
                    "type": "static_select",
                    "action_id": "value",
                    "initial_option": {"value": "every_round"},
                },
            },
            {
                "type": "input",
                "block_id": "team",
                "element": {"type": "plain_text_input", "action_id": "value"},
            },
            {"type": "section", "text": {"type": "mrkdwn", "text": "not an input"}},
        ]
    }
    assert initial_state(view) == {
        "cadence": {
            "value": {"type": "static_select", "selected_option": {"value": "every_round"}}
        },
        "team": {"value": {"type": "plain_text_input", "value": None}},
    }
    changed = form_values(view, {"team": {"value": {"type": "plain_text_input", "value": "Data"}}})
    assert changed["team"]["value"]["value"] == "Data"
    assert changed["cadence"] == initial_state(view)["cadence"]


def test_find_button() -> None:
    message = {
        "blocks": [
            {
                "type": "actions",
                "block_id": "intro_actions",
                "elements": [{"type": "button", "action_id": "go", "value": '{"g":1}'}],
            }
        ]
    }
    assert find_button(message, "go") == ("intro_actions", '{"g":1}')
    assert find_button(message, "stop") is None

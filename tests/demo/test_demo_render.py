"""Block Kit and mrkdwn made readable in a terminal (bot/demo/render.py)."""

from __future__ import annotations

from datetime import date

from bot.blocks.checkins import CheckinView, checkin_blocks
from bot.blocks.rounds import IntroView, LessonLine, Person, dump, intro_blocks
from bot.demo import render
from bot.store.models import Cadence, GroupKind

NAMES = render.name_lookup({"U_ANA": "Ana García", "U_BEN": "Ben Carter"})


def test_mrkdwn_mentions_bold_emoji_links_and_escapes() -> None:
    text = render.mrkdwn(
        ":wave: <@U_ANA> and <@U_NOBODY>: *Spanish* _soon_ `code` <https://x.io|docs> &lt;3",
        NAMES,
    )
    assert text.plain == "👋 @Ana García and @U_NOBODY: Spanish soon code docs <3"
    bold = [span for span in text.spans if "bold" in str(span.style)]
    assert any(text.plain[s.start : s.end] == "Spanish" for s in bold)


def test_mrkdwn_leaves_snake_case_and_unknown_emoji_alone() -> None:
    assert render.mrkdwn("a_b_c :not_an_emoji:", NAMES).plain == "a_b_c :not_an_emoji:"


def test_intro_reads_like_the_product_example() -> None:
    ana = Person("U_ANA", "Ana García", "Europe/Madrid", "Design")
    ben = Person("U_BEN", "Ben Carter", "Europe/London", "Data")
    view = IntroView(
        group_id=7,
        kind=GroupKind.SWAP,
        people=(ana, ben),
        lessons=(
            LessonLine(ana, ben, "Spanish", "conversational"),
            LessonLine(ben, ana, "SQL", "intermediate"),
        ),
        cadence=Cadence.WEEKLY,
        round_date=date(2026, 12, 7),
        new_connection=True,
        cross_team=True,
    )
    shown = render.plain({"blocks": dump(intro_blocks(view))}, NAMES).splitlines()
    assert shown[0] == "👋 @Ana García and @Ben Carter, you're this week's skill swap!"
    assert "• Ana García can teach Spanish (conversational) — Ben Carter wants to learn it" in shown
    assert "(Mon 7 Dec, 10:00 Europe/Madrid time in your own time zone)" in shown[-2]
    assert shown[-1] == "[We've scheduled it] [Pick a time] [Skip this round] [Not a fit]"
    assert "<@" not in "\n".join(shown) and "*" not in "\n".join(shown)


def test_checkin_buttons_in_order() -> None:
    view = CheckinView(group_id=1, people=("U_ANA", "U_BEN"), skills=("Spanish", "SQL"))
    shown = render.plain({"blocks": dump(checkin_blocks(view))}, NAMES)
    assert "did you meet for your skill swap (Spanish ↔ SQL)?" in shown
    assert shown.splitlines()[-1] == "[We met] [Scheduled] [Not yet] [Couldn't make it]"


def test_fields_context_divider_and_text_only_messages() -> None:
    message = {
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "In numbers"}},
            {
                "type": "section",
                "fields": [
                    {"type": "mrkdwn", "text": "*Pairs made*\n19"},
                    {"type": "mrkdwn", "text": "*Swaps completed*\n14"},
                ],
            },
            {"type": "divider"},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "by <@U_BEN>"}]},
        ]
    }
    lines = render.plain(message, NAMES).splitlines()
    assert lines[0] == "In numbers"
    assert lines[1].split() == ["Pairs", "made", "Swaps", "completed"]
    assert lines[2].split() == ["19", "14"]
    assert lines[-1] == "by @Ben Carter"
    assert render.plain({"text": "plain <@U_ANA>"}, NAMES) == "plain @Ana García"


def test_modal_inputs_show_entered_values_over_initial_ones() -> None:
    view = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Your SkillSwap"},
        "submit": {"type": "plain_text", "text": "Save"},
        "blocks": [
            {
                "type": "input",
                "block_id": "team",
                "label": {"type": "plain_text", "text": "Team"},
                "element": {"type": "plain_text_input", "action_id": "value"},
            },
            {
                "type": "input",
                "block_id": "teach",
                "label": {"type": "plain_text", "text": "I can teach"},
                "element": {
                    "type": "multi_external_select",
                    "action_id": "pick",
                    "initial_options": [
                        {"text": {"type": "plain_text", "text": "Spanish"}, "value": "s:1"}
                    ],
                },
            },
        ],
    }
    values = {"team": {"value": {"type": "plain_text_input", "value": "Design"}}}
    shown = render.to_text(render.view(view, NAMES, values))
    assert "Team  “Design”" in shown
    assert "I can teach  [Spanish ✕]" in shown
    assert "modal · Your SkillSwap" in shown and "[Save]" in shown

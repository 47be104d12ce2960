"""What people read: the intro, the "no partner" DM, the summary, the check-in (pure builders)."""

from __future__ import annotations

import json
from datetime import date

from bot.blocks.checkins import (
    CheckinAction,
    CheckinView,
    FeedbackMeta,
    checkin_blocks,
    checkin_text,
    feedback_modal,
)
from bot.blocks.meetings import MeetingAction
from bot.blocks.rounds import (
    GroupRef,
    IntroAction,
    IntroView,
    LessonLine,
    Person,
    SummaryView,
    UnmatchedView,
    WantedSkill,
    dump,
    intro_blocks,
    summary_text,
    times_line,
    unmatched_blocks,
)
from bot.store.models import Cadence, CheckinAnswer, GroupKind, GroupState

ANA = Person("U_ANA", "Ana", "Europe/Madrid", "Design")
BEN = Person("U_BEN", "Ben", "Europe/London", "Data")
CAL = Person("U_CAL", "Cal", "America/New_York", "Ops")
MONDAY = date(2026, 12, 7)


def swap(**changes: object) -> IntroView:
    view = IntroView(
        group_id=42,
        kind=GroupKind.SWAP,
        people=(ANA, BEN),
        lessons=(
            LessonLine(ANA, BEN, "Spanish", "conversational"),
            LessonLine(BEN, ANA, "SQL", "intermediate"),
        ),
        cadence=Cadence.WEEKLY,
        round_date=MONDAY,
        new_connection=True,
        cross_team=True,
    )
    return IntroView(**{**view.__dict__, **changes})  # type: ignore[arg-type]


def text(view: IntroView) -> str:
    return str(dump(intro_blocks(view))[0]["text"]["text"])  # type: ignore[index]


def test_the_intro_reads_like_the_product_example() -> None:
    assert text(swap()).split("\n") == [
        ":wave: <@U_ANA> and <@U_BEN>, you're this week's skill swap!",
        "• Ana can teach *Spanish* (conversational) — Ben wants to learn it",
        "• Ben can teach *SQL* (intermediate) — Ana wants to learn it",
        "You've never been paired before and work in different teams (Design, Data).",
        "First session idea: 30 minutes, 15 each way. Ana's 10:00 is Ben's 09:00 "
        "(<!date^1796634000^{date_short_pretty} at {time}|Mon 7 Dec, 10:00 Europe/Madrid time>"
        " in your own time zone).",
    ]


def test_intro_buttons_carry_the_group_and_follow_its_state() -> None:
    actions = dump(intro_blocks(swap()))[1]
    assert [e["action_id"] for e in actions["elements"]] == [  # type: ignore[index]
        IntroAction.SCHEDULED,
        MeetingAction.PICK,
        IntroAction.SKIP,
        IntroAction.NOT_A_FIT,
    ]
    assert {GroupRef.model_validate_json(e["value"]).group for e in actions["elements"]} == {42}  # type: ignore[index]
    scheduled = dump(intro_blocks(swap(state=GroupState.SCHEDULED, actor="U_BEN")))
    assert [e["action_id"] for e in scheduled[1]["elements"]] == [  # type: ignore[index]
        MeetingAction.PICK,
        IntroAction.SKIP,
        IntroAction.NOT_A_FIT,
    ]
    skipped = dump(intro_blocks(swap(state=GroupState.SKIPPED, actor="U_BEN")))
    assert [b["type"] for b in skipped] == ["section", "context"]


def test_a_circle_finds_a_time_inside_everyones_working_day() -> None:
    circle = swap(
        kind=GroupKind.CIRCLE,
        people=(ANA, BEN, CAL),
        lessons=(
            LessonLine(ANA, BEN, "Spanish", None),
            LessonLine(BEN, CAL, "SQL", None),
            LessonLine(CAL, ANA, "Guitar", None),
        ),
    )
    body = text(circle)
    assert "you're this week's skill circle!" in body
    assert "round the circle (Ana → Ben → Cal → Ana)" in body
    assert "Ana's 15:00 is Ben's 14:00 and Cal's 09:00 (<!date^" in body
    assert "None of you have been paired before" in body


def test_circle_arrows_follow_who_teaches_whom_not_member_order() -> None:
    # Ana teaches Cal, Cal teaches Ben, Ben teaches Ana: the circle runs Ana → Cal → Ben.
    circle = swap(
        kind=GroupKind.CIRCLE,
        people=(ANA, BEN, CAL),
        lessons=(
            LessonLine(ANA, CAL, "Spanish", None),
            LessonLine(CAL, BEN, "Guitar", None),
            LessonLine(BEN, ANA, "SQL", None),
        ),
    )
    assert "round the circle (Ana → Cal → Ben → Ana)" in text(circle)


def test_a_repeat_pair_across_teams_reads_as_two_sentences() -> None:
    body = text(swap(new_connection=False))
    assert (
        "You've been paired before: a chance to go further. "
        "You work in different teams (Design, Data)." in body
    )


def test_names_are_whole_display_names_and_rtl_names_are_isolated() -> None:
    fatima = Person("U_FZ", "Fatima Zahra", "Europe/Madrid", None)
    noor = Person("U_NO", "نور الهدى", "Asia/Riyadh", None)
    view = swap(
        people=(fatima, noor),
        lessons=(
            LessonLine(fatima, noor, "Spanish", None),
            LessonLine(noor, fatima, "Arabic", None),
        ),
    )
    body = text(view)
    assert "• Fatima Zahra can teach *Spanish* — \u2068نور الهدى\u2069 wants to learn it" in body
    assert "\u2068Fatima" not in body  # left-to-right names stay as they are


def test_one_teacher_two_learners_is_one_line() -> None:
    trio = swap(
        kind=GroupKind.TRIO,
        people=(ANA, BEN, CAL),
        lessons=(LessonLine(ANA, BEN, "Spanish", None), LessonLine(ANA, CAL, "Spanish", None)),
    )
    assert "• Ana can teach *Spanish* — Ben and Cal want to learn it" in text(trio)


def test_times_say_so_when_working_days_do_not_overlap() -> None:
    far = (Person("U1", "Eve", "Pacific/Honolulu", None), Person("U2", "Fay", "Asia/Kolkata", None))
    assert times_line(far, MONDAY).startswith("Your working days barely overlap: Eve's ")
    same = (ANA, Person("U3", None, "Europe/Madrid", None))
    assert times_line(same, MONDAY) == "You're both on Madrid time."


def test_people_without_a_name_are_mentioned_and_long_notes_are_clipped() -> None:
    nameless = Person("U_X", None, "Europe/London", None)
    view = swap(
        people=(nameless, BEN),
        lessons=(LessonLine(nameless, BEN, "Spanish", "x" * 500),),
        kind=GroupKind.ONE_WAY,
        new_connection=False,
        cross_team=False,
    )
    body = text(view)
    assert "• <@U_X> can teach *Spanish* (xxx" in body
    assert "You've been paired before: a chance to go further.\n" in body
    assert "you're paired for this week's lesson!" in body and "swap" not in body.split("\n")[0]
    assert len(body) < 1000


def test_the_unmatched_dm_gives_the_reason_and_up_to_three_teachers() -> None:
    view = UnmatchedView(
        user_id="U_CAL",
        why="Nobody in this round teaches Kubernetes yet — you have priority next round.",
        cadence=Cadence.MONTHLY,
        wanted=(WantedSkill("Kubernetes", ("U1", "U2", "U3")), WantedSkill("Go", ())),
    )
    body = json.dumps(dump(unmatched_blocks(view)))
    assert "no skill swap for you this month" in body and "priority next round" in body
    assert "*Kubernetes*: <@U1>, <@U2> and <@U3>" in body and "*Go*" not in body


def test_the_summary_counts_and_never_names() -> None:
    line = summary_text(
        SummaryView(
            "2026-W50",
            swaps=12,
            lessons=3,
            circles=1,
            trios=0,
            paired=32,
            waiting=2,
            new_connections=9,
            cross_team=7,
        )
    )
    assert line == (
        ":handshake: This round of SkillSwap is out: 12 swaps, 3 lessons and 1 circle, "
        "32 people paired, 2 first in line next time. 9 new connections, 7 across teams."
    )


def test_the_checkin_has_four_answers_and_shows_who_said_what() -> None:
    view = CheckinView(
        group_id=7,
        people=("U_ANA", "U_BEN"),
        skills=("Spanish", "SQL"),
        answers=(("U_ANA", CheckinAnswer.SCHEDULED),),
    )
    blocks = dump(checkin_blocks(view))
    assert "did you meet for your skill swap (Spanish ↔ SQL)?" in blocks[0]["text"]["text"]  # type: ignore[index]
    assert [e["action_id"] for e in blocks[1]["elements"]] == list(CheckinAction)  # type: ignore[index]
    assert "<@U_ANA>: scheduled" in blocks[2]["elements"][0]["text"]  # type: ignore[index]
    modal = feedback_modal(FeedbackMeta(g=7), partners=("U_BEN",), skills=("Spanish",)).to_dict()
    assert [b.get("block_id") for b in modal["blocks"][1:]] == [
        "rating",
        "learned",
        "taught",
        "again",
        "learn_next",
    ]
    assert json.loads(modal["private_metadata"]) == {"group": 7}


def test_a_one_way_check_in_asks_about_the_lesson_not_a_swap() -> None:
    lesson = CheckinView(
        group_id=1, people=("U1", "U2"), skills=("Spanish",), kind=GroupKind.ONE_WAY
    )
    text = checkin_text(lesson)
    assert text == "Hi <@U1> and <@U2> — did you meet for your lesson (Spanish)?"

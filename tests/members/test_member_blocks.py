"""The Block Kit builders stay inside Slack's limits with the largest profiles we allow."""

from __future__ import annotations

from datetime import UTC, date, datetime

from slack_sdk.models.blocks import Block

from bot.blocks.home import home_view
from bot.blocks.members import (
    me_blocks,
    saved_blocks,
    skills_added,
    who_blocks,
)
from bot.blocks.profile import ProfileMeta, profile_modal, read_submission
from bot.members.names import MAX_NAME_CHARS, MAX_SKILLS_PER_SIDE, Level
from bot.members.views import (
    GroupView,
    Lesson,
    NearMiss,
    Overview,
    ProfileForm,
    ProfileView,
    SkillEntry,
    SkillPeople,
    SkillsAdded,
    WhoView,
)
from bot.sim import check_message, check_view
from bot.store.models import Direction, GroupKind, GroupState, MemberCadence, MemberStatus

LONG = "W" * MAX_NAME_CHARS  # the widest letter, the longest name


def entries(direction: Direction) -> list[SkillEntry]:
    return [
        SkillEntry(
            skill_id=i, label=f"{i:02d}{LONG[2:]}", level=Level((i % 3) + 1), direction=direction
        )
        for i in range(MAX_SKILLS_PER_SIDE)
    ]


PROFILE = ProfileView(
    user_id="U1",
    teach=entries(Direction.TEACH),
    learn=entries(Direction.LEARN),
    team="T" * 80,
    cadence=MemberCadence.EVERY_OTHER,
    status=MemberStatus.PAUSED,
    paused_until=date(2027, 1, 4),
)
PEOPLE = [f"U{i:08d}" for i in range(300)]


def dicts(blocks: list[Block]) -> list[dict[str, object]]:
    return [b.to_dict() for b in blocks]  # runs slack_sdk's validators


def group(n: int) -> GroupView:
    return GroupView(
        round_date=date(2026, 11, 30),
        kind=GroupKind.CIRCLE,
        state=GroupState.MET,
        partners=PEOPLE[:2],
        lessons=[Lesson(teacher="U1", learner=PEOPLE[n % 2], skill=LONG) for _ in range(3)],
        time_hint="When it's 10:00 for you, it's 09:00 for <@U2>.",
    )


OVERVIEW = Overview(
    user_id="U1",
    profile=PROFILE,
    next_round=datetime(2026, 12, 14, 9, tzinfo=UTC),
    current=group(0),
    history=[group(i) for i in range(10)],
    tz="Europe/London",
    today=date(2026, 12, 7),
)


def test_largest_reply_to_teach_fits_a_message() -> None:
    result = SkillsAdded(
        direction=Direction.TEACH,
        added=[e.label for e in PROFILE.teach],
        already=[],
        profile=PROFILE,
        people=[
            SkillPeople(label=e.label, direction=Direction.TEACH, teachers=PEOPLE, learners=PEOPLE)
            for e in PROFILE.teach
        ],
        near_misses=[NearMiss(Direction.TEACH, i, LONG, i + 100, LONG) for i in range(20)],
        joined=True,
    )
    check_message("x", dicts(skills_added(result)))
    check_message("x", dicts(saved_blocks(PROFILE, result.near_misses)))


def test_largest_me_and_who_fit_a_message() -> None:
    check_message("x", dicts(me_blocks(OVERVIEW)))
    who = WhoView(
        query=LONG,
        skill=LONG,
        teachers=[(u, Level.EXPERT) for u in PEOPLE],
        learners=PEOPLE,
    )
    check_message("x", dicts(who_blocks(who)))
    popular = WhoView(
        query="", skill=None, teachers=[], learners=[], popular=[(LONG, 999, 999)] * 15
    )
    check_message("x", dicts(who_blocks(popular)))


def test_largest_home_fits_even_with_many_extra_sections() -> None:
    from slack_sdk.models.blocks import DividerBlock

    view = home_view(OVERVIEW, [DividerBlock() for _ in range(200)])
    check_view(view.to_dict())
    assert len(view.blocks) == 100


def test_largest_profile_modal_is_valid_and_reads_back() -> None:
    form = ProfileForm(
        teach=PROFILE.teach,
        learn=PROFILE.learn,
        team="T" * 80,
        cadence=MemberCadence.MONTHLY,
        paused_until=date(2027, 1, 4),
        paused_indefinitely=False,
        today=date(2026, 12, 7),
        is_member=True,
    )
    view = profile_modal(
        form, ProfileMeta(response_url="https://hooks.slack.com/commands/" + "x" * 200)
    )
    raw = view.to_dict()
    check_view(raw)
    # What Slack sends back when nothing is changed is the profile the modal showed.
    values = {}
    for block in raw["blocks"]:
        element = block.get("element")
        if not element:
            continue
        state: dict[str, object] = {"type": element["type"]}
        if "initial_options" in element:
            state["selected_options"] = element["initial_options"]
        if "initial_option" in element:
            state["selected_option"] = element["initial_option"]
        if "initial_value" in element:
            state["value"] = element["initial_value"]
        if "initial_date" in element:
            state["selected_date"] = element["initial_date"]
        values[block["block_id"]] = {element["action_id"]: state}
    back = read_submission(values)
    assert sorted((p.ref.skill_id, p.level) for p in back.teach) == sorted(
        (e.skill_id, e.level) for e in PROFILE.teach
    )
    assert [p.ref.skill_id for p in back.learn] == [e.skill_id for e in PROFILE.learn]
    assert (back.team, back.cadence, back.pause_until) == ("T" * 80, "monthly", "2027-01-04")
    assert ProfileMeta.load(raw["private_metadata"]).response_url is not None
    assert ProfileMeta.load("not json").response_url is None

"""Someone with nothing in common (issue 17, item 4): one "no partner" DM at the first miss,
words that fit, and skills to add in one click. Signed requests to the real app."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.blocks.rounds import SuggestAction, SuggestValue
from bot.delivery.outbox import OutboxKind
from bot.kinds import Direction
from bot.scheduler import tick
from bot.store.models import Member, MemberSkill, Skill
from tests.rounds.rounds_kit import CAL, Team, pair_world, would_swap_again
from tests.support import Harness, shown_text

MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def at(team: Team, moment: datetime) -> None:
    team.clock.set(moment)
    tick(team.deps)


def lonely_world(team: Team) -> None:
    pair_world(team, cooldown_rounds=0, discovery_swaps=False)  # Cal sits out
    team.member(CAL, "Cal", teach=["Chess"], learn=["Danish", "Sailing"])


def suggestions(message: dict[str, Any]) -> list[tuple[str, SuggestValue]]:
    return [
        (b["text"]["text"], SuggestValue.model_validate_json(b["accessory"]["value"]))
        for b in message["blocks"]
        if (b.get("accessory") or {}).get("action_id") == SuggestAction.ADD
    ]


def cal_skills(team: Team) -> set[tuple[str, Direction]]:
    with team.deps.unit_of_work() as session:
        rows = session.execute(
            select(Skill.name, MemberSkill.direction)
            .join(MemberSkill, MemberSkill.skill_id == Skill.id)
            .join(Member, Member.id == MemberSkill.member_id)
            .where(Member.slack_user_id == CAL)
        )
        return {(name, direction) for name, direction in rows}


def test_the_first_miss_gets_one_dm_with_fitting_words_and_one_click_skills(
    harness: Harness, team: Team
) -> None:
    lonely_world(team)
    at(team, MONDAY)
    [dm] = team.sim.messages(team.sim.dm_channel_id(team.team_id, CAL))
    body = shown_text(dm)
    assert "Nobody in this round teaches Danish or Sailing yet" in body
    assert "at your level" not in body
    offered = suggestions(dm)
    assert [(v.direction, text.split("*")[1]) for text, v in offered] == [
        (Direction.TEACH, "SQL"),
        (Direction.TEACH, "Spanish"),
        (Direction.LEARN, "SQL"),
    ]
    assert "1 colleague wants to learn it" in offered[0][0]

    reply = harness.slack.block_action(
        team_id=harness.team_id,
        user_id=CAL,
        action_id=SuggestAction.ADD,
        value=offered[2][1].model_dump_json(),
        message=dm,
    )
    assert reply.status == 200, reply.body
    [added] = team.sim.wait_for_response()
    assert "Added" in added["text"] and "SQL" in added["text"]
    assert ("SQL", Direction.LEARN) in cal_skills(team)

    # A forged skill id (not in this workspace) is refused with a clear reply, nothing added.
    before = cal_skills(team)
    harness.slack.block_action(
        team_id=harness.team_id,
        user_id=CAL,
        action_id=SuggestAction.ADD,
        value=SuggestValue(direction=Direction.TEACH, skill=999_999).model_dump_json(),
        message=dm,
    )
    [_, refused] = team.sim.wait_for_response(count=2)
    assert "isn't listed here any more" in refused["text"]
    assert cal_skills(team) == before


def test_a_second_miss_in_a_row_sends_no_second_dm(team: Team) -> None:
    lonely_world(team)
    at(team, MONDAY)
    would_swap_again(team)  # Ana and Ben meet again; Cal misses twice
    at(team, MONDAY + timedelta(days=7))
    assert len(team.outbox(kind=OutboxKind.UNMATCHED)) == 1
    with team.deps.unit_of_work() as session:
        streak = session.scalar(select(Member.unmatched_streak).where(Member.slack_user_id == CAL))
    assert streak == 2  # still first in line, just not told twice

"""Teach and learn read the member and the skill their first name finds in one statement
(``read_model.member_row_finding``); it must find what the skill lookup on its own finds, in
the member's workspace only, whatever the member already lists."""

from __future__ import annotations

import pytest

from bot.deps import Deps
from bot.kinds import Direction
from bot.store import read_model
from bot.store.models import Member, MemberSkill, Skill, SkillAlias, Workspace

TEAM, OTHER_TEAM = "T0LOOKUP", "T0ELSEWHERE"


@pytest.fixture
def catalog(deps: Deps) -> dict[str, int]:
    """Two workspaces with overlapping spellings; ANA (in the first) lists several skills."""
    with deps.unit_of_work() as session:
        here, there = Workspace(team_id=TEAM), Workspace(team_id=OTHER_TEAM)
        session.add_all([here, there])
        session.flush()
        skills = {
            "javascript": Skill(workspace_id=here.id, key="javascript", name="JavaScript"),
            "js": Skill(workspace_id=here.id, key="js", name="JS (the band)"),
            "spanish": Skill(workspace_id=here.id, key="spanish", name="Spanish"),
            "elsewhere": Skill(workspace_id=there.id, key="python", name="Python"),
        }
        session.add_all(skills.values())
        session.flush()
        session.add_all(
            [
                # "js" typed is an alias of JavaScript here, though a skill's key is "js" too
                SkillAlias(workspace_id=here.id, skill_id=skills["javascript"].id, alias_key="js"),
                SkillAlias(
                    workspace_id=here.id, skill_id=skills["spanish"].id, alias_key="español"
                ),
                SkillAlias(workspace_id=there.id, skill_id=skills["elsewhere"].id, alias_key="py"),
            ]
        )
        ana = Member(workspace_id=here.id, slack_user_id="U0ANA")
        session.add(ana)
        session.flush()
        for n, skill in enumerate(("javascript", "spanish", "js")):
            session.add(
                MemberSkill(
                    member_id=ana.id,
                    skill_id=skills[skill].id,
                    direction=Direction.TEACH if n % 2 == 0 else Direction.LEARN,
                    label=skills[skill].name,
                )
            )
        return {name: skill.id for name, skill in skills.items()}


@pytest.mark.parametrize(
    ("spelling", "key", "expected"),
    [
        ("js", "js", "javascript"),  # an alias typed beats a skill's key
        ("javascript", "javascript", "javascript"),
        ("español", "espanol", "spanish"),  # the alias as typed
        ("espanol", "spanish", "spanish"),  # no alias as typed: the key
        ("py", "python", None),  # another workspace's alias
        ("python", "python", None),  # another workspace's skill
        ("'; DROP TABLE skills; --", "drop table skills", None),
        ("", "", None),
    ],
)
def test_the_member_and_their_first_skill_in_one_statement_find_what_the_lookup_finds(
    deps: Deps, catalog: dict[str, int], spelling: str, key: str, expected: str | None
) -> None:
    with deps.read_only() as session:
        alone = read_model.member_row(session=session, team_id=TEAM, slack_user_id="U0ANA")
        found = read_model.member_row_finding(
            session=session, team_id=TEAM, slack_user_id="U0ANA", spelling=spelling, key=key
        )
        assert alone is not None and found is not None
        workspace_id = alone[0].id
        lookup = read_model.find_skill(
            session=session, workspace_id=workspace_id, spelling=spelling, key=key
        )
    workspace, member, skill = found
    assert (workspace, member) == alone
    assert len(member.skills) == 3
    assert skill == lookup
    assert (skill.id if skill else None) == (catalog[expected] if expected else None)


def test_no_member_no_rows_whatever_the_skill(deps: Deps, catalog: dict[str, int]) -> None:
    with deps.read_only() as session:
        for team, user in ((TEAM, "U0NOBODY"), (OTHER_TEAM, "U0ANA"), ("T0NONE", "U0ANA")):
            assert (
                read_model.member_row_finding(
                    session=session, team_id=team, slack_user_id=user, spelling="js", key="js"
                )
                is None
            )

"""Two workspaces installed through OAuth on one SkillSwap never see each other's data."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.slack.clients import client_for_team
from bot.store.models import Member, MemberSkill, Skill, Workspace
from tests.deploy.deploy_kit import OAuthHarness
from tests.support import payload_json

# The same user id in both: Enterprise Grid members keep one id across an org's workspaces.
ANA = "U0ANA0001"
BEN = "U0BEN0002"


def _command(oauth: OAuthHarness, team: str, user: str, text: str) -> str:
    return payload_json(oauth.command(user, text, team_id=team))


def _team_of_calls(oauth: OAuthHarness, token: str) -> set[Any]:
    return {c.team_id for c in oauth.sim.calls if c.token == token}


def test_each_workspace_sees_only_its_own_members_and_skills(oauth: OAuthHarness) -> None:
    acme = oauth.install("TACME", team_name="Acme")
    beta = oauth.install("TBETA", team_name="Beta")
    for team in ("TACME", "TBETA"):
        oauth.sim.add_user(team, ANA, name="ana", real_name="Ana", tz="Europe/Madrid")
        oauth.sim.add_user(team, BEN, name="ben", real_name="Ben", tz="Europe/London")

    _command(oauth, "TACME", ANA, "teach Spanish")
    _command(oauth, "TACME", BEN, "learn Spanish")
    _command(oauth, "TBETA", ANA, "teach SQL")

    # What members see: each workspace's directory of skills is its own.
    acme_who = _command(oauth, "TACME", BEN, "who Spanish")
    assert f"<@{ANA}>" in acme_who
    beta_who = _command(oauth, "TBETA", BEN, "who Spanish")
    assert f"<@{ANA}>" not in beta_who
    assert "Nobody lists" in beta_who
    acme_me, beta_me = _command(oauth, "TACME", ANA, "me"), _command(oauth, "TBETA", ANA, "me")
    assert "Spanish" in acme_me and "SQL" not in acme_me
    assert "SQL" in beta_me and "Spanish" not in beta_me

    # What is stored: Ana is two members, one per workspace, each with her own skills there.
    with oauth.deps.unit_of_work() as session:
        rows = session.execute(
            select(Workspace.team_id, Member.slack_user_id, Skill.name, MemberSkill.direction)
            .join(Member, Member.workspace_id == Workspace.id)
            .join(MemberSkill, MemberSkill.member_id == Member.id)
            .join(Skill, Skill.id == MemberSkill.skill_id)
        ).all()
        skill_homes = session.execute(
            select(Skill.name, Workspace.team_id).join(
                Workspace, Workspace.id == Skill.workspace_id
            )
        ).all()
    assert sorted((t, u, s, str(d)) for t, u, s, d in rows) == [
        ("TACME", ANA, "Spanish", "teach"),
        ("TACME", BEN, "Spanish", "learn"),
        ("TBETA", ANA, "SQL", "teach"),
    ]
    assert sorted(skill_homes) == [("SQL", "TBETA"), ("Spanish", "TACME")]

    # Each workspace's requests were made with its own token, to its own workspace.
    assert _team_of_calls(oauth, acme) == {"TACME"}
    assert _team_of_calls(oauth, beta) == {"TBETA"}
    assert client_for_team(oauth.deps, "TACME").token == acme
    assert client_for_team(oauth.deps, "TBETA").token == beta

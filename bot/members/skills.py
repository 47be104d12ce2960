"""Teach, learn, drop, switch a near miss, and the directory (``who``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy.orm import Session

from bot.errors import UserInputError
from bot.kinds import Direction
from bot.matching.skills import normalize_key, suggest
from bot.members import catalog
from bot.members.identity import SLACKBOT, SlackPerson, join, not_a_person_error
from bot.members.lookups import member_of, workspace_row
from bot.members.names import MAX_SKILLS_PER_SIDE, Level, SkillName, check_name, shown
from bot.members.views import (
    DIRECTORY_SHOWN,
    MENTIONS_SHOWN,
    NearMiss,
    ProfileView,
    SkillPeople,
    SkillsAdded,
    SkillsDropped,
    WhoView,
    level_of,
    profile_of,
)
from bot.slack.text import COMMAND
from bot.store import members as store
from bot.store import read_model
from bot.store import skills as skill_store
from bot.store.workspaces import get_or_create_workspace


def _people(
    session: Session, skill_id: int, label: str, direction: Direction, exclude: int
) -> SkillPeople:
    found = read_model.skill_directory(
        session=session, skill_id=skill_id, shown=MENTIONS_SHOWN, exclude_member_id=exclude
    )
    return SkillPeople(
        label=label,
        direction=direction,
        teachers=[user for user, _ in found.teachers],
        learners=found.learners,
        teachers_total=found.teachers_total,
        learners_total=found.learners_total,
    )


class NotAMemberYet(Exception):
    """The sender of teach/learn is not a member: Slack must be asked who they are
    (:func:`~bot.members.identity.newcomer`, outside the unit of work) before they can join."""


def example_for(direction: Direction) -> str:
    return (
        f"{COMMAND} teach Spanish, SQL"
        if direction == Direction.TEACH
        else f"{COMMAND} learn guitar, public speaking"
    )


def add_skills(
    *,
    session: Session,
    team_id: str,
    user_id: str,
    person: SlackPerson | None,
    direction: Direction,
    names: list[SkillName],
    now: datetime | None = None,
    ask_slack_first: bool = False,
) -> SkillsAdded:
    """Add skills to one side of the member's profile (creating the member on first use).

    Someone not yet a member joins with ``person`` (from :func:`~bot.members.identity.newcomer`,
    asked before this unit of work); without it (they left since), with their id alone. With
    ``ask_slack_first``, someone not yet a member raises :class:`NotAMemberYet` before anything
    is written: members (nearly every request) need no ``users.info`` and no other transaction.
    """
    if user_id == SLACKBOT:
        raise not_a_person_error()
    # The member, and the skill their first name finds, in one statement.
    finding = None
    if names:
        finding = read_model.member_row_finding(
            session=session,
            team_id=team_id,
            slack_user_id=user_id,
            spelling=names[0].spelling,
            key=names[0].key,
        )
        found = finding[:2] if finding is not None else None
    else:
        found = read_model.member_row(session=session, team_id=team_id, slack_user_id=user_id)
    joined = found is None
    if found is None and ask_slack_first:
        raise NotAMemberYet(user_id)
    if found is None:
        join(session, workspace_row(session, team_id).id, team_id, user_id, person, now=now)
        found = read_model.member_row(session=session, team_id=team_id, slack_user_id=user_id)
        assert found is not None
    workspace, member = found
    profile_rows = {r.id: r for r in member.skills}
    mine = {r.skill_id: r for r in member.skills if r.direction == direction}
    added: list[str] = []
    already: list[str] = []
    people: list[SkillPeople] = []
    near: list[NearMiss] = []
    new_rows: list[tuple[SkillName, catalog.CatalogSkill]] = []
    pending: set[int] = set()
    for i, name in enumerate(names):
        known = (
            finding[2]
            if i == 0 and finding is not None
            else catalog.lookup(session=session, workspace_id=workspace.id, name=name)
        )
        if known is not None and known.id in pending:
            continue  # two spellings of one skill in the same command
        if known is not None and known.id in mine:
            row = mine[known.id]
            if direction == Direction.TEACH and name.level and name.level != row.level:
                read_model.set_level(session=session, row_id=row.id, level=int(name.level))
                profile_rows[row.id] = mine[known.id] = replace(row, level=int(name.level))
                added.append(row.label)
            else:
                already.append(row.label)
            continue
        skill, guess = catalog.resolve_name(
            session=session, workspace_id=workspace.id, name=name, found=known
        )
        if skill.id in pending or skill.id in mine:
            continue
        pending.add(skill.id)
        new_rows.append((name, skill))
        if guess is not None:
            near.append(
                NearMiss(
                    direction=direction,
                    skill_id=skill.id,
                    label=name.label,
                    suggestion_id=guess.id,
                    suggestion=guess.name,
                )
            )
    if len(mine) + len(new_rows) > MAX_SKILLS_PER_SIDE:
        room = max(0, MAX_SKILLS_PER_SIDE - len(mine))
        side = "teach" if direction == Direction.TEACH else "learn"
        raise UserInputError(
            f"You can list up to {MAX_SKILLS_PER_SIDE} skills to {side}; you have {len(mine)}, "
            f"so {room} more fit{'s' if room == 1 else ''}. Make room with "
            f"`{COMMAND} drop <skill>`, or pick fewer."
        )
    session.flush()  # a skill or alias created above goes in before rows that point at it
    for name, skill in new_rows:
        level = name.level or Level.BEGINNER
        row = read_model.add_member_skill(
            session=session,
            member_id=member.id,
            skill_id=skill.id,
            direction=direction,
            label=name.label,
            level=int(level),
        )
        profile_rows[row.id] = mine[skill.id] = row
        added.append(name.label)
        people.append(_people(session, skill.id, name.label, direction, exclude=member.id))
    return SkillsAdded(
        direction=direction,
        added=added,
        already=already,
        profile=profile_of(replace(member, skills=tuple(profile_rows.values()))),
        people=people,
        near_misses=near,
        joined=joined,
        levels_given=any(name.level is not None for name in names),
    )


def add_suggested(
    *, session: Session, team_id: str, user_id: str, direction: Direction, skill_id: int
) -> SkillsAdded:
    """A skill from the "no partner" DM's one-click suggestions, added to the clicker's own
    profile; a skill id from another workspace (or one since removed) is refused."""
    workspace = workspace_row(session, team_id)
    found = skill_store.skills_by_ids(session=session, workspace_id=workspace.id, ids=[skill_id])
    if skill_id not in found:
        raise UserInputError(
            "That skill isn't listed here any more. Add one of your own with "
            f"`{COMMAND} teach <skill>` or `{COMMAND} learn <skill>`."
        )
    name = check_name(found[skill_id].name, example=example_for(direction))
    return add_skills(
        session=session,
        team_id=team_id,
        user_id=user_id,
        person=None,
        direction=direction,
        names=[name],
    )


def switch_skill(
    *,
    session: Session,
    team_id: str,
    user_id: str,
    direction: Direction,
    from_skill_id: int,
    to_skill_id: int,
) -> ProfileView:
    """Replace a near-miss ("Spansh") with the existing skill the member meant ("Spanish")."""
    workspace, member = member_of(session, team_id, user_id)
    if member is None:
        raise UserInputError(
            f"You're not in SkillSwap any more. Start again with `{example_for(direction)}`."
        )
    target = skill_store.skills_by_ids(
        session=session, workspace_id=workspace.id, ids=[to_skill_id]
    ).get(to_skill_id)
    if target is None:
        raise UserInputError(
            "That skill isn't in the catalog any more. Check your profile with "
            f"`{COMMAND} me` and add it again if you like."
        )
    rows = {r.skill_id: r for r in member.skills if r.direction == direction}
    old = rows.get(from_skill_id)
    if old is None:
        return profile_of(member)  # already switched (a double click) or dropped
    if to_skill_id in rows:
        store.remove_member_skills(session=session, member=member, rows=[old])
    else:
        level = old.level
        store.remove_member_skills(session=session, member=member, rows=[old])
        store.add_member_skill(
            session=session,
            member=member,
            skill_id=target.id,
            direction=direction,
            label=target.name,
            level=level,
        )
    catalog.prune(session=session, workspace_id=workspace.id, skill_ids={from_skill_id})
    return profile_of(member)


def drop_skills(
    *, session: Session, team_id: str, user_id: str, names: list[SkillName]
) -> SkillsDropped:
    """Remove skills from both sides of the profile."""
    workspace, member = member_of(session, team_id, user_id, with_catalog=True)
    if member is None:
        raise UserInputError(
            "You don't have any skills listed yet, so there's nothing to drop. "
            f"Add one with `{COMMAND} teach <skill>` or `{COMMAND} learn <skill>`."
        )
    dropped: list[str] = []
    missing: list[str] = []
    hints: list[str] = []
    removed_ids: set[int] = set()
    for name in names:
        skill = catalog.lookup(session=session, workspace_id=workspace.id, name=name)
        rows = [
            r
            for r in member.skills
            if (skill is not None and r.skill_id == skill.id)
            or normalize_key(r.label) == name.spelling
            or r.skill.key == name.key
        ]
        if not rows:
            missing.append(name.label)
            own = {r.skill.key: r.label for r in member.skills}
            guess = suggest(name.label, own)
            if guess is not None:
                hints.append(own[guess])
            continue
        rows.sort(key=lambda r: r.direction != Direction.TEACH)
        dropped.append(rows[0].label)
        removed_ids |= {r.skill_id for r in rows}
        store.remove_member_skills(session=session, member=member, rows=rows)
    if not dropped:
        listed = ", ".join(f"“{shown(r.label, 60)}”" for r in member.skills[:10])
        hint = f" Did you mean `{COMMAND} drop {shown(hints[0], 60)}`?" if hints else ""
        what = "“" + "”, “".join(shown(m) for m in missing) + "”"
        raise UserInputError(
            f"You don't list {what}.{hint}"
            + (f" Your skills: {listed}." if listed and not hint else "")
        )
    catalog.prune(session=session, workspace_id=workspace.id, skill_ids=removed_ids)
    return SkillsDropped(dropped=dropped, missing=missing, hints=hints, profile=profile_of(member))


def who(*, session: Session, team_id: str, raw: str) -> WhoView:
    """The directory for one skill: who can teach it, who wants to learn it."""
    workspace = get_or_create_workspace(session=session, team_id=team_id)
    if not raw.strip():
        popular = skill_store.popular_skills(session=session, workspace_id=workspace.id, limit=15)
        return WhoView(
            query="",
            skill=None,
            teachers=[],
            learners=[],
            popular=[(s.name, t, lr) for s, t, lr in popular],
        )
    name = check_name(raw, example=f"{COMMAND} who Spanish")
    skill = catalog.lookup(session=session, workspace_id=workspace.id, name=name)
    if skill is None:
        guess = catalog.near_miss(session=session, workspace_id=workspace.id, name=name)
        return WhoView(
            query=name.label,
            skill=None,
            teachers=[],
            learners=[],
            suggestion=guess.name if guess else None,
        )
    found = read_model.skill_directory(session=session, skill_id=skill.id, shown=DIRECTORY_SHOWN)
    return WhoView(
        query=name.label,
        skill=skill.name,
        teachers=[(user, level_of(level)) for user, level in found.teachers],
        learners=found.learners,
        teachers_total=found.teachers_total,
        learners_total=found.learners_total,
        skill_id=skill.id,
    )

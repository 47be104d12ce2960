"""The skills catalog: what members typed, turned into one skill per meaning per workspace.

The workspace's ``skills`` rows hold one display name per key and ``skill_aliases`` the other
spellings seen, so the typeahead finds them too. Members keep the label they typed
(``member_skills.label``); matching sees the key. Functions take ``*, session``.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.orm import Session

from bot.matching.skills import canonical_key, normalize_key, suggest
from bot.members.names import (
    KEY_CHARS,
    MAX_NAME_CHARS,
    CatalogOption,
    SkillName,
    clean_label,
    display_name,
    option_value_for_new,
    option_value_for_skill,
)
from bot.slack.text import clip
from bot.store import read_model
from bot.store import skills as store
from bot.store.models import Skill
from bot.store.read_model import CatalogRow
from bot.store.workspaces import get_or_create_workspace

OPTION_LIMIT = 25


class CatalogSkill(Protocol):
    """A catalog entry: an ORM ``Skill`` or a :class:`read_model.CatalogRow`."""

    @property
    def id(self) -> int: ...
    @property
    def key(self) -> str: ...
    @property
    def name(self) -> str: ...


def lookup(*, session: Session, workspace_id: int, name: SkillName) -> CatalogRow | None:
    """The workspace's skill for ``name``: a workspace alias of what was typed, else the key."""
    return read_model.find_skill(
        session=session,
        workspace_id=workspace_id,
        spelling=name.spelling,
        key=name.key,
    )


def resolve_or_create(
    *, session: Session, workspace_id: int, name: SkillName, found: CatalogSkill | None
) -> CatalogSkill:
    """``found`` (what :func:`lookup` returned for ``name``), else a new skill; either way
    the spelling typed is remembered as an alias."""
    skill = found
    if skill is None:
        skill = store.create_skill(
            session=session, workspace_id=workspace_id, key=name.key, name=display_name(name)
        )
    if name.spelling != skill.key:
        store.add_alias(
            session=session, workspace_id=workspace_id, skill_id=skill.id, alias_key=name.spelling
        )
    return skill


def near_miss(
    *, session: Session, workspace_id: int, name: SkillName, exclude: set[int] | None = None
) -> Skill | None:
    """An existing skill ``name`` is probably a misspelling of ("Spansh" -> Spanish)."""
    keys = store.all_skill_keys(session=session, workspace_id=workspace_id)
    for skill_id in exclude or set():
        keys = {k: v for k, v in keys.items() if v != skill_id}
    guess = suggest(name.label, keys)
    if guess is None or guess not in keys:
        return None
    return store.skills_by_ids(session=session, workspace_id=workspace_id, ids=[keys[guess]]).get(
        keys[guess]
    )


def search(*, session: Session, workspace_id: int, query: str) -> list[CatalogOption]:
    """Typeahead: catalog skills containing what was typed (most listed first), plus an
    "Add …" option for a name the catalog does not have yet."""
    label = clean_label(query or "")[:MAX_NAME_CHARS]
    needle = normalize_key(label)
    if not needle or len(needle) > KEY_CHARS:
        return []
    hits = store.search_skills(
        session=session, workspace_id=workspace_id, needle=needle, limit=OPTION_LIMIT
    )
    key = canonical_key(label)
    exact = lookup(
        session=session,
        workspace_id=workspace_id,
        name=SkillName(label=label, key=key, spelling=needle),
    )
    skills: list[CatalogSkill] = [s for s, _ in hits]
    if exact is not None and exact.id not in {s.id for s in skills}:
        skills.insert(0, exact)
    elif exact is not None:
        skills.sort(key=lambda s: s.id != exact.id)
    options = [
        CatalogOption(value=option_value_for_skill(s.id), text=clip(s.name, 75))
        for s in skills[:OPTION_LIMIT]
    ]
    if exact is None:
        name = SkillName(label=label, key=key, spelling=needle)
        new_label = display_name(name) if name.spelling != name.key else label
        options.append(
            CatalogOption(
                value=option_value_for_new(new_label), text=clip(f"Add “{new_label}”", 75)
            )
        )
    return options


def typeahead(*, session: Session, team_id: str, query: str) -> list[CatalogOption]:
    """:func:`search` in the workspace of ``team_id`` (created on first contact)."""
    workspace = get_or_create_workspace(session=session, team_id=team_id)
    return search(session=session, workspace_id=workspace.id, query=query)


def prune(*, session: Session, workspace_id: int, skill_ids: set[int]) -> int:
    """Forget skills nobody lists any more, so the typeahead offers only living ones."""
    return store.delete_orphans(session=session, workspace_id=workspace_id, skill_ids=skill_ids)


def resolve_name(
    *, session: Session, workspace_id: int, name: SkillName, found: CatalogSkill | None
) -> tuple[CatalogSkill, Skill | None]:
    """The skill for ``name`` (``found``, what :func:`lookup` returned, else a new one) and,
    when ``name`` was new to the workspace, the existing skill it probably misspells
    ("Spansh" -> Spanish) or None. Teach/learn and the profile form both add skills this way."""
    guess = None
    if found is None and name.spelling == name.key:  # not a known alias either
        guess = near_miss(session=session, workspace_id=workspace_id, name=name)
    skill = resolve_or_create(session=session, workspace_id=workspace_id, name=name, found=found)
    if guess is not None and guess.id == skill.id:
        guess = None
    return skill, guess

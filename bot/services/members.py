"""Members: joining, skills, pauses, the overview shown by ``me`` and the Home tab, leaving.

Service functions take a ``session`` (the caller's unit of work) and return plain frozen
dataclasses that the Block Kit builders render. Slack is read (``users.info``) before the unit
of work starts, never inside it; nothing here posts to Slack.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.errors import NotAllowedError, UserInputError
from bot.kinds import Cadence, Direction, GroupKind, GroupState, MemberCadence, MemberStatus
from bot.matching.skills import normalize_key, suggest
from bot.rounds import schedule as rounds_schedule
from bot.services import catalog
from bot.services.catalog import (
    MAX_SKILLS_PER_SIDE,
    Level,
    OptionRef,
    SkillName,
)
from bot.slack.text import COMMAND
from bot.store import members as store
from bot.store import skills as skill_store
from bot.store import snapshots
from bot.store.models import Member, Workspace
from bot.store.workspaces import get_or_create_workspace, get_workspace

log = logging.getLogger(__name__)

# How many people a reply names before "and N more": after teach/learn, and in `who`.
MENTIONS_SHOWN = 10
DIRECTORY_SHOWN = 40

SLACKBOT = "USLACKBOT"
MAX_PAUSE_DAYS = 366
MAX_TEAM_CHARS = 80
HISTORY_LIMIT = 10


def zone(name: str | None) -> ZoneInfo:
    """The IANA zone ``name``, or UTC when it is empty or unknown."""
    if name:
        try:
            return rounds_schedule.zone(name)
        except ValueError:
            pass
    return ZoneInfo("UTC")


# --------------------------------------------------------------------------- Slack identity


@dataclass(frozen=True)
class SlackPerson:
    """What we keep from ``users.info``."""

    user_id: str
    display_name: str | None = None
    tz: str | None = None
    is_bot: bool = False
    deleted: bool = False
    is_guest: bool = False

    @property
    def is_person(self) -> bool:
        return not (self.is_bot or self.deleted or self.user_id == SLACKBOT)


def person_from_user(user: Mapping[str, Any]) -> SlackPerson:
    """A ``SlackPerson`` from a Slack user object (``users.info``, ``team_join``…)."""
    profile = user.get("profile") or {}
    name = (
        profile.get("display_name")
        or profile.get("real_name")
        or user.get("real_name")
        or user.get("name")
        or None
    )
    return SlackPerson(
        user_id=str(user.get("id") or ""),
        display_name=str(name)[:255] if name else None,
        tz=str(user["tz"])[:64] if user.get("tz") else None,
        is_bot=bool(user.get("is_bot") or user.get("is_app_user")),
        deleted=bool(user.get("deleted")),
        is_guest=bool(user.get("is_restricted") or user.get("is_ultra_restricted")),
    )


def not_a_person_error() -> NotAllowedError:
    return NotAllowedError(
        "SkillSwap pairs people, so bots, apps and deactivated accounts can't join. "
        "If you're a person and see this, ask your Slack admin to check your account."
    )


def fetch_person(client: WebClient, team_id: str, user_id: str) -> SlackPerson:
    """The person behind ``user_id``; if Slack can't tell us, what we know (just the id)."""
    if user_id == SLACKBOT:
        return SlackPerson(user_id=user_id, is_bot=True)
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as exc:
        log.warning(
            "users.info failed: %s",
            exc.response.get("error"),
            extra={"team_id": team_id, "user_id": user_id},
        )
        return SlackPerson(user_id=user_id)
    return person_from_user(user)


class NewcomerError(LookupError):
    """Raised in a unit of work that met someone who is not a member yet and has no
    :class:`SlackPerson` for them: roll back, :func:`newcomer_profile`, try again."""


def newcomer_profile(client: WebClient, team_id: str, user_id: str) -> SlackPerson:
    """``users.info`` for someone about to join; an error if they are not a person."""
    if user_id == SLACKBOT:
        raise not_a_person_error()
    person = fetch_person(client, team_id, user_id)
    if not person.is_person:
        raise not_a_person_error()
    return person


def newcomer(deps: Deps, client: WebClient, team_id: str, user_id: str) -> SlackPerson | None:
    """``users.info`` for someone who is not a member yet; None for existing members.

    Runs before the unit of work so that no transaction waits on Slack.
    """
    if user_id == SLACKBOT:
        raise not_a_person_error()
    with deps.read_only() as session:
        if store.member_exists(session=session, team_id=team_id, slack_user_id=user_id):
            return None
    return newcomer_profile(client, team_id, user_id)


def ensure_member(
    *, session: Session, workspace: Workspace, user_id: str, person: SlackPerson | None
) -> tuple[Member, bool]:
    """The member row, created on first action. Returns (member, created)."""
    found = store.get_member(session=session, workspace_id=workspace.id, slack_user_id=user_id)
    if found is not None:
        return found, False
    return _join(session, workspace.id, workspace.team_id, user_id, person), True


def _join(
    session: Session, workspace_id: int, team_id: str, user_id: str, person: SlackPerson | None
) -> Member:
    person = person or SlackPerson(user_id=user_id)
    if not person.is_person:
        raise not_a_person_error()
    member = store.create_member(
        session=session,
        workspace_id=workspace_id,
        slack_user_id=user_id,
        display_name=person.display_name,
        tz=person.tz,
    )
    log.info("member joined", extra={"team_id": team_id, "user_id": user_id})
    return member


# --------------------------------------------------------------------------- plain views


@dataclass(frozen=True)
class SkillEntry:
    skill_id: int
    label: str
    level: Level
    direction: Direction


@dataclass(frozen=True)
class ProfileView:
    user_id: str
    teach: list[SkillEntry]
    learn: list[SkillEntry]
    team: str | None
    cadence: MemberCadence
    status: MemberStatus
    paused_until: date | None

    @property
    def is_empty(self) -> bool:
        return not self.teach and not self.learn


@dataclass(frozen=True)
class SkillPeople:
    """Who else lists a skill: the answer to "who already teaches or wants it"."""

    label: str
    direction: Direction  # the member's own direction for it
    teachers: list[str]  # Slack user ids, the first MENTIONS_SHOWN
    learners: list[str]
    teachers_total: int = 0
    learners_total: int = 0


@dataclass(frozen=True)
class NearMiss:
    """A skill the member just added that looks like a misspelling of an existing one."""

    direction: Direction
    skill_id: int
    label: str
    suggestion_id: int
    suggestion: str


@dataclass(frozen=True)
class SkillsAdded:
    direction: Direction
    added: list[str]
    already: list[str]
    profile: ProfileView
    people: list[SkillPeople]
    near_misses: list[NearMiss]
    joined: bool


@dataclass(frozen=True)
class SkillsDropped:
    dropped: list[str]
    missing: list[str]
    hints: list[str]  # "did you mean" labels from the member's own skills
    profile: ProfileView


@dataclass(frozen=True)
class Lesson:
    teacher: str  # Slack user id
    learner: str
    skill: str


@dataclass(frozen=True)
class GroupView:
    round_date: date
    kind: GroupKind
    state: GroupState
    partners: list[str]  # Slack user ids
    lessons: list[Lesson]
    time_hint: str | None = None  # "when it's 10:00 for you, it's 09:00 for <@U2>"


@dataclass(frozen=True)
class Overview:
    """Everything ``/skillswap me`` and the Home tab show."""

    user_id: str
    profile: ProfileView | None  # None: not a member yet
    next_round: datetime | None  # None: rounds are off in this workspace
    current: GroupView | None
    history: list[GroupView]
    tz: str
    today: date


@dataclass(frozen=True)
class WhoView:
    query: str
    skill: str | None  # the catalog name, None when nobody lists it
    teachers: list[tuple[str, Level]]  # the first DIRECTORY_SHOWN
    learners: list[str]
    suggestion: str | None = None
    popular: list[tuple[str, int, int]] = field(default_factory=list)
    teachers_total: int = 0
    learners_total: int = 0


# --------------------------------------------------------------------------- helpers


def _level(value: int) -> Level:
    return Level(value) if value in (1, 2, 3) else Level.BEGINNER


class SkillFacts(Protocol):
    """One skill on a profile: an ORM ``MemberSkill`` or a :class:`snapshots.SkillRow`."""

    @property
    def id(self) -> int: ...
    @property
    def skill_id(self) -> int: ...
    @property
    def direction(self) -> Direction: ...
    @property
    def level(self) -> int: ...
    @property
    def label(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...


class MemberFacts(Protocol):
    """What views need of a member: an ORM ``Member`` or a :class:`snapshots.MemberRow`."""

    @property
    def slack_user_id(self) -> str: ...
    @property
    def tz(self) -> str | None: ...
    @property
    def team_label(self) -> str | None: ...
    @property
    def cadence(self) -> MemberCadence: ...
    @property
    def status(self) -> MemberStatus: ...
    @property
    def paused_until(self) -> date | None: ...
    @property
    def skills(self) -> Sequence[SkillFacts]: ...


class WorkspaceFacts(Protocol):
    """What views need of a workspace: an ORM ``Workspace`` or a ``WorkspaceRow``."""

    @property
    def team_id(self) -> str: ...
    @property
    def timezone(self) -> str: ...
    @property
    def active(self) -> bool: ...
    @property
    def cadence(self) -> Cadence: ...
    @property
    def round_weekday(self) -> int: ...
    @property
    def round_time(self) -> str: ...


class RoundFacts(Protocol):
    @property
    def round_date(self) -> date: ...


class PartnerFacts(Protocol):
    @property
    def slack_user_id(self) -> str: ...
    @property
    def tz(self) -> str | None: ...


def _entry(row: SkillFacts) -> SkillEntry:
    return SkillEntry(
        skill_id=row.skill_id, label=row.label, level=_level(row.level), direction=row.direction
    )


def profile_of(member: MemberFacts) -> ProfileView:
    rows = sorted(member.skills, key=lambda r: (r.created_at, r.id or 0))
    return ProfileView(
        user_id=member.slack_user_id,
        teach=[_entry(r) for r in rows if r.direction == Direction.TEACH],
        learn=[_entry(r) for r in rows if r.direction == Direction.LEARN],
        team=member.team_label,
        cadence=member.cadence,
        status=member.status,
        paused_until=member.paused_until,
    )


def member_today(
    member: MemberFacts | None, workspace: WorkspaceFacts | None, now: datetime
) -> date:
    """Today's date where the member is (their Slack time zone, else the workspace's)."""
    tz = (member.tz if member else None) or (workspace.timezone if workspace else None)
    return now.astimezone(zone(tz)).date()


def is_paused(member: MemberFacts, today: date) -> bool:
    """Paused now: ``paused_until`` is the first day back (None: until they resume)."""
    if member.status != MemberStatus.PAUSED:
        return False
    return member.paused_until is None or member.paused_until > today


def _workspace(session: Session, team_id: str, enterprise_id: str | None = None) -> Workspace:
    return get_or_create_workspace(session=session, team_id=team_id, enterprise_id=enterprise_id)


def workspace_for(*, session: Session, team_id: str) -> Workspace:
    return _workspace(session, team_id)


def _member(
    session: Session, team_id: str, user_id: str, *, with_catalog: bool = False
) -> tuple[Workspace, Member | None]:
    member = store.member_of_team(
        session=session, team_id=team_id, slack_user_id=user_id, with_catalog=with_catalog
    )
    if member is not None:
        return member.workspace, member
    return _workspace(session, team_id), None


def _people(
    session: Session, skill_id: int, label: str, direction: Direction, exclude: int
) -> SkillPeople:
    found = snapshots.skill_directory(
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


def example_for(direction: Direction) -> str:
    return (
        f"{COMMAND} teach Spanish, SQL"
        if direction == Direction.TEACH
        else f"{COMMAND} learn guitar, public speaking"
    )


# --------------------------------------------------------------------------- teach / learn


def add_skills(
    *,
    session: Session,
    team_id: str,
    user_id: str,
    person: SlackPerson | None,
    direction: Direction,
    names: list[SkillName],
) -> SkillsAdded:
    """Add skills to one side of the member's profile (creating the member on first use).

    Someone not yet a member needs ``person`` (from Slack); without it, :class:`NewcomerError`.
    """
    if user_id == SLACKBOT:
        raise not_a_person_error()
    found = snapshots.member_row(session=session, team_id=team_id, slack_user_id=user_id)
    joined = found is None
    if found is None:
        if person is None:
            raise NewcomerError(user_id)  # before any other work: the caller asks Slack
        _join(session, _workspace_of(session, team_id).id, team_id, user_id, person)
        found = snapshots.member_row(session=session, team_id=team_id, slack_user_id=user_id)
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
    for name in names:
        known = catalog.lookup(session=session, workspace_id=workspace.id, name=name)
        if known is not None and known.id in pending:
            continue  # two spellings of one skill in the same command
        if known is not None and known.id in mine:
            row = mine[known.id]
            if direction == Direction.TEACH and name.level and name.level != row.level:
                snapshots.set_level(session=session, row_id=row.id, level=int(name.level))
                profile_rows[row.id] = mine[known.id] = replace(row, level=int(name.level))
                added.append(row.label)
            else:
                already.append(row.label)
            continue
        guess = None
        if known is None and name.spelling == name.key:  # not a known alias either
            guess = catalog.near_miss(session=session, workspace_id=workspace.id, name=name)
        skill = catalog.resolve_or_create(
            session=session, workspace_id=workspace.id, name=name, found=known
        )
        if skill.id in pending or skill.id in mine:
            continue
        pending.add(skill.id)
        new_rows.append((name, skill))
        if guess is not None and guess.id != skill.id:
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
        row = snapshots.add_member_skill(
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
    workspace, member = _member(session, team_id, user_id)
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


# --------------------------------------------------------------------------- drop


def drop_skills(
    *, session: Session, team_id: str, user_id: str, names: list[SkillName]
) -> SkillsDropped:
    """Remove skills from both sides of the profile."""
    workspace, member = _member(session, team_id, user_id, with_catalog=True)
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
        listed = ", ".join(f"“{catalog.shown(r.label, 60)}”" for r in member.skills[:10])
        hint = f" Did you mean `{COMMAND} drop {catalog.shown(hints[0], 60)}`?" if hints else ""
        what = "“" + "”, “".join(catalog.shown(m) for m in missing) + "”"
        raise UserInputError(
            f"You don't list {what}.{hint}"
            + (f" Your skills: {listed}." if listed and not hint else "")
        )
    catalog.prune(session=session, workspace_id=workspace.id, skill_ids=removed_ids)
    return SkillsDropped(dropped=dropped, missing=missing, hints=hints, profile=profile_of(member))


# --------------------------------------------------------------------------- who


def who(*, session: Session, team_id: str, raw: str) -> WhoView:
    """The directory for one skill: who can teach it, who wants to learn it."""
    workspace = _workspace(session, team_id)
    if not raw.strip():
        popular = skill_store.popular_skills(session=session, workspace_id=workspace.id, limit=15)
        return WhoView(
            query="",
            skill=None,
            teachers=[],
            learners=[],
            popular=[(s.name, t, lr) for s, t, lr in popular],
        )
    name = catalog.check_name(raw, example=f"{COMMAND} who Spanish")
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
    found = snapshots.skill_directory(session=session, skill_id=skill.id, shown=DIRECTORY_SHOWN)
    return WhoView(
        query=name.label,
        skill=skill.name,
        teachers=[(user, _level(level)) for user, level in found.teachers],
        learners=found.learners,
        teachers_total=found.teachers_total,
        learners_total=found.learners_total,
    )


# --------------------------------------------------------------------------- pause / resume

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
_SPAN = re.compile(r"^(?P<n>\d{1,4}|[a-z]+)\s*(?P<unit>w|wk|wks|weeks?|d|days?|months?)$")
_ISO = re.compile(r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})$")
_DAY_MONTH = re.compile(r"^(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?P<mon>[a-z]+)(?:\s+(?P<y>\d{4}))?$")
_MONTH_DAY = re.compile(r"^(?P<mon>[a-z]+)\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?(?:\s+(?P<y>\d{4}))?$")

PAUSE_EXAMPLES = (
    f"`{COMMAND} pause 2 weeks`, `{COMMAND} pause until 2027-01-15` "
    f"or just `{COMMAND} pause` (until you resume)"
)


def _date_or_none(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_date(text: str, today: date) -> date | None:
    """``2027-01-15``, ``15 Jan``, ``January 15 2027``; a date without a year is the next one."""
    cleaned = " ".join(text.lower().replace(",", " ").split())
    if found := _ISO.match(cleaned):
        return _date_or_none(int(found["y"]), int(found["m"]), int(found["d"]))
    found = _DAY_MONTH.match(cleaned) or _MONTH_DAY.match(cleaned)
    if not found or found["mon"] not in _MONTHS:
        return None
    month, day = _MONTHS[found["mon"]], int(found["d"])
    if found["y"]:
        return _date_or_none(int(found["y"]), month, day)
    candidate = _date_or_none(today.year, month, day)
    if candidate is None or candidate <= today:
        candidate = _date_or_none(today.year + 1, month, day)
    return candidate


def parse_pause(text: str, today: date) -> date | None:
    """The first day back for ``pause <args>``; None means "until I resume".

    Raises :class:`UserInputError` for unreadable input, past dates and pauses over a year.
    """
    cleaned = " ".join(catalog.unescape_slack(text).lower().split())
    for prefix in ("until ", "till ", "til ", "for "):
        if cleaned.startswith(prefix):
            cleaned = cleaned[len(prefix) :].strip()
            break
    if cleaned in ("", "indefinitely", "i resume", "until i resume", "forever"):
        return None
    back: date | None
    if found := _SPAN.match(cleaned):
        raw_n, unit = found["n"], found["unit"]
        n = int(raw_n) if raw_n.isdigit() else _NUMBER_WORDS.get(raw_n, 0)
        if n < 1:
            raise UserInputError(f"Pause for at least one day or week. Try {PAUSE_EXAMPLES}.")
        days = n * (7 if unit.startswith("w") else 30 if unit.startswith("m") else 1)
        if days > MAX_PAUSE_DAYS:
            raise UserInputError(
                "Pauses go up to a year. For longer, pause until you resume "
                f"(`{COMMAND} pause`) or leave with `{COMMAND} leave`."
            )
        return today + timedelta(days=days)
    back = parse_date(cleaned, today)
    if back is None:
        shown = catalog.clean_label(text)[:40]
        raise UserInputError(
            f"I couldn't read “{shown}” as a date or a length. Try {PAUSE_EXAMPLES}."
        )
    check_pause_date(back, today)
    return back


def check_pause_date(back: date, today: date) -> None:
    if back <= today:
        raise UserInputError(
            f"{back:%-d %B %Y} is not in the future. Pick a later date, "
            f"for example `{COMMAND} pause until {today + timedelta(days=14):%Y-%m-%d}`."
        )
    if (back - today).days > MAX_PAUSE_DAYS:
        raise UserInputError(
            "Pauses go up to a year. For longer, pause until you resume "
            f"(`{COMMAND} pause`) or leave with `{COMMAND} leave`."
        )


@dataclass(frozen=True)
class PauseResult:
    paused_until: date | None  # None: until they resume
    next_round: datetime | None


def pause(*, session: Session, deps: Deps, team_id: str, user_id: str, raw: str) -> PauseResult:
    workspace, member = _member(session, team_id, user_id)
    if member is None:
        raise UserInputError(
            "You're not in SkillSwap yet, so there's nothing to pause. Join with "
            f"`{COMMAND} teach <skill>` or `{COMMAND} profile` whenever you like."
        )
    now = deps.clock.now()
    back = parse_pause(raw, member_today(member, workspace, now))
    member.status = MemberStatus.PAUSED
    member.paused_until = back
    last = snapshots.latest_round(session=session, workspace_id=workspace.id)
    return PauseResult(paused_until=back, next_round=_next_round(workspace, last, now))


def resume(*, session: Session, deps: Deps, team_id: str, user_id: str) -> PauseResult:
    workspace, member = _member(session, team_id, user_id)
    if member is None:
        raise UserInputError(
            f"You're not in SkillSwap yet. Join with `{COMMAND} teach <skill>` or "
            f"`{COMMAND} profile`."
        )
    member.status = MemberStatus.ACTIVE
    member.paused_until = None
    now = deps.clock.now()
    last = snapshots.latest_round(session=session, workspace_id=workspace.id)
    return PauseResult(paused_until=None, next_round=_next_round(workspace, last, now))


# --------------------------------------------------------------------------- overview


def _next_round(
    workspace: WorkspaceFacts, last: RoundFacts | None, now: datetime
) -> datetime | None:
    if not workspace.active:
        return None
    try:
        return rounds_schedule.next_round_at(
            workspace.cadence,
            workspace.round_weekday,
            workspace.round_time,
            workspace.timezone,
            now,
            last_round_on=last.round_date if last else None,
        )
    except ValueError:  # settings an admin must fix; say nothing rather than a wrong date
        log.warning("workspace round settings are invalid", extra={"team_id": workspace.team_id})
        return None


def _time_hint(me: PartnerFacts, partners: Sequence[PartnerFacts], today: date) -> str | None:
    mine = zone(me.tz)
    for other in partners:
        theirs = zone(other.tz)
        if str(theirs) == str(mine):
            continue
        at = datetime(today.year, today.month, today.day, 10, 0, tzinfo=mine)
        there = at.astimezone(theirs)
        if there.utcoffset() == at.utcoffset():
            continue
        return f"When it's 10:00 for you, it's {there:%H:%M} for <@{other.slack_user_id}>."
    return None


def _workspace_of(session: Session, team_id: str) -> snapshots.WorkspaceRow:
    """The workspace as a plain row, created on first contact."""
    workspace = snapshots.workspace_row(session=session, team_id=team_id)
    if workspace is None:
        _workspace(session, team_id)  # NeedsWrite in a read-only unit of work
        session.flush()
        workspace = snapshots.workspace_row(session=session, team_id=team_id)
        assert workspace is not None
    return workspace


def overview(*, session: Session, deps: Deps, team_id: str, user_id: str) -> Overview:
    found = snapshots.member_overview(session=session, team_id=team_id, slack_user_id=user_id)
    if found is not None:
        workspace, member = found.workspace, found.member
        latest, in_a_group = found.latest_round, found.in_any_group
    else:
        workspace, member = _workspace_of(session, team_id), None
        latest = snapshots.latest_round(session=session, workspace_id=workspace.id)
        in_a_group = False
    now = deps.clock.now()
    today = member_today(member, workspace, now)
    tz = (member.tz if member else None) or workspace.timezone or "UTC"
    next_round = _next_round(workspace, latest, now)
    if member is None:
        return Overview(
            user_id=user_id,
            profile=None,
            next_round=next_round,
            current=None,
            history=[],
            tz=tz,
            today=today,
        )
    rows = (
        store.groups_of(session=session, member_id=member.id, limit=HISTORY_LIMIT + 1)
        if in_a_group
        else []
    )
    current: GroupView | None = None
    history: list[GroupView] = []
    for row in rows:
        view = GroupView(
            round_date=row.round.round_date,
            kind=row.group.kind,
            state=row.group.state,
            partners=[p.slack_user_id for p in row.partners],
            lessons=[Lesson(teacher=t, learner=lr, skill=s) for t, lr, s in row.lessons],
            time_hint=None,
        )
        if current is None and latest is not None and row.round.id == latest.id:
            current = GroupView(
                round_date=view.round_date,
                kind=view.kind,
                state=view.state,
                partners=view.partners,
                lessons=view.lessons,
                time_hint=_time_hint(member, row.partners, today),
            )
        else:
            history.append(view)
    profile = profile_of(member)
    if member.status == MemberStatus.PAUSED and not is_paused(member, today):
        profile = replace(profile, status=MemberStatus.ACTIVE)
    return Overview(
        user_id=user_id,
        profile=profile,
        next_round=next_round,
        current=current,
        history=history[:HISTORY_LIMIT],
        tz=tz,
        today=today,
    )


# --------------------------------------------------------------------------- profile modal


@dataclass(frozen=True)
class PickedSkill:
    """One skill picked in the modal: an option (existing skill or "Add …") or typed text."""

    ref: OptionRef
    text: str  # the option's text, or what was typed
    level: Level = Level.BEGINNER


@dataclass(frozen=True)
class ProfileSubmission:
    """The modal's state, read but not yet validated. Field names match the modal's blocks."""

    teach: list[PickedSkill]  # from the three level menus
    teach_new: str
    teach_new_level: Level
    learn: list[PickedSkill]
    learn_new: str
    team: str
    cadence: str | None
    pause_until: str | None  # "YYYY-MM-DD"


@dataclass(frozen=True)
class ProfileForm:
    """What the modal shows when it opens."""

    teach: list[SkillEntry]
    learn: list[SkillEntry]
    team: str | None
    cadence: MemberCadence
    paused_until: date | None
    paused_indefinitely: bool
    today: date
    is_member: bool


def profile_form(*, session: Session, deps: Deps, team_id: str, user_id: str) -> ProfileForm:
    workspace, member = _member(session, team_id, user_id)
    today = member_today(member, workspace, deps.clock.now())
    if member is None:
        return ProfileForm(
            teach=[],
            learn=[],
            team=None,
            cadence=MemberCadence.EVERY_ROUND,
            paused_until=None,
            paused_indefinitely=False,
            today=today,
            is_member=False,
        )
    profile = profile_of(member)
    paused = is_paused(member, today)
    return ProfileForm(
        teach=profile.teach,
        learn=profile.learn,
        team=member.team_label,
        cadence=member.cadence,
        paused_until=member.paused_until if paused else None,
        paused_indefinitely=paused and member.paused_until is None,
        today=today,
        is_member=True,
    )


class ProfileErrors(UserInputError):
    """Inline errors for the modal, keyed by ``ProfileSubmission`` field name."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class _Wanted:
    skill: catalog.CatalogSkill | None
    name: SkillName | None
    label: str
    level: Level


def _split_typed(text: str, field_name: str, errors: dict[str, str]) -> list[SkillName]:
    names: list[SkillName] = []
    example = "Spanish, SQL, guitar"
    for part in catalog.split_names(text):
        try:
            names.append(catalog.check_name(part, example=example))
        except UserInputError as exc:
            errors.setdefault(field_name, exc.message.replace("`", ""))
    return names


def _wanted_side(
    session: Session,
    workspace: Workspace,
    picked: list[PickedSkill],
    typed: list[SkillName],
    typed_level: Level,
    errors: dict[str, str],
    menu_field: str,
    typed_field: str,
) -> dict[str, _Wanted]:
    """Picked and typed skills for one side, by key (the highest level wins)."""
    wanted: dict[str, _Wanted] = {}
    ids = [p.ref.skill_id for p in picked if p.ref.skill_id is not None]
    known = skill_store.skills_by_ids(session=session, workspace_id=workspace.id, ids=ids)

    def put(key: str, item: _Wanted) -> None:
        if key not in wanted or item.level > wanted[key].level:
            wanted[key] = item

    for p in picked:
        skill = known.get(p.ref.skill_id) if p.ref.skill_id is not None else None
        if skill is not None:
            put(skill.key, _Wanted(skill=skill, name=None, label=skill.name, level=p.level))
            continue
        raw = p.ref.label or p.text  # "Add …" options, or a skill pruned since the menu opened
        try:
            name = catalog.check_name(raw, example="Spanish")
        except UserInputError as exc:
            errors.setdefault(menu_field, exc.message.replace("`", ""))
            continue
        put(name.key, _Wanted(skill=None, name=name, label=name.label, level=p.level))
    for name in typed:
        put(
            name.key,
            _Wanted(skill=None, name=name, label=name.label, level=name.level or typed_level),
        )
    if len(wanted) > MAX_SKILLS_PER_SIDE:
        errors.setdefault(
            typed_field if typed else menu_field,
            f"That's {len(wanted)} skills; up to {MAX_SKILLS_PER_SIDE} fit. "
            f"Remove {len(wanted) - MAX_SKILLS_PER_SIDE}.",
        )
    return wanted


def validate_pause_date(raw: str | None, today: date) -> date | None:
    if not raw:
        return None
    try:
        back = date.fromisoformat(raw)
    except ValueError as exc:
        raise UserInputError("Pick a date from the calendar.") from exc
    if back <= today:
        raise UserInputError("Pick a date after today, or clear it to take part in the next round.")
    if (back - today).days > MAX_PAUSE_DAYS:
        raise UserInputError("Pauses go up to a year; pick an earlier date.")
    return back


def save_profile(
    *,
    session: Session,
    deps: Deps,
    team_id: str,
    user_id: str,
    person: SlackPerson | None,
    form: ProfileSubmission,
) -> tuple[ProfileView, list[NearMiss]]:
    """Replace the member's profile with the modal's contents.

    Raises :class:`ProfileErrors` (nothing is stored) when the form is not valid.
    """
    workspace = _workspace(session, team_id)
    existing = store.get_member(session=session, workspace_id=workspace.id, slack_user_id=user_id)
    errors: dict[str, str] = {}
    today = member_today(existing, workspace, deps.clock.now())

    teach_typed = _split_typed(form.teach_new, "teach_new", errors)
    learn_typed = _split_typed(form.learn_new, "learn_new", errors)
    teach = _wanted_side(
        session, workspace, form.teach, teach_typed, form.teach_new_level, errors,
        "teach", "teach_new",
    )  # fmt: skip
    learn = _wanted_side(
        session, workspace, form.learn, learn_typed, Level.BEGINNER, errors, "learn", "learn_new"
    )
    if not teach and not learn and not errors:
        errors["teach_new"] = (
            "Add at least one skill to teach or to learn. Anything counts: SQL, Spanish, "
            "guitar, bread…"
        )
    team = catalog.clean_label(form.team or "")
    if len(team) > MAX_TEAM_CHARS:
        errors["team"] = f"Keep it under {MAX_TEAM_CHARS} characters."
    try:
        back = validate_pause_date(form.pause_until, today)
    except UserInputError as exc:
        errors["pause_until"] = exc.message
        back = None
    try:
        cadence = MemberCadence(form.cadence or MemberCadence.EVERY_ROUND)
    except ValueError:
        cadence = MemberCadence.EVERY_ROUND
    if errors:
        raise ProfileErrors(errors)

    member, _joined = ensure_member(
        session=session, workspace=workspace, user_id=user_id, person=person
    )
    removed: set[int] = set()
    near: list[NearMiss] = []
    for direction, wanted in ((Direction.TEACH, teach), (Direction.LEARN, learn)):
        current = {r.skill_id: r for r in member.skills if r.direction == direction}
        keep: dict[int, _Wanted] = {}
        for item in wanted.values():
            skill: catalog.CatalogSkill | None = item.skill
            if skill is None:
                assert item.name is not None
                found = catalog.lookup(session=session, workspace_id=workspace.id, name=item.name)
                guess = None
                if found is None and item.name.spelling == item.name.key:
                    guess = catalog.near_miss(
                        session=session, workspace_id=workspace.id, name=item.name
                    )
                skill = catalog.resolve_or_create(
                    session=session, workspace_id=workspace.id, name=item.name, found=found
                )
                if guess is not None and guess.id != skill.id:
                    near.append(NearMiss(direction, skill.id, item.label, guess.id, guess.name))
            if skill.id in keep and keep[skill.id].level >= item.level:
                continue
            keep[skill.id] = _Wanted(
                skill=skill, name=item.name, label=item.label, level=item.level
            )
        gone = [r for sid, r in current.items() if sid not in keep]
        removed |= {r.skill_id for r in gone}
        store.remove_member_skills(session=session, member=member, rows=gone)
        for skill_id, item in keep.items():
            level = int(item.level) if direction == Direction.TEACH else None
            if skill_id in current:
                if level is not None:
                    current[skill_id].level = level
                continue
            assert item.skill is not None
            store.add_member_skill(
                session=session,
                member=member,
                skill_id=item.skill.id,
                direction=direction,
                label=item.label,
                level=level or int(Level.BEGINNER),
            )
    member.team_label = team or None
    member.cadence = cadence
    if back is not None:
        member.status = MemberStatus.PAUSED
        member.paused_until = back
    elif member.status == MemberStatus.PAUSED and member.paused_until is not None:
        # The date was cleared: the pause is over. An open-ended pause stays until "resume".
        member.status = MemberStatus.ACTIVE
        member.paused_until = None
    session.flush()
    catalog.prune(session=session, workspace_id=workspace.id, skill_ids=removed)
    return profile_of(member), near


# --------------------------------------------------------------------------- leaving


def erase(*, session: Session, team_id: str, user_id: str, deactivated: bool = False) -> bool:
    """Delete the member and every row of their personal data. True when they were a member.

    ``deactivated`` (their Slack account was deactivated) also drops them from the
    workspace's SkillSwap admin list.
    """
    workspace = get_workspace(session=session, team_id=team_id)
    if workspace is None:
        return False
    skill_ids = store.erase_member(
        session=session, workspace_id=workspace.id, slack_user_id=user_id
    )
    if deactivated and user_id in (workspace.admin_user_ids or []):
        workspace.admin_user_ids = [u for u in workspace.admin_user_ids if u != user_id]
    if skill_ids is None:
        return False
    catalog.prune(session=session, workspace_id=workspace.id, skill_ids=skill_ids)
    log.info("member erased", extra={"team_id": team_id, "user_id": user_id})
    return True


def is_member(*, session: Session, team_id: str, user_id: str) -> bool:
    workspace = get_workspace(session=session, team_id=team_id)
    return workspace is not None and (
        store.get_member(session=session, workspace_id=workspace.id, slack_user_id=user_id)
        is not None
    )


def refresh_person(*, session: Session, team_id: str, person: SlackPerson) -> bool:
    """Keep a member's name and time zone current (``user_change``). True if they're a member."""
    workspace = get_workspace(session=session, team_id=team_id)
    if workspace is None:
        return False
    member = store.get_member(
        session=session, workspace_id=workspace.id, slack_user_id=person.user_id
    )
    if member is None:
        return False
    if person.display_name:
        member.display_name = person.display_name
    if person.tz:
        member.tz = person.tz
    return True

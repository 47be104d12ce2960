"""The profile modal (open, validate, save) and pausing or resuming."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.errors import UserInputError
from bot.kinds import Direction, MemberCadence, MemberStatus
from bot.members import catalog
from bot.members.dates import parse_pause, validate_pause_date
from bot.members.hours import hhmm, mask_of, parse_hhmm, work_hours, working_week
from bot.members.identity import SlackPerson, ensure_member
from bot.members.lookups import member_of, next_round
from bot.members.names import (
    MAX_SKILLS_PER_SIDE,
    Level,
    SkillName,
    check_name,
    clean_label,
    split_names,
)
from bot.members.views import (
    NearMiss,
    PauseResult,
    PickedSkill,
    ProfileForm,
    ProfileSubmission,
    ProfileView,
    is_paused,
    member_today,
    profile_of,
)
from bot.requests.views import MAX_PER_MONTH
from bot.slack.text import COMMAND
from bot.store import members as store
from bot.store import read_model
from bot.store import skills as skill_store
from bot.store.models import Workspace
from bot.store.workspaces import get_or_create_workspace

MAX_TEAM_CHARS = 80


def profile_form(
    *,
    session: Session,
    deps: Deps,
    team_id: str,
    user_id: str,
    person: SlackPerson | None = None,
) -> ProfileForm:
    """What the form shows; for someone not yet a member, prefilled from their Slack
    profile (``person``, asked before this unit of work): name, team and time zone."""
    workspace, member = member_of(session, team_id, user_id)
    today = member_today(member, workspace, deps.clock.now())
    if member is None:
        return ProfileForm(
            teach=[],
            learn=[],
            team=person.team if person else None,
            name=person.display_name if person else None,
            tz=person.tz if person else None,
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
        takes_requests=member.takes_requests,
        requests_per_month=member.requests_per_month,
        work_days=working_week(member).days,
        work_start=work_hours(member).start,
        work_end=work_hours(member).end,
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
    for part in split_names(text):
        try:
            names.append(check_name(part, example=example))
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
            name = check_name(raw, example="Spanish")
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


def _working_week(form: ProfileSubmission, errors: dict[str, str]) -> tuple[int, int, int] | None:
    """The form's working days and hours as (day mask, start, end); None when the form has
    no such fields (one opened before they existed), so the stored week stays."""
    if form.work_days is None and form.work_start is None and form.work_end is None:
        return None
    days = mask_of(int(d) for d in form.work_days or [] if d in {"0", "1", "2", "3", "4", "5", "6"})
    if not days:
        errors["work_days"] = "Tick at least one day you work."
    start = parse_hhmm(form.work_start)
    end = parse_hhmm(form.work_end)
    if start is None:
        errors["work_start"] = "Pick the time your working day starts."
    if end is None:
        errors["work_end"] = "Pick the time your working day ends."
    elif start is not None and end <= start:
        errors["work_end"] = (
            f"Your day ends at {hhmm(end)}, before it starts ({hhmm(start)}). Overnight "
            "hours aren't supported yet: pick an end after the start."
        )
    if start is None or end is None or not days or end <= start:
        return None
    return days, start, end


def save_profile(
    *,
    session: Session,
    deps: Deps,
    team_id: str,
    user_id: str,
    person: SlackPerson | None,
    form: ProfileSubmission,
    from_channel: str | None = None,
) -> tuple[ProfileView, list[NearMiss]]:
    """Replace the member's profile with the modal's contents.

    Raises :class:`ProfileErrors` (nothing is stored) when the form is not valid.
    """
    workspace = get_or_create_workspace(session=session, team_id=team_id)
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
    team = clean_label(form.team or "")
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
    takes = {"yes": True, "no": False}.get(form.takes_requests or "")
    per_month: int | None = None
    if form.requests_per_month is not None:
        raw = form.requests_per_month.strip()
        if raw.isdigit() and 1 <= int(raw) <= MAX_PER_MONTH:
            per_month = int(raw)
        else:
            errors["requests_per_month"] = f"Choose from 1 to {MAX_PER_MONTH} requests a month."
    week = _working_week(form, errors)
    if errors:
        raise ProfileErrors(errors)

    member, _joined = ensure_member(
        session=session,
        workspace=workspace,
        user_id=user_id,
        person=person,
        now=deps.clock.now(),
        from_channel=from_channel,
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
                skill, guess = catalog.resolve_name(
                    session=session, workspace_id=workspace.id, name=item.name, found=found
                )
                if guess is not None:
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
    if takes is not None:
        member.takes_requests = takes
    if per_month is not None:
        member.requests_per_month = per_month
    if week is not None:
        member.work_days, member.work_start, member.work_end = week
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


def pause(*, session: Session, deps: Deps, team_id: str, user_id: str, raw: str) -> PauseResult:
    workspace, member = member_of(session, team_id, user_id)
    if member is None:
        raise UserInputError(
            "You're not in SkillSwap yet, so there's nothing to pause. Join with "
            f"`{COMMAND} teach <skill>` or `{COMMAND} profile` whenever you like."
        )
    now = deps.clock.now()
    back = parse_pause(raw, member_today(member, workspace, now))
    member.status = MemberStatus.PAUSED
    member.paused_until = back
    member.pause_asked_at = None
    member.auto_paused = False  # their own choice now
    last = read_model.latest_round(session=session, workspace_id=workspace.id)
    return PauseResult(paused_until=back, next_round=next_round(workspace, last, now))


def resume(*, session: Session, deps: Deps, team_id: str, user_id: str) -> PauseResult:
    workspace, member = member_of(session, team_id, user_id)
    if member is None:
        raise UserInputError(
            f"You're not in SkillSwap yet. Join with `{COMMAND} teach <skill>` or "
            f"`{COMMAND} profile`."
        )
    member.status = MemberStatus.ACTIVE
    member.paused_until = None
    member.pause_asked_at = None
    member.auto_paused = False
    member.unanswered_checkins = 0
    now = deps.clock.now()
    last = read_model.latest_round(session=session, workspace_id=workspace.id)
    return PauseResult(paused_until=None, next_round=next_round(workspace, last, now))


def keep_me_in(*, session: Session, deps: Deps, team_id: str, user_id: str) -> PauseResult:
    """The answer "Keep me in" to "Still up for swaps?": the question is settled and the
    missed check-ins are forgotten. Someone paused since is brought back, as they asked."""
    return resume(session=session, deps=deps, team_id=team_id, user_id=user_id)

"""Asking for a swap: who may ask whom for what, the form, and storing the request.

Every check runs when the form opens and again when it is sent (the buttons that open it carry
ids anyone could forge, and limits may have changed in between). A refused ask changes nothing.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from bot.blocks.requests import request_card_blocks, request_card_text
from bot.blocks.rounds import dump
from bot.delivery.outbox import NewMessage, OutboxKind, enqueue_one
from bot.errors import NotAllowedError, NotFoundError, UserInputError
from bot.kinds import Direction, MemberStatus
from bot.members import catalog
from bot.members.identity import SLACKBOT
from bot.members.names import check_name, shown
from bot.requests.views import (
    EXPIRY_DAYS,
    MAX_OPEN_PER_ASKER,
    NOTE_MAX_CHARS,
    AskForm,
    Offer,
    RequestCard,
)
from bot.rounds.schedule import zone
from bot.slack.text import COMMAND
from bot.store import members as member_store
from bot.store import requests as store
from bot.store import skills as skill_store
from bot.store.models import Member, SwapRequest, Workspace
from bot.store.workspaces import get_workspace

log = logging.getLogger(__name__)

NOT_TAKING = "<@{user}> isn't taking requests right now. Try `{command} who {skill}` for others."


class NotAMemberError(NotFoundError):
    """The person asked is not in SkillSwap (the listener may say why: a bot, for example)."""

    def __init__(self, user_id: str) -> None:
        super().__init__(
            f"<@{user_id}> isn't in SkillSwap, so they can't take requests. "
            f"See who teaches what with `{COMMAND} who <skill>`."
        )
        self.user_id = user_id


class FormError(UserInputError):
    """An error shown next to a field of the ask form (``field``: "note" or "offer")."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def bot_error(user_id: str) -> NotAllowedError:
    return NotAllowedError(
        f"<@{user_id}> is a bot or an app: swaps are between people. "
        f"See who teaches what with `{COMMAND} who <skill>`."
    )


# --------------------------------------------------------------------------- parsing

_ESCAPED = re.compile(r"^<@([A-Z0-9]{2,32})(?:\|[^>]*)?>$")
_PLAIN_ID = re.compile(r"^@?([UW][A-Z0-9]{2,31})$")


@dataclass(frozen=True)
class Target:
    """Who ``/skillswap ask`` names: a Slack user id, or a name typed after ``@``."""

    user_id: str | None
    name: str | None
    skill: str


USAGE = f"Say who and what, like `{COMMAND} ask @ana Spanish`."


def parse_ask(raw: str) -> Target:
    """``"<@U1|ana> Spanish"`` or ``"@ana Spanish"`` → who and the skill text."""
    head, _, rest = raw.strip().partition(" ")
    if not head or not rest.strip():
        raise UserInputError(USAGE)
    if found := _ESCAPED.match(head):
        return Target(user_id=found.group(1), name=None, skill=rest.strip())
    if found := _PLAIN_ID.match(head):
        return Target(user_id=found.group(1), name=None, skill=rest.strip())
    if head.startswith("@") and len(head) > 1:
        return Target(user_id=None, name=head[1:], skill=rest.strip())
    raise UserInputError(USAGE)


def resolve_target(*, session: Session, team_id: str, target: Target) -> str:
    """The Slack user id of the member ``target`` names."""
    if target.user_id is not None:
        return target.user_id
    assert target.name is not None
    workspace = get_workspace(session=session, team_id=team_id)
    found = (
        member_store.members_named(session=session, workspace_id=workspace.id, name=target.name)
        if workspace
        else []
    )
    if len(found) == 1:
        return found[0]
    who = shown(target.name, 40)
    if not found:
        raise UserInputError(
            f"I can't find a SkillSwap member called @{who}. Pick them from the list when you "
            f"type @, or use the *Ask for a swap* button in `{COMMAND} who <skill>`."
        )
    raise UserInputError(
        f"More than one member is called @{who}. Pick them from the list when you type @, or "
        f"use the *Ask for a swap* button in `{COMMAND} who <skill>`."
    )


# --------------------------------------------------------------------------- the checks


@dataclass(frozen=True)
class Parties:
    workspace: Workspace
    asker: Member
    teacher: Member
    skill_id: int
    skill: str


def _member(session: Session, workspace: Workspace, user_id: str) -> Member | None:
    found = member_store.get_member(
        session=session, workspace_id=workspace.id, slack_user_id=user_id
    )
    return None if found is None or found.status is MemberStatus.LEFT else found


def week_of(day: date) -> tuple[date, date]:
    """Monday and Sunday of the ISO week containing ``day``."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def local_today(workspace: Workspace, now: datetime) -> date:
    return now.astimezone(zone(workspace.timezone)).date()


def month_start(now: datetime) -> datetime:
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def check_pair(
    session: Session,
    workspace: Workspace,
    asker: Member,
    teacher: Member,
    skill: str,
    now: datetime,
) -> None:
    """What may stop a request between two members at any moment (asking or accepting)."""
    if teacher.status is not MemberStatus.ACTIVE or store.do_not_pair(
        session=session, first=asker.id, second=teacher.id
    ):
        # Paused, or a do-not-pair entry either way: the asker learns nothing more.
        raise NotAllowedError(_not_taking(teacher.slack_user_id, skill))
    monday, sunday = week_of(local_today(workspace, now))
    if store.grouped_between(
        session=session, first=asker.id, second=teacher.id, start=monday, end=sunday
    ):
        raise NotAllowedError(
            f"You and <@{teacher.slack_user_id}> are already paired this week. Enjoy that swap "
            "first; you can ask again next week."
        )


def _not_taking(user_id: str, skill: str) -> str:
    return NOT_TAKING.format(user=user_id, command=COMMAND, skill=shown(skill, 60))


def check_ask(
    *,
    session: Session,
    team_id: str,
    asker_user: str,
    teacher_user: str,
    skill_id: int | None = None,
    skill_text: str | None = None,
    now: datetime,
) -> Parties:
    """Who asks whom for which skill, if they may; raises a one-line reason otherwise."""
    if asker_user == SLACKBOT:
        raise bot_error(asker_user)
    if teacher_user == asker_user:
        raise UserInputError(
            "That's you! Ask a colleague instead: `/skillswap who <skill>` shows who teaches it."
        )
    if teacher_user == SLACKBOT:
        raise bot_error(teacher_user)
    workspace = get_workspace(session=session, team_id=team_id)
    asker = _member(session, workspace, asker_user) if workspace else None
    if workspace is None or asker is None:
        raise UserInputError(
            "Join SkillSwap first, so they know what you could teach back: "
            f"`{COMMAND} teach <skill>` (or `{COMMAND} profile`)."
        )
    teacher = _member(session, workspace, teacher_user)
    if teacher is None:
        raise NotAMemberError(teacher_user)
    if skill_id is None:
        name = check_name(skill_text or "", example=f"{COMMAND} ask @ana Spanish")
        found = catalog.lookup(session=session, workspace_id=workspace.id, name=name)
        typed = name.label
        skill_id = found.id if found is not None else None
    else:
        typed = ""
    row = (
        store.teach_row(session=session, member_id=teacher.id, skill_id=skill_id)
        if skill_id is not None
        else None
    )
    if row is None:
        what = typed or "that skill"
        raise UserInputError(
            f"<@{teacher_user}> doesn't list *{shown(what, 60)}* to teach. See who does: "
            f"`{COMMAND} who {shown(what, 60)}`."
        )
    skill = skill_store.skills_by_ids(
        session=session, workspace_id=workspace.id, ids=[row.skill_id]
    )[row.skill_id].name
    if (
        not teacher.takes_requests
        or store.received_since(session=session, teacher_id=teacher.id, since=month_start(now))
        >= teacher.requests_per_month
    ):
        raise NotAllowedError(_not_taking(teacher_user, skill))
    check_pair(session, workspace, asker, teacher, skill, now)
    if store.open_between(session=session, asker_id=asker.id, teacher_id=teacher.id):
        raise UserInputError(
            f"You already have a request waiting with <@{teacher_user}>. They have a week to "
            "answer; I'll tell you either way."
        )
    if store.open_count(session=session, asker_id=asker.id) >= MAX_OPEN_PER_ASKER:
        raise UserInputError(
            f"You have {MAX_OPEN_PER_ASKER} requests waiting for an answer, the most at once. "
            f"Each is answered or expires within {EXPIRY_DAYS} days; ask again then."
        )
    return Parties(workspace, asker, teacher, row.skill_id, skill)


# --------------------------------------------------------------------------- form and request


def ask_form(
    *,
    session: Session,
    team_id: str,
    asker_user: str,
    teacher_user: str,
    skill_id: int | None = None,
    skill_text: str | None = None,
    now: datetime,
) -> AskForm:
    parties = check_ask(
        session=session,
        team_id=team_id,
        asker_user=asker_user,
        teacher_user=teacher_user,
        skill_id=skill_id,
        skill_text=skill_text,
        now=now,
    )
    wanted = store.wanted_skill_ids(session=session, member_id=parties.teacher.id)
    mine = [s for s in parties.asker.skills if s.direction is Direction.TEACH]
    offers = sorted(
        (Offer(s.skill_id, s.label, s.skill_id in wanted) for s in mine),
        key=lambda o: (not o.wanted, o.label.lower()),
    )
    return AskForm(
        teacher=teacher_user,
        skill_id=parties.skill_id,
        skill=parties.skill,
        teaches=tuple(
            (s.skill_id, s.label) for s in parties.teacher.skills if s.direction is Direction.TEACH
        ),
        offers=tuple(offers),
    )


def create_request(
    *,
    session: Session,
    team_id: str,
    asker_user: str,
    teacher_user: str,
    skill_id: int,
    offer_skill_id: int | None,
    note: str,
    now: datetime,
) -> int:
    """Store the request and queue the teacher's DM; returns the request id."""
    note = note.strip()
    if len(note) > NOTE_MAX_CHARS:
        raise FormError(
            "note", f"Keep the note to {NOTE_MAX_CHARS} characters (it has {len(note)})."
        )
    parties = check_ask(
        session=session,
        team_id=team_id,
        asker_user=asker_user,
        teacher_user=teacher_user,
        skill_id=skill_id,
        now=now,
    )
    offer = None
    if offer_skill_id is not None:
        offer = next(
            (
                s
                for s in parties.asker.skills
                if s.skill_id == offer_skill_id and s.direction is Direction.TEACH
            ),
            None,
        )
        if offer is None:
            raise FormError(
                "offer", "That isn't on your teach list any more. Pick another, or none."
            )
    request = SwapRequest(
        workspace_id=parties.workspace.id,
        asker_id=parties.asker.id,
        teacher_id=parties.teacher.id,
        skill_id=parties.skill_id,
        skill_label=parties.skill[:80],
        offer_skill_id=offer.skill_id if offer else None,
        offer_label=offer.label[:80] if offer else None,
        note=note or None,
        created_at=now,
        expires_at=now + timedelta(days=EXPIRY_DAYS),
    )
    session.add(request)
    session.flush()
    card = RequestCard(
        request_id=request.id,
        asker=asker_user,
        teacher=teacher_user,
        skill=request.skill_label,
        offer=request.offer_label,
        note=request.note,
        expires_at=request.expires_at,
    )
    enqueue_one(
        NewMessage(
            key=f"request:{request.id}",
            kind=OutboxKind.REQUEST,
            text=request_card_text(card),
            blocks=dump(request_card_blocks(card)),
            target_users=(teacher_user,),
            member_id=parties.teacher.id,
        ),
        session=session,
        workspace_id=parties.workspace.id,
        now=now,
    )
    log.info(
        "swap request stored",
        extra={"team_id": team_id, "user_id": asker_user, "request_id": request.id},
    )
    return request.id

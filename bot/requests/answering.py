"""Answering a request: *Accept* makes a group like a round's (a round of its own with origin
"request", so check-ins, history, the cooldown and the numbers count it), *Not now* tells the
asker kindly, with others who teach the skill. Only the teacher may answer, once."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.blocks.requests import declined_blocks, declined_text
from bot.blocks.rounds import dump, intro_blocks, intro_fallback
from bot.delivery.outbox import NewMessage, OutboxKind, enqueue_one
from bot.errors import NotAllowedError, NotFoundError, UserInputError
from bot.kinds import GroupKind, GroupState, Origin, RequestState, RoundState
from bot.requests.asking import check_pair, local_today
from bot.requests.views import OTHERS_SHOWN, Declined
from bot.rounds.schedule import round_times
from bot.rounds.service import load_intro_view, rhythm_of
from bot.slack.text import COMMAND
from bot.store import requests as store
from bot.store.models import Group, GroupMember, Lesson, Member, Round, SwapRequest, Workspace
from bot.store.workspaces import get_workspace

log = logging.getLogger(__name__)

GONE = "That request isn't there any more: it was withdrawn when one of you left SkillSwap."


@dataclass(frozen=True)
class Answered:
    """What the teacher's DM becomes after their answer."""

    request_id: int
    asker: str
    teacher: str
    skill: str
    accepted: bool


def _open_request(
    session: Session, team_id: str, user_id: str, request_id: int, now: datetime
) -> tuple[Workspace, SwapRequest, Member, Member]:
    workspace = get_workspace(session=session, team_id=team_id)
    request = (
        store.get_request(
            session=session, workspace_id=workspace.id, request_id=request_id, for_update=True
        )
        if workspace
        else None
    )
    if workspace is None or request is None:
        raise NotFoundError(GONE)
    teacher = session.get_one(Member, request.teacher_id)
    if teacher.slack_user_id != user_id:
        raise NotAllowedError("That request was sent to someone else, so only they can answer it.")
    asker = session.get_one(Member, request.asker_id)
    if request.state is RequestState.ACCEPTED:
        raise UserInputError("You've already accepted this request: look for your group DM.")
    if request.state is RequestState.DECLINED:
        raise UserInputError("You've already answered this request with “not now”.")
    if request.state is RequestState.EXPIRED or request.expires_at <= now:
        raise UserInputError(
            "This request expired after a week without an answer. If you'd still like to swap, "
            f"ask them yourself: `{COMMAND} ask <@{asker.slack_user_id}> <skill>`."
        )
    return workspace, request, asker, teacher


def accept(
    *, session: Session, team_id: str, user_id: str, request_id: int, now: datetime
) -> Answered:
    workspace, request, asker, teacher = _open_request(session, team_id, user_id, request_id, now)
    check_pair(session, workspace, asker, teacher, request.skill_label, now)
    rhythm = rhythm_of(workspace)
    times = round_times(rhythm, now, workspace.checkin_delay_days)
    round_ = Round(
        workspace_id=workspace.id,
        period=f"req-{request.id}",
        origin=Origin.REQUEST,
        state=RoundState.MATCHED,
        round_date=local_today(workspace, now),
        seed=0,
        eligible_count=2,
        group_count=1,
        unmatched_count=0,
        stats={},
        checkins_due_at=times.checkins_due_at,
        reminders_due_at=times.reminders_due_at,
        created_at=now,
    )
    before = store.grouped_between(session=session, first=asker.id, second=teacher.id)
    offer_row = (
        store.teach_row(session=session, member_id=asker.id, skill_id=request.offer_skill_id)
        if request.offer_skill_id is not None
        else None
    )
    group = Group(
        round=round_,
        kind=GroupKind.SWAP if offer_row is not None else GroupKind.ONE_WAY,
        score=0.0,
        reason="asked for a swap",
        state=GroupState.PENDING,
        new_connection=not before,
        cross_team=bool(
            teacher.team_label and asker.team_label and teacher.team_label != asker.team_label
        ),
        created_at=now,
    )
    group.members = [GroupMember(member=teacher), GroupMember(member=asker)]
    lessons = [
        Lesson(
            teacher_id=teacher.id,
            learner_id=asker.id,
            skill_id=request.skill_id,
            skill_label=request.skill_label,
        )
    ]
    if offer_row is not None:
        lessons.append(
            Lesson(
                teacher_id=asker.id,
                learner_id=teacher.id,
                skill_id=offer_row.skill_id,
                skill_label=(request.offer_label or offer_row.label)[:80],
            )
        )
    group.lessons = lessons
    session.add(round_)
    session.flush()
    request.state = RequestState.ACCEPTED
    request.answered_at = now
    request.group_id = group.id
    request.note = None  # delivered and answered: nothing left to keep it for
    store.forget_card(session=session, request_id=request.id)
    view = load_intro_view(session, group)
    enqueue_one(
        NewMessage(
            key=f"intro:{group.id}",
            kind=OutboxKind.INTRO,
            text=intro_fallback(view),
            blocks=dump(intro_blocks(view)),
            target_users=(teacher.slack_user_id, asker.slack_user_id),
            round_id=round_.id,
            group_id=group.id,
        ),
        session=session,
        workspace_id=workspace.id,
        now=now,
    )
    log.info(
        "swap request accepted",
        extra={
            "team_id": team_id,
            "user_id": user_id,
            "request_id": request.id,
            "round_id": round_.id,
        },
    )
    return Answered(request.id, asker.slack_user_id, user_id, request.skill_label, True)


def decline(
    *, session: Session, team_id: str, user_id: str, request_id: int, now: datetime
) -> Answered:
    workspace, request, asker, teacher = _open_request(session, team_id, user_id, request_id, now)
    request.state = RequestState.DECLINED
    request.answered_at = now
    request.note = None
    store.forget_card(session=session, request_id=request.id)
    others = (
        store.teachers_of(
            session=session,
            workspace_id=workspace.id,
            skill_id=request.skill_id,
            exclude=[asker.id, teacher.id],
            limit=OTHERS_SHOWN,
        )
        if request.skill_id is not None
        else []
    )
    view = Declined(
        asker=asker.slack_user_id,
        teacher=user_id,
        skill=request.skill_label,
        skill_id=request.skill_id,
        others=tuple(t.user_id for t in others),
    )
    enqueue_one(
        NewMessage(
            key=f"request-declined:{request.id}",
            kind=OutboxKind.REQUEST_DECLINED,
            text=declined_text(view),
            blocks=dump(declined_blocks(view)),
            target_users=(asker.slack_user_id,),
            member_id=asker.id,
        ),
        session=session,
        workspace_id=workspace.id,
        now=now,
    )
    log.info(
        "swap request declined",
        extra={"team_id": team_id, "user_id": user_id, "request_id": request.id},
    )
    return Answered(request.id, asker.slack_user_id, user_id, request.skill_label, False)

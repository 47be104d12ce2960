"""What members answer: intro buttons, check-in buttons, feedback.

Every answer is idempotent on its business key — (group, member) for check-ins and feedback,
(group, state) for intro buttons, (member, other member) for "not a fit" — so a double click or
a Slack retry records one answer. Functions run one unit of work and return what to show;
the handlers call Slack after the commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.blocks.checkins import (
    FEEDBACK_TEXT_LIMIT,
    FIELD_ACTION,
    LEARN_NEXT_LIMIT,
    CheckinView,
    FeedbackField,
)
from bot.blocks.common import NOT_YOURS, SWAP_GONE
from bot.blocks.meet_again import MeetAgainView
from bot.blocks.rounds import IntroAction, IntroView
from bot.booking.poll import Cancellation, cancel_booking
from bot.deps import Deps
from bot.errors import NotAllowedError, NotFoundError, UserInputError
from bot.kinds import CheckinAnswer, Decline, Direction, GroupState
from bot.members.names import SkillName, parse_skill_list, split_names
from bot.members.skills import add_skills
from bot.rounds import meet_again
from bot.rounds.checkins import checkin_view
from bot.rounds.service import load_intro_view
from bot.store import do_not_pair as store_pairs
from bot.store import meetings as store_meetings
from bot.store import rounds as store_rounds
from bot.store.models import Checkin, Feedback, Group, GroupMember, Member, Workspace

log = logging.getLogger(__name__)


#: Groups whose intro buttons still act: introduced (or about to be) and not called off.
OPEN_STATES = (GroupState.PENDING, GroupState.INTRODUCED, GroupState.SCHEDULED)
#: A late "Not a fit" (the round is over, or the group was already called off) still records
#: the do-not-pair entries.
LATE_NOT_A_FIT_STATES = (GroupState.SKIPPED, GroupState.NOT_A_FIT, GroupState.NOT_MET)
DECLINE_OF = {IntroAction.SKIP: Decline.SKIPPED, IntroAction.NOT_A_FIT: Decline.NOT_A_FIT}
TOO_LATE_TO_UNDO = (
    "The check-in for this round has gone out, so your answer stands for this round. "
    "You'll be paired again next round; the people you'd rather not be paired with are listed "
    "(and removable) in the Home tab."
)
NOTHING_TO_UNDO = "Nothing to undo: you're still in this swap."
LEARN_NEXT_EXAMPLE = "public speaking, Python"


def _membership(
    session: Session, *, team_id: str, user_id: str, group_id: int
) -> tuple[Group, Member]:
    group = store_rounds.locked_group(session=session, group_id=group_id)
    if group is None:
        raise NotFoundError(SWAP_GONE)
    workspace = session.get_one(Workspace, group.round.workspace_id)
    if workspace.team_id != team_id:
        raise NotFoundError(SWAP_GONE)
    for link in group.members:
        if link.member.slack_user_id == user_id:
            return group, link.member
    raise NotAllowedError(NOT_YOURS)


# --------------------------------------------------------------------------- intro buttons


@dataclass(frozen=True)
class IntroResult:
    view: IntroView
    changed: bool
    note: str  # shown to the person who clicked
    undo: bool = False  # offer "Undo" with the note
    channel_id: str | None = None  # where the intro is, to update it in place
    intro_ts: str | None = None
    cancellation: Cancellation | None = None  # a booked time called off: send once committed


def _state_after_declines(group: Group) -> GroupState:
    """The group's state given its members' declines, from an open state.

    Nobody out: as it was. Someone out: the group carries on if at least two people remain and
    a lesson still runs between them; otherwise it is off this round: ``NOT_A_FIT`` (worded
    neutrally to the group) if anyone said so, else ``SKIPPED``.
    """
    out = {gm.member_id for gm in group.members if gm.declined is not None}
    if not out:
        return group.state
    remaining = {gm.member_id for gm in group.members} - out
    carries_on = len(remaining) >= 2 and any(
        lesson.teacher_id in remaining and lesson.learner_id in remaining
        for lesson in group.lessons
    )
    if carries_on:
        return group.state
    if any(gm.declined is Decline.NOT_A_FIT for gm in group.members):
        return GroupState.NOT_A_FIT
    return GroupState.SKIPPED


def _checked_in(group: Group) -> bool:
    """The round's check-in has gone out: Skip, Not a fit and Undo are settled from then."""
    return group.checkin_ts is not None or group.round.checkins_sent_at is not None


def _reopened_state(group: Group) -> GroupState:
    return GroupState.INTRODUCED if group.intro_ts else GroupState.PENDING


def respond_to_intro(
    deps: Deps, *, team_id: str, user_id: str, group_id: int, action: IntroAction
) -> IntroResult:
    with deps.unit_of_work() as session:
        group, member = _membership(session, team_id=team_id, user_id=user_id, group_id=group_id)
        link = next(gm for gm in group.members if gm.member_id == member.id)
        others = [gm.member for gm in group.members if gm.member_id != member.id]
        changed = False
        if action is IntroAction.SCHEDULED:
            if group.state in (GroupState.PENDING, GroupState.INTRODUCED) and not link.declined:
                group.state = GroupState.SCHEDULED
                changed = True
        elif group.state in OPEN_STATES and not _checked_in(group):
            decline = DECLINE_OF[action]
            if link.declined is not decline and link.declined is not Decline.NOT_A_FIT:
                link.declined = decline
                group.state = _state_after_declines(group)
                changed = True
        if action is IntroAction.NOT_A_FIT and (group.state in OPEN_STATES + LATE_NOT_A_FIT_STATES):
            for other in others:
                changed |= store_pairs.never_again(
                    session=session,
                    workspace_id=group.round.workspace_id,
                    member_id=member.id,
                    other_id=other.id,
                )
        session.flush()
        cancellation = None
        if changed and group.state in (GroupState.SKIPPED, GroupState.NOT_A_FIT):
            workspace = session.get_one(Workspace, group.round.workspace_id)
            cancellation = cancel_booking(
                session, group, team_id=team_id, fallback_tz=workspace.timezone
            )
        # The status line names who scheduled; a skip is shown through ``out``, a not-a-fit
        # names nobody.
        actor = user_id if action is IntroAction.SCHEDULED else None
        view = load_intro_view(session, group, actor=actor)
        log.info(
            "intro %s (%s)",
            action.value,
            "recorded" if changed else "unchanged",
            extra={"team_id": team_id, "user_id": user_id, "group_id": group_id},
        )
        undo = link.declined is not None and not _checked_in(group)
        return IntroResult(
            view=view,
            changed=changed,
            note=_intro_note(action, group, link, others),
            undo=undo and action is not IntroAction.SCHEDULED,
            channel_id=group.channel_id,
            intro_ts=group.intro_ts,
            cancellation=cancellation,
        )


def undo_decline(deps: Deps, *, team_id: str, user_id: str, group_id: int) -> IntroResult:
    """Take back one's own Skip or Not a fit, until the check-in goes out. A Not a fit's
    do-not-pair entries for this group's people go too."""
    with deps.unit_of_work() as session:
        group, member = _membership(session, team_id=team_id, user_id=user_id, group_id=group_id)
        link = next(gm for gm in group.members if gm.member_id == member.id)
        if link.declined is None:
            raise UserInputError(NOTHING_TO_UNDO)
        if _checked_in(group) or group.state in (GroupState.MET, GroupState.NOT_MET):
            raise UserInputError(TOO_LATE_TO_UNDO)
        was = link.declined
        link.declined = None
        if was is Decline.NOT_A_FIT:
            store_pairs.forget(
                session=session,
                member_id=member.id,
                other_ids=[gm.member_id for gm in group.members if gm.member_id != member.id],
            )
        if group.state in (GroupState.SKIPPED, GroupState.NOT_A_FIT):
            group.state = _reopened_state(group)
        group.state = _state_after_declines(group)
        session.flush()
        view = load_intro_view(session, group, actor=None)
        log.info(
            "intro decline undone",
            extra={"team_id": team_id, "user_id": user_id, "group_id": group_id},
        )
        still_off = group.state in (GroupState.SKIPPED, GroupState.NOT_A_FIT)
        note = (
            "Undone: you're back in. The others have also stepped out, so this one stays off "
            "this round."
            if still_off
            else "Undone: you're back in this swap."
        )
        return IntroResult(
            view=view,
            changed=True,
            note=note,
            channel_id=group.channel_id,
            intro_ts=group.intro_ts,
        )


def do_not_pair_list(
    *, session: Session, team_id: str, user_id: str
) -> tuple[list[store_pairs.Entry], int]:
    """A member's own do-not-pair entries (for their Home tab) and how many there are."""
    return store_pairs.entries_of(session=session, team_id=team_id, slack_user_id=user_id)


def remove_do_not_pair(deps: Deps, *, team_id: str, user_id: str, entry_id: int) -> bool:
    """Remove one of the member's own entries; False when it is gone or not theirs."""
    with deps.unit_of_work() as session:
        removed = store_pairs.remove_entry(
            session=session, team_id=team_id, slack_user_id=user_id, entry_id=entry_id
        )
    log.info(
        "do-not-pair entry %s",
        "removed" if removed else "not removed (gone, or not the clicker's)",
        extra={"team_id": team_id, "user_id": user_id},
    )
    return removed


def _intro_note(action: IntroAction, group: Group, link: GroupMember, others: list[Member]) -> str:
    names = " and ".join(f"<@{m.slack_user_id}>" for m in others) or "them"
    if group.state is GroupState.MET:
        return "You've already met — thanks! Nothing else to do."
    if action is IntroAction.SCHEDULED:
        if group.state is not GroupState.SCHEDULED or link.declined is not None:
            return "This swap is already called off for this round."
        return ":calendar: Lovely — enjoy it! I'll check in with you both in a few days."
    if action is IntroAction.SKIP:
        if link.declined is Decline.NOT_A_FIT:
            return "You've already said this one isn't a fit; nothing more to do."
        if link.declined is None:
            return "This round is over for this swap already; nothing to skip."
        return "Skipped — no problem. You'll be paired again next round."
    return (
        f"Got it, and only you see this. We won't pair you with {names} again; the group "
        "only sees that this swap won't go ahead this round. You can change your mind in the "
        "Home tab."
    )


# --------------------------------------------------------------------------- check-ins


@dataclass(frozen=True)
class CheckinResult:
    view: CheckinView
    answer: CheckinAnswer
    changed: bool
    partners: tuple[str, ...]
    skills: tuple[str, ...]
    meet_again: MeetAgainView | None = None  # under the check-in once the group met


def _derive_state(current: GroupState, answers: list[CheckinAnswer], size: int) -> GroupState:
    if current in (GroupState.NOT_A_FIT, GroupState.SKIPPED) and not answers:
        return current
    if CheckinAnswer.MET in answers:
        return GroupState.MET
    if CheckinAnswer.SCHEDULED in answers:
        return GroupState.SCHEDULED
    if len(answers) == size and all(a is CheckinAnswer.COULD_NOT for a in answers):
        return GroupState.NOT_MET
    return current


def answer_checkin(
    deps: Deps,
    *,
    team_id: str,
    user_id: str,
    group_id: int,
    answer: CheckinAnswer,
    message_ts: str | None,
    now: datetime,
) -> CheckinResult:
    """Record (or change) a member's answer; the same answer twice changes nothing.

    ``message_ts`` is the message clicked: the check-in itself, or the reminder.
    """
    with deps.unit_of_work() as session:
        group, member = _membership(session, team_id=team_id, user_id=user_id, group_id=group_id)
        reminder = bool(message_ts and group.checkin_ts and message_ts != group.checkin_ts)
        changed = _upsert_checkin(session, group.id, member.id, answer, now)
        member.unanswered_checkins = 0
        member.pause_asked_at = None  # an answer is not silence
        result = _checkin_result(session, group, member, answer, changed, reminder)
        log.info(
            "check-in %s (%s)",
            answer.value,
            "recorded" if changed else "unchanged",
            extra={"team_id": team_id, "user_id": user_id, "group_id": group_id},
        )
        return result


def _upsert_checkin(
    session: Session, group_id: int, member_id: int, answer: CheckinAnswer, now: datetime
) -> bool:
    def existing() -> Checkin | None:
        return session.scalars(
            select(Checkin).where(Checkin.group_id == group_id, Checkin.member_id == member_id)
        ).first()

    found = existing()
    if found is None:
        try:
            with session.begin_nested():
                session.add(
                    Checkin(group_id=group_id, member_id=member_id, answer=answer, answered_at=now)
                )
            return True
        except IntegrityError:  # the same click, twice at once: the other one stored it
            found = existing()
            if found is None:
                raise
    if found.answer is answer:
        return False
    found.answer = answer
    found.answered_at = now
    return True


def _checkin_result(
    session: Session,
    group: Group,
    member: Member,
    answer: CheckinAnswer,
    changed: bool,
    reminder: bool,
) -> CheckinResult:
    rows = {
        c.member_id: c.answer
        for c in session.scalars(select(Checkin).where(Checkin.group_id == group.id))
    }
    group.state = _derive_state(group.state, list(rows.values()), len(group.members))
    ordered = sorted(group.members, key=lambda gm: gm.id)
    booked = group.id in store_meetings.checkin_due_by_group(
        session=session, round_id=group.round_id
    )
    base = checkin_view(group, reminder=reminder, booked=booked)
    view = CheckinView(
        group_id=base.group_id,
        people=base.people,
        skills=base.skills,
        answers=tuple(
            (gm.member.slack_user_id, rows[gm.member_id]) for gm in ordered if gm.member_id in rows
        ),
        reminder=reminder,
        kind=base.kind,
        booked=booked,
    )
    partners = tuple(gm.member.slack_user_id for gm in ordered if gm.member_id != member.id)
    tz = member.tz or session.get_one(Workspace, group.round.workspace_id).timezone or "UTC"
    return CheckinResult(
        view=view,
        answer=answer,
        changed=changed,
        partners=partners,
        skills=base.skills,
        meet_again=meet_again.for_checkin(session, group, tz=tz),
    )


# --------------------------------------------------------------------------- feedback


@dataclass(frozen=True)
class FeedbackInput:
    rating: int
    learned: str | None
    taught: str | None
    would_swap_again: bool | None
    learn_next: tuple[SkillName, ...] = ()  # "What would you like to learn next?"


@dataclass(frozen=True)
class FeedbackSaved:
    created: bool  # a first answer, not a change
    added: tuple[str, ...] = ()  # skills added to what they'd like to learn
    already: tuple[str, ...] = ()  # skills they listed already
    problem: str | None = None  # why the skills could not be added (the feedback is saved)


def parse_feedback(values: dict[str, Any]) -> tuple[FeedbackInput | None, dict[str, str]]:
    """The modal's ``state.values`` → a typed answer, or errors keyed by block id."""

    def field(block: FeedbackField) -> dict[str, Any]:
        found = (values.get(block.value) or {}).get(FIELD_ACTION) or {}
        return found if isinstance(found, dict) else {}

    errors: dict[str, str] = {}
    option = field(FeedbackField.RATING).get("selected_option") or {}
    raw = option.get("value") if isinstance(option, dict) else None
    rating = int(raw) if isinstance(raw, str) and raw.isdigit() else 0
    if not 1 <= rating <= 5:
        errors[FeedbackField.RATING.value] = "Pick a rating from 1 to 5."

    def text(block: FeedbackField) -> str | None:
        value = field(block).get("value")
        if not isinstance(value, str) or not value.strip():
            return None
        if len(value) > FEEDBACK_TEXT_LIMIT:
            errors[block.value] = f"Please keep it under {FEEDBACK_TEXT_LIMIT} characters."
        return value.strip()[:FEEDBACK_TEXT_LIMIT]

    learned, taught = text(FeedbackField.LEARNED), text(FeedbackField.TAUGHT)
    again_option = field(FeedbackField.AGAIN).get("selected_option") or {}
    again_raw = again_option.get("value") if isinstance(again_option, dict) else None
    again = {"yes": True, "no": False}.get(str(again_raw)) if again_raw else None
    learn_next: list[SkillName] = []
    raw_next = field(FeedbackField.LEARN_NEXT).get("value")
    if isinstance(raw_next, str) and split_names(raw_next):  # only separators: no answer
        if len(raw_next) > LEARN_NEXT_LIMIT:
            errors[FeedbackField.LEARN_NEXT.value] = (
                f"Please keep it under {LEARN_NEXT_LIMIT} characters: a skill or a few, "
                "separated by commas."
            )
        else:
            try:
                learn_next = parse_skill_list(raw_next, example=LEARN_NEXT_EXAMPLE)
            except UserInputError as exc:
                errors[FeedbackField.LEARN_NEXT.value] = exc.message
    if errors:
        return None, errors
    return FeedbackInput(rating, learned, taught, again, tuple(learn_next)), {}


def save_feedback(
    deps: Deps,
    *,
    team_id: str,
    user_id: str,
    group_id: int,
    feedback: FeedbackInput,
    now: datetime,
) -> FeedbackSaved:
    """Store (or replace) the member's feedback; it implies they met. "What would you like
    to learn next?" goes on the member's learn list (in the same unit of work; if it can't,
    the feedback is kept and the reason returned)."""
    with deps.unit_of_work() as session:
        group, member = _membership(session, team_id=team_id, user_id=user_id, group_id=group_id)
        _upsert_checkin(session, group.id, member.id, CheckinAnswer.MET, now)
        member.unanswered_checkins = 0
        member.pause_asked_at = None  # an answer is not silence
        group.state = GroupState.MET
        found = session.scalars(
            select(Feedback).where(Feedback.group_id == group.id, Feedback.member_id == member.id)
        ).first()
        created = found is None
        if found is None:
            try:
                with session.begin_nested():
                    found = Feedback(group_id=group.id, member_id=member.id, rating=feedback.rating)
                    session.add(found)
            except IntegrityError:
                found = session.scalars(
                    select(Feedback).where(
                        Feedback.group_id == group.id, Feedback.member_id == member.id
                    )
                ).one()
                created = False
        found.rating = feedback.rating
        found.learned = feedback.learned
        found.taught = feedback.taught
        found.would_swap_again = feedback.would_swap_again
        if created:
            found.created_at = now
        if feedback.would_swap_again is False:  # "No": the same private list as Not a fit
            for link in group.members:
                if link.member_id != member.id:
                    store_pairs.never_again(
                        session=session,
                        workspace_id=group.round.workspace_id,
                        member_id=member.id,
                        other_id=link.member_id,
                    )
        log.info(
            "feedback %s",
            "stored" if created else "updated",
            extra={"team_id": team_id, "user_id": user_id, "group_id": group_id},
        )
        if not feedback.learn_next:
            return FeedbackSaved(created=created)
        try:
            with session.begin_nested():
                added = add_skills(
                    session=session,
                    team_id=team_id,
                    user_id=user_id,
                    person=None,
                    direction=Direction.LEARN,
                    names=list(feedback.learn_next),
                    now=now,
                )
        except UserInputError as exc:  # e.g. the learn list is full: say so, keep the rest
            return FeedbackSaved(created=created, problem=exc.message)
        log.info(
            "learn next: %d skills added",
            len(added.added),
            extra={"team_id": team_id, "user_id": user_id, "group_id": group_id},
        )
        return FeedbackSaved(
            created=created, added=tuple(added.added), already=tuple(added.already)
        )

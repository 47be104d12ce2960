"""Read model for insights: one workspace's rows as the plain dataclasses of
:mod:`bot.insights.stats` (members who left excluded). Functions take ``*, session`` and never
commit."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.insights.stats import (
    FeedbackRow,
    GroupRow,
    InsightsInput,
    LessonRow,
    MemberRow,
    MemberSkillRow,
    RoundRow,
    SkillRow,
)
from bot.kinds import CheckinAnswer, MemberStatus
from bot.store.invitations import adoption
from bot.store.meet_again import met_again_counts
from bot.store.models import (
    Checkin,
    Feedback,
    Group,
    GroupMember,
    Lesson,
    MeetingPoll,
    Member,
    MemberSkill,
    Round,
    Skill,
    Workspace,
)
from bot.store.workspaces import get_workspace


def team_ids(*, session: Session) -> list[str]:
    """Every workspace in the database (for the CLI's ``--team`` choice)."""
    return list(session.scalars(select(Workspace.team_id).order_by(Workspace.team_id)))


def load_input(*, session: Session, team_id: str) -> InsightsInput:
    """Read the rows of one workspace (members who left excluded). Never commits."""
    workspace = get_workspace(session=session, team_id=team_id)
    if workspace is None:
        return InsightsInput.empty(team_id)
    ws = workspace.id

    members = tuple(
        MemberRow(*row)
        for row in session.execute(
            select(
                Member.id,
                Member.slack_user_id,
                Member.display_name,
                Member.team_label,
                Member.status,
                Member.cadence,
                Member.joined_at,
            )
            .where(Member.workspace_id == ws, Member.status != MemberStatus.LEFT)
            .order_by(Member.id)
        )
    )
    rounds = tuple(
        RoundRow(
            r.id,
            r.period,
            r.round_date,
            r.state,
            r.sent is not None,
            r.eligible,
            r.unmatched,
            r.origin,
        )
        for r in session.execute(
            select(
                Round.id,
                Round.period,
                Round.round_date,
                Round.state,
                Round.checkins_sent_at.label("sent"),
                Round.eligible_count.label("eligible"),
                Round.unmatched_count.label("unmatched"),
                Round.origin,
            )
            .where(Round.workspace_id == ws)
            .order_by(Round.round_date, Round.id)
        )
    )
    in_workspace = select(Group.id).join(Round).where(Round.workspace_id == ws)
    members_of: dict[int, list[int]] = defaultdict(list)
    for group_id, member_id in session.execute(
        select(GroupMember.group_id, GroupMember.member_id)
        .where(GroupMember.group_id.in_(in_workspace))
        .order_by(GroupMember.group_id, GroupMember.member_id)
    ):
        members_of[group_id].append(member_id)
    met_by_checkin = set(
        session.scalars(
            select(Checkin.group_id)
            .where(Checkin.group_id.in_(in_workspace), Checkin.answer == CheckinAnswer.MET)
            .distinct()
        )
    )
    groups = tuple(
        GroupRow(
            gid,
            rid,
            state,
            tuple(members_of.get(gid, ())),
            gid in met_by_checkin,
            kind=kind,
            introduced_at=created,
            booked_at=booked,
        )
        for gid, rid, state, kind, created, booked in session.execute(
            select(
                Group.id,
                Group.round_id,
                Group.state,
                Group.kind,
                Group.created_at,
                MeetingPoll.booked_at,
            )
            .join(Round)
            .outerjoin(MeetingPoll, MeetingPoll.group_id == Group.id)
            .where(Round.workspace_id == ws)
            .order_by(Group.id)
        )
    )
    lessons = tuple(
        LessonRow(*row)
        for row in session.execute(
            select(
                Lesson.group_id,
                Lesson.teacher_id,
                Lesson.learner_id,
                Lesson.skill_id,
                Lesson.skill_label,
            )
            .where(Lesson.group_id.in_(in_workspace))
            .order_by(Lesson.id)
        )
    )
    feedback = tuple(
        FeedbackRow(*row)
        for row in session.execute(
            select(
                Feedback.group_id, Feedback.member_id, Feedback.rating, Feedback.would_swap_again
            )
            .where(Feedback.group_id.in_(in_workspace))
            .order_by(Feedback.id)
        )
    )
    skills = tuple(
        SkillRow(*row)
        for row in session.execute(
            select(Skill.id, Skill.name).where(Skill.workspace_id == ws).order_by(Skill.id)
        )
    )
    member_skills = tuple(
        MemberSkillRow(*row)
        for row in session.execute(
            select(MemberSkill.member_id, MemberSkill.skill_id, MemberSkill.direction)
            .join(Member)
            .where(Member.workspace_id == ws, Member.status != MemberStatus.LEFT)
            .order_by(MemberSkill.id)
        )
    )
    return InsightsInput(
        team_id=team_id,
        workspace_name=workspace.name,
        members=members,
        rounds=rounds,
        groups=groups,
        lessons=lessons,
        feedback=feedback,
        skills=skills,
        member_skills=member_skills,
        adoption=adoption(session=session, workspace_id=ws),
        met_again=tuple(met_again_counts(session=session, workspace_id=ws)),
    )

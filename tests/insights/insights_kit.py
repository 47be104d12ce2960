"""A hand-computed workspace for the insights tests (rows written straight with the ORM).

Workspace T0001, four weekly rounds (W47-W50). People (team, status):
  ana (Design, active, admin in Slack), ben (Data), cai (Design), dee (Data, paused),
  eve (Sales), fay (no team; display name starts with "=" to try a CSV formula),
  gus (Design, status left: must be invisible), hal (deleted after the rounds, as ``leave`` does).

Groups (state; "ck" = someone answered "We met"):
  W47 (closed):      g1 ana+ben MET · g2 cai+dee NOT_MET · g3 eve+fay+gus SCHEDULED+ck
  W48 (closed):      g4 ana+ben MET · g5 cai+eve SKIPPED · g6 dee+hal MET · g7 ana+fay FAILED
  W49 (checking in): g8 ana+cai INTRODUCED+ck · g9 ben+eve NOT_MET (a discovery swap)
  W50 (delivered):   g10 ana+fay INTRODUCED · g11 ben+cai PENDING

Hand computation (see EXPECTED):
  members 6 = 5 active + 1 paused (gus left, hal deleted)
  pairs made 10 (g7 failed to deliver), swaps completed 5 (g1 g3 g4 g6 g8)
  groups asked 8 (W47-W49 groups minus g7) → meeting rate 5/8
  pairs introduced: W47 ana-ben*, cai-dee*, eve-fay · W48 cai-eve* (ana-ben again; dee alone)
                   W49 ana-cai, ben-eve* · W50 ana-fay, ben-cai*   → 8 (* across teams)
  new connections (pairs who met, in the round they first met): W47 ana-ben*, eve-fay ·
                   W49 ana-cai → 3, 1 across teams (dee-hal met, but hal is gone);
  met in 2+ rounds: ana-ben; met again by choice (Meet again): g3 twice (eve-fay; gus gone),
                   g9 once but it never met (not counted) → 2 repeat swaps, met again twice
  ratings (gus's excluded): 5 4 3 4 2 → 3.6 from 5; per round W47 4.0 (3), W48 & W49 1 each
  skills (current members): Guitar 0 teach / 3 learn (gap), Python 1 / 4 (gap),
                            Spanish 1/1, SQL 1/1, Drawing 1/0, Watercolour (lesson label only)
  taught in met groups: Spanish 3, SQL 2, Drawing 1, Python 1, Watercolour 1
  (gus's Klingon lesson and skill are gone with him)

Workspace T0002 has a member, a round and a skill gap of its own that must never leak.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from bot.kinds import CheckinAnswer, Direction, GroupKind, GroupState, MemberStatus, RoundState
from bot.store.models import (
    Checkin,
    Feedback,
    Group,
    GroupMember,
    Lesson,
    MeetAgain,
    Member,
    MemberSkill,
    Round,
    Skill,
    Workspace,
)

TEAM = "T0001"
OTHER_TEAM = "T0002"
SECRET_FEEDBACK = "SECRET-FEEDBACK-TEXT"
LEFT_NAME = "Gus Gone"
FORMULA_NAME = "=1+1 Fay"

PEOPLE = {
    # key: (slack id, display name, team, status)
    "ana": ("U_ANA", "Ana Lima", "Design", MemberStatus.ACTIVE),
    "ben": ("U_BEN", "Ben Okafor", "Data", MemberStatus.ACTIVE),
    "cai": ("U_CAI", "Cai Chen", "Design", MemberStatus.ACTIVE),
    "dee": ("U_DEE", "Dee Patel", "Data", MemberStatus.PAUSED),
    "eve": ("U_EVE", "Eve Rossi", "Sales", MemberStatus.ACTIVE),
    "fay": ("U_FAY", FORMULA_NAME, None, MemberStatus.ACTIVE),
    "gus": ("U_GUS", LEFT_NAME, "Design", MemberStatus.LEFT),
    "hal": ("U_HAL", "Hal Deleted", "Data", MemberStatus.ACTIVE),
}


@dataclass
class Built:
    member_ids: dict[str, int] = field(default_factory=dict)
    round_ids: dict[str, int] = field(default_factory=dict)


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)


def build(session: Session) -> Built:
    built = Built()
    ws = Workspace(team_id=TEAM, name="Acme & Co")
    other = Workspace(team_id=OTHER_TEAM, name="Other Co")
    session.add_all([ws, other])
    session.flush()

    members: dict[str, Member] = {}
    for key, (uid, name, team, status) in PEOPLE.items():
        members[key] = Member(
            workspace_id=ws.id,
            slack_user_id=uid,
            display_name=name,
            team_label=team,
            status=status,
            joined_at=datetime(2026, 11, 1, tzinfo=UTC),
        )
    session.add_all(members.values())
    session.flush()
    built.member_ids = {k: m.id for k, m in members.items()}

    skills = {
        name: Skill(workspace_id=ws.id, key=name.lower(), name=name)
        for name in ("Spanish", "SQL", "Guitar", "Python", "Drawing", "Klingon")
    }
    session.add_all(skills.values())
    session.flush()
    wishes = [
        ("ana", "Spanish", Direction.TEACH),
        ("ana", "SQL", Direction.LEARN),
        ("ana", "Python", Direction.LEARN),
        ("ben", "SQL", Direction.TEACH),
        ("ben", "Spanish", Direction.LEARN),
        ("ben", "Guitar", Direction.LEARN),
        ("cai", "Guitar", Direction.LEARN),
        ("cai", "Python", Direction.LEARN),
        ("dee", "Guitar", Direction.LEARN),
        ("dee", "Python", Direction.LEARN),
        ("eve", "Python", Direction.LEARN),
        ("eve", "Drawing", Direction.TEACH),
        ("fay", "Python", Direction.TEACH),
        ("gus", "Guitar", Direction.TEACH),
        ("gus", "Klingon", Direction.TEACH),
        ("gus", "Drawing", Direction.LEARN),
    ]
    session.add_all(
        MemberSkill(
            member_id=members[who].id,
            skill_id=skills[skill].id,
            direction=direction,
            label=skill,
        )
        for who, skill, direction in wishes
    )

    rounds = {}
    for period, day, state in (
        ("2026-W47", date(2026, 11, 16), RoundState.CLOSED),
        ("2026-W48", date(2026, 11, 23), RoundState.CLOSED),
        ("2026-W49", date(2026, 11, 30), RoundState.CHECKING_IN),
        ("2026-W50", date(2026, 12, 7), RoundState.DELIVERED),
    ):
        sent = state in (RoundState.CLOSED, RoundState.CHECKING_IN)
        rounds[period] = Round(
            workspace_id=ws.id,
            period=period,
            round_date=day,
            state=state,
            eligible_count=6,
            group_count=0,
            unmatched_count=1 if period == "2026-W49" else 0,
            checkins_sent_at=_at(day) + timedelta(days=3) if sent else None,
        )
    session.add_all(rounds.values())
    session.flush()
    built.round_ids = {p: r.id for p, r in rounds.items()}

    def group(
        period: str, who: list[str], state: GroupState, kind: GroupKind | None = None
    ) -> Group:
        g = Group(
            round_id=rounds[period].id,
            kind=kind or (GroupKind.SWAP if len(who) == 2 else GroupKind.TRIO),
            state=state,
        )
        session.add(g)
        session.flush()
        session.add_all(GroupMember(group_id=g.id, member_id=members[w].id) for w in who)
        return g

    g1 = group("2026-W47", ["ana", "ben"], GroupState.MET)
    group("2026-W47", ["cai", "dee"], GroupState.NOT_MET)
    g3 = group("2026-W47", ["eve", "fay", "gus"], GroupState.SCHEDULED)
    g4 = group("2026-W48", ["ana", "ben"], GroupState.MET)
    group("2026-W48", ["cai", "eve"], GroupState.SKIPPED)
    g6 = group("2026-W48", ["dee", "hal"], GroupState.MET)
    group("2026-W48", ["ana", "fay"], GroupState.FAILED)
    g8 = group("2026-W49", ["ana", "cai"], GroupState.INTRODUCED)
    g9 = group("2026-W49", ["ben", "eve"], GroupState.NOT_MET, GroupKind.DISCOVERY)
    group("2026-W50", ["ana", "fay"], GroupState.INTRODUCED)
    group("2026-W50", ["ben", "cai"], GroupState.PENDING)
    session.flush()

    session.add_all(
        MeetAgain(workspace_id=ws.id, group_id=g.id, weeks=2, nudges=n, answered=n, met_again=n)
        for g, n in ((g3, 2), (g9, 1))
    )
    session.add_all(
        [
            Checkin(group_id=g3.id, member_id=members["eve"].id, answer=CheckinAnswer.MET),
            Checkin(group_id=g3.id, member_id=members["fay"].id, answer=CheckinAnswer.NOT_YET),
            Checkin(group_id=g8.id, member_id=members["cai"].id, answer=CheckinAnswer.MET),
        ]
    )

    def lesson(g: Group, teacher: str, learner: str, skill: str, *, known: bool = True) -> None:
        session.add(
            Lesson(
                group_id=g.id,
                teacher_id=members[teacher].id,
                learner_id=members[learner].id,
                skill_id=skills[skill].id if known else None,
                skill_label=skill,
            )
        )

    lesson(g1, "ana", "ben", "Spanish")
    lesson(g1, "ben", "ana", "SQL")
    lesson(g3, "fay", "eve", "Python")
    lesson(g3, "eve", "fay", "Drawing")
    lesson(g3, "gus", "eve", "Klingon")
    lesson(g4, "ana", "ben", "Spanish")
    lesson(g4, "ben", "ana", "SQL")
    lesson(g6, "hal", "dee", "Guitar")
    lesson(g8, "ana", "cai", "Spanish")
    lesson(g8, "cai", "ana", "Watercolour", known=False)

    def feedback(g: Group, who: str, rating: int, again: bool | None) -> None:
        session.add(
            Feedback(
                group_id=g.id,
                member_id=members[who].id,
                rating=rating,
                learned=f"{SECRET_FEEDBACK} from {who}",
                taught="=HYPERLINK(1)",
                would_swap_again=again,
            )
        )

    feedback(g1, "ana", 5, True)
    feedback(g1, "ben", 4, True)
    feedback(g3, "eve", 3, False)
    feedback(g3, "gus", 1, False)
    feedback(g4, "ana", 4, None)
    feedback(g6, "hal", 1, False)
    feedback(g8, "cai", 2, True)
    session.flush()

    # hal leaves: deleting the member cascades through everything personal.
    session.delete(members["hal"])
    session.flush()

    _other_workspace(session, other)
    return built


def _other_workspace(session: Session, ws: Workspace) -> None:
    zed = Member(workspace_id=ws.id, slack_user_id="U_ZED", display_name="Zed", team_label="Ops")
    yan = Member(workspace_id=ws.id, slack_user_id="U_YAN", display_name="Yan", team_label="HR")
    xia = Member(workspace_id=ws.id, slack_user_id="U_XIA", display_name="Xia", team_label="HR")
    cobol = Skill(workspace_id=ws.id, key="cobol", name="Cobol")
    session.add_all([zed, yan, xia, cobol])
    session.flush()
    session.add_all(
        MemberSkill(member_id=m.id, skill_id=cobol.id, direction=Direction.LEARN, label="Cobol")
        for m in (zed, yan, xia)
    )
    rnd = Round(
        workspace_id=ws.id,
        period="2026-W49",
        round_date=date(2026, 11, 30),
        state=RoundState.CLOSED,
        checkins_sent_at=datetime(2026, 12, 3, tzinfo=UTC),
    )
    session.add(rnd)
    session.flush()
    g = Group(round_id=rnd.id, kind=GroupKind.SWAP, state=GroupState.MET)
    session.add(g)
    session.flush()
    session.add_all([GroupMember(group_id=g.id, member_id=m.id) for m in (zed, yan)])
    session.add(Feedback(group_id=g.id, member_id=zed.id, rating=1, would_swap_again=False))
    session.flush()


# What every surface must show for T0001.
EXPECTED = {
    "members": 6,
    "active": 5,
    "paused": 1,
    "rounds": 4,
    "pairs_made": 10,
    "swaps_completed": 5,
    "groups_asked": 8,
    "meeting_rate": 5 / 8,
    "ratings": 5,
    "average_rating": 3.6,
    "new_connections": 3,
    "cross_team_new_connections": 1,
    "pairs_introduced": 8,
    "repeat_swaps": 2,
    "met_again": 2,
}
# period: (groups, met, asked, introduced, new, cross-team new, ratings, average, yes, no)
EXPECTED_ROUNDS = {
    "2026-W47": (3, 2, True, 3, 2, 1, 3, 4.0, 2, 1),
    "2026-W48": (3, 2, True, 1, 0, 0, 1, None, 0, 0),
    "2026-W49": (2, 1, True, 2, 1, 0, 1, None, 1, 0),
    "2026-W50": (2, 0, False, 2, 0, 0, 0, None, 0, 0),
}
# name: (teachers, learners, taught, gap)
# Drawing and Python are eve-fay-gus's lessons (W47): met, then met again twice by choice, so
# each counts three times.
EXPECTED_SKILLS = {
    "Drawing": (1, 0, 3, False),
    "Guitar": (0, 3, 0, True),
    "Python": (1, 4, 3, True),
    "Spanish": (1, 1, 3, False),
    "SQL": (1, 1, 2, False),
    "Watercolour": (0, 0, 1, False),
}
CURRENT = ("ana", "ben", "cai", "dee", "eve", "fay")
# Pairs (by key) and whether they are new in the latest round (W50).
EXPECTED_EDGES = {
    ("ana", "ben"): False,
    ("cai", "dee"): False,
    ("eve", "fay"): False,
    ("cai", "eve"): False,
    ("ana", "cai"): False,
    ("ben", "eve"): False,
    ("ana", "fay"): True,
    ("ben", "cai"): True,
}
TEAMS_LARGEST_FIRST = ("Data", "Design", "Sales", "No team")

"""Admins' control over the next round: skip it (holidays), or preview its groups in a DM
before anyone is told, with one re-roll. The round then uses the previewed seed, so it makes
the previewed groups unless members joined, left or paused in between.

Who takes part is asked of Slack before the write unit of work opens.
"""

from __future__ import annotations

import logging
import uuid
import zlib
from dataclasses import dataclass
from datetime import date, datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.blocks.admin import PreviewGroup, PreviewView, preview_blocks, preview_text
from bot.blocks.rounds import dump
from bot.delivery.outbox import NewMessage, OutboxKind, enqueue_one
from bot.delivery.worker import DeliveryWorker
from bot.deps import Deps
from bot.errors import UserInputError
from bot.insights.text import week_of
from bot.rounds.eligibility import Participation, resolve
from bot.rounds.locks import lock_workspace
from bot.rounds.service import plan, reactivate_due, rhythm_of, round_seed
from bot.store.models import Round, Workspace
from bot.store.rounds import latest_round
from bot.store.workspaces import require_workspace

log = logging.getLogger(__name__)

ALREADY_REROLLED = (
    "You've already re-rolled this round's groups once, so they stay as in my last DM: that's "
    "what the round will use. To leave it out altogether, use `/skillswap skip-round`."
)
NO_LONGER_NEXT = (
    "That preview is for a round that is no longer the next one. Run `/skillswap preview` "
    "for the next round's groups."
)


@dataclass(frozen=True)
class NextRound:
    period: str
    round_date: date
    start: datetime


def next_round(workspace: Workspace, previous_on: date | None, now: datetime) -> NextRound:
    rhythm = rhythm_of(workspace, previous_on)
    slot = rhythm.next_slot(now)
    return NextRound(rhythm.period_of(slot), rhythm.local_date(slot), slot)


def _next_of(session: Session, workspace: Workspace, now: datetime) -> NextRound:
    previous = latest_round(session=session, workspace_id=workspace.id)
    return next_round(workspace, previous.round_date if previous else None, now)


def skip_next_round(deps: Deps, *, team_id: str, user_id: str, now: datetime, undo: bool) -> str:
    """Skip the next round (or undo that); what to tell the admin."""
    with deps.unit_of_work() as session:
        workspace = require_workspace(session=session, team_id=team_id)
        coming = _next_of(session, workspace, now)
        week = week_of(coming.round_date)
        if undo:
            if workspace.skip_period != coming.period:
                workspace.skip_period = None  # a skip of a round that is past: nothing to undo
                return "No round is skipped: the next one runs as planned."
            workspace.skip_period = None
            message = f"The round in the {week} is back on: it runs as planned."
        elif workspace.skip_period == coming.period:
            return (
                f"The round in the {week} is already skipped. Undo: `/skillswap skip-round undo`."
            )
        else:
            workspace.skip_period = coming.period
            message = (
                f"The round in the {week} is skipped: nobody is paired or told anything then. "
                "The one after runs as usual. Changed your mind? `/skillswap skip-round undo`."
            )
    log.info(
        "next round %s",
        "back on" if undo else "skipped",
        extra={"team_id": team_id, "user_id": user_id},
    )
    return message


def reroll_seed(team_id: str, period: str) -> int:
    return zlib.crc32(f"{team_id}:{period}:re-roll".encode()) & 0x7FFFFFFF


def who_takes_part(deps: Deps, *, team_id: str) -> Participation:
    with deps.read_only() as session:
        return Participation.of(require_workspace(session=session, team_id=team_id))


def preview_next_round(
    deps: Deps,
    client: WebClient,
    *,
    team_id: str,
    user_id: str,
    now: datetime,
    reroll_of: str | None = None,
) -> str:
    """DM ``user_id`` the next round's groups (``reroll_of``: the period of the preview being
    re-rolled, once). Returns what to tell the admin; raises ``UserInputError`` when it can't."""
    rules = who_takes_part(deps, team_id=team_id)
    try:
        eligible = resolve(client, rules)  # Slack before the unit of work
    except SlackApiError as exc:
        raise UserInputError(
            "I couldn't check who takes part: Slack said "
            f"`{exc.response.get('error')}` about a chosen channel or user group. "
            "Check them in `/skillswap admin`, then try again."
        ) from exc
    with deps.unit_of_work() as session:
        workspace = require_workspace(session=session, team_id=team_id)
        lock_workspace(session, workspace.id)
        coming = _next_of(session, workspace, now)
        week = week_of(coming.round_date)
        if workspace.skip_period == coming.period:
            raise UserInputError(
                f"The next round (the {week}) is skipped, so there is nothing to preview. "
                "`/skillswap skip-round undo` puts it back on."
            )
        exists = session.scalars(
            select(Round.id).where(
                Round.workspace_id == workspace.id, Round.period == coming.period
            )
        ).first()
        if exists is not None:
            raise UserInputError(f"The round for the {week} has already gone out.")
        if reroll_of is not None:
            if reroll_of != coming.period or workspace.preview_period != coming.period:
                raise UserInputError(NO_LONGER_NEXT)
            if workspace.preview_rerolled:
                raise UserInputError(ALREADY_REROLLED)
            workspace.preview_seed = reroll_seed(team_id, coming.period)
            workspace.preview_rerolled = True
        elif workspace.preview_period != coming.period:
            workspace.preview_period = coming.period
            workspace.preview_seed = round_seed(team_id, coming.period)
            workspace.preview_rerolled = False
        session.flush()
        with session.begin_nested() as trial:  # pauses that end by then, not kept
            reactivate_due(session, workspace.id, coming.round_date)
            planned = plan(
                session,
                workspace,
                period=coming.period,
                round_date=coming.round_date,
                start=coming.start,
                eligible=eligible,
            )
            trial.rollback()
        view = PreviewView(
            week=week,
            groups=tuple(
                PreviewGroup(
                    members=tuple(g.members),
                    skills=tuple(dict.fromkeys(t.skill_label for t in g.teaches)),
                )
                for g in planned.result.groups
            ),
            unmatched=len(planned.result.unmatched),
            period=coming.period,
            can_reroll=not workspace.preview_rerolled,
        )
        outbox_id = enqueue_one(
            NewMessage(
                key=f"preview:{workspace.id}:{user_id}:{uuid.uuid4().hex}",
                kind=OutboxKind.PREVIEW,
                text=preview_text(view),
                blocks=dump(preview_blocks(view)),
                target_users=(user_id,),
            ),
            session=session,
            workspace_id=workspace.id,
            now=now,
        )
    if outbox_id is not None:  # after the commit: the DM goes now, not at the next run
        DeliveryWorker(deps).deliver_now(outbox_id)
    log.info(
        "round previewed%s",
        " (re-rolled)" if reroll_of else "",
        extra={"team_id": team_id, "user_id": user_id},
    )
    if reroll_of is not None:
        return "Re-rolled: the new groups are on their way to your DM. They're final now."
    return (
        f"The groups for the {week} are on their way to your DM. Nobody else is told "
        "anything until the round starts."
    )

"""Inviting people: check the channels, post a card in each, queue one DM per person.

Slack is read outside any unit of work (``conversations.info``, ``users.list``,
``conversations.members``), paced by the same token buckets as delivery, with a clock that
tests drive. Each page of a channel's members is recorded and queued in one short unit of
work: an :class:`~bot.store.models.Invitation` row per person (unique per workspace) and an
outbox row keyed by workspace and person. So a run killed half-way and started again invites
the rest and nobody twice; the DMs themselves leave through the outbox at Slack's pace.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.invitations import (
    card_blocks,
    card_text,
    invitation_blocks,
    invitation_text,
    summary_blocks,
    summary_text,
)
from bot.clock import Clock
from bot.delivery.outbox import NewMessage, OutboxKind, enqueue
from bot.delivery.throttle import Throttle
from bot.delivery.worker import Sleep, make_throttle, sleeper_for
from bot.deps import Deps
from bot.invitations.people import (
    ChannelProblem,
    ChannelResult,
    InviteSummary,
    Skip,
    channel_problem,
    skip_reason,
)
from bot.store import invitations as store
from bot.store.workspaces import get_or_create_workspace, get_workspace

log = logging.getLogger(__name__)

#: Page sizes: Slack recommends 200 for users.list; conversations.members allows up to 1000.
USERS_PAGE = 200
MEMBERS_PAGE = 200

#: (channel id, people looked at so far in it, the channel's member count)
Progress = Callable[[str, int, int], None]


def _dump(blocks: Sequence[Any]) -> list[dict[str, Any]]:
    return [b.to_dict() for b in blocks]


@dataclass
class Pacer:
    """Waits before each Slack call so a run stays within the method's tier (driven clock in
    tests: waiting moves it forward)."""

    throttle: Throttle
    sleep: Sleep

    @classmethod
    def for_clock(cls, clock: Clock) -> Pacer:
        return cls(make_throttle(clock), sleeper_for(clock))

    def wait(self, team_id: str, method: str) -> None:
        wait = self.throttle.acquire(team_id, method, max_wait=float("inf"))
        self.sleep(wait or 0.0)


def _error(exc: SlackApiError) -> str:
    return str(exc.response.get("error") or f"http_{exc.response.status_code}")[:80]


def check_channel(
    client: WebClient, pacer: Pacer, team_id: str, channel_id: str
) -> tuple[ChannelResult, int]:
    """Whether SkillSwap can invite from a channel, and how many people are in it."""
    problem = channel_problem(channel_id)
    if problem is not None:
        return ChannelResult(channel_id, problem), 0
    pacer.wait(team_id, "conversations.info")
    try:
        info = client.conversations_info(channel=channel_id)["channel"]
    except SlackApiError as exc:
        error = _error(exc)
        known = {p.value for p in ChannelProblem}
        problem = ChannelProblem(error) if error in known else ChannelProblem.SLACK
        return ChannelResult(channel_id, problem, error), 0
    if info.get("is_im") or info.get("is_mpim"):
        return ChannelResult(channel_id, ChannelProblem.DM), 0
    if info.get("is_archived"):
        return ChannelResult(channel_id, ChannelProblem.ARCHIVED), 0
    if not info.get("is_member"):
        return ChannelResult(channel_id, ChannelProblem.NOT_IN_CHANNEL), 0
    return ChannelResult(channel_id), int(info.get("num_members") or 0)


def directory(client: WebClient, pacer: Pacer, team_id: str) -> dict[str, Mapping[str, Any]]:
    """Every user of the workspace by id (``users.list``, paged, Tier 2)."""
    users: dict[str, Mapping[str, Any]] = {}
    cursor: str | None = None
    while True:
        pacer.wait(team_id, "users.list")
        page = client.users_list(limit=USERS_PAGE, cursor=cursor)
        for user in page.get("members") or []:
            users[str(user.get("id"))] = user
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            return users


def channel_pages(
    client: WebClient, pacer: Pacer, team_id: str, channel_id: str
) -> Iterator[list[str]]:
    """A channel's member ids, a page at a time (``conversations.members``, Tier 4)."""
    cursor: str | None = None
    while True:
        pacer.wait(team_id, "conversations.members")
        page = client.conversations_members(channel=channel_id, limit=MEMBERS_PAGE, cursor=cursor)
        yield [str(u) for u in page.get("members") or []]
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            return


def invitation_message(workspace_id: int, user_id: str, channel_id: str | None) -> NewMessage:
    return NewMessage(
        key=f"invite:{workspace_id}:{user_id}",
        kind=OutboxKind.INVITE,
        text=invitation_text(),
        blocks=_dump(invitation_blocks(channel_id)),
        target_users=(user_id,),
    )


def queue_invitations(
    deps: Deps,
    *,
    team_id: str,
    channel_id: str | None,
    user_ids: Sequence[str],
    summary: InviteSummary,
    now: datetime,
) -> int:
    """Record and queue invitations for people who may be invited (one unit of work);
    counts the others in ``summary``. Returns how many were queued now."""
    with deps.unit_of_work() as session:
        workspace = get_or_create_workspace(session=session, team_id=team_id)
        known = store.known(session=session, workspace_id=workspace.id, user_ids=user_ids)
        fresh: list[str] = []
        for user_id in user_ids:
            if user_id in known.members:
                summary.already_members += 1
            elif user_id in known.left:
                summary.skipped[Skip.LEFT] += 1
            elif user_id in known.invited:
                summary.skipped[Skip.INVITED] += 1
            else:
                fresh.append(user_id)
        recorded = store.record_invited(
            session=session,
            workspace_id=workspace.id,
            user_ids=fresh,
            channel_id=channel_id,
            now=now,
        )
        summary.skipped[Skip.INVITED] += len(fresh) - len(recorded)
        enqueue(
            [invitation_message(workspace.id, u, channel_id) for u in recorded],
            session=session,
            workspace_id=workspace.id,
            now=now,
        )
    summary.invited += len(recorded)
    return len(recorded)


def invite(
    deps: Deps,
    client: WebClient,
    *,
    team_id: str,
    channels: Sequence[str],
    dm: bool,
    admin_user_id: str | None = None,
    pacer: Pacer | None = None,
    progress: Progress | None = None,
) -> InviteSummary:
    """Post a card in each channel and (``dm``) queue an invitation DM for each person in
    them who may get one. Returns the summary (also DMed to ``admin_user_id``)."""
    pacer = pacer or Pacer.for_clock(deps.clock)
    summary = InviteSummary(dm=dm)
    sizes: dict[str, int] = {}
    for channel_id in dict.fromkeys(c.strip() for c in channels if c.strip()):
        result, size = check_channel(client, pacer, team_id, channel_id)
        summary.channels.append(result)
        sizes[channel_id] = size
    accepted = [c.channel_id for c in summary.accepted]
    now = deps.clock.now()
    with deps.unit_of_work() as session:
        workspace = get_or_create_workspace(session=session, team_id=team_id)
        example = store.example_swap(session=session, workspace_id=workspace.id)
        enqueue(
            [
                NewMessage(
                    key=f"invite-card:{workspace.id}:{c}:{now.date().isoformat()}",
                    kind=OutboxKind.INVITE_CARD,
                    text=card_text(),
                    blocks=_dump(card_blocks(c, example)),
                    channel=c,
                )
                for c in accepted
            ],
            session=session,
            workspace_id=workspace.id,
            now=now,
        )
    people: dict[str, Mapping[str, Any]] | None = None
    if dm and accepted:
        try:
            people = directory(client, pacer, team_id)
        except SlackApiError as exc:
            error = _error(exc)
            summary.failed[f"users.list: {error}"] += 1
            log.warning(
                "listing the workspace's people failed: %s", error, extra={"team_id": team_id}
            )
    if people is not None:
        seen: set[str] = set()
        for channel_id in accepted:
            looked = 0
            try:
                for page in channel_pages(client, pacer, team_id, channel_id):
                    looked += len(page)
                    candidates: list[str] = []
                    for user_id in page:
                        if user_id in seen:
                            continue
                        seen.add(user_id)
                        reason = skip_reason(user_id, people.get(user_id))
                        if reason is not None:
                            summary.skipped[reason] += 1
                        else:
                            candidates.append(user_id)
                    queue_invitations(
                        deps,
                        team_id=team_id,
                        channel_id=channel_id,
                        user_ids=candidates,
                        summary=summary,
                        now=deps.clock.now(),
                    )
                    if progress is not None:
                        progress(channel_id, looked, max(sizes.get(channel_id, 0), looked))
            except SlackApiError as exc:
                error = _error(exc)
                summary.failed[f"conversations.members: {error}"] += 1
                log.warning(
                    "listing a channel's members failed: %s",
                    error,
                    extra={"team_id": team_id, "channel_id": channel_id},
                )
    log.info(
        "invitation run: %d channels, %d invited, %d already members",
        len(accepted),
        summary.invited,
        summary.already_members,
        extra={"team_id": team_id, "user_id": admin_user_id},
    )
    if admin_user_id is not None:
        send_summary(deps, team_id=team_id, admin_user_id=admin_user_id, summary=summary)
    return summary


def send_summary(deps: Deps, *, team_id: str, admin_user_id: str, summary: InviteSummary) -> None:
    now = deps.clock.now()
    with deps.unit_of_work() as session:
        workspace = get_or_create_workspace(session=session, team_id=team_id)
        enqueue(
            [
                NewMessage(
                    key=f"invite-summary:{workspace.id}:{admin_user_id}:{now.timestamp():.6f}",
                    kind=OutboxKind.INVITE_SUMMARY,
                    text=summary_text(summary),
                    blocks=_dump(summary_blocks(summary)),
                    target_users=(admin_user_id,),
                )
            ],
            session=session,
            workspace_id=workspace.id,
            now=now,
        )


def invite_newcomer(
    deps: Deps, client: WebClient, *, team_id: str, user_id: str, channel_id: str
) -> bool:
    """Someone joined the SkillSwap channel: queue their invitation DM (once ever).

    ``users.info`` is asked first (bots, guests and deactivated accounts get none)."""
    with deps.read_only() as session:
        workspace = get_workspace(session=session, team_id=team_id)
        if workspace is None or workspace.home_channel != channel_id:
            return False
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as exc:
        log.info(
            "users.info failed for a channel newcomer: %s",
            _error(exc),
            extra={"team_id": team_id, "user_id": user_id},
        )
        return False
    if skip_reason(user_id, user) is not None:
        return False
    summary = InviteSummary(dm=True)
    return (
        queue_invitations(
            deps,
            team_id=team_id,
            channel_id=channel_id,
            user_ids=[user_id],
            summary=summary,
            now=deps.clock.now(),
        )
        == 1
    )

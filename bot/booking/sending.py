"""What a booking, a reschedule or a cancellation sends, once its unit of work has closed:
the "Booked" message (through the outbox), the ``.ics`` invite uploaded to the group DM, and
the reminder Slack posts 10 minutes before the slot (``chat.scheduleMessage``)."""

from __future__ import annotations

import logging
from datetime import timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.meetings import Attendance, cancelled_text, reminder_text
from bot.booking.poll import SLOT_MINUTES, Booking, Cancellation, record_reminder
from bot.delivery.worker import DeliveryWorker
from bot.deps import Deps
from bot.meetings.invite import build_cancel, build_invite
from bot.slack.users import user_info

log = logging.getLogger(__name__)

REMINDER_BEFORE = timedelta(minutes=10)
#: Slack refuses a scheduled message too close to now; a reminder this close is not worth it.
REMINDER_MIN_LEAD = timedelta(minutes=1)
INVITE_FILENAME = "skill-swap.ics"


def deliver(deps: Deps, outbox_id: int | None) -> None:
    """Send an outbox row now (a retryable failure leaves it to the delivery job)."""
    if outbox_id is not None:
        DeliveryWorker(deps).deliver_now(outbox_id)


def _attendees(
    client: WebClient, team_id: str, people: tuple[Attendance, ...]
) -> list[tuple[str, str | None]]:
    """(name, email) per member: the email when Slack shares it, else None."""
    out: list[tuple[str, str | None]] = []
    for person in people:
        user = user_info(client, team_id=team_id, user_id=person.user_id, why="invite")
        profile = (user or {}).get("profile") or {}
        email = profile.get("email")
        name = person.name or profile.get("real_name") or person.user_id
        out.append((str(name), str(email) if email else None))
    return out


def delete_reminder(client: WebClient, team_id: str, reminder: tuple[str, str] | None) -> None:
    if reminder is None:
        return
    channel, scheduled_id = reminder
    try:
        client.chat_deleteScheduledMessage(channel=channel, scheduled_message_id=scheduled_id)
    except SlackApiError as exc:  # already posted, or deleted: nothing left to cancel
        log.info(
            "could not delete a scheduled reminder: %s",
            exc.response.get("error"),
            extra={"team_id": team_id},
        )


def _upload(
    client: WebClient, team_id: str, group_id: int, channel: str, ics: bytes, comment: str
) -> None:
    try:
        client.files_upload_v2(
            channel=channel,
            content=ics,
            filename=INVITE_FILENAME,
            title="Calendar invite",
            initial_comment=comment,
        )
    except SlackApiError as exc:
        log.warning(
            "could not upload the calendar invite: %s",
            exc.response.get("error"),
            extra={"team_id": team_id, "group_id": group_id},
        )


def send_booking(deps: Deps, client: WebClient, booking: Booking) -> None:
    """The "Booked" message, the invite (same UID, its SEQUENCE), and a fresh reminder."""
    extra = {"team_id": booking.team_id, "group_id": booking.group_id}
    deliver(deps, booking.outbox_id)
    delete_reminder(client, booking.team_id, booking.old_reminder)
    if not booking.channel:
        return
    now = deps.clock.now()
    ics = build_invite(
        uid=booking.uid,
        sequence=booking.sequence,
        start=booking.start,
        minutes=SLOT_MINUTES,
        summary=booking.summary,
        description=booking.description,
        url=f"https://slack.com/app_redirect?team={booking.team_id}&channel={booking.channel}",
        attendees=_attendees(client, booking.team_id, booking.people),
        now=now,
    )
    comment = (
        "An updated invite — it replaces the earlier one in your calendar."
        if booking.sequence
        else "Add it to your calendar."
    )
    _upload(client, booking.team_id, booking.group_id, booking.channel, ics, comment)
    post_at = booking.start - REMINDER_BEFORE
    if post_at - now < REMINDER_MIN_LEAD:
        return
    try:
        answer = client.chat_scheduleMessage(
            channel=booking.channel,
            post_at=int(post_at.timestamp()),
            text=reminder_text(booking.people, booking.start),
        )
    except SlackApiError as exc:
        log.warning("could not schedule the reminder: %s", exc.response.get("error"), extra=extra)
        return
    scheduled = (str(answer["channel"]), str(answer["scheduled_message_id"]))
    if not record_reminder(
        deps,
        group_id=booking.group_id,
        start=booking.start,
        channel=scheduled[0],
        scheduled_id=scheduled[1],
    ):
        delete_reminder(client, booking.team_id, scheduled)  # the booking moved meanwhile


def send_cancellation(deps: Deps, client: WebClient, cancellation: Cancellation) -> None:
    """Delete the reminder and, if an invite went out, upload its cancellation."""
    delete_reminder(client, cancellation.team_id, cancellation.reminder)
    if cancellation.start is None or not cancellation.channel:
        return
    ics = build_cancel(
        uid=cancellation.uid,
        sequence=cancellation.sequence,
        start=cancellation.start,
        minutes=SLOT_MINUTES,
        summary=cancellation.summary,
        attendees=[(p.name or p.user_id, None) for p in cancellation.people],
        now=deps.clock.now(),
    )
    _upload(
        client,
        cancellation.team_id,
        cancellation.group_id,
        cancellation.channel,
        ics,
        cancelled_text(),
    )


def send_cancellations(deps: Deps, client: WebClient, cancellations: list[Cancellation]) -> None:
    for cancellation in cancellations:
        send_cancellation(deps, client, cancellation)

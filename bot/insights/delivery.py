"""Sending insights to an admin in Slack: the report DM with its two pictures, and CSV files.

Uploads use Slack's current flow (``files.getUploadURLExternal``, the upload itself, then
``files.completeUploadExternal``) through ``WebClient.files_upload_v2``. Called after the ack
and after the unit of work has closed: rendering and uploading take a second or two.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.blocks.insights import export_comment, report_blocks, report_text
from bot.errors import SkillSwapError
from bot.insights.charts import render_images
from bot.insights.export import ENCODING, ExportKind
from bot.insights.stats import Insights

log = logging.getLogger(__name__)

NETWORK_FILENAME = "skillswap-connections.png"
ROUNDS_FILENAME = "skillswap-rounds.png"


class DeliveryError(SkillSwapError):
    """Slack refused part of a report or export; the message says what to do."""


def _explain(exc: SlackClientError, what: str) -> DeliveryError:
    code = exc.response.get("error") if isinstance(exc, SlackApiError) else None
    if code == "missing_scope":
        return DeliveryError(
            f"I couldn't send the {what}: SkillSwap is missing a Slack permission "
            "(files:write or im:write). Ask a workspace admin to reinstall the app, then try "
            "again."
        )
    detail = f" (Slack said `{code}`)" if code else ""
    return DeliveryError(
        f"I couldn't send the {what}{detail}. Please try again in a minute; if it keeps "
        "failing, tell your Slack admin."
    )


def open_dm(client: WebClient, user_id: str) -> str:
    response = client.conversations_open(users=user_id)
    return str(response["channel"]["id"])


def deliver_report(client: WebClient, insights: Insights, *, user_id: str) -> str:
    """DM the report to ``user_id``: blocks first, then both pictures. Returns the DM id."""
    extra = {"team_id": insights.team_id, "user_id": user_id}
    images = render_images(insights)
    try:
        channel = open_dm(client, user_id)
        client.chat_postMessage(
            channel=channel, text=report_text(insights), blocks=report_blocks(insights)
        )
    except SlackClientError as exc:
        log.warning("report message failed: %s", type(exc).__name__, extra=extra)
        raise _explain(exc, "report") from exc
    try:
        client.files_upload_v2(
            channel=channel,
            file_uploads=[
                {
                    "content": images.network_png,
                    "filename": NETWORK_FILENAME,
                    "title": "Connection network",
                    "alt_txt": images.network_alt,
                },
                {
                    "content": images.rounds_png,
                    "filename": ROUNDS_FILENAME,
                    "title": "Rounds over time",
                    "alt_txt": images.rounds_alt,
                },
            ],
        )
    except SlackClientError as exc:
        log.warning("report images upload failed: %s", type(exc).__name__, extra=extra)
        raise _explain(exc, "report's pictures (the numbers are in your DM)") from exc
    log.info("report sent", extra=extra)
    return channel


def deliver_export(
    client: WebClient,
    insights: Insights,
    *,
    user_id: str,
    kind: ExportKind,
    csv_text: str,
    filename: str,
) -> str:
    """Upload one CSV to the admin's DM with Slack. Returns the DM id."""
    extra = {"team_id": insights.team_id, "user_id": user_id}
    try:
        channel = open_dm(client, user_id)
        client.files_upload_v2(
            channel=channel,
            content=csv_text.encode(ENCODING),
            filename=filename,
            title=filename,
            initial_comment=export_comment(kind, insights),
        )
    except SlackClientError as exc:
        log.warning("export upload failed: %s", type(exc).__name__, extra=extra)
        raise _explain(exc, f"{kind.value} export") from exc
    log.info("export sent: %s", kind.value, extra=extra)
    return channel

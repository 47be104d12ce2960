"""Realistic Slack user objects (api.slack.com/types/user, SLACK_FACTS §9)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

# zoneinfo knows abbreviations ("BST"), Slack shows long labels ("British Summer Time").
_TZ_LABELS = {
    "GMT": "Greenwich Mean Time",
    "UTC": "Coordinated Universal Time",
    "BST": "British Summer Time",
    "CET": "Central European Time",
    "CEST": "Central European Summer Time",
    "EET": "Eastern European Time",
    "EEST": "Eastern European Summer Time",
    "WET": "Western European Time",
    "WEST": "Western European Summer Time",
    "EST": "Eastern Standard Time",
    "EDT": "Eastern Daylight Time",
    "CST": "Central Standard Time",
    "CDT": "Central Daylight Time",
    "MST": "Mountain Standard Time",
    "MDT": "Mountain Daylight Time",
    "PST": "Pacific Standard Time",
    "PDT": "Pacific Daylight Time",
    "IST": "India Standard Time",
    "JST": "Japan Standard Time",
    "AEST": "Australian Eastern Standard Time",
    "AEDT": "Australian Eastern Daylight Time",
}


def tz_fields(tz: str, at: datetime) -> tuple[str, int]:
    """(tz_label, tz_offset in seconds) for an IANA zone at a moment."""
    local = at.astimezone(ZoneInfo(tz))
    offset = local.utcoffset()
    seconds = int(offset.total_seconds()) if offset is not None else 0
    abbreviation = local.tzname() or tz
    return _TZ_LABELS.get(abbreviation, abbreviation), seconds


def build_user(
    team_id: str,
    user_id: str,
    *,
    name: str,
    real_name: str | None,
    tz: str,
    is_bot: bool,
    deleted: bool,
    is_admin: bool,
    is_owner: bool,
    title: str | None,
    email: str | None,
    is_restricted: bool,
    is_ultra_restricted: bool,
    at: datetime,
) -> dict[str, Any]:
    label, offset = tz_fields(tz, at)
    full_name = real_name if real_name is not None else name
    profile: dict[str, Any] = {
        "title": title or "",
        "phone": "",
        "skype": "",
        "real_name": full_name,
        "real_name_normalized": full_name,
        "display_name": name,
        "display_name_normalized": name,
        "fields": None,
        "status_text": "",
        "status_emoji": "",
        "status_expiration": 0,
        "avatar_hash": "g" + user_id.lower()[-10:],
        "first_name": full_name.split(" ")[0] if full_name else "",
        "last_name": " ".join(full_name.split(" ")[1:]) if full_name else "",
        "image_24": f"https://a.slack-edge.com/avatars/{user_id}_24.png",
        "image_72": f"https://a.slack-edge.com/avatars/{user_id}_72.png",
        "image_192": f"https://a.slack-edge.com/avatars/{user_id}_192.png",
        "team": team_id,
    }
    if email is not None:
        profile["email"] = email
    if is_bot:
        profile["bot_id"] = "B" + user_id[1:]
        profile["always_active"] = True
    return {
        "id": user_id,
        "team_id": team_id,
        "name": name,
        "deleted": deleted,
        "color": "9f69e7",
        "real_name": full_name,
        "tz": tz,
        "tz_label": label,
        "tz_offset": offset,
        "profile": profile,
        "is_admin": is_admin,
        "is_owner": is_owner,
        "is_primary_owner": False,
        "is_restricted": is_restricted,
        "is_ultra_restricted": is_ultra_restricted,
        "is_bot": is_bot,
        "is_app_user": False,
        "is_invited_user": False,
        "updated": int(at.timestamp()),
        "is_email_confirmed": not is_bot,
        "who_can_share_contact_card": "EVERYONE",
    }

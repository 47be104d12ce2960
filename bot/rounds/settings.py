"""A workspace's round settings: read for the admin modal, validated, saved."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.blocks.admin import FIELD_ACTION, AdminField, SettingsView
from bot.kinds import Cadence
from bot.rounds.schedule import (
    Rhythm,
    describe,
    due_slot,
    interval_days,
    is_valid_zone,
    parse_hhmm,
)
from bot.store.models import Round, Workspace
from bot.store.rounds import latest_round
from bot.store.workspaces import get_or_create_workspace

MAX_ADMINS = 20


@dataclass(frozen=True)
class RoundSettings:
    cadence: Cadence
    weekday: int
    time: str
    timezone: str
    checkin_delay_days: int
    cooldown_rounds: int
    announce_channel: str | None
    admin_user_ids: tuple[str, ...]


def current_rhythm(session: Session, workspace: Workspace) -> Rhythm:
    previous = latest_round(session=session, workspace_id=workspace.id)
    return Rhythm.of(
        workspace.cadence,
        workspace.round_weekday,
        workspace.round_time,
        workspace.timezone,
        last_round_on=previous.round_date if previous else None,
    )


def next_round_text(session: Session, workspace: Workspace, now: datetime) -> str:
    """``"Monday 14 December at 09:00 (Europe/London)"``, or "within a minute" if one is due."""
    rhythm = current_rhythm(session, workspace)
    due = due_slot(rhythm, now, not_before=workspace.created_at)
    if due is not None:
        exists = session.scalars(
            select(Round.id).where(Round.workspace_id == workspace.id, Round.period == due.period)
        ).first()
        if exists is None:
            return "within a minute (this period's round hasn't run yet)"
    local = rhythm.next_slot(now).astimezone(rhythm.tz)
    return f"{local:%A} {local.day} {local:%B} at {local:%H:%M} ({rhythm.tz.key})"


def settings_view(session: Session, workspace: Workspace, now: datetime) -> SettingsView:
    return SettingsView(
        cadence=workspace.cadence,
        weekday=workspace.round_weekday,
        time=workspace.round_time,
        timezone=workspace.timezone,
        checkin_delay_days=workspace.checkin_delay_days,
        cooldown_rounds=workspace.cooldown_rounds,
        announce_channel=workspace.announce_channel,
        admin_user_ids=tuple(str(u) for u in workspace.admin_user_ids or ()),
        next_round=next_round_text(session, workspace, now),
    )


def _value(values: dict[str, Any], field: AdminField) -> dict[str, Any]:
    found = (values.get(field.value) or {}).get(FIELD_ACTION) or {}
    return found if isinstance(found, dict) else {}


def _int(raw: Any) -> int | None:
    try:
        return int(str(raw).strip())
    except (TypeError, ValueError):
        return None


def parse_settings(values: dict[str, Any]) -> tuple[RoundSettings | None, dict[str, str]]:
    """The modal's ``state.values`` → settings, or errors keyed by block id (what to fix)."""
    errors: dict[str, str] = {}

    option = _value(values, AdminField.CADENCE).get("selected_option") or {}
    try:
        cadence = Cadence(str(option.get("value")))
    except ValueError:
        cadence = Cadence.WEEKLY
        errors[AdminField.CADENCE.value] = "Pick how often rounds run."

    day = _value(values, AdminField.WEEKDAY).get("selected_option") or {}
    weekday = _int(day.get("value"))
    if weekday is None or not 0 <= weekday <= 6:
        weekday = 0
        errors[AdminField.WEEKDAY.value] = "Pick a day of the week."

    time_text = str(_value(values, AdminField.TIME).get("selected_time") or "")
    try:
        parse_hhmm(time_text)
    except ValueError:
        errors[AdminField.TIME.value] = "Pick a time, like 09:00."

    timezone = str(_value(values, AdminField.TIMEZONE).get("value") or "").strip()
    if not is_valid_zone(timezone):
        errors[AdminField.TIMEZONE.value] = (
            "I don't know that time zone. Use an IANA name like Europe/London, "
            "America/New_York or Asia/Kolkata."
        )

    delay = _int(_value(values, AdminField.CHECKIN_DELAY).get("value"))
    longest = interval_days(cadence) - 1
    if delay is None or not 1 <= delay <= min(27, longest):
        errors[AdminField.CHECKIN_DELAY.value] = (
            f"Use a whole number from 1 to {min(27, longest)}, so the check-in comes before "
            "the next round."
        )

    cooldown = _int(_value(values, AdminField.COOLDOWN).get("value"))
    if cooldown is None or not 0 <= cooldown <= 52:
        errors[AdminField.COOLDOWN.value] = "Use a whole number from 0 to 52."

    channel = _value(values, AdminField.ANNOUNCE).get("selected_channel")
    admins = _value(values, AdminField.ADMINS).get("selected_users") or []
    if not isinstance(admins, list) or len(admins) > MAX_ADMINS:
        errors[AdminField.ADMINS.value] = f"Pick up to {MAX_ADMINS} people."
        admins = []

    if errors:
        return None, errors
    assert delay is not None and cooldown is not None
    return (
        RoundSettings(
            cadence=cadence,
            weekday=weekday,
            time=time_text,
            timezone=timezone,
            checkin_delay_days=delay,
            cooldown_rounds=cooldown,
            announce_channel=str(channel) if channel else None,
            admin_user_ids=tuple(dict.fromkeys(str(u) for u in admins)),
        ),
        {},
    )


def save_settings(session: Session, workspace: Workspace, settings: RoundSettings) -> None:
    workspace.cadence = settings.cadence
    workspace.round_weekday = settings.weekday
    workspace.round_time = settings.time
    workspace.timezone = settings.timezone
    workspace.checkin_delay_days = settings.checkin_delay_days
    workspace.cooldown_rounds = settings.cooldown_rounds
    workspace.announce_channel = settings.announce_channel
    workspace.admin_user_ids = list(settings.admin_user_ids)


def rhythm_text(session: Session, workspace: Workspace) -> str:
    return describe(current_rhythm(session, workspace))


def settings_view_for(
    session: Session, *, team_id: str, enterprise_id: str | None, now: datetime
) -> SettingsView:
    """What the settings modal shows for the workspace of ``team_id`` (created on first use)."""
    workspace = get_or_create_workspace(
        session=session, team_id=team_id, enterprise_id=enterprise_id
    )
    return settings_view(session, workspace, now)


def save_settings_for(
    session: Session, *, team_id: str, settings: RoundSettings, now: datetime
) -> tuple[str, str]:
    """Save the settings; returns what the modal confirms: the next round and the rhythm."""
    workspace = get_or_create_workspace(session=session, team_id=team_id)
    save_settings(session, workspace, settings)
    session.flush()
    return next_round_text(session, workspace, now), rhythm_text(session, workspace)

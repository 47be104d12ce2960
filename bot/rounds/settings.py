"""A workspace's round settings: read for the admin modal, validated, saved."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.blocks.admin import (
    FIELD_ACTION,
    GUESTS_IN,
    MAX_CHANNELS,
    MAX_EXCLUDED,
    TITLE_FIELD,
    AdminField,
    SettingsView,
)
from bot.deps import Deps
from bot.kinds import Cadence
from bot.rounds.eligibility import Participation, channel_members, usergroup_members
from bot.rounds.schedule import (
    Rhythm,
    describe,
    due_slot,
    interval_days,
    is_valid_zone,
    parse_hhmm,
    zone_groups,
)
from bot.slack.users import user_info
from bot.store.members import active_member_ids
from bot.store.models import Round, Workspace
from bot.store.rounds import latest_round
from bot.store.workspaces import get_or_create_workspace
from bot.workspaces.admins import slack_admin

MAX_ADMINS = 20
DEFAULT_ZONE = "UTC"  # the column's default: nobody chose it
log = logging.getLogger(__name__)
#: Slack's custom profile field ids look like ``Xf0123ABCD``.
FIELD_ID = re.compile(r"^Xf[A-Z0-9]{1,30}$")


@dataclass(frozen=True)
class RoundSettings:
    cadence: Cadence
    weekday: int
    time: str
    timezone: str
    checkin_delay_days: int
    cooldown_rounds: int
    home_channel: str | None
    admin_user_ids: tuple[str, ...]
    who: Participation = field(default_factory=Participation)
    discovery_swaps: bool | None = None  # None: the field was not in the form, keep it
    team_field: str | None = None
    team_field_given: bool = False  # the modal showed the choice (Slack listed fields)


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
    confirmed = workspace.settings_confirmed_at is not None
    if due is not None and confirmed and due.period != workspace.skip_period:
        exists = session.scalars(
            select(Round.id).where(Round.workspace_id == workspace.id, Round.period == due.period)
        ).first()
        if exists is None:
            return "within a minute (this period's round hasn't run yet)"
    slot = rhythm.next_slot(now)
    if rhythm.period_of(slot) == workspace.skip_period:
        skipped = slot.astimezone(rhythm.tz)
        local = rhythm.next_slot(slot).astimezone(rhythm.tz)
        return (
            f"{local:%A} {local.day} {local:%B} at {local:%H:%M} ({rhythm.tz.key}); "
            f"{skipped:%A} {skipped.day} {skipped:%B} is skipped"
        )
    local = slot.astimezone(rhythm.tz)
    return f"{local:%A} {local.day} {local:%B} at {local:%H:%M} ({rhythm.tz.key})"


def settings_view(
    session: Session,
    workspace: Workspace,
    now: datetime,
    profile_fields: tuple[tuple[str, str], ...] = (),
) -> SettingsView:
    who = Participation.of(workspace)
    return SettingsView(
        team_field=workspace.team_field,
        profile_fields=profile_fields,
        cadence=workspace.cadence,
        weekday=workspace.round_weekday,
        time=workspace.round_time,
        timezone=workspace.timezone,
        checkin_delay_days=workspace.checkin_delay_days,
        cooldown_rounds=workspace.cooldown_rounds,
        home_channel=workspace.home_channel,
        admin_user_ids=tuple(str(u) for u in workspace.admin_user_ids or ()),
        next_round=next_round_text(session, workspace, now),
        zones=zone_groups(),
        confirmed=workspace.settings_confirmed_at is not None,
        channels=who.channels,
        excluded_user_ids=who.excluded_users,
        excluded_usergroup_ids=who.excluded_groups,
        include_guests=who.include_guests,
        discovery_swaps=workspace.discovery_swaps,
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

    zone_choice = _value(values, AdminField.TIMEZONE).get("selected_option") or {}
    timezone = str(zone_choice.get("value") or "").strip()
    if not is_valid_zone(timezone):
        errors[AdminField.TIMEZONE.value] = (
            "Pick a time zone from the list: type a city, like London or New York."
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

    discovery: bool | None = None
    if AdminField.DISCOVERY.value in values:
        picked = _value(values, AdminField.DISCOVERY).get("selected_options") or []
        discovery = isinstance(picked, list) and any(
            isinstance(o, dict) and o.get("value") == "on" for o in picked
        )

    team_field: str | None = None
    field_given = AdminField.TEAM_FIELD.value in values
    field_id = str(
        (_value(values, AdminField.TEAM_FIELD).get("selected_option") or {}).get("value") or ""
    )
    if field_given and field_id and field_id != TITLE_FIELD:
        if not FIELD_ID.match(field_id):
            errors[AdminField.TEAM_FIELD.value] = "Pick one of the profile fields listed."
        else:
            team_field = field_id

    channel = _value(values, AdminField.HOME_CHANNEL).get("selected_channel")
    admins = _value(values, AdminField.ADMINS).get("selected_users") or []
    if not isinstance(admins, list) or len(admins) > MAX_ADMINS:
        errors[AdminField.ADMINS.value] = f"Pick up to {MAX_ADMINS} people."
        admins = []

    channels = _ids(_value(values, AdminField.CHANNELS).get("selected_conversations"))
    if len(channels) > MAX_CHANNELS:
        errors[AdminField.CHANNELS.value] = f"Pick up to {MAX_CHANNELS} channels."
    excluded = _ids(_value(values, AdminField.EXCLUDED_USERS).get("selected_users"))
    if len(excluded) > MAX_EXCLUDED:
        errors[AdminField.EXCLUDED_USERS.value] = f"Pick up to {MAX_EXCLUDED} people."
    groups = _ids(
        o.get("value")
        for o in _value(values, AdminField.EXCLUDED_GROUPS).get("selected_options") or []
        if isinstance(o, dict)
    )
    guests_in = any(
        isinstance(o, dict) and o.get("value") == GUESTS_IN
        for o in _value(values, AdminField.GUESTS).get("selected_options") or []
    )

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
            home_channel=str(channel) if channel else None,
            admin_user_ids=tuple(dict.fromkeys(str(u) for u in admins)),
            who=Participation(
                channels=channels,
                excluded_users=excluded,
                excluded_groups=groups,
                include_guests=guests_in,
            ),
            discovery_swaps=discovery,
            team_field=team_field,
            team_field_given=field_given,
        ),
        {},
    )


def _ids(raw: Any) -> tuple[str, ...]:
    """Slack ids from a multi-select's value, deduplicated in order; anything else dropped."""
    if raw is None or isinstance(raw, str | bytes | dict):
        return ()
    try:
        items = list(raw)
    except TypeError:
        return ()
    return tuple(dict.fromkeys(str(i) for i in items if isinstance(i, str) and i.strip()))


def save_settings(
    session: Session, workspace: Workspace, settings: RoundSettings, *, now: datetime
) -> None:
    workspace.cadence = settings.cadence
    workspace.round_weekday = settings.weekday
    workspace.round_time = settings.time
    workspace.timezone = settings.timezone
    workspace.checkin_delay_days = settings.checkin_delay_days
    workspace.cooldown_rounds = settings.cooldown_rounds
    workspace.home_channel = settings.home_channel
    workspace.admin_user_ids = list(settings.admin_user_ids)
    workspace.participation_channels = list(settings.who.channels)
    workspace.excluded_user_ids = list(settings.who.excluded_users)
    workspace.excluded_usergroup_ids = list(settings.who.excluded_groups)
    workspace.include_guests = settings.who.include_guests
    if workspace.settings_confirmed_at is None:
        workspace.settings_confirmed_at = now
    if settings.discovery_swaps is not None:
        workspace.discovery_swaps = settings.discovery_swaps
    if settings.team_field_given:
        workspace.team_field = settings.team_field


def rhythm_text(session: Session, workspace: Workspace) -> str:
    return describe(current_rhythm(session, workspace))


def settings_view_for(
    session: Session,
    *,
    team_id: str,
    enterprise_id: str | None,
    now: datetime,
    profile_fields: tuple[tuple[str, str], ...] = (),
) -> SettingsView:
    """What the settings modal shows for the workspace of ``team_id`` (created on first use);
    ``profile_fields`` were asked of Slack before the unit of work."""
    workspace = get_or_create_workspace(
        session=session, team_id=team_id, enterprise_id=enterprise_id
    )
    return settings_view(session, workspace, now, profile_fields)


def with_slack_facts(
    shown: SettingsView, client: WebClient, *, team_id: str, user_id: str
) -> SettingsView:
    """Add what only Slack knows (call with no unit of work open): the workspace's user groups,
    and, until the settings were confirmed once, the admin's own Slack time zone in place of
    the default UTC (the installer is usually the first admin to open the settings)."""
    try:
        found = client.usergroups_list().get("usergroups") or []
        groups = tuple(
            (str(g["id"]), str(g.get("handle") or g.get("name") or g["id"]))
            for g in found
            if isinstance(g, dict) and g.get("id") and not g.get("date_delete")
        )
    except SlackApiError as exc:
        log.info(
            "usergroups.list failed: %s",
            exc.response.get("error"),
            extra={"team_id": team_id, "user_id": user_id},
        )
        groups = ()
    shown = replace(shown, usergroups=groups[:100])
    if shown.confirmed or shown.timezone != DEFAULT_ZONE:
        return shown
    zone = profile_zone(client, team_id=team_id, user_id=user_id)
    if zone is None:
        return shown
    return replace(shown, timezone=zone, timezone_from_profile=True)


def profile_zone(client: WebClient, *, team_id: str, user_id: str) -> str | None:
    """``user_id``'s time zone from their Slack profile, if Slack says one we know."""
    user = user_info(client, team_id=team_id, user_id=user_id, why="time zone default")
    zone = str((user or {}).get("tz") or "")
    return zone if zone and is_valid_zone(zone) else None


def save_settings_for(
    session: Session, *, team_id: str, settings: RoundSettings, now: datetime
) -> tuple[str, str]:
    """Save the settings; returns what the modal confirms: the next round and the rhythm."""
    workspace = get_or_create_workspace(session=session, team_id=team_id)
    save_settings(session, workspace, settings, now=now)
    session.flush()
    return next_round_text(session, workspace, now), rhythm_text(session, workspace)


def who_errors(
    deps: Deps, client: WebClient, *, team_id: str, settings: RoundSettings
) -> dict[str, str]:
    """What is wrong with who takes part, asked of Slack before anything is saved (and with no
    unit of work open): a channel the app cannot read, an admin left out, nobody left."""
    who = settings.who
    errors: dict[str, str] = {}
    in_channels: set[str] | None = None
    if who.channels:
        in_channels = set()
        for channel in who.channels:
            problem = _channel_problem(client, channel)
            if problem is None:
                try:
                    in_channels |= channel_members(client, channel)
                except SlackApiError as exc:
                    problem = f"I can't read <#{channel}>'s members ({exc.response.get('error')})."
            if problem is not None:
                errors[AdminField.CHANNELS.value] = problem
                return errors
    admins = set(deps.settings.configured_admins) | set(settings.admin_user_ids)
    for user_id in who.excluded_users:
        if user_id in admins or slack_admin(client, team_id=team_id, user_id=user_id):
            errors[AdminField.EXCLUDED_USERS.value] = (
                f"<@{user_id}> is a SkillSwap admin, so can't be left out here. Admins who "
                "want a break can pause themselves from their Home tab."
            )
            return errors
    left_out = set(who.excluded_users)
    for group in who.excluded_groups:
        try:
            left_out |= usergroup_members(client, group)
        except SlackApiError as exc:
            errors[AdminField.EXCLUDED_GROUPS.value] = (
                f"I can't read that user group ({exc.response.get('error')}). Pick it again, "
                "or ask a Slack admin whether it still exists."
            )
            return errors
    with deps.read_only() as session:
        members = active_member_ids(session=session, team_id=team_id)
    pool = (members & in_channels if in_channels is not None else members) or (in_channels or set())
    if pool and not pool - left_out:
        where = AdminField.EXCLUDED_USERS if who.excluded_users else AdminField.EXCLUDED_GROUPS
        if not who.excluded_users and not who.excluded_groups:
            where = AdminField.CHANNELS
        errors[where.value] = (
            "That leaves nobody to pair: everyone who would take part is left out. Leave "
            "out fewer people, or choose other channels."
        )
    elif in_channels is not None and members and not members & in_channels:
        errors[AdminField.CHANNELS.value] = (
            "None of SkillSwap's members are in those channels, so nobody would be paired. "
            "Pick channels your members are in, or leave this empty for everyone."
        )
    return errors


def _channel_problem(client: WebClient, channel: str) -> str | None:
    try:
        info = client.conversations_info(channel=channel).get("channel") or {}
    except SlackApiError as exc:
        if exc.response.get("error") == "channel_not_found":
            return (
                f"I can't see <#{channel}>: for a private channel, invite @SkillSwap to it "
                "first (`/invite @SkillSwap` in the channel), then save again."
            )
        return f"Slack wouldn't tell me about <#{channel}> ({exc.response.get('error')})."
    if info.get("is_archived"):
        return f"<#{channel}> is archived: pick a channel people still use."
    return None

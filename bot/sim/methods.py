"""The Web API methods the simulator answers, one function each, as Slack answers them."""

from __future__ import annotations

import base64
import binascii
import copy
import logging
from collections.abc import Callable
from typing import Any

from bot.sim.records import (
    APP_ID,
    BOT_NAME,
    SlackApiFailure,
    UploadedFile,
    _as_int,
    _Ctx,
    _decode_cursor,
    _encode_cursor,
    _Message,
    _Scheduled,
    _truthy,
    _Upload,
)
from bot.sim.state import SimulatorState

logger = logging.getLogger("bot.sim.server")

#: chat.scheduleMessage: no further ahead than this (Slack: 120 days).
SCHEDULE_HORIZON_SECONDS = 120 * 24 * 3600
#: chat.scheduleMessage: at most this many per channel within a 5-minute window.
SCHEDULE_WINDOW_SECONDS = 5 * 60
SCHEDULE_WINDOW_MAX = 30


class WebApiMethods(SimulatorState):
    """``auth.test``, ``users.info``, ``chat.postMessage``, ``views.open``… over the state."""

    def _auth_test(self, ctx: _Ctx) -> dict[str, Any]:
        assert ctx.bot is not None
        team = self._team(ctx.bot.team_id)
        return {
            "url": f"https://{team.domain}.slack.com/",
            "team": team.name,
            "user": BOT_NAME,
            "team_id": team.team_id,
            "user_id": ctx.bot.bot_user_id,
            "bot_id": ctx.bot.bot_id,
            "is_enterprise_install": False,
        }

    def _team_info(self, ctx: _Ctx) -> dict[str, Any]:
        team = self._team(str(ctx.params.get("team") or ctx.team_id))
        return {
            "team": {
                "id": team.team_id,
                "name": team.name,
                "url": f"https://{team.domain}.slack.com/",
                "domain": team.domain,
                "email_domain": "",
                "icon": {"image_default": True},
                "is_verified": False,
            }
        }

    def _users_info(self, ctx: _Ctx) -> dict[str, Any]:
        user = self._users.get(ctx.team_id, {}).get(str(ctx.params.get("user") or ""))
        if user is None:
            raise SlackApiFailure("user_not_found")
        found = copy.deepcopy(user)
        found["profile"]["fields"] = None  # custom fields come from users.profile.get only
        return {"user": found}

    def _users_list(self, ctx: _Ctx) -> dict[str, Any]:
        members = list(self._users.get(ctx.team_id, {}).values())
        limit = _as_int(ctx.params.get("limit"), "limit", default=0)
        cursor = ctx.params.get("cursor")
        start = _decode_cursor(str(cursor)) if cursor else 0
        end = len(members) if limit <= 0 else start + limit
        page = members[start:end]
        next_cursor = _encode_cursor(end) if end < len(members) else ""
        return {
            "members": copy.deepcopy(page),
            "cache_ts": int(self.now()),
            "response_metadata": {"next_cursor": next_cursor},
        }

    def _readable_channel(self, ctx: _Ctx) -> dict[str, Any]:
        channel = self._channels.get(str(ctx.params.get("channel") or ""))
        if channel is None or channel["team_id"] != ctx.team_id:
            raise SlackApiFailure("channel_not_found")
        if channel["is_private"] and not channel["is_member"]:
            raise SlackApiFailure("channel_not_found")  # Slack hides private channels
        return channel

    def _conversations_info(self, ctx: _Ctx) -> dict[str, Any]:
        channel = self._readable_channel(ctx)
        shown = {k: v for k, v in channel.items() if k not in ("members", "team_id")}
        shown["num_members"] = len(channel["members"])
        return {"channel": copy.deepcopy(shown)}

    def _conversations_members(self, ctx: _Ctx) -> dict[str, Any]:
        members = list(self._readable_channel(ctx)["members"])
        limit = _as_int(ctx.params.get("limit"), "limit", default=100)
        if not 1 <= limit <= 1000:
            raise SlackApiFailure("invalid_limit")
        cursor = ctx.params.get("cursor")
        start = _decode_cursor(str(cursor)) if cursor else 0
        end = start + limit
        return {
            "members": members[start:end],
            "response_metadata": {"next_cursor": _encode_cursor(end) if end < len(members) else ""},
        }

    def _usergroups_list(self, ctx: _Ctx) -> dict[str, Any]:
        groups = self._usergroups.get(ctx.team_id, {}).values()
        with_users = _truthy(ctx.params.get("include_users"))
        return {
            "usergroups": [
                {k: copy.deepcopy(v) for k, v in g.items() if with_users or k != "users"}
                for g in groups
            ]
        }

    def _usergroups_users_list(self, ctx: _Ctx) -> dict[str, Any]:
        group = self._usergroups.get(ctx.team_id, {}).get(str(ctx.params.get("usergroup") or ""))
        if group is None:
            raise SlackApiFailure("no_such_subteam")
        return {"users": list(group["users"])}

    def _conversations_open(self, ctx: _Ctx) -> dict[str, Any]:
        channel = ctx.params.get("channel")
        if channel and not ctx.params.get("users"):
            if channel not in self._conversations:
                raise SlackApiFailure("channel_not_found")
            return {"channel": {"id": channel}, "no_op": True, "already_open": True}
        raw = str(ctx.params.get("users") or "")
        user_ids = [u.strip() for u in raw.split(",") if u.strip()]
        if not user_ids:
            raise SlackApiFailure("users_list_not_supplied")
        if len(user_ids) > 8:
            raise SlackApiFailure("too_many_users")
        directory = self._users.get(ctx.team_id, {})
        for user_id in user_ids:
            user = directory.get(user_id)
            if user is None:
                raise SlackApiFailure("user_not_found")
            if user["deleted"]:
                raise SlackApiFailure("account_inactive")
            if user["is_bot"] and len(user_ids) == 1:
                raise SlackApiFailure("cannot_dm_bot")
        channel_id = self.dm_channel_id(ctx.team_id, *user_ids)
        already_open = channel_id in self._conversations
        is_im = len(set(user_ids)) == 1
        info = {
            "id": channel_id,
            "created": int(self.now()),
            "is_im": is_im,
            "is_mpim": not is_im,
            "is_open": True,
            "members": sorted(set(user_ids)),
        }
        if is_im:
            info["user"] = user_ids[0]
        self._conversations.setdefault(channel_id, info)
        answer: dict[str, Any] = {
            "channel": (
                copy.deepcopy(self._conversations[channel_id])
                if _truthy(ctx.params.get("return_im", False))
                else {"id": channel_id}
            )
        }
        if already_open:
            answer["no_op"] = True
            answer["already_open"] = True
        return answer

    def _conversations_history(self, ctx: _Ctx) -> dict[str, Any]:
        channel = ctx.params.get("channel")
        if not channel:
            raise SlackApiFailure("channel_not_found")
        limit = max(1, min(_as_int(ctx.params.get("limit"), "limit", default=100), 999))
        oldest = float(ctx.params.get("oldest") or 0)
        latest = float(ctx.params.get("latest") or 0) or float("inf")
        inclusive = _truthy(ctx.params.get("inclusive", False))
        with_metadata = _truthy(ctx.params.get("include_all_metadata", False))

        def in_range(ts: float) -> bool:
            if inclusive:
                return oldest <= ts <= latest
            return oldest < ts < latest

        found = [
            m.body
            for m in reversed(self._messages)
            if m.channel == channel
            and m.team_id == ctx.team_id
            and m.body.get("thread_ts", m.body["ts"]) == m.body["ts"]
            and in_range(float(m.body["ts"]))
        ]
        cursor = ctx.params.get("cursor")
        start = _decode_cursor(str(cursor)) if cursor else 0
        page = copy.deepcopy(found[start : start + limit])
        if not with_metadata:
            for message in page:
                message.pop("metadata", None)
        has_more = start + limit < len(found)
        return {
            "messages": page,
            "has_more": has_more,
            "pin_count": 0,
            "response_metadata": {"next_cursor": _encode_cursor(start + limit) if has_more else ""},
        }

    def _users_profile_get(self, ctx: _Ctx) -> dict[str, Any]:
        user = self._users.get(ctx.team_id, {}).get(str(ctx.params.get("user") or ""))
        if user is None:
            raise SlackApiFailure("user_not_found")
        return {"profile": copy.deepcopy(user["profile"])}

    def _team_profile_get(self, ctx: _Ctx) -> dict[str, Any]:
        fields = self._profile_fields.get(ctx.team_id, {})
        return {
            "profile": {
                "fields": [
                    {"id": fid, "ordering": i, "label": label, "hint": "", "type": "text"}
                    for i, (fid, label) in enumerate(fields.items())
                ],
                "sections": [],
            }
        }

    def _chat_post_message(self, ctx: _Ctx) -> dict[str, Any]:
        channel = self._resolve_channel(ctx)
        self._check_can_post(ctx, channel)
        if (
            not ctx.params.get("text")
            and not ctx.params.get("blocks")
            and not ctx.params.get("attachments")
        ):
            raise SlackApiFailure("no_text")
        ts = self._next_ts()
        message = self._message_body(ctx, ts)
        self._messages.append(_Message(channel, ctx.team_id, message))
        return {"channel": channel, "ts": ts, "message": copy.deepcopy(message)}

    def _chat_update(self, ctx: _Ctx) -> dict[str, Any]:
        channel = self._resolve_channel(ctx)
        ts = str(ctx.params.get("ts") or "")
        target = next(
            (
                m
                for m in self._messages
                if m.channel == channel and m.team_id == ctx.team_id and m.body["ts"] == ts
            ),
            None,
        )
        if target is None:
            raise SlackApiFailure("message_not_found")
        if (
            not ctx.params.get("text")
            and not ctx.params.get("blocks")
            and not ctx.params.get("attachments")
        ):
            raise SlackApiFailure("no_text")
        updated = self._message_body(ctx, ts)
        updated.pop("thread_ts", None)
        if "thread_ts" in target.body:
            updated["thread_ts"] = target.body["thread_ts"]
        if "metadata" not in updated and "metadata" in target.body:
            updated["metadata"] = target.body["metadata"]
        updated["edited"] = {"user": updated["user"], "ts": self._next_ts()}
        target.body = updated
        return {"channel": channel, "ts": ts, "text": updated["text"], "message": updated}

    def _chat_post_ephemeral(self, ctx: _Ctx) -> dict[str, Any]:
        channel = self._resolve_channel(ctx)
        user = ctx.params.get("user")
        if not user:
            raise SlackApiFailure("user_not_found")
        known = self._users.get(ctx.team_id, {})
        if user in known and known[user]["deleted"]:
            raise SlackApiFailure("user_not_found")
        if (
            not ctx.params.get("text")
            and not ctx.params.get("blocks")
            and not ctx.params.get("attachments")
        ):
            raise SlackApiFailure("no_text")
        ts = self._next_ts()
        message = self._message_body(ctx, ts)
        message["ephemeral_to"] = user
        self._ephemerals.append(_Message(channel, ctx.team_id, message))
        return {"message_ts": ts}

    def _chat_schedule_message(self, ctx: _Ctx) -> dict[str, Any]:
        channel = self._resolve_channel(ctx)
        self._check_can_post(ctx, channel)
        raw = ctx.params.get("post_at")
        try:
            post_at = int(float(str(raw)))
        except ValueError:
            raise SlackApiFailure("invalid_time") from None
        if post_at <= self.now():
            raise SlackApiFailure("time_in_past")
        if post_at > self.now() + SCHEDULE_HORIZON_SECONDS:
            raise SlackApiFailure("time_too_far")
        if (
            not ctx.params.get("text")
            and not ctx.params.get("blocks")
            and not ctx.params.get("attachments")
        ):
            raise SlackApiFailure("no_text")
        crowded = sum(
            1
            for s in self._scheduled.values()
            if s.channel == channel
            and s.team_id == ctx.team_id
            and abs(s.post_at - post_at) < SCHEDULE_WINDOW_SECONDS
        )
        if crowded >= SCHEDULE_WINDOW_MAX:
            raise SlackApiFailure("restricted_too_many")
        body = self._message_body(ctx, "")
        body.pop("ts")
        scheduled_id = f"Q{next(self._ids):010d}"
        self._scheduled[scheduled_id] = _Scheduled(
            scheduled_id=scheduled_id,
            channel=channel,
            team_id=ctx.team_id,
            post_at=post_at,
            date_created=int(self.now()),
            body=body,
        )
        shown = {k: v for k, v in body.items() if k != "metadata"}
        return {
            "channel": channel,
            "scheduled_message_id": scheduled_id,
            "post_at": str(post_at),
            "message": {**copy.deepcopy(shown), "type": "delayed_message"},
        }

    def _chat_delete_scheduled_message(self, ctx: _Ctx) -> dict[str, Any]:
        channel = ctx.params.get("channel")
        if not isinstance(channel, str) or not channel:
            raise SlackApiFailure("channel_not_found")
        channel = self._resolve_channel(ctx)
        scheduled = self._scheduled.get(str(ctx.params.get("scheduled_message_id") or ""))
        if scheduled is None or scheduled.team_id != ctx.team_id or scheduled.channel != channel:
            # unknown, another workspace's, already posted or already deleted
            raise SlackApiFailure("invalid_scheduled_message_id")
        del self._scheduled[scheduled.scheduled_id]
        return {}

    def _chat_scheduled_messages_list(self, ctx: _Ctx) -> dict[str, Any]:
        channel = ctx.params.get("channel")
        oldest = float(ctx.params.get("oldest") or 0)
        latest = float(ctx.params.get("latest") or 0) or float("inf")
        limit = _as_int(ctx.params.get("limit"), "limit", default=100)
        if limit < 1:
            limit = 100
        found = sorted(
            (
                s
                for s in self._scheduled.values()
                if s.team_id == ctx.team_id
                and (not channel or s.channel == channel)
                and oldest <= s.post_at <= latest
            ),
            key=lambda s: (s.post_at, s.scheduled_id),
        )
        cursor = ctx.params.get("cursor")
        start = _decode_cursor(str(cursor)) if cursor else 0
        page = found[start : start + limit]
        more = start + limit < len(found)
        return {
            "scheduled_messages": [
                {
                    "id": s.scheduled_id,
                    "channel_id": s.channel,
                    "post_at": s.post_at,
                    "date_created": s.date_created,
                    "text": s.body.get("text", ""),
                }
                for s in page
            ],
            "response_metadata": {"next_cursor": _encode_cursor(start + limit) if more else ""},
        }

    def _views_open(self, ctx: _Ctx) -> dict[str, Any]:
        view = self._view_param(ctx)
        if view.get("type") != "modal":
            raise SlackApiFailure(
                "invalid_arguments", messages=["[ERROR] must be modal [json-pointer:/view/type]"]
            )
        self._consume_trigger(ctx.params.get("trigger_id"))
        return {"view": self._new_view(ctx, view)}

    def _views_push(self, ctx: _Ctx) -> dict[str, Any]:
        view = self._view_param(ctx)
        if view.get("type") != "modal":
            raise SlackApiFailure(
                "invalid_arguments", messages=["[ERROR] must be modal [json-pointer:/view/type]"]
            )
        self._consume_trigger(ctx.params.get("trigger_id"))
        return {"view": self._new_view(ctx, view, root_view_id=None)}

    def _views_update(self, ctx: _Ctx) -> dict[str, Any]:
        view = self._view_param(ctx)
        view_id = ctx.params.get("view_id")
        external_id = ctx.params.get("external_id")
        if not view_id and not external_id:
            raise SlackApiFailure(
                "invalid_arguments", messages=["[ERROR] view_id or external_id is required"]
            )
        current = next(
            (
                v
                for v in self._views.values()
                if v["team_id"] == ctx.team_id
                and (
                    (view_id and v["id"] == view_id)
                    or (external_id and v["external_id"] == external_id)
                )
            ),
            None,
        )
        if current is None:
            raise SlackApiFailure("not_found")
        expected_hash = ctx.params.get("hash")
        if expected_hash and expected_hash != current["hash"]:
            raise SlackApiFailure("hash_conflict")
        return {
            "view": self._new_view(
                ctx,
                view,
                id=current["id"],
                root_view_id=current["root_view_id"],
                previous_view_id=current["previous_view_id"],
                state=current["state"],
                external_id=view.get("external_id", current["external_id"]),
            )
        }

    def _views_publish(self, ctx: _Ctx) -> dict[str, Any]:
        user_id = ctx.params.get("user_id")
        if not user_id:
            raise SlackApiFailure(
                "invalid_arguments", messages=["[ERROR] missing required field: user_id"]
            )
        view = self._view_param(ctx)
        if view.get("type") != "home":
            raise SlackApiFailure(
                "invalid_arguments", messages=["[ERROR] must be home [json-pointer:/view/type]"]
            )
        user = self._users.get(ctx.team_id, {}).get(str(user_id))
        if user is not None and user["deleted"]:
            raise SlackApiFailure("account_inactive")
        key = (ctx.team_id, str(user_id))
        existing = self._homes.get(key)
        expected_hash = ctx.params.get("hash")
        if existing and expected_hash and expected_hash != self._views[existing]["hash"]:
            raise SlackApiFailure("hash_conflict")
        published = self._new_view(ctx, view, **({"id": existing} if existing else {}))
        self._homes.pop(key, None)
        self._homes[key] = published["id"]
        return {"view": published}

    def _files_get_upload_url(self, ctx: _Ctx) -> dict[str, Any]:
        filename = ctx.params.get("filename")
        if not filename:
            raise SlackApiFailure(
                "invalid_arguments", messages=["[ERROR] missing required field: filename"]
            )
        length = _as_int(ctx.params.get("length"), "length")
        file_id = f"F{next(self._ids):08d}SIM"
        self._uploads[file_id] = _Upload(file_id, ctx.team_id, str(filename), length)
        return {"upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}

    def _files_complete_upload(self, ctx: _Ctx) -> dict[str, Any]:
        assert ctx.bot is not None
        files = ctx.params.get("files")
        if not isinstance(files, list) or not files:
            raise SlackApiFailure(
                "invalid_arguments", messages=["[ERROR] files must be a non-empty array"]
            )
        channels: tuple[str, ...] = ()
        if ctx.params.get("channel_id"):
            channels = (str(ctx.params["channel_id"]),)
        elif ctx.params.get("channels"):
            channels = tuple(c for c in str(ctx.params["channels"]).split(",") if c)
        comment = ctx.params.get("initial_comment")
        done: list[dict[str, Any]] = []
        for item in files:
            file_id = item.get("id") if isinstance(item, dict) else None
            upload = self._uploads.get(str(file_id))
            if upload is None or upload.team_id != ctx.team_id or upload.content is None:
                raise SlackApiFailure("file_not_found")
            title = item.get("title") or upload.filename
            self._files.append(
                UploadedFile(
                    file_id=upload.file_id,
                    team_id=upload.team_id,
                    filename=upload.filename,
                    title=title,
                    content=upload.content,
                    channels=channels,
                    initial_comment=str(comment) if comment is not None else None,
                )
            )
            del self._uploads[upload.file_id]
            done.append(
                {
                    "id": upload.file_id,
                    "created": int(self.now()),
                    "name": upload.filename,
                    "title": title,
                    "size": len(upload.content),
                    "user": ctx.bot.bot_user_id,
                    "channels": list(channels),
                }
            )
        for channel in channels:
            ts = self._next_ts()
            self._messages.append(
                _Message(
                    channel,
                    ctx.team_id,
                    {
                        "type": "message",
                        "text": str(comment or ""),
                        "user": ctx.bot.bot_user_id,
                        "bot_id": ctx.bot.bot_id,
                        "ts": ts,
                        "team": ctx.team_id,
                        "upload": True,
                        "files": copy.deepcopy(done),
                    },
                )
            )
        return {"files": done}

    def _oauth_v2_access(self, ctx: _Ctx) -> dict[str, Any]:
        client_id = ctx.params.get("client_id")
        client_secret = ctx.params.get("client_secret")
        auth = ctx.headers.get("authorization", "")
        if auth.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(auth[6:].strip()).decode()
            except (ValueError, binascii.Error) as exc:
                raise SlackApiFailure("invalid_client_id") from exc
            client_id, _, client_secret = decoded.partition(":")
        if not client_id:
            raise SlackApiFailure("invalid_client_id")
        if not client_secret:
            raise SlackApiFailure("bad_client_secret")
        grant = self._oauth_codes.pop(str(ctx.params.get("code") or ""), None)
        if grant is None:
            raise SlackApiFailure("invalid_code")
        self.add_team(grant.team_id, name=grant.team_name)
        self.add_token(grant.bot_token, grant.team_id, grant.bot_user_id, bot_id=grant.bot_id)
        logger.info("sim oauth.v2.access installed team=%s", grant.team_id)
        return {
            "access_token": grant.bot_token,
            "token_type": "bot",
            "scope": ",".join(grant.scopes),
            "bot_user_id": grant.bot_user_id,
            "app_id": APP_ID,
            "team": {"name": grant.team_name, "id": grant.team_id},
            "enterprise": (
                {"name": grant.enterprise_id, "id": grant.enterprise_id}
                if grant.enterprise_id
                else None
            ),
            "is_enterprise_install": False,
            "authed_user": {"id": grant.authed_user_id},
        }


_Method = Callable[[WebApiMethods, _Ctx], dict[str, Any]]
_METHODS: dict[str, _Method] = {
    "auth.test": WebApiMethods._auth_test,
    "team.info": WebApiMethods._team_info,
    "users.info": WebApiMethods._users_info,
    "users.list": WebApiMethods._users_list,
    "conversations.open": WebApiMethods._conversations_open,
    "conversations.info": WebApiMethods._conversations_info,
    "conversations.members": WebApiMethods._conversations_members,
    "usergroups.list": WebApiMethods._usergroups_list,
    "usergroups.users.list": WebApiMethods._usergroups_users_list,
    "conversations.history": WebApiMethods._conversations_history,
    "users.profile.get": WebApiMethods._users_profile_get,
    "team.profile.get": WebApiMethods._team_profile_get,
    "chat.postMessage": WebApiMethods._chat_post_message,
    "chat.update": WebApiMethods._chat_update,
    "chat.postEphemeral": WebApiMethods._chat_post_ephemeral,
    "chat.scheduleMessage": WebApiMethods._chat_schedule_message,
    "chat.deleteScheduledMessage": WebApiMethods._chat_delete_scheduled_message,
    "chat.scheduledMessages.list": WebApiMethods._chat_scheduled_messages_list,
    "views.open": WebApiMethods._views_open,
    "views.push": WebApiMethods._views_push,
    "views.update": WebApiMethods._views_update,
    "views.publish": WebApiMethods._views_publish,
    "files.getUploadURLExternal": WebApiMethods._files_get_upload_url,
    "files.completeUploadExternal": WebApiMethods._files_complete_upload,
    "oauth.v2.access": WebApiMethods._oauth_v2_access,
}

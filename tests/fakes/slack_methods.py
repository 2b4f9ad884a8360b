"""The Web API methods the fake answers, as Slack would (a mixin of
`FakeSlackAPI`, which holds the users, channels and messages)."""

from __future__ import annotations

import hashlib
import json
import math
import time
from typing import Any

from tests.fakes.slack_records import BOT_ID, BOT_USER_ID, TEAM_ID, Call, Channel


class SlackMethods:
    @staticmethod
    def _fail(call: Call, error: str) -> dict[str, Any]:
        call.ok, call.error = False, error
        return {"ok": False, "error": error}

    def _next_ts(self, channel: str) -> str:
        """Like Slack: the fake's epoch time when it accepted the message (its
        clock `clock_offset` seconds off the machine's), in microseconds,
        unique and rising per channel (a microsecond later than the previous
        one when they would be equal)."""
        micros = math.ceil((time.time() + self.clock_offset) * 1_000_000)
        micros = max(micros, self._last_ts.get(channel, 0) + 1)
        self._last_ts[channel] = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _resolve_channel(self, channel: str) -> str:
        if channel.startswith(("U", "W")):
            dm = "D" + channel[1:]
            self.dm_user[dm] = channel
            return dm
        return channel

    def _channel_problem(self, channel: str) -> str | None:
        if not channel:
            return "channel_not_found"
        if channel.startswith(("U", "W")) and self.users and channel not in self.users:
            return "channel_not_found"
        known = self.channels.get(channel)
        if known is not None and not known.is_member:
            return "not_in_channel"
        return None

    def _m_auth_test(self, call: Call, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://fake.slack.test/",
            "team": "Fake",
            "user": "mentorbot",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
        }

    def _m_chat_postMessage(self, call: Call, params: dict[str, Any]) -> dict[str, Any]:
        channel = str(params.get("channel") or "")
        if problem := self._channel_problem(channel):
            return self._fail(call, problem)
        if not (params.get("text") or params.get("blocks")):
            return self._fail(call, "no_text")
        resolved = self._resolve_channel(channel)
        ts = self._next_ts(resolved)
        message = {
            "ts": ts,
            "text": params.get("text", ""),
            "blocks": _blocks(params),
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "thread_ts": params.get("thread_ts"),
        }
        if params.get("metadata"):
            metadata = params["metadata"]
            message["metadata"] = json.loads(metadata) if isinstance(metadata, str) else metadata
        self.messages[(resolved, ts)] = message
        call.result = {"channel": resolved, "ts": ts}
        return {"ok": True, "channel": resolved, "ts": ts, "message": message}

    def _m_chat_update(self, call: Call, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(params.get("channel") or ""), str(params.get("ts") or "")
        key = (self._resolve_channel(channel), ts)
        if key not in self.messages:
            return self._fail(call, "message_not_found")
        message = dict(self.messages[key], text=params.get("text", ""), blocks=_blocks(params))
        self.messages[key] = message
        call.result = {"channel": key[0], "ts": ts}
        return {"ok": True, "channel": key[0], "ts": ts, "text": message["text"]}

    def _m_chat_postEphemeral(self, call: Call, params: dict[str, Any]) -> dict[str, Any]:
        channel = str(params.get("channel") or "")
        if problem := self._channel_problem(channel):
            return self._fail(call, problem)
        if not params.get("user"):
            return self._fail(call, "user_not_in_channel")
        ts = self._next_ts(channel)
        call.result = {"channel": channel, "ts": ts}
        return {"ok": True, "message_ts": ts}

    def _m_files_getUploadURLExternal(self, call: Call, params: dict[str, Any]) -> dict[str, Any]:
        filename, length = params.get("filename"), str(params.get("length") or "")
        if not filename or not length.isdigit():
            return self._fail(call, "invalid_arguments")
        file_id = f"F{len(self.files) + 1:08d}"
        self.files[file_id] = {
            "filename": filename,
            "length": int(length),
            "data": None,
            "channel": None,
            "title": None,
        }
        call.result = {"file_id": file_id}
        return {"ok": True, "file_id": file_id, "upload_url": f"http://{self.host}:{self.port}/upload/{file_id}"}

    def _m_files_completeUploadExternal(self, call: Call, params: dict[str, Any]) -> dict[str, Any]:
        files = params.get("files")
        files = json.loads(files) if isinstance(files, str) else files
        if not files:
            return self._fail(call, "invalid_arguments")
        channel = str(params.get("channel_id") or "")
        if channel and (problem := self._channel_problem(channel)):
            return self._fail(call, problem)
        for f in files:
            known = self.files.get(f.get("id"))
            if known is None or known["data"] is None:
                return self._fail(call, "file_not_found")
            if len(known["data"]) != known["length"]:
                return self._fail(call, "file_upload_size_mismatch")  # the length given did not match
        shared = []
        for f in files:
            known = self.files[f["id"]]
            known["channel"], known["title"] = self._resolve_channel(channel) if channel else None, f.get("title")
            shared.append({"id": f["id"], "title": f.get("title") or known["filename"], "name": known["filename"]})
        call.result = {"files": [f["id"] for f in files], "channel": channel}
        return {"ok": True, "files": shared}

    def _m_conversations_open(self, call: Call, params: dict[str, Any]) -> dict[str, Any]:
        users = params.get("users") or ""
        ids = sorted(u.strip() for u in (users if isinstance(users, list) else str(users).split(",")) if u.strip())
        if not ids:
            return self._fail(call, "users_list_not_supplied")
        unknown = [u for u in ids if self.users and u not in self.users]
        if unknown:
            return self._fail(call, "user_not_found")
        if len(ids) == 1:
            channel = self._resolve_channel(ids[0])
            return {"ok": True, "channel": {"id": channel, "is_im": True, "user": ids[0]}}
        digest = hashlib.sha1(",".join(ids).encode()).hexdigest()[:10].upper()
        channel = "G" + digest
        self.channels.setdefault(channel, Channel(channel, "mpdm-" + "--".join(ids), is_private=True))
        call.result = {"channel": channel}
        return {"ok": True, "channel": {"id": channel, "is_mpim": True}}

    def _m_conversations_history(self, call: Call, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._resolve_channel(str(params.get("channel") or ""))
        if not channel:
            return self._fail(call, "channel_not_found")
        limit = int(params.get("limit") or 100)
        with_metadata = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
        found = sorted((m for (c, _), m in self.messages.items() if c == channel), key=lambda m: m["ts"], reverse=True)[
            :limit
        ]
        return {
            "ok": True,
            "has_more": False,
            "messages": [{k: v for k, v in m.items() if k != "metadata" or with_metadata} for m in found],
        }

    def _m_conversations_info(self, call: Call, params: dict[str, Any]) -> dict[str, Any]:
        channel = str(params.get("channel") or "")
        known = self.channels.get(channel)
        if known is None:
            return self._fail(call, "channel_not_found")
        return {
            "ok": True,
            "channel": {
                "id": known.id,
                "name": known.name,
                "is_member": known.is_member,
                "is_private": known.is_private,
                "is_channel": not known.is_private,
            },
        }

    def _m_users_info(self, call: Call, params: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(str(params.get("user") or ""))
        if user is None:
            return self._fail(call, "user_not_found")
        return {
            "ok": True,
            "user": {
                "id": user.id,
                "team_id": TEAM_ID,
                "name": user.name,
                "real_name": user.real_name or user.name,
                "deleted": user.deleted,
                "is_bot": user.is_bot,
                "tz": user.tz,
                "locale": user.locale,
                "profile": {
                    "real_name": user.real_name or user.name,
                    "display_name": user.name,
                    **({"email": user.email} if user.email else {}),
                },
            },
        }

    def _m_views_publish(self, call: Call, params: dict[str, Any]) -> dict[str, Any]:
        user_id = str(params.get("user_id") or "")
        view = params.get("view")
        if isinstance(view, str):
            view = json.loads(view)
        if not user_id or not isinstance(view, dict) or view.get("type") != "home":
            return self._fail(call, "invalid_arguments")
        if len(view.get("blocks", [])) > 100:
            return self._fail(call, "invalid_blocks")
        self.views[user_id] = view
        return {"ok": True, "view": {"id": "V" + user_id, **view}}


def _blocks(params: dict[str, Any]) -> list[Any]:
    blocks = params.get("blocks") or []
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    return blocks

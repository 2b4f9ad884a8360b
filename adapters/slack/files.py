"""Files in Slack: the message's attachments uploaded the way Slack wants
since `files.upload` was retired:

1. `files.getUploadURLExternal` (filename, length) gives an upload URL and a file id;
2. the bytes are POSTed to that URL;
3. `files.completeUploadExternal` shares the files in a conversation.

Files carry personal data (an export, `mydata`), so they are shared in the
reader's DM, never in a channel, whatever conversation the command came from.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import aiohttp

from bot.messages import Address, Attachment, Where
from bot.ports import DeliveryError

if TYPE_CHECKING:
    from adapters.slack.outbound import SlackPort


async def dm_channel(port: SlackPort, to: Address) -> str:
    """The DM channel of the address's person (a DM address is used as it is)."""
    if to.where == Where.DM and to.conversation:
        return to.conversation
    if not to.user:
        raise DeliveryError("a file needs a person to send it to", permanent=True)
    return await port.open_conversation([to.user.split(",")[0]])


async def _post_bytes(port: SlackPort, url: str, item: Attachment) -> None:
    session = port.client.session
    own = session is None or session.closed
    if session is None or own:
        session = aiohttp.ClientSession()
    try:
        async with session.post(
            url, data=item.data, headers={"Content-Type": item.media_type or "application/octet-stream"}
        ) as response:
            if response.status >= 400:
                raise DeliveryError(
                    f"file upload answered HTTP {response.status}",
                    permanent=400 <= response.status < 500 and response.status != 429,
                )
    except aiohttp.ClientError as exc:
        raise DeliveryError(f"file upload failed: {exc}") from exc
    finally:
        if own:
            await session.close()


async def upload_files(
    port: SlackPort, to: Address, files: tuple[Attachment, ...], *, thread_ts: str | None = None
) -> list[str]:
    """Upload `files` and share them in the DM of `to`; returns the file ids."""
    if not files:
        return []
    channel = await dm_channel(port, to)
    shared = []
    for item in files:
        ticket = await port.call("files.getUploadURLExternal", filename=item.filename, length=len(item.data))
        await _post_bytes(port, ticket["upload_url"], item)
        shared.append({"id": ticket["file_id"], "title": item.title or item.filename})
    complete = {"files": json.dumps(shared), "channel_id": channel}
    if thread_ts:
        complete["thread_ts"] = thread_ts
    await port.call("files.completeUploadExternal", **complete)
    return [f["id"] for f in shared]

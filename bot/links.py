"""Links people open in a browser: a short-lived download of a file (where a
platform cannot take the file itself) and a personal calendar feed.

A link carries a random token (stored, so it can expire or be revoked) and an
HMAC of it with `server.link_secret`, so a token alone, say from a database
copy, does not make a working link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from urllib.parse import quote

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.messages import Attachment
from bot.store.models import CalendarFeed, SharedFile

DOWNLOAD_LIFETIME = timedelta(hours=24)


def new_token() -> str:
    return secrets.token_urlsafe(24)


def signature(secret: str, kind: str, token: str) -> str:
    """The HMAC that makes `token` a link; never with an empty key, which
    would let anyone who knows the scheme sign their own links."""
    if not secret:
        raise ValueError("no server.link_secret: links cannot be signed")
    digest = hmac.new(secret.encode(), f"{kind}:{token}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def signed(secret: str, kind: str, token: str, given: str) -> bool:
    """Whether `given` is the signature of `token`; nothing is signed without a key."""
    return bool(secret) and hmac.compare_digest(signature(secret, kind, token), given or "")


async def purge_expired_files(session: AsyncSession, now: datetime) -> None:
    """Shared files hold personal data: gone once their link has expired."""
    await session.exec(delete(SharedFile).where(col(SharedFile.expires_at) <= now))


async def share_file(
    session: AsyncSession, item: Attachment, person_id: int | None, now: datetime, base_url: str, secret: str
) -> str:
    """Keep `item` for a day and return its download URL (expired files go now)."""
    await purge_expired_files(session, now)
    token = new_token()
    session.add(
        SharedFile(
            token=token,
            person_id=person_id,
            filename=item.filename,
            media_type=item.media_type,
            data=item.data,
            created_at=now,
            expires_at=now + DOWNLOAD_LIFETIME,
        )
    )
    return f"{base_url}/files/{token}/{signature(secret, 'file', token)}/{quote(item.filename, safe='')}"


async def shared_file(
    session: AsyncSession, token: str, sig: str, name: str, now: datetime, secret: str
) -> SharedFile | None:
    """The file behind a download link, when the whole link is the one we made:
    signed, not expired, and ending in the file's own name (a link edited to
    end in `.exe` does not serve the same bytes under another name)."""
    if not signed(secret, "file", token, sig):
        return None
    row = (await session.exec(select(SharedFile).where(SharedFile.token == token))).first()
    return row if row is not None and row.expires_at > now and row.filename == name else None


def feed_url(base_url: str, secret: str, token: str) -> str:
    return f"{base_url}/calendar/{token}/{signature(secret, 'feed', token)}.ics"


async def calendar_feed(session: AsyncSession, token: str, sig: str, secret: str) -> CalendarFeed | None:
    if not signed(secret, "feed", token, sig):
        return None
    row = (await session.exec(select(CalendarFeed).where(CalendarFeed.token == token))).first()
    return row if row is not None and row.revoked_at is None else None

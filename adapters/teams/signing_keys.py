"""The Bot Framework's signing keys for botbuilder's token check, fetched off
the event loop.

botbuilder (4.17) checks a token with `JwtTokenExtractor`, which asks
`JwtTokenExtractor.get_open_id_metadata(url)` for an object whose
`await get(kid)` gives the key (`.public_key`, `.endorsements`). The SDK's own
object downloads the OpenID metadata and the key set with a blocking
`requests.get` without a timeout, on the event loop, and does it again for
every request until one download succeeds: one forged token could freeze the
whole process (Slack, the scheduler, /healthz) for as long as the key server
took to answer.

While a request is being authenticated (`SigningKeys.checking()`), that lookup
answers with a `KeySet` instead:

- a download runs in a thread of its own, at most `timeout` seconds in all;
- one download at a time per URL; whoever needs the keys meanwhile waits
  for that one;
- after an attempt, the next one waits `retry_after` seconds: a request that
  would need a download meanwhile is refused (401) at once;
- keys are used up to a day after they were fetched (the SDK's rule); a key
  id not in the set fetches again at most once an hour (the SDK's rule too)
  and never on every request.

The SDK still does the rest of the check: issuer, signature, expiry,
audience, channel endorsements, serviceUrl. A lookup outside `checking()`
still gets the SDK's own object (nothing else in mentorbot makes one).
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import requests
from botframework.connector.auth import AuthenticationConstants, ChannelValidation
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor
from jwt.algorithms import RSAAlgorithm

log = logging.getLogger(__name__)

MAX_DOCUMENT_BYTES = 1 << 20  # the key set is a few kilobytes


@dataclass(frozen=True)
class KeyTiming:
    """How long a download may take and how often one may start (seconds)."""

    timeout: float = 5.0  # one download: metadata and key set together
    retry_after: float = 30.0  # between two attempts, whatever the first's outcome
    unknown_kid_after: float = 3600.0  # an unknown key id fetches again only this long after the last fetch
    max_age: float = 86400.0  # keys older than this are fetched again before use
    refresh_every: float = 12 * 3600.0  # the background refresh, so that no request waits for one
    clock: Callable[[], float] = field(default=time.monotonic, compare=False)


TIMING = KeyTiming()  # what `mount` uses


class KeysUnavailable(Exception):
    """No key to check the token with (not fetched, fetching failed, or backing off)."""


class UnknownSigningKey(Exception):
    """The token names a key that is not in the Bot Framework's key set."""


@dataclass(frozen=True)
class SigningKey:
    """What `JwtTokenExtractor._validate_token` reads from the lookup's answer."""

    public_key: Any
    endorsements: list[str]


class KeySet:
    """The keys behind one OpenID metadata URL."""

    def __init__(self, url: str, timing: KeyTiming):
        self.url = url
        self.timing = timing
        self._keys: dict[str, SigningKey] | None = None
        self._fetched_at = 0.0
        self._attempted_at: float | None = None
        self._download: asyncio.Task[dict[str, SigningKey]] | None = None

    async def get(self, kid: str | None) -> SigningKey:
        """The key named `kid`, or KeysUnavailable / UnknownSigningKey."""
        if not kid:  # the SDK finds no key for a token without a key id either
            raise UnknownSigningKey("the token names no signing key")
        if self._keys is None or self._age() >= self.timing.max_age:
            if not await self.refresh():
                raise KeysUnavailable(f"no current signing keys from {self.url}")
        key = (self._keys or {}).get(kid)
        if key is None and self._age() >= self.timing.unknown_kid_after and await self.refresh():
            key = (self._keys or {}).get(kid)
        if key is None:
            raise UnknownSigningKey(f"no signing key {kid!r} at {self.url}")
        return key

    async def refresh(self) -> bool:
        """Join the download under way, or start one unless one started less
        than `retry_after` ago; True when it brought keys."""
        if self._download is None:
            now = self.timing.clock()
            if self._attempted_at is not None and now - self._attempted_at < self.timing.retry_after:
                return False
            self._attempted_at = now
            self._download = asyncio.ensure_future(self._fetch())
            self._download.add_done_callback(self._done)
        try:
            # A waiter that goes away (its client hung up) leaves the download to the others.
            await asyncio.shield(self._download)
        except Exception:
            return False
        return True

    def _age(self) -> float:
        return self.timing.clock() - self._fetched_at

    async def _fetch(self) -> dict[str, SigningKey]:
        try:
            keys = await asyncio.wait_for(
                in_daemon_thread(_download, self.url, self.timing.timeout, name="teams-signing-keys"),
                self.timing.timeout,
            )
        except Exception as exc:
            log.warning(
                "teams: could not fetch the Bot Framework signing keys from %s (%s); next attempt in %.0f s at the earliest",
                self.url,
                type(exc).__name__ if isinstance(exc, TimeoutError) else exc,
                self.timing.retry_after,
            )
            raise
        self._keys, self._fetched_at = keys, self.timing.clock()
        log.info("teams: fetched %d Bot Framework signing keys from %s", len(keys), self.url)
        return keys

    def close(self) -> None:
        """Give up a download under way (the server stops)."""
        if self._download is not None:
            self._download.cancel()

    def _done(self, task: asyncio.Task) -> None:
        self._download = None
        if not task.cancelled():
            task.exception()  # retrieved: the waiters have been told, the log has it


class SigningKeys:
    """The key sets of one Teams endpoint, one per metadata URL."""

    def __init__(self, timing: KeyTiming | None = None):
        self.timing = timing or TIMING
        self._sets: dict[str, KeySet] = {}
        _install()

    def for_url(self, url: str) -> KeySet:
        if url not in self._sets:
            self._sets[url] = KeySet(url, self.timing)
        return self._sets[url]

    @contextmanager
    def checking(self) -> Iterator[None]:
        """Within this block (one request's authentication), the SDK's key
        lookups are answered by these key sets."""
        token = _ACTIVE.set(self)
        try:
            yield
        finally:
            _ACTIVE.reset(token)

    def close(self) -> None:
        for keys in self._sets.values():
            keys.close()

    async def keep_fresh(self) -> None:
        """Fetch the channel keys now and every `refresh_every` after (every
        `retry_after` while that fails), so requests find them fetched.
        Runs as a background task until cancelled."""
        keys = self.for_url(channel_metadata_url())
        while True:
            fetched = await keys.refresh()
            await asyncio.sleep(self.timing.refresh_every if fetched else self.timing.retry_after)


def channel_metadata_url() -> str:
    """Where the SDK reads the keys of tokens from the Bot Framework channels (Teams)."""
    return (
        ChannelValidation.open_id_metadata_endpoint or AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL
    )


# ------------------------------------------------------------ the SDK's lookup

_ACTIVE: contextvars.ContextVar[SigningKeys | None] = contextvars.ContextVar("teams_signing_keys", default=None)
_SDK_LOOKUP = "get_open_id_metadata"


def _install() -> None:
    """Answer `JwtTokenExtractor.get_open_id_metadata` from the active
    `SigningKeys` (once per process; without one, the SDK's own answer)."""
    current = getattr(JwtTokenExtractor, _SDK_LOOKUP)
    if getattr(current, "sdk_lookup", None) is not None:
        return

    def get_open_id_metadata(metadata_url: str):
        keys = _ACTIVE.get()
        return keys.for_url(metadata_url) if keys is not None else current(metadata_url)

    get_open_id_metadata.sdk_lookup = current  # type: ignore[attr-defined]
    setattr(JwtTokenExtractor, _SDK_LOOKUP, staticmethod(get_open_id_metadata))


# ---------------------------------------------------------------- downloading


def _download(metadata_url: str, timeout: float) -> dict[str, SigningKey]:
    """The key set named by the OpenID metadata at `metadata_url` (blocking:
    runs in a thread), all within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    jwks_uri = _get_json(metadata_url, deadline)["jwks_uri"]
    keys: dict[str, SigningKey] = {}
    for jwk in _get_json(jwks_uri, deadline)["keys"]:
        if not jwk.get("kid"):
            continue
        try:
            key = SigningKey(RSAAlgorithm.from_jwk(json.dumps(jwk)), list(jwk.get("endorsements", [])))
        except Exception as exc:  # a key the SDK could not use either
            log.debug("teams: skipped signing key %r (%s)", jwk.get("kid"), exc)
            continue
        keys.setdefault(jwk["kid"], key)  # the first of a kid, as the SDK
    if not keys:
        raise ValueError(f"{jwks_uri} lists no usable signing key")
    return keys


def _get_json(url: str, deadline: float) -> Any:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError(url)
    # `requests`, as the SDK: the same proxy (HTTPS_PROXY) and CA settings.
    with requests.get(url, timeout=remaining, stream=True) as response:
        response.raise_for_status()
        body = bytearray()
        for chunk in response.iter_content(65536):
            body += chunk
            if len(body) > MAX_DOCUMENT_BYTES:
                raise ValueError(f"{url}: answer larger than {MAX_DOCUMENT_BYTES} bytes")
            if time.monotonic() > deadline:
                raise TimeoutError(url)
    return json.loads(body)


def in_daemon_thread(function: Callable[..., Any], *args: Any, name: str) -> asyncio.Future[Any]:
    """`function(*args)` in a daemon thread: one that hangs (a resolver that
    never answers) holds neither the loop nor the process's exit."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Any] = loop.create_future()

    def settle(result: Any, error: BaseException | None) -> None:
        if future.done():  # given up on (timed out)
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)

    def run() -> None:
        try:
            result, error = function(*args), None
        except BaseException as exc:
            result, error = None, exc
        try:
            loop.call_soon_threadsafe(settle, result, error)
        except RuntimeError:  # the loop is closed: nobody waits any more
            pass

    threading.Thread(target=run, name=name, daemon=True).start()
    return future

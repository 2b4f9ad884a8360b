"""The bot's login token for calls to the Bot Connector, fetched off the
event loop.

botbuilder (4.17) signs every connector call in msrest's `signed_session`,
which calls the credentials' synchronous `get_access_token`: msal, with
blocking HTTP and no timeout (its tenant discovery included), on the event
loop. Behind a login endpoint that never answers, the first send to Teams
froze the whole process (Slack, the scheduler, /healthz). And the SDK makes
new credentials, so a new msal application with an empty cache and its own
tenant discovery, for every connector client: every send asked Microsoft
again.

`AccessTokens` is the credentials factory the SDK asks (it awaits
`create_credentials` for each connector client: each proactive send, each
new chat, each inbound turn):

- the SDK's credentials are made once per app id / scope / login endpoint,
  so msal's application and its token cache are reused;
- the token is fetched in a daemon thread, waited for at most `timeout`
  seconds; one fetch at a time per credentials, shared by every send that
  needs it; msal's own HTTP calls get the same timeout, so a fetch that
  hangs ends too;
- a token is kept until `renew_before` seconds before it expires; after a
  failed fetch the next starts `retry_after` seconds later at the earliest
  (meanwhile a send fails at once), and a token that is still valid is used
  while a renewal fails;
- the connector client gets credentials whose `get_access_token` answers
  with that token, or raises `TokenUnavailable`: nothing blocks in
  `signed_session`.

`TeamsPort` sends within `fetching()`: the token is fetched
before the SDK makes its connector client, and a send that gets none is a
retryable `DeliveryError` for the outbox, nothing sent. An inbound turn's own
calls (replies, card updates, profiles) fetch it first with `ready(context)`;
a turn that calls nothing (typing) never asks the login service.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

import jwt
from botbuilder.core import BotAdapter, TurnContext
from botframework.connector.auth import (
    AppCredentials,
    AuthenticationConstants,
    MicrosoftAppCredentials,
    ServiceClientCredentialsFactory,
)
from msal import ConfidentialClientApplication

from adapters.teams.signing_keys import in_daemon_thread

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TokenTiming:
    """How long a fetch may take, how often one may start, how long a token is kept (seconds)."""

    timeout: float = 10.0  # one fetch (tenant discovery and token request), as a send waits for it
    retry_after: float = 15.0  # after a failed fetch, sends fail at once for this long
    renew_before: float = 300.0  # renew a token this long before it expires (msal's own margin)
    grace: float = 30.0  # while a renewal fails, a token with at least this much life left is still used
    unknown_lifetime: float = 60.0  # a token whose expiry cannot be read is kept this long
    clock: Callable[[], float] = field(default=time.monotonic, compare=False)
    wall: Callable[[], float] = field(default=time.time, compare=False)


TIMING = TokenTiming()  # what `mount` uses


class TokenUnavailable(Exception):
    """No login token for the Bot Connector (the fetch failed, timed out, or is backing off)."""


class IssuedCredentials(AppCredentials):
    """What a connector client signs with: the SDK's credentials' identity
    and the token `AccessToken` holds. Signing (`signed_session`, on the
    loop) never fetches: without a current token it raises `TokenUnavailable`;
    `fetching()` and `ready()` fetch one beforehand."""

    def __init__(self, token: AccessToken):
        inner = token.credentials
        super().__init__(app_id=inner.microsoft_app_id, channel_auth_tenant=inner.tenant, oauth_scope=inner.oauth_scope)
        self.oauth_endpoint = inner.oauth_endpoint
        self.token = token

    def get_access_token(self, force_refresh: bool = False) -> str:
        return self.token.current()


class AccessToken:
    """The token of one set of the SDK's credentials."""

    def __init__(self, credentials: AppCredentials, timing: TokenTiming):
        self.credentials = credentials
        self.timing = timing
        self.fetches = 0  # fetches started (for the log and tests)
        self._token: str | None = None
        self._valid_until = 0.0  # clock() when the token expires
        self._fetch: asyncio.Future[str] | None = None
        self._started = 0.0
        self._failed_at: float | None = None

    async def get(self) -> str:
        now = self.timing.clock()
        if self._token is not None and now < self._valid_until - self.timing.renew_before:
            return self._token
        if self._fetch is None:
            if self._failed_at is not None and now - self._failed_at < self.timing.retry_after:
                return self._still_valid(f"the last fetch failed less than {self.timing.retry_after:g} s ago")
            self._start(now)
        assert self._fetch is not None
        remaining = self._started + self.timing.timeout - now
        if remaining <= 0:  # a fetch outlived its timeout and has not ended yet: not a second one
            return self._still_valid("a fetch is still hanging")
        try:
            return await asyncio.wait_for(asyncio.shield(self._fetch), remaining)
        except TimeoutError:
            self._failed_at = self.timing.clock()
            return self._still_valid(f"no answer within {self.timing.timeout:g} s")
        except Exception as exc:
            return self._still_valid(f"{type(exc).__name__}: {exc}")

    def _start(self, now: float) -> None:
        self._started = now
        self.fetches += 1
        self._fetch = in_daemon_thread(_fetch_token, self.credentials, self.timing.timeout, name="teams-login-token")
        self._fetch.add_done_callback(self._done)

    def _done(self, future: asyncio.Future[str]) -> None:
        self._fetch = None
        if future.cancelled():
            return
        error = future.exception()
        if error is not None:
            self._failed_at = self.timing.clock()
            log.warning(
                "teams: could not get a login token for the Bot Connector from %s (%s); next attempt in %g s at the earliest",
                self.credentials.oauth_endpoint,
                type(error).__name__,
                self.timing.retry_after,
            )
            return
        token = future.result()
        self._token, self._failed_at = token, None
        self._valid_until = self.timing.clock() + self._lifetime(token)

    def _lifetime(self, token: str) -> float:
        try:
            expires = jwt.decode(token, options={"verify_signature": False})["exp"]
            return float(expires) - self.timing.wall()
        except Exception:  # not a JWT we can read: keep it briefly (msal still has it cached)
            return self.timing.renew_before + self.timing.unknown_lifetime

    def current(self) -> str:
        """The token in hand, if still usable (never fetches)."""
        return self._still_valid("none fetched yet, or it expired")

    def _still_valid(self, why: str) -> str:
        if self._token is not None and self.timing.clock() < self._valid_until - self.timing.grace:
            return self._token
        raise TokenUnavailable(f"no login token for the Bot Connector from {self.credentials.oauth_endpoint} ({why})")

    def close(self) -> None:
        if self._fetch is not None:
            self._fetch.cancel()


class AccessTokens(ServiceClientCredentialsFactory):
    """The SDK's credentials factory (`inner`), its tokens fetched off the loop."""

    def __init__(self, inner: ServiceClientCredentialsFactory, timing: TokenTiming | None = None):
        self.inner = inner
        self.timing = timing or TIMING
        self._tokens: dict[tuple, AccessToken] = {}

    async def is_valid_app_id(self, app_id: str) -> bool:
        return await self.inner.is_valid_app_id(app_id)

    async def is_authentication_disabled(self) -> bool:
        return await self.inner.is_authentication_disabled()

    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ) -> AppCredentials:
        key = (app_id, oauth_scope, login_endpoint, validate_authority)
        token = self._tokens.get(key)
        if token is None:
            credentials = await self.inner.create_credentials(app_id, oauth_scope, login_endpoint, validate_authority)
            if not _needs_token(credentials):  # local mode: calls go unsigned
                return credentials
            token = self._tokens[key] = AccessToken(credentials, self.timing)
        if _FETCHING.get():
            await token.get()  # TokenUnavailable here: before any call to the connector
        return IssuedCredentials(token)

    @property
    def fetches(self) -> int:
        """Token fetches started (log and tests)."""
        return sum(token.fetches for token in self._tokens.values())

    def close(self) -> None:
        """Give up fetches under way (the server stops)."""
        for token in self._tokens.values():
            token.close()


@contextmanager
def fetching() -> Iterator[None]:
    """Within this block (a send), connector clients are made only with a
    token in hand: fetched off the loop if needed, or TokenUnavailable.
    Outside it (an inbound turn), making one fetches nothing: a turn that
    sends nothing (typing) never asks the login service."""
    reset = _FETCHING.set(True)
    try:
        yield
    finally:
        _FETCHING.reset(reset)


async def ready(context: TurnContext) -> None:
    """Before an inbound turn's own connector call (a reply, a card update, a
    profile): fetch, off the loop, the token its connector client signs
    with. A failure is left to that call (TokenUnavailable, which its caller
    already handles like any connector error)."""
    client = context.turn_state.get(BotAdapter.BOT_CONNECTOR_CLIENT_KEY)
    credentials = getattr(getattr(client, "config", None), "credentials", None)
    if isinstance(credentials, IssuedCredentials):
        with suppress(TokenUnavailable):
            await credentials.token.get()


_FETCHING: contextvars.ContextVar[bool] = contextvars.ContextVar("teams_fetching_tokens", default=False)


def _needs_token(credentials) -> bool:
    app_id = getattr(credentials, "microsoft_app_id", None)
    return isinstance(credentials, AppCredentials) and bool(app_id) and app_id != _ANONYMOUS


_ANONYMOUS = AuthenticationConstants.ANONYMOUS_SKILL_APP_ID


def _fetch_token(credentials: AppCredentials, timeout: float) -> str:
    """The SDK's `get_access_token` (blocking: runs in a thread). Password
    credentials get their msal application made here first, with `timeout`
    on each of msal's HTTP calls (the SDK makes it without one)."""
    if (
        isinstance(credentials, MicrosoftAppCredentials)
        and type(credentials).get_access_token is MicrosoftAppCredentials.get_access_token
        and credentials.app is None
    ):
        credentials.app = ConfidentialClientApplication(
            client_id=credentials.microsoft_app_id,
            client_credential=credentials.microsoft_app_password,
            authority=credentials.oauth_endpoint,
            timeout=timeout,
        )
    return credentials.get_access_token()

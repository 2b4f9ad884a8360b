"""The Bot Framework's signing keys never hold the event loop
(adapters/teams/signing_keys.py), through the app `serve` builds and the
loopback key server: a key server that never answers costs a forged request
a bounded wait while /healthz keeps answering; forged key ids start at most
one download per interval; concurrent requests share one download; a real
token still gets in, also one signed by a newly rotated key."""

from __future__ import annotations

import asyncio
import inspect
import time
from dataclasses import replace

import pytest
from botframework.connector.auth import VerifyOptions
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor

from adapters.teams import signing_keys
from adapters.teams.signing_keys import KeysUnavailable, KeyTiming, SigningKeys, UnknownSigningKey
from tests.fakes.bot_framework_auth import new_key
from tests.teams.helpers import APP_ID, personal_message, user
from tests.teams.test_authentication import _post, authenticated_config, production_app

ANNA = user("Anna", 41)


class Ticks:
    """The key cache's clock: moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def ticks(monkeypatch) -> Ticks:
    ticks = Ticks()
    monkeypatch.setattr(signing_keys, "TIMING", replace(signing_keys.TIMING, clock=ticks))
    return ticks


async def _until(condition, what: str, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        await asyncio.sleep(0.01)


def _valid(keys, connector) -> tuple[dict, str]:
    """A typing activity (needs no reply, so nothing calls Microsoft's login service) and its real token."""
    activity = {**personal_message(connector.url, ANNA, ""), "type": "typing"}
    return activity, "Bearer " + keys.token(app_id=APP_ID, service_url=connector.url)


_FOREIGN = []  # a key the Bot Framework never served, made once (making one takes a while)


def _forged(keys, connector, kid: str) -> str:
    """A token for this bot and serviceUrl, signed by a foreign key under `kid`."""
    if not _FOREIGN:
        _FOREIGN.append(new_key())
    return "Bearer " + keys.token(app_id=APP_ID, service_url=connector.url, key=_FOREIGN[0], kid=kid)


async def test_a_key_server_that_never_answers_holds_neither_the_loop_nor_the_forged_request(
    sqlite_db, clock, keys, connector, ticks
):
    keys.hang(seconds=60)  # takes the connection, never answers (until the test ends)
    message = personal_message(connector.url, ANNA, "status")
    async with production_app(sqlite_db, clock, authenticated_config(sqlite_db.url)) as (http, url):
        request = asyncio.create_task(_post(http, url, message, _forged(keys, connector, "forged")))
        await _until(lambda: keys.metadata_requests >= 1, "a key download reached the key server")
        async with http.get(f"{url}/healthz") as response:
            health = response.status
        # /healthz answered while the key download still hangs and the forged request still waits for it.
        assert (health, keys.hanging, request.done()) == (200, 1, False)
        assert await request == 401
        assert keys.hanging == 1  # refused after TIMING.timeout, not because the key server gave up
        assert keys.metadata_requests == 1  # the start-up warm-up and the request shared one download
        # Backing off: the next forged request is refused at once, without a download.
        assert await _post(http, url, message, _forged(keys, connector, "forged-2")) == 401
        assert keys.metadata_requests == 1
    assert connector.calls == []


async def test_forged_key_ids_start_at_most_one_download_per_interval(sqlite_db, clock, keys, connector, ticks):
    keys.fail_with = 503
    message = personal_message(connector.url, ANNA, "status")
    interval = signing_keys.TIMING.retry_after
    async with production_app(sqlite_db, clock, authenticated_config(sqlite_db.url)) as (http, url):
        statuses = [await _post(http, url, message, _forged(keys, connector, f"forged-{n}")) for n in range(10)]
        statuses += await asyncio.gather(
            *(_post(http, url, message, _forged(keys, connector, f"burst-{n}")) for n in range(10))
        )
        assert statuses == [401] * 20
        assert keys.metadata_requests == 1  # the one at start-up; everything after waits out the interval

        # The interval passes and the key server is back: one download, shared by a burst.
        keys.fail_with = None
        ticks.advance(interval)
        activity, token = _valid(keys, connector)
        statuses = await asyncio.gather(
            _post(http, url, activity, token),
            *(_post(http, url, message, _forged(keys, connector, f"later-{n}")) for n in range(10)),
        )
        assert statuses[0] in (200, 201) and statuses[1:] == [401] * 10
        assert keys.metadata_requests == 2
        # Keys in hand: unknown key ids fetch nothing until the hour is up.
        ticks.advance(signing_keys.TIMING.unknown_kid_after - 1)
        assert await _post(http, url, message, _forged(keys, connector, "yet-another")) == 401
        assert keys.metadata_requests == 2
    assert connector.calls == []


async def test_a_real_token_gets_in_also_one_signed_by_a_newly_rotated_key(sqlite_db, clock, keys, connector, ticks):
    activity, token = _valid(keys, connector)
    async with production_app(sqlite_db, clock, authenticated_config(sqlite_db.url)) as (http, url):
        assert await _post(http, url, activity, token) in (200, 201)
        downloads = keys.metadata_requests

        keys.rotate("test-key-2")  # the Bot Framework signs with a new key from now on
        rotated = "Bearer " + keys.token(app_id=APP_ID, service_url=connector.url)
        assert await _post(http, url, activity, rotated) == 401  # keys fetched less than an hour ago
        assert keys.metadata_requests == downloads

        ticks.advance(signing_keys.TIMING.unknown_kid_after)
        assert await _post(http, url, activity, rotated) in (200, 201)  # its kid fetches the key set once
        assert keys.metadata_requests == downloads + 1
        assert await _post(http, url, activity, token) == 401  # the retired key is gone
        assert keys.metadata_requests == downloads + 1


async def test_requests_waiting_for_the_keys_share_one_download(sqlite_db, clock, keys, connector, ticks):
    keys.delay = 0.5  # a slow key server: every request below arrives while the download runs
    activity, token = _valid(keys, connector)
    async with production_app(sqlite_db, clock, authenticated_config(sqlite_db.url)) as (http, url):
        statuses = await asyncio.gather(*(_post(http, url, activity, token) for _ in range(10)))
    assert all(status in (200, 201) for status in statuses), statuses
    assert keys.metadata_requests == 1


async def test_the_keys_are_fetched_at_start_up_without_holding_it_up(sqlite_db, clock, keys, connector, ticks):
    keys.hang(seconds=30)
    activity, token = _valid(keys, connector)
    async with production_app(sqlite_db, clock, authenticated_config(sqlite_db.url)) as (http, url):
        # Serving already, while the download started at start-up still hangs.
        async with http.get(f"{url}/healthz") as response:
            assert response.status == 200
        await _until(lambda: keys.hanging == 1, "the start-up download reached the key server")
    keys.release()
    async with production_app(sqlite_db, clock, authenticated_config(sqlite_db.url)) as (http, url):
        await _until(lambda: any(path == "/v1/keys" for path in keys.requests), "keys fetched without a request")
        downloads = keys.metadata_requests
        assert await _post(http, url, activity, token) in (200, 201)
        assert keys.metadata_requests == downloads  # the first request found the keys in hand


async def test_keys_older_than_a_day_are_fetched_again_and_not_used_when_that_fails(keys, ticks):
    key_set = SigningKeys().for_url(keys.metadata_url)
    assert (await key_set.get(keys.kid)).endorsements == ["msteams"]
    ticks.advance(signing_keys.TIMING.max_age)
    keys.fail_with = 503
    with pytest.raises(KeysUnavailable):
        await key_set.get(keys.kid)
    with pytest.raises(KeysUnavailable):  # backing off: no second attempt
        await key_set.get(keys.kid)
    assert keys.metadata_requests == 2
    keys.fail_with = None
    ticks.advance(signing_keys.TIMING.retry_after)
    assert await key_set.get(keys.kid)
    with pytest.raises(UnknownSigningKey):
        await key_set.get("nobody's")
    assert keys.metadata_requests == 3


def test_the_sdk_still_asks_get_open_id_metadata_for_its_keys(monkeypatch):
    """adapters/teams/signing_keys.py answers `JwtTokenExtractor.get_open_id_metadata`
    and returns an object the SDK `await ...get(kid)`s for `.public_key` and
    `.endorsements`. If this fails after a botbuilder upgrade, revisit that
    module: the SDK may be downloading keys on the event loop again."""
    source = inspect.getsource(JwtTokenExtractor)
    for used in (
        "self.open_id_metadata = JwtTokenExtractor.get_open_id_metadata(metadata_url)",
        "metadata = await self.open_id_metadata.get(key_id)",
        "metadata.endorsements",
        "metadata.public_key",
    ):
        assert used in source, f"botbuilder's JwtTokenExtractor changed: {used!r} is gone"

    monkeypatch.setattr(JwtTokenExtractor, "metadataCache", {})
    keys, url = SigningKeys(KeyTiming()), "http://127.0.0.1:9/v1/.well-known/openidconfiguration"
    options = VerifyOptions(issuer=[], audience=None, clock_tolerance=0, ignore_expiration=False)
    with keys.checking():
        inside = JwtTokenExtractor(options, url, ["RS256"])
    assert inside.open_id_metadata is keys.for_url(url)
    outside = JwtTokenExtractor(options, url, ["RS256"])
    assert not isinstance(outside.open_id_metadata, signing_keys.KeySet)  # anyone else: the SDK's own

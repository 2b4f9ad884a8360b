"""A loopback fake of the Bot Framework's OpenID metadata and signing keys,
so the SDK's real token validation runs against tokens this test signs.

The keys are fetched with blocking `requests` calls (in a thread of their
own since adapters/teams/signing_keys.py; on the event loop before), so the
fake is a plain threaded HTTP server, not an aiohttp one: it answers even
while the loop is stuck.

    with FakeBotFrameworkKeys() as keys:
        monkeypatch.setattr(ChannelValidation, "open_id_metadata_endpoint", keys.metadata_url)
        token = keys.token(app_id=APP_ID, service_url=connector.url)

It can also misbehave: `keys.hang()` (take requests, never answer, until
`release()` or `hang_seconds`), `keys.fail_with = 503`, `keys.delay = 0.5`,
`keys.rotate(kid)` (a new key under a new kid). `keys.metadata_requests` counts the downloads.
"""

from __future__ import annotations

import json
import time

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.fakes.holding import HoldingServer, QuietHandler

ISSUER = "https://api.botframework.com"  # what Bot Framework channel tokens carry


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class FakeBotFrameworkKeys(HoldingServer):
    def __init__(self, kid: str = "test-key-1"):
        super().__init__()  # requests: the paths asked for
        self.kid = kid
        self.key = new_key()
        self.fail_with: int | None = None  # answer every request with this status
        self.delay = 0.0  # answer every request this many seconds late
        # The channels the served key vouches for; Microsoft's keys name about
        # ten (msteams, webchat, directline, emulator, ...).
        self.endorsements = ["msteams"]

    @property
    def metadata_requests(self) -> int:
        """How many downloads began (each starts with the metadata document)."""
        return sum(path.endswith("openidconfiguration") for path in list(self.requests))

    def rotate(self, kid: str) -> rsa.RSAPrivateKey:
        """Serve a new key under `kid` (the old one is gone); returns the old key."""
        old, self.key, self.kid = self.key, new_key(), kid
        return old

    @property
    def metadata_url(self) -> str:
        return f"{self.base}/v1/.well-known/openidconfiguration"

    def jwks(self) -> dict:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update(kid=self.kid, use="sig", endorsements=list(self.endorsements))
        return {"keys": [jwk]}

    def token(
        self,
        *,
        app_id: str,
        service_url: str,
        key: rsa.RSAPrivateKey | None = None,
        kid: str | None = None,
        issuer: str = ISSUER,
        lifetime: int = 600,
    ) -> str:
        """A channel token as Bot Framework signs it (by default with the served key)."""
        now = int(time.time())
        claims = {"iss": issuer, "aud": app_id, "serviceurl": service_url, "nbf": now - 60, "exp": now + lifetime}
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": kid or self.kid})

    def __enter__(self) -> FakeBotFrameworkKeys:
        fake = self

        class Handler(QuietHandler):
            def do_GET(self):
                fake.requests.append(self.path)
                if fake.held(self):
                    return
                time.sleep(fake.delay)
                if fake.fail_with is not None:
                    self.send_error(fake.fail_with)
                    return
                if self.path.endswith("openidconfiguration"):
                    body = {
                        "issuer": ISSUER,
                        "jwks_uri": f"{fake.base}/v1/keys",
                        "id_token_signing_alg_values_supported": ["RS256"],
                    }
                elif self.path == "/v1/keys":
                    body = fake.jwks()
                else:
                    self.send_error(404)
                    return
                self.send_json(body)

        self.start(Handler)
        return self

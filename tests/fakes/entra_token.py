"""A loopback fake of Microsoft Entra ID's token endpoint (where the bot gets
its login token for the Bot Connector), which can also stand in for an HTTPS
proxy that takes a connection and never answers.

    with FakeTokenEndpoint() as entra:
        credentials = EndpointAppCredentials(entra.token_url, ...)  # tests/teams/helpers.py
        entra.hang(seconds=30)   # every request held, unanswered, until release()
        monkeypatch.setenv("HTTPS_PROXY", entra.base)  # msal's requests go here: CONNECT, held
        assert entra.token_requests == 1
"""

from __future__ import annotations

import time

import jwt

from tests.fakes.holding import HoldingServer, QuietHandler

SIGNING_SECRET = "fake-entra-secret-long-enough-for-hs256"


class FakeTokenEndpoint(HoldingServer):
    def __init__(self, lifetime: int = 3600):
        super().__init__()  # requests: "POST /token", "CONNECT login.microsoftonline.com:443", ...
        self.lifetime = lifetime
        self.issued: list[str] = []

    @property
    def token_requests(self) -> int:
        return sum(r.startswith("POST") for r in list(self.requests))

    @property
    def connects(self) -> int:
        return sum(r.startswith("CONNECT") for r in list(self.requests))

    @property
    def token_url(self) -> str:
        return f"{self.base}/token"

    def _token(self) -> str:
        now = int(time.time())
        claims = {"aud": "https://api.botframework.com", "iat": now, "exp": now + self.lifetime, "n": len(self.issued)}
        token = jwt.encode(claims, SIGNING_SECRET, algorithm="HS256")
        self.issued.append(token)
        return token

    def __enter__(self) -> FakeTokenEndpoint:
        fake = self

        class Handler(QuietHandler):
            def _held(self) -> bool:
                fake.requests.append(f"{self.command} {self.path}")
                return fake.held(self)

            def do_CONNECT(self):  # as a proxy: held, or refused (nothing may reach Microsoft)
                if not self._held():
                    self.send_error(502)

            def do_POST(self):
                if self._held():
                    return
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.send_json({"token_type": "Bearer", "expires_in": fake.lifetime, "access_token": fake._token()})

        self.start(Handler)
        return self

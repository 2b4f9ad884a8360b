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

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt

SIGNING_SECRET = "fake-entra-secret-long-enough-for-hs256"


class FakeTokenEndpoint:
    def __init__(self, lifetime: int = 3600):
        self.lifetime = lifetime
        self.requests: list[str] = []  # "POST /token", "CONNECT login.microsoftonline.com:443", ...
        self.issued: list[str] = []
        self.hang_seconds = 0.0  # > 0: hold every request this long (or until release()), then close it unanswered
        self.hanging = 0  # requests held right now
        self._released = threading.Event()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def token_requests(self) -> int:
        return sum(r.startswith("POST") for r in list(self.requests))

    @property
    def connects(self) -> int:
        return sum(r.startswith("CONNECT") for r in list(self.requests))

    def hang(self, seconds: float = 30.0) -> None:
        self._released.clear()
        self.hang_seconds = seconds

    def release(self) -> None:
        self.hang_seconds = 0.0
        self._released.set()

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

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

        class Handler(BaseHTTPRequestHandler):
            def _held(self) -> bool:
                fake.requests.append(f"{self.command} {self.path}")
                if fake.hang_seconds <= 0:
                    return False
                with fake._lock:
                    fake.hanging += 1
                try:
                    fake._released.wait(fake.hang_seconds)
                finally:
                    with fake._lock:
                        fake.hanging -= 1
                self.close_connection = True
                return True

            def do_CONNECT(self):  # as a proxy: held, or refused (nothing may reach Microsoft)
                if not self._held():
                    self.send_error(502)

            def do_POST(self):
                if self._held():
                    return
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                data = json.dumps(
                    {"token_type": "Bearer", "expires_in": fake.lifetime, "access_token": fake._token()}
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):  # quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
        self._server.shutdown()
        self._server.server_close()

"""The part the loopback fakes of Microsoft's endpoints share (signing keys,
login tokens): a threaded HTTP server on 127.0.0.1, a free port, that can
hold every request unanswered (`hang`, until `release`) the way a key server
or a proxy that never answers does, and answer JSON otherwise."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class HoldingServer:
    def __init__(self) -> None:
        self.requests: list[str] = []
        self.hang_seconds = 0.0  # > 0: hold every request this long (or until release()), then close it unanswered
        self.hanging = 0  # requests held right now
        self._released = threading.Event()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def hang(self, seconds: float = 30.0) -> None:
        self._released.clear()
        self.hang_seconds = seconds

    def release(self) -> None:
        self.hang_seconds = 0.0
        self._released.set()

    @property
    def base(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_port}"

    def held(self, handler: BaseHTTPRequestHandler) -> bool:
        """Hold this request while hanging (then its connection closes
        unanswered); whether it was held."""
        if self.hang_seconds <= 0:
            return False
        with self._lock:
            self.hanging += 1
        try:
            self._released.wait(self.hang_seconds)
        finally:
            with self._lock:
                self.hanging -= 1
        handler.close_connection = True
        return True

    def start(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def __exit__(self, *exc) -> None:
        self.release()
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()


class QuietHandler(BaseHTTPRequestHandler):
    def send_json(self, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):  # quiet
        pass

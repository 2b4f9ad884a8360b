"""Whatever the edge lets through, bolt's own signature check accepts: a
request the two would read differently (an `X-Slack-*` header twice, of
which the edge read the first and bolt the last; a body in another charset
than the UTF-8 it was signed in; a signature about to go stale) is refused
at the edge, before bolt, which logs the whole body of a request it refuses."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from tests.slack.helpers import ADEPT, sign

SECRET_WORDS = "hemlig-Åsa-4711"


def dm_body(server) -> str:
    event = {
        "type": "message",
        "channel": "D0ADEPT",
        "user": ADEPT,
        "text": SECRET_WORDS,
        "ts": "1767000000.000100",
        "channel_type": "im",
    }
    return server.event_body(event).replace("\\u00c5", "Å")  # as Slack sends it: UTF-8, not escaped


async def send(server, body: str, headers: list[tuple[str, str]]) -> tuple[int, str]:
    """POST `body` with exactly these header lines, in this order (aiohttp's
    client would merge two of the same name), over a fresh connection."""
    host, port = server.url.removeprefix("http://").split(":")
    data = body.encode()
    lines = ["POST /slack/events HTTP/1.1", f"Host: {host}", "Connection: close", f"Content-Length: {len(data)}"]
    head = "\r\n".join(lines + [f"{name}: {value}" for name, value in headers]) + "\r\n\r\n"
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(head.encode("latin-1") + data)
        await writer.drain()
        answer = await reader.read()
    finally:
        writer.close()
    status_line, _, rest = answer.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2].decode()


def logged(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO and r.name != "adapters.slack.app"]


@pytest.mark.parametrize(
    "twice",
    [
        lambda ts, good: [("X-Slack-Signature", good), ("X-Slack-Signature", "v0=" + "0" * 64)],
        lambda ts, good: [("X-Slack-Signature", "v0=" + "0" * 64), ("x-slack-signature", good)],
        lambda ts, good: [("X-Slack-Signature", good), ("X-Slack-Request-Timestamp", str(ts - 1000))],
        lambda ts, good: [("X-Slack-Signature", good), ("X-Slack-Retry-Num", "1"), ("X-Slack-Retry-Num", "2")],
    ],
    ids=["a good signature, then a bad one", "a bad one, then a good one", "the timestamp", "X-Slack-Retry-Num"],
)
async def test_an_x_slack_header_sent_twice_is_refused_before_bolt(server, bolt_sees, caplog, twice):
    caplog.set_level(logging.DEBUG)
    body = dm_body(server)
    ts = int(time.time())
    headers = [("Content-Type", "application/json"), ("X-Slack-Request-Timestamp", str(ts)), *twice(ts, sign(body, ts))]
    status, text = await send(server, body, headers)
    await server.settle()
    assert status == 400 and "more than once" in text
    assert bolt_sees == []
    assert not [line for line in logged(caplog) if SECRET_WORDS in line]
    assert [c.method for c in server.fake.calls] == ["auth.test"]


async def test_a_body_in_another_charset_than_it_was_signed_in_is_refused_before_bolt(server, bolt_sees, caplog):
    caplog.set_level(logging.DEBUG)
    body = dm_body(server)
    ts = int(time.time())
    headers = [
        ("Content-Type", "application/json; charset=latin-1"),  # aiohttp and bolt would read "Ã\x85sa"
        ("X-Slack-Request-Timestamp", str(ts)),
        ("X-Slack-Signature", sign(body, ts)),
    ]
    status, text = await send(server, body, headers)
    await server.settle()
    assert status == 400 and "UTF-8" in text
    assert bolt_sees == []
    assert not [line for line in logged(caplog) if SECRET_WORDS in line]


async def test_the_same_body_in_utf8_gets_through(server, bolt_sees):
    body = dm_body(server)
    ts = int(time.time())
    for content_type in ("application/json", "application/json; charset=utf-8"):
        headers = [("Content-Type", content_type), ("X-Slack-Request-Timestamp", str(ts))]
        assert (await send(server, body, [*headers, ("X-Slack-Signature", sign(body, ts))]))[0] == 200
    assert len(bolt_sees) == 2


async def test_a_signature_about_to_go_stale_is_refused_before_bolt(server, bolt_sees, caplog):
    """Bolt checks the five minutes again a moment later: at the edge a
    signature is stale a few seconds sooner, so none passes one and fails the other."""
    caplog.set_level(logging.DEBUG)
    body = dm_body(server)
    ts = int(time.time()) - 5 * 60 + 3
    headers = [("Content-Type", "application/json"), ("X-Slack-Request-Timestamp", str(ts))]
    status, _ = await send(server, body, [*headers, ("X-Slack-Signature", sign(body, ts))])
    assert status == 401
    assert bolt_sees == []
    assert logged(caplog) == []

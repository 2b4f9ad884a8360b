"""How fast Slack gets its ack: signed `/mentor status` slash commands at
20, 50 and 100 requests/s against `mentorbot serve` (the real CLI, SQLite,
scheduler running) and against a bare slack-bolt app that only acks, on the
same machine, in one run.

Each server runs in its own process; the fake Slack Web API (auth.test, the
`response_url` answers, users.info) in a third; this process only sends
requests on an open-loop schedule (request i leaves at start + i/rate, whether
or not earlier ones were answered) and times each until its HTTP answer.

Two baselines: bolt's defaults (`process_before_response=False`, where bolt
polls for the ack every 10 ms) and bolt acking inside the listener
(`process_before_response=True`, as mentorbot's listeners do). The ratio is
mentorbot's p99 over the faster baseline's p99, per rate.

Goal: p99 ratio <= 1.25 and p99 <= 50 ms at 50 req/s. Prints a table and
writes bench/results/slack_ack.json.

    .venv/bin/python -m bench.slack_ack [--seconds 4]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "slack_ack.json"
SECRET = "bench-signing-secret-0123456789abcdef"
TOKEN = "xoxb-bench-token"
RATES = (20, 50, 100)
ROUNDS = 8  # per rate, alternating between the targets
USERS = 20
GOAL_RATIO, GOAL_P99_MS, GOAL_RATE = 1.25, 50.0, 50


# ------------------------------------------------------------------ servers


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, proc: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def _start_fake(tmp: Path) -> tuple[subprocess.Popen, str]:
    port_file = tmp / "fake.url"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.slack_api", "--port-file", str(port_file), "--no-params"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while not port_file.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the fake Slack API did not start")
        time.sleep(0.05)
    return proc, port_file.read_text().strip()


# As a real install with Teams on or a public URL must have (bot/config.py).
LINK_SECRET = "bench-link-secret-of-at-least-32-characters"


def prepared_serve(tmp: Path, api_url: str, extra_toml: str = "") -> tuple[list[str], dict[str, str], int]:
    """A config file for `serve` on a free loopback port with Slack pointed at
    `api_url` (plus `extra_toml`), a migrated SQLite file beside it, and the
    command line and environment to start it with: (cli, env, port)."""
    port = _free_port()
    config = tmp / "mentorbot.toml"
    config.write_text(
        f'[database]\nurl = "sqlite:///{tmp / "bench.db"}"\n'
        f'[server]\nhost = "127.0.0.1"\nport = {port}\nlink_secret = "{LINK_SECRET}"\n'
        f'[slack]\nbot_token = "{TOKEN}"\nsigning_secret = "{SECRET}"\napi_url = "{api_url}"\n'
        f"{extra_toml}[bot]\ncoordinators = []\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MENTORBOT_", "MICROSOFT_"))}
    cli = [sys.executable, "-m", "adapters.cli", "--config", str(config)]
    subprocess.run([*cli, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    return cli, env, port


def _start_mentorbot(tmp: Path, api_url: str) -> tuple[subprocess.Popen, str]:
    cli, env, port = prepared_serve(tmp, api_url)
    proc = subprocess.Popen(
        [*cli, "serve"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(tmp / "mentorbot.log", "w")
    )
    base = f"http://127.0.0.1:{port}"
    _wait_http(base + "/healthz", proc)
    return proc, base


def _start_bolt(tmp: Path, api_url: str, process_before_response: bool) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    args = [sys.executable, "-m", "bench.slack_ack", "--serve-bolt", str(port), "--api-url", api_url]
    if process_before_response:
        args.append("--process-before-response")
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=open(tmp / f"bolt{port}.log", "w"))
    base = f"http://127.0.0.1:{port}"
    _wait_http(base + "/healthz", proc)
    return proc, base


def serve_bare_bolt(port: int, api_url: str, process_before_response: bool) -> int:
    """The baseline: a slack-bolt app whose slash command only acks."""
    from aiohttp import web
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    bolt = AsyncApp(
        client=AsyncWebClient(token=TOKEN, base_url=api_url),
        signing_secret=SECRET,
        process_before_response=process_before_response,
    )

    @bolt.command("/mentor")
    async def only_ack(ack):
        await ack()

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/slack/events", events)
    app.router.add_get("/healthz", healthz)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)
    return 0


# ------------------------------------------------------------------- client


def _signed(body: str) -> dict[str, str]:
    ts = str(int(time.time()))
    sig = "v0=" + hmac.new(SECRET.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": sig,
    }


def _command_body(n: int, response_base: str) -> str:
    user = f"U0BENCH{n % USERS:03d}"
    return urlencode(
        {
            "token": "x",
            "team_id": "T0FAKE",
            "team_domain": "bench",
            "channel_id": "D" + user[1:],
            "channel_name": "directmessage",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/mentor",
            "text": "status",
            "api_app_id": "A0BENCH",
            "response_url": f"{response_base}/response/b{n}",
            "trigger_id": f"{n}.1.bench",
        }
    )


async def _load(url: str, rate: int, seconds: float, response_base: str, start_n: int) -> tuple[list[float], int]:
    import aiohttp

    count = int(rate * seconds)
    latencies: list[float] = []
    errors = 0

    async def one(session, n: int, at: float) -> None:
        nonlocal errors
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        body = _command_body(n, response_base)
        sent = time.perf_counter()
        try:
            async with session.post(url + "/slack/events", data=body.encode(), headers=_signed(body)) as resp:
                await resp.read()
                ok = resp.status == 200
        except aiohttp.ClientError:
            ok = False
        latencies.append((time.perf_counter() - sent) * 1000)
        errors += not ok

    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        start = time.perf_counter() + 0.05
        await asyncio.gather(*(one(session, start_n + i, start + i / rate) for i in range(count)))
    return latencies, errors


def _stats(latencies: list[float], errors: int) -> dict:
    latencies = sorted(latencies)
    return {
        "requests": len(latencies),
        "errors": errors,
        "p50_ms": _pct(latencies, 50),
        "p99_ms": _pct(latencies, 99),
        "max_ms": round(latencies[-1], 2),
    }


def _pct(values: list[float], p: float) -> float:
    index = min(len(values) - 1, max(0, round(p / 100 * len(values) + 0.5) - 1))
    return round(values[index], 2)


def _answered(fake_url: str, prefix: str) -> int:
    with urllib.request.urlopen(fake_url.replace("/api/", "/_calls?method=response_url"), timeout=10) as resp:
        calls = json.loads(resp.read())
    return sum(1 for c in calls if c["result"].get("name", "").startswith(prefix))


# --------------------------------------------------------------------- main


def run(seconds: float) -> dict:
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="mentorbot-bench-") as tmpdir:
        tmp = Path(tmpdir)
        procs: list[subprocess.Popen] = []
        try:
            fake, fake_url = _start_fake(tmp)
            procs.append(fake)
            response_base = fake_url.rsplit("/api/", 1)[0]
            targets = {}
            for name, starter in (
                ("mentorbot", lambda: _start_mentorbot(tmp, fake_url)),
                ("bolt_default", lambda: _start_bolt(tmp, fake_url, False)),
                ("bolt_ack_in_listener", lambda: _start_bolt(tmp, fake_url, True)),
            ):
                proc, base = starter()
                procs.append(proc)
                targets[name] = base
            results: dict = {name: {} for name in targets}
            n = 0
            for base in targets.values():  # warm-up: first contacts, auth.test, imports
                asyncio.run(_load(base, 20, 1.5, response_base, n))
                n += 30
            for rate in RATES:
                # Interleave short rounds so a noisy moment on the machine hits every target alike.
                raw = {name: ([], 0) for name in targets}
                for _ in range(ROUNDS):
                    for name, base in targets.items():
                        latencies, errors = asyncio.run(_load(base, rate, seconds / ROUNDS, response_base, n))
                        raw[name] = (raw[name][0] + latencies, raw[name][1] + errors)
                        n += len(latencies)
                for name, (latencies, errors) in raw.items():
                    results[name][str(rate)] = _stats(latencies, errors)
            # Every acknowledged mentorbot command must also have been answered.
            expected = sum(r["requests"] for r in results["mentorbot"].values())
            deadline = time.monotonic() + 20
            answered = 0
            while time.monotonic() < deadline:
                answered = _answered(fake_url, "b")
                if answered >= expected + 30:  # + the warm-up requests, also answered through response_url
                    break
                time.sleep(0.25)
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
    rows = []
    for rate in RATES:
        mb = results["mentorbot"][str(rate)]
        base = min((results[b][str(rate)] for b in ("bolt_default", "bolt_ack_in_listener")), key=lambda r: r["p99_ms"])
        rows.append(
            {
                "rate": rate,
                "mentorbot": mb,
                "bolt_default": results["bolt_default"][str(rate)],
                "bolt_ack_in_listener": results["bolt_ack_in_listener"][str(rate)],
                "p99_ratio_vs_best_bolt": round(mb["p99_ms"] / base["p99_ms"], 3) if base["p99_ms"] else None,
                "p99_ratio_vs_bolt_default": round(mb["p99_ms"] / results["bolt_default"][str(rate)]["p99_ms"], 3),
            }
        )
    at_goal = next(r for r in rows if r["rate"] == GOAL_RATE)
    return {
        "benchmark": "slack_ack",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average_1m_before": load_before,
            "load_average_1m_after": os.getloadavg()[0],
        },
        "seconds_per_rate": seconds,
        "rows": rows,
        "mentorbot_answered_after_ack": {"expected": expected + 30, "answered": answered},
        "goal": {
            "p99_ratio_max": GOAL_RATIO,
            "p99_ms_max_at_50": GOAL_P99_MS,
            "met": bool(
                at_goal["p99_ratio_vs_best_bolt"] is not None
                and at_goal["p99_ratio_vs_best_bolt"] <= GOAL_RATIO
                and at_goal["mentorbot"]["p99_ms"] <= GOAL_P99_MS
            ),
        },
    }


def _table(report: dict) -> str:
    head = (
        f"{'req/s':>5} | {'mentorbot p50/p99 ms':>21} | {'bolt default p50/p99':>21} | "
        f"{'bolt ack-in-listener':>21} | {'p99 ratio*':>10} | errors"
    )
    lines = [head, "-" * len(head)]
    for r in report["rows"]:
        cells = [
            f"{r[k]['p50_ms']:8.1f} / {r[k]['p99_ms']:8.1f}"
            for k in ("mentorbot", "bolt_default", "bolt_ack_in_listener")
        ]
        errors = sum(r[k]["errors"] for k in ("mentorbot", "bolt_default", "bolt_ack_in_listener"))
        lines.append(
            f"{r['rate']:>5} | {cells[0]:>21} | {cells[1]:>21} | {cells[2]:>21} | "
            f"{r['p99_ratio_vs_best_bolt']:>10} | {errors}"
        )
    done = report["mentorbot_answered_after_ack"]
    lines.append(
        f"* mentorbot p99 / the faster bolt baseline's p99. "
        f"mentorbot answered {done['answered']}/{done['expected']} commands after the ack. "
        f"Goal (ratio <= {GOAL_RATIO}, p99 <= {GOAL_P99_MS:.0f} ms at {GOAL_RATE}/s): "
        f"{'met' if report['goal']['met'] else 'NOT met'}. Load average "
        f"{report['machine']['load_average_1m_before']:.1f} -> {report['machine']['load_average_1m_after']:.1f} "
        f"on {report['machine']['cpus']} CPUs (p99 on a busy machine is mostly scheduling noise)."
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.slack_ack", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="seconds of load per rate and target")
    parser.add_argument("--serve-bolt", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--api-url", help=argparse.SUPPRESS)
    parser.add_argument("--process-before-response", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv or [])
    if args.serve_bolt:
        return serve_bare_bolt(args.serve_bolt, args.api_url, args.process_before_response)
    report = run(args.seconds)
    print(_table(report))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"written to {RESULTS.relative_to(ROOT)}")
    from bench.goals import record

    at_goal = next(r for r in report["rows"] if r["rate"] == GOAL_RATE)
    listener = at_goal["bolt_ack_in_listener"]["p99_ms"]
    if listener:
        record("slack_ack", {"ack.ratio": [at_goal["mentorbot"]["p99_ms"] / listener]})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""`mentorbot serve` start-up: time to ready and idle memory (issue 17, point 6).

Starts `serve` as an operator does (`python -m adapters.cli serve`, a
migrated SQLite file, Slack and Teams both on; Slack's Web API is the
loopback fake, Teams has an app id, password and tenant that nothing
checks at start), and measures from process start to the first 200 of
`/readyz`, then the resident memory after a few idle seconds (scheduler
running, no traffic).

    python -m bench.serve_start [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.goals import record
from bench.slack_ack import _start_fake, prepared_serve

ROOT = Path(__file__).resolve().parent.parent
IDLE_SECONDS = 5.0


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def one(tmp: Path, api_url: str) -> dict:
    teams = (
        '[teams]\napp_id = "00000000-0000-0000-0000-000000000001"\napp_password = "not-checked-at-start"\n'
        'tenant_id = "00000000-0000-0000-0000-000000000002"\n'
    )
    cli, env, port = prepared_serve(tmp, api_url, teams)
    started = time.perf_counter()
    proc = subprocess.Popen(
        [*cli, "serve"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(tmp / "serve.log", "w")
    )
    try:
        url = f"http://127.0.0.1:{port}/readyz"
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"serve exited with {proc.returncode}: {(tmp / 'serve.log').read_text()[-500:]}")
            try:
                with urllib.request.urlopen(url, timeout=1) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if time.perf_counter() - started > 60:
                raise RuntimeError("serve was not ready within 60 s")
            time.sleep(0.02)
        ready = time.perf_counter() - started
        time.sleep(IDLE_SECONDS)
        rss = _rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(10)
    return {"ready_s": ready, "rss_mb": rss}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.serve_start")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    runs = []
    with tempfile.TemporaryDirectory(prefix="mentorbot-bench-serve-") as tmp_name:
        tmp = Path(tmp_name)
        fake, api_url = _start_fake(tmp)
        try:
            for i in range(args.runs):
                run_dir = tmp / f"run{i}"
                run_dir.mkdir()
                r = one(run_dir, api_url)
                runs.append(r)
                print(f"run {i + 1}: ready in {r['ready_s']:.2f} s, idle RSS {r['rss_mb']:.0f} MB", flush=True)
        finally:
            fake.terminate()
            fake.wait(10)
    print(
        f"median: ready {statistics.median(r['ready_s'] for r in runs):.2f} s, "
        f"RSS {statistics.median(r['rss_mb'] for r in runs):.0f} MB"
    )
    record("serve_start", {"serve.ready": [r["ready_s"] for r in runs], "serve.rss": [r["rss_mb"] for r in runs]})
    return 0


if __name__ == "__main__":
    sys.exit(main())

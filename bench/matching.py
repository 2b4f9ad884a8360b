"""Matching benchmark: the optimal assignment against the greedy baseline.

For n = 500, 2 000 and 5 000 (n adepts x n mentors) it builds one *structured*
cohort per size: ten organisations of different sizes and the
different-organisation rule; adepts mostly want the same few topics
(conflict, staffing, budget) and a tenth of the mentors are "popular" (broad
experience, flexible formats, two languages), so most adepts compete for the
same mentors; capacities are mostly 1, a fifth are 2.

Each (size, algorithm) runs in a fresh subprocess, and memory is that process's
peak resident set size (`VmHWM`, bench/_memory.py), reported both
in full and as the increase over the resident size just before solving.
RSS rather than tracemalloc: scipy's solver allocates its working arrays in
C++, which tracemalloc does not see, and RSS is what the machine has to hold.
Time is the wall time of the public call (`solve` / `greedy_assign`) with the
cohort already built, reasons and unmatched explanations included; its CPU
time is reported too, because on a shared machine wall time also measures the
neighbours (the load average at the start is in the JSON).

Run: `python -m bench` (all benchmarks) or `python bench/matching.py`.
Writes bench/results/matching.json.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from bench._memory import peak_rss_mb

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make `bot` importable
    sys.path.insert(0, str(ROOT))

SIZES = (500, 2000, 5000)
SEED = 20261122
TARGET_SECONDS = {2000: 2.0, 5000: 15.0}
TARGET_PEAK_MB = {5000: 1024.0}
RESULTS = ROOT / "bench" / "results" / "matching.json"

# How often adepts name each topic: a few topics are what nearly everyone wants.
TOPIC_DEMAND = {
    "conflict": 0.24,
    "staffing": 0.18,
    "budget": 0.14,
    "change": 0.09,
    "work_environment": 0.07,
    "recruitment": 0.06,
    "communication": 0.05,
    "own_role": 0.05,
    "coaching": 0.04,
    "strategy": 0.03,
    "collaboration": 0.03,
    "time_management": 0.02,
}
ORGANISATIONS = (
    "Malmö",
    "Lund",
    "Helsingborg",
    "Kristianstad",
    "Landskrona",
    "Trelleborg",
    "Ystad",
    "Eslöv",
    "Höör",
    "Region Skåne",
)
ORG_SIZES = (0.22, 0.16, 0.14, 0.10, 0.08, 0.07, 0.06, 0.06, 0.05, 0.06)


def build_cohort(n: int, seed: int = SEED):
    """n adepts, n mentors and the rules, the same for the same (n, seed)."""
    import numpy as np

    from bot.matching import AdeptIn, MentorIn, Rules

    rng = np.random.default_rng(seed + n)
    topics = np.array(list(TOPIC_DEMAND))
    demand = np.array(list(TOPIC_DEMAND.values()))
    demand /= demand.sum()
    niche = demand[::-1] / demand.sum()  # ordinary mentors know the less asked-for topics

    def home(org_index: int) -> str:
        return ORGANISATIONS[org_index] if rng.random() < 0.85 else ORGANISATIONS[rng.integers(10)]

    def formats() -> frozenset[str]:
        roll = rng.random()
        if roll < 0.5:
            return frozenset({"in_person", "digital"})
        return frozenset({"digital"}) if roll < 0.8 else frozenset({"in_person"})

    def languages() -> frozenset[str]:
        extra = {"en"} if rng.random() < 0.2 else set()
        extra |= {"ar"} if rng.random() < 0.03 else set()
        return frozenset({"sv"} | extra)

    adepts = []
    for i in range(n):
        org = int(rng.choice(10, p=ORG_SIZES))
        wanted = rng.choice(topics, size=int(rng.integers(2, 5)), replace=False, p=demand)
        adepts.append(
            AdeptIn(
                id=i,
                org=ORGANISATIONS[org],
                department=f"d{rng.integers(6)}",
                manager_id=None,
                topics=frozenset(wanted.tolist()),
                formats=formats(),
                place=home(org),
                languages=languages(),
            )
        )
    mentors = []
    for j in range(n):
        org = int(rng.choice(10, p=ORG_SIZES))
        popular = rng.random() < 0.10
        if popular:
            known = rng.choice(topics, size=int(rng.integers(6, 10)), replace=False, p=demand)
        else:
            known = rng.choice(topics, size=int(rng.integers(1, 4)), replace=False, p=niche)
        mentors.append(
            MentorIn(
                id=100_000 + j,
                org=ORGANISATIONS[org],
                department=f"d{rng.integers(6)}",
                person_id=200_000 + j,
                capacity=2 if rng.random() < 0.2 else 1,
                topics=frozenset(known.tolist()),
                formats=frozenset({"in_person", "digital"}) if popular else formats(),
                place=home(org),
                languages=frozenset({"sv", "en"}) if popular else languages(),
            )
        )
    return adepts, mentors, Rules(rule="other_org")


def _rss_now_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_rss_mb() -> float:
    return peak_rss_mb()  # the child's own (bench/_memory.py)


def run_one(n: int, algorithm: str) -> dict:
    """In a fresh process: build the cohort, solve once, report."""
    from bot.matching import greedy_assign, solve

    adepts, mentors, rules = build_cohort(n)
    assign = solve if algorithm == "optimal" else greedy_assign
    before = _rss_now_mb()
    started, cpu_started = time.perf_counter(), time.process_time()
    result = assign(adepts, mentors, rules)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    peak = _peak_rss_mb()
    scores = {pair.adept_id: pair.score for pair in result.pairs}
    return {
        "n": n,
        "algorithm": algorithm,
        "slots": sum(m.capacity for m in mentors),
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "peak_rss_mb": peak,
        "rss_before_mb": before,
        "matched": len(result.pairs),
        "total_score": result.total_score,
        "scores": [scores.get(a.id) for a in sorted(adepts, key=lambda a: a.id)],
    }


def _in_subprocess(n: int, algorithm: str) -> dict:
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", str(n), algorithm],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{algorithm} at n={n} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def compare(optimal: dict, greedy: dict) -> dict:
    """What the greedy baseline costs, overall and for the worst-off adept."""
    opt, gre = optimal["scores"], greedy["scores"]
    # An adept without a mentor counts as 0 points.
    opt_values = [s if s is not None else 0.0 for s in opt]
    gre_values = [s if s is not None else 0.0 for s in gre]
    losses = [o - g for o, g in zip(opt_values, gre_values)]
    tenth = max(1, len(opt_values) // 10)
    return {
        "total_loss": optimal["total_score"] - greedy["total_score"],
        "total_loss_pct": 100 * (optimal["total_score"] - greedy["total_score"]) / max(optimal["total_score"], 1e-9),
        "unmatched_optimal": optimal["n"] - optimal["matched"],
        "unmatched_greedy": greedy["n"] - greedy["matched"],
        "worst_off_optimal": min(opt_values),
        "worst_off_greedy": min(gre_values),
        "worst_off_loss": min(opt_values) - min(gre_values),
        "worst_tenth_mean_optimal": sum(sorted(opt_values)[:tenth]) / tenth,
        "worst_tenth_mean_greedy": sum(sorted(gre_values)[:tenth]) / tenth,
        "largest_single_adept_loss": max(losses),
        "adepts_worse_off_with_greedy": sum(1 for loss in losses if loss > 1e-9),
    }


def main() -> int:
    load_before = os.getloadavg()[0]
    rows = []
    for n in SIZES:
        optimal, greedy = _in_subprocess(n, "optimal"), _in_subprocess(n, "greedy")
        row = {"n": n, "slots": optimal["slots"], "optimal": optimal, "greedy": greedy, **compare(optimal, greedy)}
        for part in (optimal, greedy):
            del part["scores"]
        row["meets_targets"] = _verdict(optimal)
        rows.append(row)
        _print_row(row, header=len(rows) == 1)
    report = {
        "benchmark": "matching",
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_1min_at_start": load_before,
            "load_average_1min_at_end": os.getloadavg()[0],
        },
        "memory": "peak RSS (VmHWM) of a fresh subprocess per size and algorithm",
        "targets": {"seconds": TARGET_SECONDS, "peak_rss_mb": TARGET_PEAK_MB},
        "rows": rows,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if max(load_before, os.getloadavg()[0]) > (os.cpu_count() or 1):
        print(
            f"\nthe machine was busy (load average {load_before:.1f} on {os.cpu_count()} CPUs):"
            " wall times include waiting for a CPU; CPU seconds are the better guide."
        )
    print(
        f"\nmemory = peak RSS of a fresh process (interpreter, numpy and scipy included);"
        f" +MB = rise over the RSS just before solving.\nfigures written to {RESULTS.relative_to(ROOT)}"
    )
    return 0


def _verdict(optimal: dict) -> str:
    """'met', 'met on CPU time' (the wall clock also counted a busy machine) or 'MISSED'."""
    limit = TARGET_SECONDS.get(optimal["n"], float("inf"))
    if optimal["peak_rss_mb"] >= TARGET_PEAK_MB.get(optimal["n"], float("inf")):
        return "MISSED"
    if optimal["seconds"] <= limit:
        return "met"
    return "met on CPU time" if optimal["cpu_seconds"] <= limit else "MISSED"


def _print_row(row: dict, header: bool) -> None:
    if header:
        print(f"{'':11} | {'optimal':^29} | {'greedy baseline':^29} | {'optimal / greedy':^62} |")
        print(
            f"{'n':>5} {'slots':>5} | {'wall s':>7} {'cpu s':>6} {'peak MB':>7} {'+MB':>5} |"
            f" {'wall s':>7} {'cpu s':>6} {'peak MB':>7} {'+MB':>5} | {'matched':>11} {'total score':>13} {'loss':>5}"
            f" {'worst-off':>9} {'worst 10%':>11} {'max 1-adept loss':>16} | targets"
        )
    o, g = row["optimal"], row["greedy"]

    def side(r: dict) -> str:
        return (
            f"{r['seconds']:>7.2f} {r['cpu_seconds']:>6.2f} {r['peak_rss_mb']:>7.0f}"
            f" {r['peak_rss_mb'] - r['rss_before_mb']:>5.0f}"
        )

    print(
        f"{row['n']:>5} {row['slots']:>5} | {side(o)} | {side(g)} |"
        f" {o['matched']:>5}/{g['matched']:<5} {o['total_score']:>6.0f}/{g['total_score']:<6.0f}"
        f" {row['total_loss_pct']:>4.1f}% {row['worst_off_optimal']:>4.0f}/{row['worst_off_greedy']:<4.0f}"
        f" {row['worst_tenth_mean_optimal']:>5.2f}/{row['worst_tenth_mean_greedy']:<5.2f}"
        f" {row['largest_single_adept_loss']:>16.0f} | {row['meets_targets']}",
        flush=True,
    )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(run_one(int(sys.argv[2]), sys.argv[3])))
    else:
        sys.exit(main())

"""A benchmark's measurement in a fresh interpreter, so its memory and its
imports are its own: the child prints one JSON line last, which is returned."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_child(code: str, *args: object) -> dict:
    """Run `code` (`python -c`) from the project's root with `args`; its last line, read as JSON."""
    out = subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])

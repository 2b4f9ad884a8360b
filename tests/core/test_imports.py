"""Every module imports on its own, whatever was imported before it: a cycle
that only works in one order (a module that takes a name from another one
still being imported) breaks the first process that starts from the other
end. Each module is imported after every project module except the stored
models has been forgotten (the models stay: their tables are declared once)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHECK = textwrap.dedent(
    """
    import importlib, pkgutil, sys, traceback
    import bot, adapters, scheduler
    import bot.store.models
    OURS = ("bot", "adapters", "scheduler")
    names = sorted(
        info.name
        for package in (bot, adapters, scheduler)
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".")
        if ".migrations." not in info.name
    )
    failed = []
    for name in names:
        for loaded in [m for m in sys.modules if m.split(".")[0] in OURS and not m.startswith("bot.store")]:
            del sys.modules[loaded]
        try:
            importlib.import_module(name)
        except Exception as error:
            failed.append(f"{name}: {error.__class__.__name__}: {error}")
    print(len(names))
    print("\\n".join(failed))
    """
)


def test_every_module_imports_first():
    result = subprocess.run([sys.executable, "-c", CHECK], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    count, *failed = result.stdout.strip().split("\n")
    assert int(count) > 100, result.stdout
    assert [f for f in failed if f] == []

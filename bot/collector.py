"""The garbage collector's settings for a long-running mentorbot process
(`serve`, and `simulate`, which runs the same code on a virtual clock).

A turn or a dispatcher tick allocates thousands of short-lived objects (ORM
rows and their state, result rows, rendered cards); almost none of them form
cycles. With Python's default young-generation threshold (700 allocations)
the collector runs many times per turn, and a full collection, which scans
every object the process holds, comes every ~70 000 net allocations: in a
1 000-person `simulate` that was 34 full collections and 14.5 s of its 270 s,
growing faster than the work. A young generation of `YOUNG` objects keeps
the same generational scheme (and still collects cycles) with far fewer
passes. `serve` also freezes what start-up built (adapters/server.py).
"""

from __future__ import annotations

import gc

YOUNG = 10_000  # allocations between two young-generation collections (Python's default: 700)


def configure() -> None:
    """Set the thresholds (idempotent); the older generations keep Python's ratios."""
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG, middle, old)

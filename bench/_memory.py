"""A process's own peak memory, for benchmarks that measure a fresh child.

`ru_maxrss` is no good for that on Linux: the kernel carries it across
`execve`, so a child started by `make bench` (whose own process is large)
reports the parent's peak. `VmHWM` in /proc/self/status belongs to the
child's own address space."""

from __future__ import annotations

import resource
from pathlib import Path


def peak_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux, elsewhere a best effort

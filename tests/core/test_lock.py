"""The lock files pin, with hashes, a version inside every range of pyproject.toml."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)(?:\s*;\s*([^\\]+?))?\s*\\?$")


def pins(name: str) -> dict[str, set[str]]:
    """package -> the pinned versions (more than one only under markers)."""
    found: dict[str, set[str]] = {}
    lines = (ROOT / "requirements" / name).read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        match = PIN.match(line)
        if match:
            assert lines[i + 1].strip().startswith("--hash=sha256:"), f"{name}: {line} has no hash"
            found.setdefault(canonicalize_name(match[1]), set()).add(match[2])
    return found


def declared(extra: str | None = None) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    listed = project["dependencies"] if extra is None else project["optional-dependencies"][extra]
    return [Requirement(text) for text in listed]


def test_every_range_in_pyproject_has_a_hashed_pin_inside_it():
    for lock, requirements in [("test.txt", declared() + declared("test")), ("runtime.txt", declared())]:
        locked = pins(lock)
        for req in requirements:
            versions = locked.get(canonicalize_name(req.name))
            assert versions, f"requirements/{lock} lacks {req.name}; run `make lock`"
            for version in versions:
                assert req.specifier.contains(version, prereleases=True), (
                    f"requirements/{lock} pins {req.name}=={version} outside {req.specifier}; run `make lock`"
                )


def test_the_image_gets_the_versions_the_tests_ran_with():
    tested = pins("test.txt")
    for lock in ("runtime.txt", "build.txt"):
        for package, versions in pins(lock).items():
            assert versions <= tested.get(package, set()), f"{lock}: {package} {versions} differs from test.txt"

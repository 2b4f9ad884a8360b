"""Every sentence is a template, in Swedish and in English, and the
installed package carries them all."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from bot.commands import load_all
from bot.commands.registry import COMMANDS
from bot.i18n import Translator

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
CODE_DIRS = ("bot", "adapters", "scheduler")
# Calls whose str argument names a template.
TEMPLATE_CALLS = {"say": 0, "render": None, "tell": 1, "UserError": 0, "answered": 0, "_answered": 1, "_confirm": 1}
# Blocks and messages whose text a person reads.
SENTENCE_CALLS = {
    "Outbound": ("text",),
    "reply": (0, "text"),
    "Text": (0, "text"),
    "Heading": (0, "text"),
    "Button": (1, "label"),
    "Option": (1, "label"),
    "Choice": (1, "label"),
    "Input": (1, "label", "placeholder"),
}


def names(locale: str) -> set[str]:
    return {str(p.relative_to(TEMPLATES / locale)) for p in (TEMPLATES / locale).rglob("*.j2")}


def code_files():
    for d in CODE_DIRS:
        yield from (ROOT / d).rglob("*.py")


def _call_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def test_every_template_exists_in_both_languages():
    sv, en = names("sv"), names("en")
    assert sorted(sv - en) == [], "only in Swedish"
    assert sorted(en - sv) == [], "only in English"
    assert len(sv) > 50


def test_every_template_parses():
    t = Translator(TEMPLATES)
    for locale in ("sv", "en"):
        for name in names(locale):
            t.env.get_template(f"{locale}/{name}")


def test_every_command_has_help_in_both_languages():
    load_all()
    missing = [
        c.help_template
        for c in COMMANDS.values()
        for loc in ("sv", "en")
        if not (TEMPLATES / loc / f"{c.help_template}.j2").is_file()
    ]
    assert missing == []


def test_english_calls_the_role_mentee_throughout():
    """English names the adept's role as its role label does (`labels/role/adept`:
    mentee); only Swedish says adept. Jinja code (keys like `role="adept"`) is
    not text a person reads, so it is left out of the check."""
    assert Translator(TEMPLATES).render("en", "labels/role/adept") == "mentee"
    offenders = []
    for name in sorted(names("en")):
        source = (TEMPLATES / "en" / name).read_text(encoding="utf-8")
        shown = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", " ", source, flags=re.S)
        offenders += [f"en/{name}: {m}" for m in re.findall(r"\badepts?\b", shown, flags=re.I)]
    assert offenders == []


def test_templates_named_in_code_exist():
    missing = []
    for path in code_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or _call_name(node) not in TEMPLATE_CALLS:
                continue
            for arg in node.args[:3]:
                if (
                    isinstance(arg, ast.Constant)
                    and isinstance(arg.value, str)
                    and "/" in arg.value
                    and " " not in arg.value
                    and not arg.value.endswith("/")
                ):
                    for loc in ("sv", "en"):
                        if not (TEMPLATES / loc / f"{arg.value}.j2").is_file():
                            missing.append(f"{path.relative_to(ROOT)}:{node.lineno} {loc}/{arg.value}")
    assert missing == []


def test_code_builds_no_sentences_outside_templates():
    offenders = []
    for path in code_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or _call_name(node) not in SENTENCE_CALLS:
                continue
            spots = SENTENCE_CALLS[_call_name(node)]
            args = [a for i, a in enumerate(node.args) if i in spots]
            args += [k.value for k in node.keywords if k.arg in spots]
            for arg in args:
                literal = isinstance(arg, ast.JoinedStr) or (
                    isinstance(arg, ast.Constant) and isinstance(arg.value, str) and any(c.isalpha() for c in arg.value)
                )
                if literal:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == [], "user-visible text must come from templates/"


@pytest.mark.slow
def test_the_wheel_carries_every_template(tmp_path):
    out = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    wheel = next(out.glob("mentorbot-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        inside = set(zf.namelist())
    for locale in ("sv", "en"):
        for name in names(locale):
            assert f"bot/templates/{locale}/{name}" in inside
    assert "bot/store/migrations/versions/0001_initial_schema.py" in inside
    assert any(n.endswith("entry_points.txt") for n in inside)

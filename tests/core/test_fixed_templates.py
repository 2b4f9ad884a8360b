"""A template that says the same whatever it is given (a button label) is
rendered once per language and then reused; any template with a variable,
a filter, a call or an include is rendered every time."""

from __future__ import annotations

from datetime import UTC, datetime

import jinja2
import pytest

from bot.i18n import Translator


@pytest.fixture(scope="module")
def translator() -> Translator:
    return Translator()


def counting_renders(monkeypatch) -> list[str]:
    """The names of the Jinja templates rendered from now on (None for one made from a string)."""
    calls: list[str] = []
    real = jinja2.Template.render

    def counting(self, *args, **kw):
        calls.append(self.name)
        return real(self, *args, **kw)

    monkeypatch.setattr(jinja2.Template, "render", counting)
    return calls


def test_every_template_judged_fixed_says_the_same_in_any_context(translator):
    fixed = 0
    for locale in ("sv", "en"):
        for name in translator.names(locale):
            if not translator._is_fixed(locale, name):
                continue
            fixed += 1
            plain = Translator().render(locale, name)
            other = Translator().render(
                locale, name, tz="America/New_York", reader_tz="Asia/Tokyo", privacy=None, now=datetime.now(UTC)
            )
            assert plain == other, f"{locale}/{name}"
    assert fixed > 100  # button labels, options, topics


def test_a_fixed_template_is_rendered_once_and_a_varying_one_each_time(translator, monkeypatch):
    calls = counting_renders(monkeypatch)
    fresh = Translator()
    assert fresh._is_fixed("sv", "nudges/button_met")
    first = fresh.render("sv", "nudges/button_met")
    assert fresh.render("sv", "nudges/button_met") == first
    assert fresh.render("en", "nudges/button_met") != first  # per language
    assert calls == ["sv/nudges/button_met.j2", "en/nudges/button_met.j2"]

    assert not fresh._is_fixed("sv", "labels/unit")
    one = fresh.render("sv", "labels/unit", unit="days", form="plural")
    two = fresh.render("sv", "labels/unit", unit="weeks", form="plural")
    assert one != two and calls.count("sv/labels/unit.j2") == 2


def test_a_commands_syntax_is_built_once_per_language_and_says_what_a_fresh_build_says(monkeypatch):
    from bot.commands import load_all
    from bot.commands.registry import COMMANDS

    load_all()
    assert len(COMMANDS) > 20
    shown = Translator()
    for locale in ("sv", "en"):
        for command in COMMANDS.values():
            first = shown.env.from_string("{{ c | usage }}").render(locale=locale, c=command)
            fresh = Translator().env.from_string("{{ c | usage }}").render(locale=locale, c=command)
            assert first == fresh, f"{locale}: {command.name}"
    calls = counting_renders(monkeypatch)
    again = shown.env.from_string("{{ c | usage }}").render(locale="sv", c=COMMANDS[("match", "approve")])
    assert again and calls == [None], "only the one-line template itself; the syntax was not built again"

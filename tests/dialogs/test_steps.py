"""How each kind of question reads what people type."""

from __future__ import annotations

import pytest

from bot.dialogs.choice import ChoiceStep
from bot.dialogs.steps import DateStep, Invalid, NumberStep, TextStep, YesNoStep
from bot.i18n import render
from bot.messages import Choice, Option


def sv(name, **kw):
    return render("sv", name, **kw)


MONTHS = NumberStep("m", field="m", unit="months", maximum=600)
YEARS = NumberStep("y", field="y", unit="years", maximum=60)


@pytest.mark.parametrize(
    "typed,months", [("14", 14), ("1,5 år", 18), ("2 years", 24), ("18 mån", 18), (" 7 months ", 7), ("0", 0)]
)
def test_months_in_months_or_years(typed, months):
    assert MONTHS.parse(typed, None, sv) == months


@pytest.mark.parametrize("typed,years", [("8", 8), ("8 år", 8), ("120 månader", 10)])
def test_years_in_years_or_months(typed, years):
    assert YEARS.parse(typed, None, sv) == years


@pytest.mark.parametrize("typed", ["", "ett år", "-3", "14 veckor", "1e3", "700"])
def test_numbers_that_do_not_fit(typed):
    with pytest.raises(Invalid) as bad:
        MONTHS.parse(typed, None, sv)
    assert render("sv", bad.value.template, **bad.value.context)  # always says what would be right


@pytest.mark.parametrize("typed", ["-5", "-5 mån", "-1,5 år", "\u22125", " -18 "])
@pytest.mark.parametrize("locale", ["sv", "en"])
def test_a_negative_number_is_told_the_range_not_that_it_is_no_number(typed, locale):
    with pytest.raises(Invalid) as bad:
        MONTHS.parse(typed, None, sv)
    assert bad.value.template == "dialogs/invalid/number_range"
    said = render(locale, bad.value.template, **bad.value.context)
    assert typed.strip() in said
    assert {"sv": "mellan 0 och 600 månader", "en": "between 0 and 600 months"}[locale] in said


def test_a_negative_count_is_told_its_range():
    count = NumberStep("c", field="c", minimum=1, maximum=3)
    with pytest.raises(Invalid) as bad:
        count.parse("-2", None, sv)
    assert bad.value.template == "dialogs/invalid/number_range"
    assert "mellan 1 och 3" in render("sv", bad.value.template, **bad.value.context)


def test_a_count_has_no_unit():
    count = NumberStep("c", field="c", minimum=1, maximum=3)
    assert count.parse("2", None, sv) == 2
    with pytest.raises(Invalid):
        count.parse("2 år", None, sv)


def test_dates_are_iso_and_real():
    step = DateStep("d", field="d")
    assert step.parse(" 2027-03-01 ", None, sv) == "2027-03-01"
    assert step.check("2027-03-01", None)
    for typed in ("2027-02-30", "1 mars", "2027/03/01"):
        with pytest.raises(Invalid) as bad:
            step.parse(typed, None, sv)
        assert "ÅÅÅÅ-MM-DD" in render("sv", bad.value.template, **bad.value.context)
    assert step.show("2027-03-01", None, sv) == "1 mars 2027"


def test_yes_and_no_in_both_languages():
    step = YesNoStep("q", field="q")
    assert all(step.parse(w, None, sv) is True for w in ("ja", "Ja!", "yes", "OK", "1"))
    assert all(step.parse(w, None, sv) is False for w in ("nej", "No", "nej tack", "2"))


def test_choice_by_number_code_label_or_unique_start():
    options = [Option("in_person", "På plats"), Option("digital", "Digitalt"), Option("mixed", "Blandat")]
    step = ChoiceStep("f", field="f", source=lambda ctx, render: options)
    assert [step.parse(t, None, sv) for t in ("2", "mixed", "på plats", "blan")] == [
        "digital",
        "mixed",
        "in_person",
        "mixed",
    ]
    with pytest.raises(Invalid):
        step.parse("1,2", None, sv)  # one answer only


@pytest.mark.parametrize("multi", [False, True])
def test_a_wrong_choice_is_shown_back_as_typed(multi):
    """`Stockholm` is answered with "”Stockholm” finns inte bland
    alternativen", not with the lower-cased "”stockholm”"."""
    options = [Option("1", "Knivsta kommun"), Option("2", "Täby kommun")]
    step = ChoiceStep("o", field="o", source=lambda ctx, render: options, multi=multi)
    typed = "Knivsta kommun, Stockholm" if multi else "  Stockholm  Stad. "
    with pytest.raises(Invalid) as bad:
        step.parse(typed, None, sv)
    text = render("sv", bad.value.template, **bad.value.context)
    assert text.startswith("”Stockholm” " if multi else "”Stockholm Stad” "), text
    assert render("en", bad.value.template, **bad.value.context).startswith("“Stockholm"), text


def test_multi_choice_keeps_order_and_drops_repeats():
    options = [Option(c, c.title()) for c in ("conflict", "budget", "change")]
    step = ChoiceStep("t", field="topics", source=lambda ctx, render: options, multi=True)
    assert step.parse("3, 1; 3 och budget", None, sv) == ["change", "conflict", "budget"]
    assert step.parse_values(("budget",), None, sv) == ["budget"]
    assert step.check(["budget"], None) and not step.check([], None) and not step.check(["golf"], None)
    (block,) = step.blocks(None, sv, "dlg:1:2")
    assert isinstance(block, Choice) and block.multi and block.action_id == "dlg:1:2:pick"
    assert block.label == "Områden"  # what it lists: the question says how to pick (one or more)


def test_text_is_trimmed_and_bounded():
    step = TextStep("t", field="t", max_length=20)
    assert step.parse("  Hemtjänst \n Norr ", None, sv) == "Hemtjänst Norr"
    for typed in ("   ", "x" * 21):
        with pytest.raises(Invalid):
            step.parse(typed, None, sv)


def test_a_label_with_and_in_it_stays_whole():
    options = [
        Option("budget", "Budget och ekonomistyrning"),
        Option("conflict", "Konflikthantering"),
        Option("change", "Att leda förändring"),
    ]
    step = ChoiceStep("t", field="t", source=lambda ctx, render: options, multi=True)
    assert step.parse("Budget och ekonomistyrning, konflikthantering", None, sv) == ["budget", "conflict"]
    assert step.parse("konflikthantering och att leda förändring", None, sv) == ["conflict", "change"]
    with pytest.raises(Invalid):
        step.parse(" , ", None, sv)


def test_free_text_of_several_lines_keeps_its_paragraphs():
    step = TextStep("t", field="t", max_length=40, lines=True)
    assert step.parse(" a   b \r\n\r\n\r\n  c\nd  \n\n", None, sv) == "a b\n\nc\nd"
    for typed in (" \n \n ", "x\n" * 21):
        with pytest.raises(Invalid):
            step.parse(typed, None, sv)

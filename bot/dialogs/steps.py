"""The kinds of question a dialogue can ask, and how each reads an answer.

A step knows how to offer its options (as neutral card blocks) and how to turn
what a person typed or clicked into a value, or say what was wrong with it
(`Invalid`, naming a template under `dialogs/invalid/`); `how` says how to
answer it (`help` shows it, from a template under `dialogs/how/`). A typed
answer (`parse`) may use the number the console shows next to an option (`2`,
`1,3`), a code or a label; a click (`parse_values`) carries the option's value
(an organisation's id, a topic code) and is matched by value only, never as a
position. The two paths are separate on purpose: ids and positions differ.

Kinds: free text (`TextStep`), whole numbers with an optional unit
(`NumberStep`, "18", "1,5 år", "2 years"), dates (`DateStep`, 2027-03-01),
yes/no (`YesNoStep`), single and multi choice (`ChoiceStep`, in `bot.dialogs.choice`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.inputs import paragraphs
from bot.markup import mark, strip_marks
from bot.messages import Block, Button, Buttons, Option

Render = Callable[..., str]
# A step's options depend on the program (its organisations, its topic list).
OptionSource = Callable[["Any", Render], Sequence[Option]]


class Invalid(Exception):
    """An answer that does not fit; `template` says what would be right."""

    def __init__(self, template: str, /, **context):
        super().__init__(template)
        self.template = template
        self.context = context


YES_WORDS = {
    "yes",
    "y",
    "ja",
    "j",
    "ok",
    "okay",
    "japp",
    "jajamen",
    "absolut",
    "visst",
    "sure",
    "agree",
    "i agree",
    "jag godkänner",
    "godkänner",
    "jag samtycker",
    "samtycker",
    "true",
}
NO_WORDS = {
    "no",
    "n",
    "nej",
    "nä",
    "nope",
    "inte",
    "false",
    "jag godkänner inte",
    "i do not agree",
    "no thanks",
    "nej tack",
}


def norm(text: str) -> str:
    """Lower case, single spaces, no surrounding punctuation."""
    return re.sub(r"\s+", " ", strip_marks(text).strip().strip(".!").casefold())


@dataclass(frozen=True)
class Step:
    """One question. `field` is the answer key (None for steps that only steer)."""

    name: str
    field: str | None = None
    skippable: bool = False
    # The template that asks the question, default `dialogs/ask/<name>`.
    ask: str | None = None
    # Back/skip buttons under the question. Off for numbers: the console reads
    # a bare number as "press that button", and a number is the answer here.
    nav_buttons: bool = True
    # Kinds of program event whose dates the question lists (`Ctx.events`).
    event_kinds: tuple[str, ...] = ()

    @property
    def ask_template(self) -> str:
        return self.ask or f"dialogs/ask/{self.name}"

    def options(self, ctx, render: Render) -> list[Option]:
        return []

    def parse(self, text: str, ctx, render: Render) -> Any:
        raise NotImplementedError

    def how(self, ctx, render: Render) -> str:
        """How to answer this question, in a sentence (`help` says it)."""
        raise NotImplementedError

    def parse_values(self, values: Sequence[str], ctx, render: Render) -> Any:
        """A click on a card: the option values chosen. A value is an option's
        identity, never a position; steps with options match values only."""
        options = self.options(ctx, render)
        if not options:
            return self.parse(",".join(values), ctx, render)
        return self._from_options(by_value(values, options), ctx, render)

    def _from_options(self, chosen: Sequence[Option], ctx, render: Render) -> Any:
        return self.parse(chosen[0].value, ctx, render)

    def check(self, value: Any, ctx) -> bool:
        """Whether a stored value is one this step could have produced."""
        return True

    def blocks(self, ctx, render: Render, action_prefix: str) -> list[Block]:
        return []

    def show(self, value: Any, ctx, render: Render) -> str:
        """The answer as the person reads it in a summary."""
        if value is None:
            return render("dialogs/summary_skipped")
        return mark(str(value))  # what the person typed: text on every platform


@dataclass(frozen=True)
class TextStep(Step):
    max_length: int = 500
    min_length: int = 1
    # Free text of several sentences (a dilemma, a comment): its line breaks
    # and paragraphs stay as typed (Shift+Enter in Slack and Teams); a name,
    # a department, a place is one line.
    lines: bool = False

    def parse(self, text: str, ctx, render: Render) -> str:
        value = paragraphs(text) if self.lines else re.sub(r"\s+", " ", text).strip()
        if len(value) < self.min_length:
            raise Invalid("dialogs/invalid/text_empty")
        if len(value) > self.max_length:
            raise Invalid("dialogs/invalid/text_long", max=self.max_length, length=len(value))
        return value

    def check(self, value, ctx) -> bool:
        return isinstance(value, str) and self.min_length <= len(value) <= self.max_length

    def how(self, ctx, render: Render) -> str:
        return render("dialogs/how/text", max=self.max_length)


# A sign is read (`-5` is a number, out of range, not "no number"); U+2212
# is the minus sign a phone or a word processor may type for `-`.
_NUMBER = re.compile(r"^([+\-\u2212]?[0-9]{1,4}(?:[.,][0-9]{1,2})?)\s*([a-zåäö]*)$")
_MONTH_UNITS = {"m", "mån", "man", "månad", "manad", "månader", "manader", "mo", "month", "months", "mnd"}
_YEAR_UNITS = {"y", "yr", "yrs", "år", "ar", "year", "years"}


@dataclass(frozen=True)
class NumberStep(Step):
    """A whole number in `unit` ("months", "years" or "" for a count).
    Months and years convert into each other: "1,5 år" is 18 months."""

    unit: str = ""
    nav_buttons: bool = False
    minimum: int = 0
    maximum: int = 1000
    # A bound from the program (e.g. the mentor capacity): fn(ctx) -> int.
    maximum_from: Callable[[Any], int] | None = None

    def upper(self, ctx) -> int:
        return self.maximum_from(ctx) if self.maximum_from else self.maximum

    def parse(self, text: str, ctx, render: Render) -> int:
        m = _NUMBER.match(norm(text))
        hint = dict(minimum=self.minimum, maximum=self.upper(ctx), unit=self.unit)
        if not m:
            raise Invalid("dialogs/invalid/number", value=text.strip()[:40], **hint)
        amount = float(m.group(1).replace(",", ".").replace("\u2212", "-"))
        said = m.group(2)
        if said and said not in _MONTH_UNITS | _YEAR_UNITS:
            raise Invalid("dialogs/invalid/number", value=text.strip()[:40], **hint)
        if self.unit == "months" and said in _YEAR_UNITS:
            amount *= 12
        elif self.unit == "years" and said in _MONTH_UNITS:
            amount /= 12
        elif not self.unit and said:
            raise Invalid("dialogs/invalid/number", value=text.strip()[:40], **hint)
        if amount < 0:  # "-5", "-1,5 år": below the range whatever its unit, said as typed
            raise Invalid("dialogs/invalid/number_range", value=text.strip()[:40], **hint)
        converted = self.unit == "months" and said in _YEAR_UNITS  # "1,5 år" is 18 months
        if not converted and amount != int(amount):
            # A whole number is asked for: "2,5" is refused, never cut to 2.
            raise Invalid("dialogs/invalid/number_whole", value=text.strip()[:40], **hint)
        value = round(amount) if converted else int(amount)
        if not self.minimum <= value <= self.upper(ctx):
            raise Invalid("dialogs/invalid/number_range", value=value, **hint)
        return value

    def check(self, value, ctx) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and self.minimum <= value <= self.upper(ctx)

    def how(self, ctx, render: Render) -> str:
        return render("dialogs/how/number", minimum=self.minimum, maximum=self.upper(ctx), unit=self.unit)

    def show(self, value, ctx, render: Render) -> str:
        if value is None:
            return render("dialogs/summary_skipped")
        return render("dialogs/show_number", value=value, unit=self.unit)


_DATE = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$")


@dataclass(frozen=True)
class DateStep(Step):
    """A calendar date written as YYYY-MM-DD (stored as that ISO string)."""

    def parse(self, text: str, ctx, render: Render) -> str:
        m = _DATE.match(text.strip())
        try:
            if not m:
                raise ValueError
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
        except ValueError:
            raise Invalid("dialogs/invalid/date", value=text.strip()[:40]) from None

    def check(self, value, ctx) -> bool:
        try:
            return isinstance(value, str) and date.fromisoformat(value).isoformat() == value
        except ValueError:
            return False

    def how(self, ctx, render: Render) -> str:
        return render("dialogs/how/date")

    def show(self, value, ctx, render: Render) -> str:
        if value is None:
            return render("dialogs/summary_skipped")
        return render("dialogs/show_date", value=date.fromisoformat(value))


@dataclass(frozen=True)
class YesNoStep(Step):
    yes_label: str = "dialogs/option/yes"
    no_label: str = "dialogs/option/no"

    def options(self, ctx, render: Render) -> list[Option]:
        return [Option("yes", render(self.yes_label)), Option("no", render(self.no_label))]

    def parse(self, text: str, ctx, render: Render) -> bool:
        said = norm(text)
        if said in YES_WORDS or said in (norm(render(self.yes_label)), "1"):
            return True
        if said in NO_WORDS or said in (norm(render(self.no_label)), "2"):
            return False
        raise Invalid("dialogs/invalid/yes_no")

    def check(self, value, ctx) -> bool:
        return isinstance(value, bool)

    def how(self, ctx, render: Render) -> str:
        return render("dialogs/how/yes_no")

    def blocks(self, ctx, render: Render, action_prefix: str) -> list[Block]:
        return [option_buttons(self.options(ctx, render), action_prefix)]

    def show(self, value, ctx, render: Render) -> str:
        if value is None:
            return render("dialogs/summary_skipped")
        return render(self.yes_label if value else self.no_label)


def by_value(values: Sequence[str], options: Sequence[Option]) -> list[Option]:
    """A click: each value must be an option's own value (an organisation's id,
    a topic code). Never read as a position: ids and positions differ."""
    by_value = {o.value: o for o in options}
    unknown = [v for v in values if v not in by_value]
    if unknown:
        raise Invalid("dialogs/invalid/option_gone", count=len(unknown))
    return [by_value[v] for v in values]


def option_buttons(options: Sequence[Option], action_prefix: str) -> Buttons:
    # Slack wants action ids unique within a block, so each button has its own.
    return Buttons(
        tuple(Button(action_id=f"{action_prefix}:{i}", label=o.label, value=o.value) for i, o in enumerate(options))
    )

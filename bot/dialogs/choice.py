"""A dialogue question with options: pick one, or with `multi` several
(`ChoiceStep`). A typed answer may use the number the console shows next to
an option, its code or its label; a click carries the option's value and is
matched by value only, never as a position (`bot.dialogs.steps`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.dialogs.steps import Invalid, OptionSource, Render, Step, norm, option_buttons
from bot.markup import strip_marks
from bot.messages import Block, Choice, Option


@dataclass(frozen=True)
class ChoiceStep(Step):
    """Pick one (or, with `multi`, several) of the options `source` offers.
    Options are shown as buttons when there are few, otherwise as a choice."""

    source: OptionSource = field(default=lambda ctx, render: [])
    multi: bool = False
    # Stored values are ints (organisation ids) rather than strings.
    int_values: bool = False
    max_buttons: int = 4

    def options(self, ctx, render: Render) -> list[Option]:
        return list(self.source(ctx, render))

    def parse(self, text: str, ctx, render: Render):
        options = self.options(ctx, render)
        if not options:
            raise Invalid("dialogs/invalid/no_options")
        said = norm(text)
        if not said:
            raise Invalid("dialogs/invalid/choice_empty", multi=self.multi, count=len(options))
        chosen: list[Option] = []
        for piece in _pieces(said, options) if self.multi else [said]:
            option = _typed_option(piece, options)
            if option is None:
                raise Invalid(
                    "dialogs/invalid/choice",
                    value=_as_typed(piece, text)[:40],
                    multi=self.multi,
                    count=len(options),
                    labels=[o.label for o in options],
                )
            chosen.append(option)
        return self._from_options(chosen, ctx, render)

    def _from_options(self, chosen: Sequence[Option], ctx, render: Render):
        values: list[str] = list(dict.fromkeys(o.value for o in chosen))
        if not values:
            raise Invalid("dialogs/invalid/choice_empty", multi=self.multi, count=len(self.options(ctx, render)))
        if not self.multi and len(values) > 1:
            raise Invalid("dialogs/invalid/choice_one")
        typed = [int(v) for v in values] if self.int_values else values
        return typed if self.multi else typed[0]

    def check(self, value, ctx) -> bool:
        # The render function is irrelevant for the option *values*.
        allowed = {o.value for o in self.options(ctx, lambda name, **kw: name)}
        items = value if self.multi else [value]
        if self.multi and (not isinstance(value, list) or not value):
            return False
        kind = int if self.int_values else str
        return all(isinstance(v, kind) and not isinstance(v, bool) and str(v) in allowed for v in items)

    def how(self, ctx, render: Render) -> str:
        count = len(self.options(ctx, render))
        if not count:
            return render("dialogs/invalid/no_options")
        return render("dialogs/how/choice", multi=self.multi, count=count)

    def blocks(self, ctx, render: Render, action_prefix: str) -> list[Block]:
        options = self.options(ctx, render)
        if not self.multi and len(options) <= self.max_buttons:
            return [option_buttons(options, action_prefix)]
        # The question says how to pick ("one or more, e.g. `1,3`"): a list of
        # several is labelled with what it lists, so that is not said twice.
        label = render(f"dialogs/label/{self.field}") if self.multi else render("dialogs/choose_label")
        return [
            Choice(
                action_id=f"{action_prefix}:pick",
                label=label,
                options=tuple(options),
                multi=self.multi,
            )
        ]

    def show(self, value, ctx, render: Render) -> str:
        if value is None:
            return render("dialogs/summary_skipped")
        labels = {o.value: o.label for o in self.options(ctx, render)}
        items = value if self.multi else [value]
        return ", ".join(labels.get(str(v), str(v)) for v in items)


def _pieces(said: str, options: Sequence[Option]) -> list[str]:
    """ "1,3", "budget; change", "konflikter och budget": split on commas and
    semicolons, and on "och"/"and"/"&" only where a piece is not itself a
    label ("Budget och ekonomistyrning" stays whole)."""
    pieces: list[str] = []
    for chunk in (c.strip() for c in re.split(r"[,;]", said)):
        if not chunk:
            continue
        if _typed_option(chunk, options) is not None:
            pieces.append(chunk)
        else:
            pieces += [p for p in re.split(r"\s+(?:och|and|&)\s+", chunk) if p]
    return pieces


def _as_typed(piece: str, text: str) -> str:
    """A piece of `norm(text)` as the person typed it (`Stockholm`, not
    `stockholm`), for an answer that shows it back; the piece itself when
    case folding changed its length (`ß`)."""
    typed = re.sub(r"\s+", " ", strip_marks(text).strip().strip(".!"))
    found = re.search(re.escape(piece), typed, re.IGNORECASE)
    return found.group(0) if found else piece


def _typed_option(piece: str, options: Sequence[Option]) -> Option | None:
    """A typed answer: the number shown next to an option, its code or its
    label (or the start of a label that only one option has)."""
    if piece.isascii() and piece.isdigit():
        index = int(piece)
        return options[index - 1] if 1 <= index <= len(options) else None
    return _named_option(piece, options)


def _named_option(piece: str, options: Sequence[Option]) -> Option | None:
    for option in options:
        if piece in (norm(option.value), norm(option.label)):
            return option
    starting = [o for o in options if norm(o.label).startswith(piece) and len(piece) >= 3]
    return starting[0] if len(starting) == 1 else None

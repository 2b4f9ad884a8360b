"""The command grammar in the reader's words, as Jinja filters: argument
names and choice values from the label tables (`roll`, `ja`), a command's
words (`matcha godkänn`), its syntax (`usage`) and an example of it
(`example`), all generated from the declarations in `bot.commands.registry`
so that a Swedish reader never sees an English command in a Swedish
sentence. `bot.i18n.Translator` registers them (`SYNTAX_FILTERS`)."""

from __future__ import annotations

from jinja2 import pass_context

from bot.i18n import DEFAULT_LOCALE, label
from bot.markup import Trusted


@pass_context
def _f_t_arg(ctx, name: str) -> str:
    """A command's argument name in the reader's language (`roll`, `datum`)."""
    return label(ctx.get("locale", DEFAULT_LOCALE), "labels/arg", name=name, translator=ctx.environment.translator)


@pass_context
def _f_t_choice(ctx, value: str) -> str:
    """A choice value as typed in the reader's language (`ja`, `uppstart`)."""
    return label(ctx.get("locale", DEFAULT_LOCALE), "labels/choice", value=value, translator=ctx.environment.translator)


@pass_context
def _f_t_command(ctx, name: str) -> str:
    """A command's words in the reader's language (`match approve` ->
    `matcha godkänn`); a name the grammar does not know as it is."""
    from bot.commands.registry import COMMANDS
    from bot.commands.swedish import swedish_words

    command = COMMANDS.get(tuple(str(name).split()))
    if command is None or ctx.get("locale") != "sv":
        return name
    return Trusted(swedish_words(command))


@pass_context
def _f_usage(ctx, command) -> str:
    """A command's syntax with its argument names in the reader's language,
    generated from the grammar (`bot.commands.registry`), for a command or
    its name (`"broadcast"`). Text that names no command is a KeyError, so a
    syntax written by hand (in English) cannot reach a reader. Built once
    per language and command (`help` shows about twenty)."""
    if isinstance(command, str):
        from bot.commands.registry import COMMANDS

        command = COMMANDS[tuple(command.split())]
    usages = ctx.environment.translator._usages
    key = (ctx.get("locale", DEFAULT_LOCALE), command.name)
    if key not in usages:
        usages[key] = _usage(ctx, command)
    return usages[key]


def _words(ctx, command) -> str:
    from bot.commands.swedish import swedish_words

    return swedish_words(command) if ctx.get("locale") == "sv" else command.name


def _syntax(ctx, p, value: str | None = None) -> str:
    """One parameter as the syntax shows it (`datum=ÅÅÅÅ-MM-DD`, `NUMMER`),
    or with an example `value` (`påminnelser=21-28`, a choice in the
    reader's words: `för=mentorer`)."""
    if value is not None:
        shown = _f_t_choice(ctx, value) if value in p.choices else value
    elif p.choices:
        shown = "|".join(_f_t_choice(ctx, c) for c in p.choices)
    else:
        shown = ctx.environment.translator.render(ctx.get("locale", DEFAULT_LOCALE), "labels/arg_kind", kind=p.kind)
    name = _f_t_arg(ctx, p.name)
    if p.named:
        return f"{name}={shown}"
    if value is not None or p.choices:
        return shown
    return shown + "..." if p.kind == "people" else name.upper()


def _usage(ctx, command) -> str:
    """The words, then the positional parameters (an optional one in `[…]`,
    and the ones after it inside it: `[DATUM [MINUTER]]`, as they are read
    in order), then the named ones, each optional one in `[…]`. A named
    parameter that stands in for a positional one is shown with it
    (`alla|mentorer|adepter|org=TEXT`)."""
    params = {p.name: p for p in command.params}
    standing_in = {p.unless for p in command.params if p.unless}
    parts = [_words(ctx, command)]
    opened = 0
    for p in command.params:
        if p.named:
            continue
        body = _syntax(ctx, p) + (f"|{_syntax(ctx, params[p.unless])}" if p.unless else "")
        if p.required and not opened:
            parts.append(body)
        else:
            parts.append(f"[{body}")
            opened += 1
    if opened:
        parts[-1] += "]" * opened
    for p in command.params:
        if p.named and p.name not in standing_in:
            body = _syntax(ctx, p)
            parts.append(body if p.required else f"[{body}]")
    return Trusted(" ".join(parts))  # from the grammar, not from a person


@pass_context
def _f_example(ctx, name: str, values: dict) -> str:
    """`{{ "program set" | example({"nudge": "21-28"}) }}`: a command written
    out as an example, in the reader's words (`program ändra
    påminnelser=21-28`): its required positional parameters as the syntax
    shows them, then each named one given, with its example value or (None)
    the syntax's placeholder. Generated from the grammar, like `usage`."""
    from bot.commands.registry import COMMANDS

    command = COMMANDS[tuple(name.split())]  # a name the code wrote, so a KeyError is a bug
    params = {p.name: p for p in command.params}
    parts = [_words(ctx, command)]
    parts += [_syntax(ctx, p) for p in command.params if p.required and not p.named and p.name not in values]
    parts += [_syntax(ctx, params[key], value) for key, value in values.items()]
    return Trusted(" ".join(parts))  # from the grammar and the code, not from a person


SYNTAX_FILTERS = {
    "t_arg": _f_t_arg,
    "t_choice": _f_t_choice,
    "t_command": _f_t_command,
    "usage": _f_usage,
    "example": _f_example,
}

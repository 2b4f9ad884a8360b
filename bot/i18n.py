"""Every sentence a person reads: Jinja2 templates in Swedish and English.

Templates live in `templates/<locale>/<name>.j2` (one sentence or message per
file). `render(locale, name, **ctx)` renders one; dates, times and numbers go
through Babel filters in the reader's locale and time zone:

    {{ when | date }}            19 jan. 2027 / Jan 19, 2027
    {{ when | datetime }}        date and time in `tz` (aware datetimes)
    {{ when | time }}            time of day in `tz` (the program's zone), with the
                                 zone named when `reader_tz` differs
    {{ n | number }}             1 234,5 / 1,234.5
    {{ ("topics/" ~ code) | t }} another template, same locale (labels)

A plain string from the data (a name, an answer, a reason) is marked as such
when it is printed (`bot.markup.mark`), so each platform's renderer escapes
it for its markup; what templates and these filters produce is `Trusted`.
    {{ n | plural("par", "par") }}  "1 par" / "3 par": the number and the form
                                 Babel's plural rules pick (the one plural helper)
    {{ "role" | t_arg }}         an argument name in the reader's language (roll)
    {{ command | usage }}        a command's syntax, argument names translated
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time, get_timezone_name
from babel import Locale
from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context

from bot.markup import Trusted, mark

LOCALES = ("sv", "en")
DEFAULT_LOCALE = "sv"
_BABEL = {"sv": "sv_SE", "en": "en_GB"}


def templates_dir() -> Path:
    """The installed copy (inside the wheel) or the repository's `templates/`."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if (candidate / "sv").is_dir():
            return candidate
    raise RuntimeError("mentorbot templates not found; reinstall the package")


def normalise_locale(value: str | None) -> str | None:
    """'sv-SE', 'sv_SE', 'SV' -> 'sv'; 'en-US' -> 'en'; others -> None."""
    if not value:
        return None
    head = value.replace("_", "-").split("-")[0].lower()
    return head if head in LOCALES else None


def _babel(ctx) -> str:
    return _BABEL.get(ctx.get("locale", DEFAULT_LOCALE), "sv_SE")


def _tz(ctx) -> ZoneInfo:
    return ZoneInfo(ctx.get("tz") or "Europe/Stockholm")


@pass_context
def _f_date(ctx, value: date | datetime, fmt: str = "medium") -> str:
    if isinstance(value, datetime):
        value = value.astimezone(_tz(ctx)).date()
    return Trusted(format_date(value, format=fmt, locale=_babel(ctx)))


def _zone_note(ctx, value: datetime) -> str:
    """" (centraleuropeisk tid)" when the reader's own time zone (`reader_tz`)
    shows this moment at another hour than the program's (`tz`), else ""."""
    reader = ctx.get("reader_tz")
    if not reader or not isinstance(value, datetime) or value.tzinfo is None:
        return ""
    try:
        theirs = value.astimezone(ZoneInfo(reader)).utcoffset()
    except (KeyError, ValueError):
        return ""
    ours = value.astimezone(_tz(ctx))
    if theirs == ours.utcoffset():
        return ""
    return " (" + get_timezone_name(ours, width="long", locale=_babel(ctx)) + ")"


@pass_context
def _f_datetime(ctx, value: datetime, fmt: str = "medium") -> str:
    return Trusted(format_datetime(value, format=fmt, tzinfo=_tz(ctx), locale=_babel(ctx)) + _zone_note(ctx, value))


@pass_context
def _f_time(ctx, value: datetime, fmt: str = "short") -> str:
    """The time of day in the program's zone (`tz`), naming the zone when
    the reader lives in another one."""
    return Trusted(format_time(value, format=fmt, tzinfo=_tz(ctx), locale=_babel(ctx)) + _zone_note(ctx, value))


@pass_context
def _f_number(ctx, value: float, fmt: str | None = None) -> str:
    return Trusted(format_decimal(value, format=fmt, locale=_babel(ctx)))


@pass_context
def _f_plural(ctx, count: float, one: str, other: str) -> str:
    """`{{ n | plural("par", "par") }}`, `{{ n | plural("pair", "pairs") }}`:
    the number (in the reader's format) and the form Babel's plural rules of
    the reader's language pick for it."""
    form = Locale.parse(_babel(ctx)).plural_form(abs(count))
    return Trusted(f"{format_decimal(count, locale=_babel(ctx))} {one if form == 'one' else other}")


@pass_context
def _f_t_arg(ctx, name: str) -> str:
    """A command's argument name in the reader's language (`roll`, `datum`)."""
    return ctx.environment.translator.render(ctx.get("locale", DEFAULT_LOCALE), "labels/arg", name=name)


@pass_context
def _f_usage(ctx, command) -> str:
    """A command's syntax with its argument names in the reader's language,
    generated from the grammar (`bot.commands.registry`); a string as it is."""
    if isinstance(command, str):
        return Trusted(command)
    from bot.commands.registry import swedish_words

    parts = [swedish_words(command) if ctx.get("locale") == "sv" else command.name]
    for p in command.params:
        shown = "|".join(p.choices) if p.choices else ctx.environment.translator.render(
            ctx.get("locale", DEFAULT_LOCALE), "labels/arg_kind", kind=p.kind)
        name = _f_t_arg(ctx, p.name)
        if p.named:
            body = f"{name}={shown}"
        elif p.kind == "people":
            body = shown + "..."
        elif p.choices:
            body = shown
        else:
            body = name.upper()
        parts.append(body if p.required else f"[{body}]")
    return Trusted(" ".join(parts))  # from the grammar, not from a person


@pass_context
def _f_t(ctx, name: str, **kw) -> str:
    return ctx.environment.translator.render(ctx.get("locale", DEFAULT_LOCALE), name, tz=ctx.get("tz"), **kw)


def _finalize(value):
    """Every `{{ ... }}` output: strings from the data are marked, ours are not."""
    if isinstance(value, str) and not isinstance(value, Trusted):
        return mark(value)
    return value


class Translator:
    """The templates, optionally with a coordinator's override folder in
    front: a file there replaces the installed template of the same name
    (`<override>/sv/nudges/nudge.j2`), everything else stays as installed."""

    def __init__(self, root: Path | None = None, override: Path | None = None):
        self.root = root or templates_dir()
        self.override = Path(override) if override else None
        folders = [str(p) for p in (self.override, self.root) if p is not None]
        self.env = Environment(
            loader=FileSystemLoader(folders),
            undefined=StrictUndefined,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            finalize=_finalize,
        )
        self.env.translator = self  # type: ignore[attr-defined]
        self.env.filters.update(
            date=_f_date, datetime=_f_datetime, time=_f_time, number=_f_number, t=_f_t,
            plural=_f_plural, t_arg=_f_t_arg, usage=_f_usage,
        )

    def has(self, locale: str, name: str) -> bool:
        return any((p / locale / f"{name}.j2").is_file() for p in (self.override, self.root) if p is not None)

    def render(self, locale: str | None, name: str, /, **ctx) -> str:
        locale = normalise_locale(locale) or DEFAULT_LOCALE
        template = self.env.get_template(f"{locale}/{name}.j2")
        return Trusted(template.render(locale=locale, **ctx).strip())

    def names(self, locale: str) -> list[str]:
        base = self.root / locale
        return sorted(str(p.relative_to(base).with_suffix("")) for p in base.rglob("*.j2"))


@lru_cache(maxsize=1)
def default_translator() -> Translator:
    return Translator()


@lru_cache(maxsize=8)
def _override_translator(folder: str) -> Translator:
    return Translator(override=Path(folder))


def translator_for(config) -> Translator:
    """The installed templates, with `bot.templates_override` in front when set."""
    folder = getattr(config.bot, "templates_override", "")
    return _override_translator(folder) if folder else default_translator()


def render(locale: str | None, name: str, /, **ctx) -> str:
    """Render template `name` in `locale` with the shared translator."""
    return default_translator().render(locale, name, **ctx)

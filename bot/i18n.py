"""Every sentence a person reads: Jinja2 templates in Swedish and English.

Templates live in `templates/<locale>/<name>.j2` (one sentence or message per
file). `render(locale, name, **ctx)` renders one; dates, times and numbers go
through Babel filters in the reader's locale and time zone (`bot.formats`):

One style per kind of date, chosen here and nowhere else (a template
names the kind, never a pattern):

    {{ day | date }}             short, in lists and replies: 19 jan. 2027 / 19 Jan 2027
    {{ start | date_range(end) }}  short range: 15 jan.–31 dec. 2027 / 15 Jan – 31 Dec 2027
    {{ when | datetime }}        short with the time: 19 jan. 2027 kl. 13:00
    {{ day | long_date }}        long, in reminders: tisdag 19 januari / Tuesday 19 January
    {{ when | long_datetime }}   long with the time: tisdag 19 januari kl. 13:00
    {{ when | time }}            the time of day: 13:00
    {{ ("07-01", "07-31") | month_days }}  a yearly period: 1–31 juli / 1 – 31 July
    {{ day | month }}            a month: jan. 2027 / Jan 2027
    {{ day | long_month }}       a month in full: januari 2027 / January 2027

Times are in the program's zone (`tz`) and name it when the reader's own
zone (`reader_tz`) shows that moment at another hour.
    {{ n | number }}             1 234,5 / 1,234.5
    {{ ("topics/" ~ code) | t }} another template, same locale (labels)

A plain string from the data (a name, an answer, a reason) is marked as such
when it is printed (`bot.markup.mark`), so each platform's renderer escapes
it for its markup; what templates and these filters produce is `Trusted`.
    {{ n | plural("par", "par") }}  "1 par" / "3 par": the number and the form
                                 Babel's plural rules pick (the one plural helper)
    {{ n | count("days") }}      "1 dag" / "21 dagar": a number with its unit, through
                                 `plural` (the units' forms are in labels/unit)
    {{ url | link }}             one of the bot's own URLs (given `Trusted`) as a link
                                 every platform keeps working; a value from the data
                                 stays text (`bot.markup.link`)
    {{ channel | channel_link(name) }}  the bot's own reference to a channel (a `Trusted`
                                 id): a channel link on Slack, `#name` elsewhere; a
                                 value from the data stays text (`bot.markup.channel_link`)
    {{ "role" | t_arg }}         an argument name in the reader's language (roll)
    {{ "yes" | t_choice }}       a choice value in the reader's language (ja)
    {{ "match" | t_command }}    a command's words in the reader's language (matcha)
    {{ command | usage }}        a command's syntax, argument names translated
    {{ "event edit" | example({"date": None}) }}  a command as an example, in the
                                 reader's words: träff ändra NUMMER datum=ÅÅÅÅ-MM-DD
The last five speak the command grammar and live in `bot.syntax`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, meta, nodes, pass_context

from bot.formats import DEFAULT_LOCALE, FILTERS
from bot.markup import Trusted, channel_link, link, mark, strip_marks

LOCALES = ("sv", "en")


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


# Letters that come after z in the Swedish alphabet, in its order.
_AFTER_Z = {"sv": {"å": "z\x01", "ä": "z\x02", "æ": "z\x02", "ö": "z\x03", "ø": "z\x03"}}


def sort_key(locale: str | None, text: str) -> str:
    """`text` as a list in `locale` is ordered by: case aside, and in
    Swedish å, ä, ö after z (`gå med` after `godkänn-deltagare`)."""
    after_z = _AFTER_Z.get(locale or DEFAULT_LOCALE, {})
    return "".join(after_z.get(ch, ch) for ch in text.casefold())


@pass_context
def _f_count(ctx, count: float, unit: str) -> str:
    """`{{ n | count("days") }}`: "1 dag" / "21 dagar", "1 day" / "21 days":
    the number with its unit, the unit's forms from `labels/unit` and the
    form picked by `plural`, the one plural helper."""
    forms = [
        ctx.environment.translator.render(ctx.get("locale", DEFAULT_LOCALE), "labels/unit", unit=unit, form=f)
        for f in ("one", "other")
    ]
    if not all(forms):
        raise KeyError(f"no unit {unit!r} in labels/unit; add its forms in both languages")
    return FILTERS["plural"](ctx, count, *forms)


def label(locale: str | None, name: str, /, translator: Translator | None = None, **ctx) -> str:
    """A word from one of our tables (`labels/arg`, `labels/choice`) as
    trusted text: it comes from the table, not from a person, so no renderer
    escapes it (`namn_i_kanalen`, `annan_förvaltning`)."""
    return Trusted(strip_marks((translator or default_translator()).render(locale, name, **ctx)))


@pass_context
def _f_t(ctx, name: str, /, **kw) -> str:
    if ctx.get("written_at") is not None:  # a date inside says its year as the sentence around it does
        kw.setdefault("written_at", ctx.get("written_at"))
    return ctx.environment.translator.render(ctx.get("locale", DEFAULT_LOCALE), name, tz=ctx.get("tz"), **kw)


@pass_context
def _f_person(ctx, name: str) -> str:
    """A person's stored name as the reader reads it: the name of someone
    who has been erased (`commands/forgotten_name`, written in the language
    of whoever asked for it, or empty after the retention purge) in the
    reader's language, every other name as it is."""
    translator = ctx.environment.translator
    if name and name not in translator.tombstones():
        return name
    return translator.render(ctx.get("locale", DEFAULT_LOCALE), "commands/forgotten_name")


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
        from bot.syntax import SYNTAX_FILTERS  # it reads this module's labels

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
            # Every template compiled once and kept (there are over a thousand;
            # the default cache of 400 re-read and re-compiled them in turn),
            # and no stat() of its file at each use: an override takes effect at
            # the next start.
            cache_size=-1,
            auto_reload=False,
        )
        self.env.translator = self  # type: ignore[attr-defined]
        self._fixed: dict[tuple[str, str], str] = {}  # what a fixed template says, per language (`_is_fixed`)
        self._fixedness: dict[tuple[str, str], bool] = {}
        self._usages: dict[tuple[str, str], str] = {}  # a command's syntax, per language (`bot.syntax`)
        self.env.filters.update(
            **FILTERS,
            t=_f_t,
            person=_f_person,
            count=_f_count,
            **SYNTAX_FILTERS,
            link=link,
            channel_link=channel_link,
        )

    def tombstones(self) -> frozenset[str]:
        """What an erased person's name may be stored as, in any language."""
        return frozenset(strip_marks(self.render(locale, "commands/forgotten_name")) for locale in LOCALES)

    def has(self, locale: str, name: str) -> bool:
        return any((p / locale / f"{name}.j2").is_file() for p in (self.override, self.root) if p is not None)

    def render(self, locale: str | None, name: str, /, **ctx) -> str:
        locale = normalise_locale(locale) or DEFAULT_LOCALE
        fixed = self._fixed.get((locale, name))
        if fixed is not None:
            return fixed
        template = self.env.get_template(f"{locale}/{name}.j2")
        text = Trusted(template.render(locale=locale, **ctx).strip())
        if self._is_fixed(locale, name):
            self._fixed[(locale, name)] = text
        return text

    def _is_fixed(self, locale: str, name: str) -> bool:
        """Whether a template says the same whatever it is given (a button
        label, an option): no variable but `locale`, no filter, call,
        include or import. Three of four sentences of a turn are such; they
        are rendered once per language."""
        key = (locale, name)
        known = self._fixedness.get(key)
        if known is None:
            source = self.env.loader.get_source(self.env, f"{locale}/{name}.j2")[0]  # type: ignore[union-attr]
            tree = self.env.parse(source)
            known = (
                meta.find_undeclared_variables(tree) <= {"locale"}
                and not any(tree.find_all((nodes.Filter, nodes.Call, nodes.Include, nodes.Import, nodes.FromImport)))
                and not list(meta.find_referenced_templates(tree))
            )
            self._fixedness[key] = known
        return known

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

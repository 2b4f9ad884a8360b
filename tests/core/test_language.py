"""Language: plural forms through one helper, units with numbers, argument
names and help in the reader's language, Swedish words for the commands, a
coordinator's template override, and a simulated year whose Swedish messages
hold no English words from the grammar and no template keys."""

from __future__ import annotations

import re

import pytest

from adapters.console_render import render_text
from bot.config import BotSettings, Config
from bot.core import Core
from bot.i18n import label, render
from tests.core.harness import World, make_core, texts

SETUP = ("program create Mentorprogram 2027 start=2027-01-19 end=2028-01-19", "org add Täby kommun")


@pytest.fixture(params=["sv", "en"])
async def world(request, sqlite_db, clock):
    w = World(make_core(sqlite_db, clock, locale=request.param))
    for line in SETUP:
        await w["Anna"].say(line)
    w.locale = request.param
    return w


@pytest.mark.parametrize(
    "count,sv,en", [(1, "1 par presenterat", "1 pair announced"), (3, "3 par presenterade", "3 pairs announced")]
)
def test_plural_forms_come_from_babels_rules(count, sv, en):
    context = dict(
        count=count, in_group=0, in_dms=0, channel=True, waitlist_told=0, unmatched_told=0, idle_told=0, unreachable=[]
    )
    assert render("sv", "matching/announced", **context).startswith(sv)
    assert render("en", "matching/announced", **context).startswith(en)


async def test_swedish_words_run_the_commands(world):
    eva = world["Eva"]
    assert (await eva.say("mina uppgifter"))[0].kind == "commands/mydata"
    assert (await eva.say("glöm mig"))[0].kind == "commands/forget_confirm"
    assert (await eva.say("gå med roll=mentor"))[-1].kind == "dialogs/ask/consent_mentor"
    assert (await world["Anna"].say("matcha"))[-1].kind.startswith("matching/")


@pytest.mark.parametrize("line", ["join mentee", "join role=mentee"])
async def test_the_english_word_for_an_adept_joins_as_one(world, line):
    assert (await world["Eva"].say(line))[-1].kind == "dialogs/ask/consent_adept"


async def test_help_shows_the_readers_words_and_argument_names(world):
    help_text = texts(await world["Anna"].say("help"))
    if world.locale == "sv":
        for shown in (
            "`gå med [PROGRAM] [roll=adept|mentor]`",
            "`träffats [DATUM [MINUTER]]`",
            "`mina uppgifter`",
            "`glöm mig`",
            "`matcha",
        ):
            assert shown in help_text
        assert not re.search(r"\b(?:DATE|MINUTES|NAME)\b|role=", help_text)
    else:
        assert "`join [PROGRAM] [role=mentee|mentor]`" in help_text and "`met [DATE [MINUTES]]`" in help_text
    assert "/mentor" not in help_text  # the slash command is Slack's, not the console's


async def test_errors_name_the_argument_in_the_readers_language(world):
    said = texts(await world["Anna"].say("language fr"))
    assert ("finns inte att välja (språk)" if world.locale == "sv" else "is not one of the choices (language)") in said
    said = texts(await world["Anna"].say("nominate"))
    assert ("behöver `person`" if world.locale == "sv" else "needs `person`") in said


@pytest.mark.parametrize(
    "line,locale",
    [
        ("språk svenska", "sv"),
        ("language english", "en"),
        ("språk engelska", "en"),
        ("language swedish", "sv"),
        ("språk Svenska", "sv"),
        ("language ENGLISH", "en"),
        ("language sv", "sv"),
        ("språk en", "en"),
    ],
)
async def test_the_language_is_named_in_either_language_or_by_its_code(world, sqlite_db, line, locale):
    (reply,) = await world["Eva"].say(line)
    assert reply.kind == "commands/language_set", reply.text
    assert reply.text.startswith({"sv": "Jag skriver på svenska", "en": "I will write to you in English"}[locale])


async def test_a_language_that_is_not_one_lists_the_names_that_work(world):
    (reply,) = await world["Eva"].say("language suomi")
    assert reply.kind == "errors/bad_choice"
    listed = {"sv": "`svenska` (`sv`), `engelska` (`en`)", "en": "`Swedish` (`sv`), `English` (`en`)"}
    assert listed[world.locale] in reply.text
    (reply,) = await world["Anna"].say("program set locale=svenska")  # other choices take their words only
    assert reply.kind == "errors/bad_choice"


async def test_a_template_override_rewords_one_sentence(sqlite_db, clock, tmp_path):
    (tmp_path / "sv" / "commands").mkdir(parents=True)
    (tmp_path / "sv" / "commands" / "language_set.j2").write_text("Nu pratar vi svenska, du och jag.")
    config = Config(bot=BotSettings(locale="sv", templates_override=str(tmp_path)))
    chat = World(Core(sqlite_db, config, clock))["Eva"]
    assert (await chat.say("språk sv"))[0].text.startswith("Nu pratar vi")
    assert (await chat.say("hjälp"))[0].kind == "commands/help"  # everything else as installed


# --------------------------------------------------------- a simulated year

# Words of the grammar that are Swedish words too ("all information", "ditt id",
# "org=", a file called "… – export").
SWEDISH_TOO = {"all", "id", "org", "export"}


def english_of_the_grammar() -> re.Pattern:
    """Every English word of the grammar whose Swedish differs, taken from the
    grammar itself: command words, argument names (and their UPPERCASE
    placeholders), choice values, and the units' English forms."""
    from bot.commands import load_all
    from bot.commands.registry import COMMANDS
    from bot.commands.swedish import swedish_words
    from bot.i18n import templates_dir

    load_all()
    words: set[str] = set()
    placeholders: set[str] = set()
    for command in COMMANDS.values():
        swedish = set(swedish_words(command).replace("-", " ").split())
        words |= {part for word in command.words for part in word.split("-")} - swedish
        for p in command.params:
            if label("sv", "labels/arg", name=p.name) != p.name:
                words.add(p.name)
                placeholders.add(p.name.upper())
            words |= {c for c in p.choices if label("sv", "labels/choice", value=c) != c}
    units = re.findall(r'"(\w+)": \(', (templates_dir() / "en" / "labels" / "unit.j2").read_text(encoding="utf-8"))
    for unit in units:
        for form in ("one", "other"):
            en, sv = (render(loc, "labels/unit", unit=unit, form=form) for loc in ("en", "sv"))
            if en != sv:
                words.add(en)
    words -= SWEDISH_TOO
    lower = "|".join(sorted(map(re.escape, words), key=len, reverse=True))
    upper = "|".join(sorted(map(re.escape, placeholders | {"YYYY-MM-DD", "HH:MM"}), key=len, reverse=True))
    # not inside a longer word, a config key (`bot.coordinators`) or Slack's own `/invite`
    return re.compile(rf"(?<![\wåäöÅÄÖ./])(?:{lower})(?![\wåäöÅÄÖ])|(?<![\wÅÄÖ])(?:{upper})(?![\wÅÄÖ])")


def template_keys() -> re.Pattern:
    """A template's name (`scheduler/event_reminder`) or a button's action id
    (`nudge.snooze`) where a sentence should be."""
    from bot.commands.registry import ACTIONS
    from bot.i18n import templates_dir

    folders = sorted(p.name for p in (templates_dir() / "sv").iterdir() if p.is_dir())
    actions = sorted({prefix.split(".")[0] for prefix in ACTIONS if "." in prefix})
    return re.compile(rf"\b(?:{'|'.join(folders)})/[a-z_/]+|\b(?:{'|'.join(actions)})\.[a-z_]+")


def test_the_grammar_words_are_found_where_they_do_not_belong():
    english, keys = english_of_the_grammar(), template_keys()
    for text in (
        "skriv `met 2027-03-02 90`",
        "`join role=mentor`",
        "skriv `forget`",
        "(`channel` i kanalen)",
        "`program close force=yes`",
        "uppstart: kickoff",
        "visar bara event-kommandona",
        "14 months",
        "`met [DATE] [MINUTES]`",
        "`quiet=none`",
    ):
        assert english.search(text), text
    for text in (
        "skriv `träffats 2027-03-02 90`",
        "`gå med roll=mentor`",
        "all information om dig",
        "adept och mentor",
        "ditt id",
        "`program stäng tvinga=ja`",
        "14 månader",
        "`träffats [DATUM [MINUTER]]`",
    ):
        assert not english.search(text), text
    assert keys.search("misslyckades: scheduler/event_reminder") and keys.search("knappen nudge.snooze")
    assert not keys.search("t.ex. 1,5 timme, dagar/vecka")


@pytest.mark.slow
def test_a_simulated_swedish_year_reads_swedish(tmp_path):
    import asyncio

    from tools.simulate import simulate

    world, _stats = asyncio.run(simulate(20, 7, "sv", tmp_path / "year.db"))
    shown = [render_text(m) for _at, _who, m in world.port.log]
    shown += [render_text(r) for _at, _who, _typed, r in world.replies]
    assert len(shown) > 200
    english, template_key = english_of_the_grammar(), template_keys()
    found = sorted({m.group(0) for text in shown for m in english.finditer(text)})
    keys = sorted({m.group(0) for text in shown for m in template_key.finditer(text)})
    assert found == [], f"English words in Swedish messages: {found}"
    assert keys == [], f"template keys in messages: {keys}"


async def test_choice_values_are_typed_and_shown_in_the_readers_words(world):
    anna, sv = world["Anna"], world.locale == "sv"
    said = texts(
        await anna.say(
            "program ändra matchningsregel=annan_förvaltning uppehåll=07-01..07-31"
            if sv
            else "program set match_rule=other_department quiet=07-01..07-31"
        )
    )
    assert ("mentorn från en annan förvaltning" if sv else "mentor from another department") in said
    assert ("uppehåll: 1–31 juli" if sv else "quiet periods: 1\u2009–\u200931 July") in said
    # the grammar's English values still work in Swedish, and a wrong one lists the reader's words
    assert "förvaltning" in texts(await anna.say("program set match_rule=other_department")) or not sv
    said = texts(await anna.say("träff lägg-till fest 2027-03-01" if sv else "event add party 2027-03-01"))
    assert (
        "Välj en av: `uppstart`, `mentorutbildning`" if sv else "Choose one of: `kickoff`, `mentor_training`"
    ) in said
    help_text = texts(await anna.say("hjälp" if sv else "help"))
    if sv:
        assert "matchningsregel=annan_org|annan_org_ej_chef|annan_förvaltning" in help_text
        assert not re.search(r"other_org|=yes|\bkickoff\b", help_text)

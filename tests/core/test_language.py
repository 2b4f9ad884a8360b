"""Language: plural forms through one helper, units with numbers, argument
names and help in the reader's language, Swedish words for the commands, a
coordinator's template override, and a simulated year whose Swedish messages
hold no English words from the grammar and no template keys."""

from __future__ import annotations

import re

import pytest

from adapters.console import render_text
from bot.config import BotSettings, Config
from bot.core import Core
from bot.i18n import render
from tests.core.harness import World, make_core, texts

SETUP = ("program create Mentorprogram 2027 start=2027-01-19 end=2028-01-19", "org add Täby kommun")


@pytest.fixture(params=["sv", "en"])
async def world(request, sqlite_db, clock):
    w = World(make_core(sqlite_db, clock, locale=request.param))
    for line in SETUP:
        await w["Anna"].say(line)
    w.locale = request.param
    return w


@pytest.mark.parametrize("count,sv,en", [(1, "1 par presenterade", "1 pair announced"),
                                         (3, "3 par presenterade", "3 pairs announced")])
def test_plural_forms_come_from_babels_rules(count, sv, en):
    context = dict(count=count, in_group=0, in_dms=0, channel=True, waitlist_told=0, unmatched_told=0, idle_told=0, unreachable=[])
    assert render("sv", "matching/announced", **context).startswith(sv)
    assert render("en", "matching/announced", **context).startswith(en)


async def test_swedish_words_run_the_commands(world):
    eva = world["Eva"]
    assert (await eva.say("mina uppgifter"))[0].kind == "commands/mydata"
    assert (await eva.say("glöm mig"))[0].kind == "commands/forget_confirm"
    assert (await eva.say("gå med roll=mentor"))[-1].kind == "dialogs/ask/consent_mentor"
    assert (await world["Anna"].say("matcha"))[-1].kind.startswith("matching/")


async def test_help_shows_the_readers_words_and_argument_names(world):
    help_text = texts(await world["Anna"].say("help"))
    if world.locale == "sv":
        for shown in ("`gå med [PROGRAM] [roll=adept|mentor]`", "`träffats [DATUM] [MINUTER]`", "`mina uppgifter`",
                      "`glöm mig`", "`matcha"):
            assert shown in help_text
        assert not re.search(r"\b(?:DATE|MINUTES|NAME)\b|role=", help_text)
    else:
        assert "`join [PROGRAM] [role=adept|mentor]`" in help_text and "`met [DATE] [MINUTES]`" in help_text
    assert "/mentor" not in help_text  # the slash command is Slack's, not the console's


async def test_errors_name_the_argument_in_the_readers_language(world):
    said = texts(await world["Anna"].say("language fr"))
    assert ("går inte som språk" if world.locale == "sv" else "is not a valid language") in said
    said = texts(await world["Anna"].say("nominate"))
    assert ("behöver `person`" if world.locale == "sv" else "needs `person`") in said


async def test_a_template_override_rewords_one_sentence(sqlite_db, clock, tmp_path):
    (tmp_path / "sv" / "commands").mkdir(parents=True)
    (tmp_path / "sv" / "commands" / "language_set.j2").write_text("Nu pratar vi svenska, du och jag.")
    config = Config(bot=BotSettings(locale="sv", templates_override=str(tmp_path)))
    chat = World(Core(sqlite_db, config, clock))["Eva"]
    assert (await chat.say("språk sv"))[0].text.startswith("Nu pratar vi")
    assert (await chat.say("hjälp"))[0].kind == "commands/help"  # everything else as installed


# --------------------------------------------------------- a simulated year

# Argument names and placeholders of the grammar that have Swedish words.
ENGLISH_GRAMMAR = re.compile(
    r"\b(?:DATE|MINUTES|NUMBER|NAME|REASON|TOPIC|PROGRAM=|TEXT\]|YYYY-MM-DD|HH:MM)\b|"
    r"\b(?:role|until|minutes|date|audience|title|place|kind|reason)=|"
    r"\b(?:messages|pairs|days|weeks|months|years)\b")
TEMPLATE_KEY = re.compile(r"\b(?:dialogs|commands|scheduler|matching|nudges|errors|events|labels|home|core)/[a-z_/]+")


@pytest.mark.slow
def test_a_simulated_swedish_year_reads_swedish(tmp_path):
    import asyncio

    from tools.simulate import simulate

    world, _stats = asyncio.run(simulate(20, 7, "sv", tmp_path / "year.db"))
    shown = [render_text(m) for _at, _who, m in world.port.log]
    shown += [render_text(r) for _at, _who, _typed, r in world.replies]
    assert len(shown) > 200
    english = sorted({m.group(0) for text in shown for m in ENGLISH_GRAMMAR.finditer(text)})
    keys = sorted({m.group(0) for text in shown for m in TEMPLATE_KEY.finditer(text)})
    assert english == [], f"English words in Swedish messages: {english}"
    assert keys == [], f"template keys in messages: {keys}"

"""`help`, help topics, group words, unknown commands, greetings and typed
yes/no, through the console harness in Swedish and English: each answer in
the reader's words and role, and never a dead end."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlmodel import select

from bot.commands import load_all
from bot.commands.arguments import parse_args
from bot.commands.registry import COMMANDS, lookup_command
from bot.commands.swedish import swedish_words
from bot.commands.words import tokenize
from bot.i18n import LOCALES, Translator
from bot.ratelimit import RateLimit
from bot.store.models import Enrollment
from tests.core.harness import COMMANDS_SETUP, World, commands_world, make_core, texts

load_all()


@pytest.fixture(params=["sv", "en"])
async def world(request, sqlite_db, clock):
    return await commands_world(sqlite_db, clock, request.param)


@pytest.mark.parametrize("line, paragraphs", [("frobnicate", 2), ("stauts", 3), ("consent withdrw", 4)])
async def test_an_unknown_command_is_answered_without_empty_paragraphs(world, line, paragraphs):
    (reply,) = await world["Eva"].say(line)
    assert reply.kind == "errors/unknown_command"
    shown = reply.text.split("\n\n")
    assert len(shown) == paragraphs and all(p.strip() and not p.startswith("\n") for p in shown), reply.text


@pytest.mark.parametrize(
    "line", ["hej", "Hej!", "hejsan, hur går jag med?", "Hello there", "god morgon", "Good morning"]
)
async def test_a_greeting_is_answered_kindly_with_a_pointer_to_help(world, line):
    (reply,) = await world["Eva"].say(line)
    assert reply.kind == "core/greeting"
    assert ("`hjälp`" if world.locale == "sv" else "`help`") in reply.text


YES_NO = {
    "sv": ("ja", "Nej.", "ja tack", "avbryt", "bekräfta"),
    "en": ("yes", "No.", "yes please", "cancel", "Yes, do it"),
}


async def test_a_typed_yes_or_no_with_no_question_open_points_to_the_card(world, sqlite_db):
    """`leave` asks; a no typed right after answers it (`bot.asked`,
    tests/core/test_typed_answers.py). After that no question is open, and
    every yes or no points to the card."""
    eva = world["Eva"]
    await eva.say("hej")
    await world["Anna"].say("invite console:local:eva")
    assert (await eva.say("leave"))[0].card is not None
    assert (await eva.say("nej" if world.locale == "sv" else "no"))[0].kind == "commands/leave_kept"
    for line in YES_NO[world.locale]:
        (reply,) = await eva.say(line)
        assert reply.kind == "core/no_open_question", (line, reply.text)
        assert {"sv": "Ingen fråga väntar", "en": "There is no question waiting"}[world.locale] in reply.text
        answer = {
            "sv": "Svara med knapparna på kortet (i konsolen: skriv siffran)",
            "en": "Answer with the buttons on the card",
        }
        assert answer[world.locale] in reply.text  # the card right above is answered with its buttons
        assert "=" not in reply.text  # a participant has no command to confirm by typing
    async with sqlite_db.read() as s:
        assert (await s.exec(select(Enrollment))).one().status != "left"
    # Words that only start with a no are still read as a command.
    assert (await eva.say("no idea how this works"))[0].kind == "errors/unknown_command"


async def test_a_coordinator_is_told_that_a_typed_command_is_confirmed_with_confirm_yes(world):
    """A yes typed right after the question answers it; typed after another
    command (here `help`), the question is closed to typing: the answer says how."""
    anna = world["Anna"]
    assert (await anna.say("event add inspiration 2029-05-12"))[0].card is not None
    await anna.say("help")
    (reply,) = await anna.say({"sv": "ja", "en": "yes"}[world.locale])
    assert reply.kind == "core/no_open_question"
    assert {"sv": "`bekräfta=ja`", "en": "`confirm=yes`"}[world.locale] in reply.text
    assert {"sv": "`träff lägg-till`", "en": "`event add`"}[world.locale] in reply.text


async def test_help_is_per_role(world):
    participant = texts(await world["Eva"].say("help"))
    coordinator = texts(await world["Anna"].say("hjälp"))
    assert "`status`" in participant and "program create" not in participant
    # The syntax in the reader's language, generated from the grammar.
    assert {
        "sv": "program skapa NAMN start=ÅÅÅÅ-MM-DD slut=ÅÅÅÅ-MM-DD",
        "en": "program create NAME start=YYYY-MM-DD end=YYYY-MM-DD",
    }[world.locale] in coordinator
    only_events = texts(await world["Anna"].say("help event"))
    assert {"sv": "träff lägg-till", "en": "event add"}[world.locale] in only_events
    assert "program create" not in only_events and "program skapa" not in only_events


async def test_help_lists_the_commands_in_the_order_of_the_words_shown(world):
    """Sorted by what the reader sees (Swedish: å, ä, ö after z), not by the
    English names behind them; and the English syntax says mentee, as the
    rest of the English text does."""
    text = texts(await world["Anna"].say("help"))
    if world.locale == "sv":
        assert text.index("`avsluta-par") < text.index("`bjud-in") < text.index("`träff lägg-till")
        assert text.index("`träffats") < text.index("`återuppta")
    else:
        assert "`match unexclude MENTEE MENTOR" in text and "ADEPT" not in text


async def test_the_example_in_help_works_for_every_reader(world):
    for name in ("Eva", "Anna"):  # a participant and a coordinator
        (line,) = [
            ln for ln in texts(await world[name].say("help")).splitlines() if "`help [" in ln or "`hjälp [" in ln
        ]
        example = line.rsplit("`", 2)[-2]  # the last `...` on the line: the example
        (reply,) = await world[name].say(example)
        assert reply.kind == "commands/help", (example, reply.text)
        assert {"sv": "`pausa [TILL] [program=PROGRAM]`", "en": "`pause [UNTIL] [program=PROGRAM]`"}[
            world.locale
        ] in reply.text


@pytest.mark.parametrize("line", ["help event", "hjälp träff", "event", "samordnare", "coordinator"])
async def test_a_topic_of_coordinator_commands_tells_a_participant_whose_they_are(world, line):
    (reply,) = await world["Eva"].say(line)
    assert reply.kind == "errors/topic_for_coordinators", reply.text
    assert {"sv": "till för programmets samordnare", "en": "for the program's coordinators"}[world.locale] in reply.text


@pytest.mark.parametrize("line", ["coordinator", "samordnare"])
async def test_a_groups_word_alone_lists_its_commands_in_the_readers_words(world, line):
    (reply,) = await world["Anna"].say(line)
    assert reply.kind == "commands/help"
    listed = {
        "sv": ("`samordnare lägg-till VEM", "`samordnare ta-bort VEM", "`samordnare lista"),
        "en": ("`coordinator add WHO", "`coordinator remove WHO", "`coordinator list"),
    }
    assert all(words in reply.text for words in listed[world.locale]), reply.text
    assert "coordinator" not in reply.text if world.locale == "sv" else "samordnare" not in reply.text
    assert "program create" not in reply.text and "program skapa" not in reply.text


async def test_the_help_of_pause_says_it_keeps_you_out_of_matching(world):
    text = texts(await world["Eva"].say("help pause"))
    assert {"sv": "håller dig utanför matchningen", "en": "keeps you out of matching"}[world.locale] in text


# The day `idag` names when the grammar alone reads a line.
TODAY = date(2027, 3, 2)
# What the parser answers when it cannot read a line: a help example must never get one.
NOT_READ = {
    "errors/unknown_command",
    "errors/unknown_option",
    "errors/too_many_arguments",
    "errors/missing_argument",
    "errors/several",
    "errors/bad_choice",
    "errors/bad_date",
    "errors/bad_time",
    "errors/bad_number",
    "errors/bad_range",
    "errors/out_of_range",
    "errors/unbalanced_quotes",
}
EXAMPLES = [
    (locale, command.name, snippet)
    for command in COMMANDS.values()
    for locale in LOCALES
    for snippet in re.findall(r"`([^`]+)`", Translator().render(locale, command.help_template))
]


@pytest.fixture(params=["sv", "en"])
async def fast_world(request, sqlite_db, clock):
    """The commands world, typed into faster than a person types."""
    world = World(make_core(sqlite_db, clock, locale=request.param, rate_limit=RateLimit.off()))
    for line in COMMANDS_SETUP:
        await world["Anna"].say(line)
    world.locale = request.param
    return world


async def test_every_example_in_a_commands_help_is_read_as_typed(fast_world):
    assert len(EXAMPLES) >= 10
    for locale, name, snippet in EXAMPLES:
        found = lookup_command(tokenize(snippet))
        assert found is not None, (locale, name, snippet)  # names a command, in either language
        command, rest = found
        if rest:  # an example, not only a command's name: read as the grammar reads it
            parse_args(command, rest, TODAY)
        if rest and locale == fast_world.locale:
            replies = await fast_world["Anna"].say(snippet)
            assert not {r.kind for r in replies} & NOT_READ, (snippet, texts(replies))


# A value of each kind that the grammar reads, for a line with only what a command needs.
SAMPLE = {"date": "2027-03-01", "time": "13:00", "int": "1", "range": "21-28", "person": "Anna", "people": "Anna"}
SAMPLE_BY_NAME = {"program": "mentorprogram-2027", "who": "console:local:eva", "identity": "console:local:eva"}


def _needed(command) -> str:
    """The command written with only what its syntax shows outside `[…]`."""
    parts = [command.name]
    for p in command.params:
        if not p.required:
            continue
        value = SAMPLE_BY_NAME.get(p.name) or (p.choices[0] if p.choices else SAMPLE.get(p.kind, "Hej"))
        parts.append(f"{p.name}={value}" if p.named else value)
    return " ".join(parts)


def _shown_outside_brackets(usage: str, words: str) -> int:
    depth, shown = 0, 0
    for part in usage[len(words) :].split():
        if depth == 0 and not part.startswith("["):
            shown += 1
        depth += part.count("[") - part.count("]")
    return shown


async def test_the_syntax_marks_exactly_the_optional_parts_and_the_rest_is_enough(fast_world):
    syntax = Translator().env.from_string("{{ command | usage }}")  # as `help` shows it
    for command in COMMANDS.values():
        line = syntax.render(locale=fast_world.locale, command=command)
        words = swedish_words(command) if fast_world.locale == "sv" else command.name
        assert _shown_outside_brackets(line, words) == len([p for p in command.params if p.required]), line
        needed = _needed(command)
        parse_args(command, tokenize(needed)[len(command.words) :], TODAY)  # what is in […] may be left out
        replies = await fast_world["Anna"].say(needed)
        assert not {r.kind for r in replies} & NOT_READ, (needed, texts(replies))


async def test_optional_positions_nest_as_they_are_read(world):
    text = texts(await world["Eva"].say({"sv": "hjälp träffats", "en": "help met"}[world.locale]))
    assert {"sv": "`träffats [DATUM [MINUTER]]`", "en": "`met [DATE [MINUTES]]`"}[world.locale] in text
    broadcast = texts(await world["Anna"].say({"sv": "hjälp utskick", "en": "help broadcast"}[world.locale]))
    shown = {
        "sv": "`utskick alla|mentorer|adepter|org=TEXT TEXT [program=PROGRAM]`",
        "en": "`broadcast all|mentors|mentees|org=TEXT TEXT [program=PROGRAM]`",
    }
    assert shown[world.locale] in broadcast

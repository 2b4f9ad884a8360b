"""The Swedish words for the commands: aliases people type by habit, each
command's Swedish words (as the Swedish help shows them; typing them, or the
English ones, runs the command) and the multi-word phrases read as one word.
`bot.commands.registry` reads them when it looks a command up."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.commands.registry import Command

# Words people type in Swedish (or by habit) for the same commands.
ALIASES = {
    "hjälp": "help",
    "hjalp": "help",
    "?": "help",
    "språk": "language",
    "sprak": "language",
    "pausa": "pause",
    "återuppta": "resume",
    "lämna": "leave",
    "gå-med": "join",
    "ga-med": "join",
    "rapport": "report",
    "exportera": "export",
    "kalender": "calendar",
    "deltagare": "participants",
}
# Words people type for a command, in either language, that only suggest it
# ("Did you mean `återuppta`?"): as ordinary words they do not run it, for
# they may be an answer to a question (`Fortsätt` is how the home card's
# button says `resume`, and `Nej, fortsätt` a dialogue's).
SUGGESTED = {
    "fortsätt": "resume",
    "fortsatt": "resume",
    "continue": "resume",
}
# Each command's Swedish words, as the Swedish help shows them; typing them
# (or the English ones) runs the command. One table: the parser reads it and
# the help is generated from it.
SWEDISH = {
    ("help",): "hjälp",
    ("status",): "status",
    ("home",): "hem",
    ("join",): "gå med",
    ("met",): "träffats",
    ("language",): "språk",
    ("pause",): "pausa",
    ("resume",): "återuppta",
    ("leave",): "lämna",
    ("mydata",): "mina uppgifter",
    ("forget",): "glöm mig",
    ("nominate",): "nominera",
    ("program", "create"): "program skapa",
    ("program", "show"): "program visa",
    ("program", "set"): "program ändra",
    ("org", "add"): "organisation lägg-till",
    ("org", "remove"): "organisation ta-bort",
    ("event", "add"): "träff lägg-till",
    ("event", "edit"): "träff ändra",
    ("event", "remove"): "träff ta-bort",
    ("event", "restore"): "träff återställ",
    ("channel",): "kanal",
    ("invite",): "bjud-in",
    ("participants",): "deltagare",
    ("approve-participant",): "godkänn-deltagare",
    ("coordinator", "add"): "samordnare lägg-till",
    ("coordinator", "remove"): "samordnare ta-bort",
    ("coordinator", "list"): "samordnare lista",
    ("match",): "matcha",
    ("match", "swap"): "matcha byt",
    ("match", "pin"): "matcha lås",
    ("match", "unpin"): "matcha lås-upp",
    ("match", "exclude"): "matcha uteslut",
    ("match", "waitlist"): "matcha väntelista",
    ("match", "approve"): "matcha godkänn",
    ("match", "announce"): "matcha presentera",
    ("unpair",): "avsluta-par",
    ("unpair", "undo"): "avsluta-par ångra",
    ("match", "unwaitlist"): "matcha från-väntelistan",
    ("match", "unexclude"): "matcha tillåt",
    ("event", "who"): "träff vilka",
    ("calendar",): "kalender",
    ("broadcast",): "utskick",
    ("goal",): "mål",
    ("goals",): "målen",
    ("goal", "remove"): "mål ta-bort",
    ("goal", "change"): "mål ändra",
    ("program", "use"): "program välj",
    ("program", "open"): "program öppna",
    ("program", "new-cohort"): "program ny-omgång",
    ("program", "close"): "program stäng",
    ("program", "archive"): "program arkivera",
    ("link",): "koppla",
    ("person", "link"): "person koppla",
    ("consent", "withdraw"): "samtycke återkalla",
    ("org", "set"): "organisation ändra",
    ("export",): "exportera",
    ("report",): "rapport",
    ("person",): "person",
    ("survey", "results"): "enkät resultat",
    ("survey",): "enkät",
}
# Multi-word Swedish phrases, read as one word ("gå med" = "gå-med").
PHRASES = {
    ("gå", "med"): "gå-med",
    ("mina", "uppgifter"): "mina-uppgifter",
    ("glöm", "mig"): "glöm-mig",
    ("bjud", "in"): "bjud-in",
    ("lägg", "till"): "lägg-till",
    ("ta", "bort"): "ta-bort",
    ("lås", "upp"): "lås-upp",
    ("avsluta", "par"): "avsluta-par",
}


@functools.cache
def swedish_index() -> dict[tuple[str, ...], tuple[str, ...]]:
    index: dict[tuple[str, ...], tuple[str, ...]] = {}
    for words, phrase in SWEDISH.items():
        said = tuple(
            phrase.replace("mina uppgifter", "mina-uppgifter")
            .replace("glöm mig", "glöm-mig")
            .replace("gå med", "gå-med")
            .split()
        )
        index[said] = words
        if len(words) == 2 and len(said) == 2:  # `matcha godkänn`, and also `match godkänn`
            index[(words[0], said[1])] = words
            index[(said[0], words[1])] = words
    return index


def swedish_words(cmd: Command) -> str:
    return SWEDISH.get(cmd.words, cmd.name)

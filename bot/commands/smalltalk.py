"""Lines that name no command but mean something: a greeting ("hej",
"Hello!", "god morgon") is answered with a greeting and a pointer to `help`,
and a yes or a no ("ja", "no", "Yes, switch to mentor": a button's label
typed) with no question open is told where the question is (on a card's
buttons), instead of "I don't know the command `yes`". A plain yes or no
(`typed_yes_no`) typed right after a Yes/No card answers it (`bot.asked`)."""

from __future__ import annotations

from bot.commands.registry import lookup_command

# What people open with, in Swedish and English.
GREETINGS = frozenset(
    {
        *("hej", "hejsan", "hejhej", "hallå", "halla", "tja", "tjena", "tjenare", "goddag", "godmorgon"),
        *("hi", "hello", "hey", "hiya", "howdy", "greetings"),
    }
)
_GREETING_PAIRS = frozenset(
    (first, second)
    for first, seconds in (
        ("god", ("morgon", "dag", "eftermiddag", "kväll")),
        ("good", ("morning", "afternoon", "evening", "day")),
    )
    for second in seconds
)
# A yes or a no, in Swedish and English (the buttons' own words among them).
YES_NO = frozenset(
    {
        *("yes", "y", "yeah", "yep", "yup", "sure", "ok", "okay", "confirm", "no", "n", "nope", "nah", "cancel"),
        *("ja", "japp", "jepp", "jo", "visst", "okej", "bekräfta", "nej", "nä", "nix", "avbryt"),
    }
)
# What may follow a yes or a no on the same line ("ja tack", "no thanks").
_POLITE = frozenset({"tack", "please", "thanks"})


def _word(token: str) -> str:
    return token.lower().strip("!.,:;?")


def is_greeting(tokens: list[str]) -> bool:
    """Whether a line opens with a greeting and names no command."""
    words = tuple(_word(t) for t in tokens[:2])
    if not words or not (words[0] in GREETINGS or words in _GREETING_PAIRS):
        return False
    return lookup_command(tokens) is None


def is_yes_no(tokens: list[str]) -> bool:
    """Whether a line is a yes or a no and names no command: the word alone
    (`ja`, `No.`), with a word of politeness (`ja tack`), or followed by a
    comma as the buttons have it (`Yes, switch to mentor`, `Nej, fortsätt
    som adept`). "No idea how this works" is not one."""
    if not tokens or _word(tokens[0]) not in YES_NO or lookup_command(tokens) is not None:
        return False
    return len(tokens) == 1 or tokens[0].endswith(",") or (len(tokens) == 2 and _word(tokens[1]) in _POLITE)


# The words that answer a Yes/No card when typed (`bot.asked`): a clear yes or
# no; an acknowledgement (`ok`, `okej`) is not taken as a yes.
_YES = frozenset({"yes", "y", "yeah", "yep", "yup", "sure", "confirm", "ja", "japp", "jepp", "jo", "visst", "bekräfta"})
_NO = YES_NO - _YES - {"ok", "okay", "okej"}


def typed_yes_no(text: str) -> bool | None:
    """True for a plain yes (`ja`, `Yes!`, `ja tack`), False for a plain no
    (`nej`, `No.`, `nej tack`), None for anything else (`ok`, `Yes, switch to
    mentor`, a sentence)."""
    words = [_word(t) for t in text.split()]
    if not 1 <= len(words) <= 2 or (len(words) == 2 and words[1] not in _POLITE):
        return None
    return True if words[0] in _YES else False if words[0] in _NO else None


def card_number(tokens: list[str]) -> str | None:
    """A line that is a number alone (`2`, `2.`): an option of a card typed
    where the console shows none (a console started again), or in a chat
    that has no numbers. None for anything else."""
    if len(tokens) != 1:
        return None
    word = _word(tokens[0])
    return word if word.isascii() and word.isdigit() else None

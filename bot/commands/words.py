"""The words of a typed line, as `shlex.split` reads them (quotes group
words; “curly” quotes count as straight ones), each knowing where it stands
in the line as typed. Free text (`Param(free=True)`: a broadcast, a goal, a
reason) is not read as words at all: from its first word to the end of the
line it is what the person typed, apostrophes, quotes and line breaks
included (`free_text`). An apostrophe inside a word (`O'Brien`, `don't`)
is part of the word, never a quote. A quote that never closes is refused with how quotes
are written (`refuse_unclosed`) wherever it is not in free text; a value
with spaces typed without them is answered with them (`quote_hint`)."""

from __future__ import annotations

import io
import re
import shlex
from collections.abc import Callable, Iterable

from bot.errors import UserError

QUOTES = "\"'“”"
# An apostrophe inside a word (`O'Brien`, `don't`): a letter or digit on
# each side. It is part of the word, never a quote; while the line is
# split it stands in as a character the lexer has no rule for.
_INNER_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
_KEPT_APOSTROPHE = "\ue000"


class Word(str):
    """A typed word (as `shlex.split` reads it) that knows the line it was
    typed in and where in it it begins; `unclosed` when a quote in it never
    closes (it is then the rest of the line as typed). Everywhere else it is
    the plain string it equals."""

    line: str = ""
    start: int = 0
    unclosed: bool = False
    free: bool = False  # the free text of a command, as typed (`free_text`)

    def __new__(cls, text: str, line: str = "", start: int = 0, *, unclosed: bool = False, free: bool = False) -> Word:
        word = super().__new__(cls, text)
        word.line, word.start, word.unclosed, word.free = line, start, unclosed, free
        return word


def tokenize(text: str) -> list[str]:
    """The words of a typed line, quotes as `shlex.split` reads them; each a
    `Word` that knows where it begins (the lexer reads one character at a
    time, and a word ends at the first whitespace after it). A quote that
    does not close makes the rest of the line one `unclosed` word: whether
    that is a mistake depends on where it stands (`refuse_unclosed`)."""
    straight = _INNER_APOSTROPHE.sub(_KEPT_APOSTROPHE, text.replace("“", '"').replace("”", '"'))
    stream = io.StringIO(straight)
    lexer = shlex.shlex(stream, posix=True)
    lexer.whitespace_split, lexer.commenters = True, ""
    words: list[str] = []
    end = 0  # just past the whitespace character that ended the last word
    try:
        while (token := lexer.get_token()) is not None:
            token = token.replace(_KEPT_APOSTROPHE, "'")
            words.append(Word(token, text, _word_start(straight, end, lexer.whitespace)))
            end = stream.tell()
    except ValueError:  # "No closing quotation"
        start = _word_start(straight, end, lexer.whitespace)
        words.append(Word(text[start:], text, start, unclosed=True))
    return words


def _word_start(text: str, at: int, whitespace: str) -> int:
    while at < len(text) and text[at] in whitespace:
        at += 1
    return at


def has_unclosed(tokens: Iterable[str]) -> bool:
    return any(getattr(word, "unclosed", False) for word in tokens)


def refuse_unclosed(tokens: Iterable[str], command: object = None) -> None:
    """A quote that never closes, outside free text: say how quotes are
    written, with how `command` (the one typed, when known) is written."""
    for word in tokens:
        if getattr(word, "unclosed", False):
            raise UserError("errors/unbalanced_quotes", text=getattr(word, "line", str(word)), usage=command)


# `key=value` at the end of a line, the value perhaps in quotes.
_NAMED_AT_END = re.compile(
    r"(?:^|\s+)([^\s=" + QUOTES + r"]+)=(\"[^\"]*\"|“[^”]*”|'[^']*'|(?:[^\s" + QUOTES + r"]|(?<=\w)'(?=\w))*)\s*$"
)


def free_text(
    tokens: list[str], before: Callable[[set[str]], int], named: Callable[[str], str | None]
) -> list[str] | None:
    """The words of a command whose last positional parameter is free text,
    with that text as one word (`Word.free`), as typed: from the word that
    follows the named words and the `before(given)` other words, to the end
    of the line; `given` is the set of named parameters typed. Named words
    typed after it (`confirm=yes`, which a Yes button adds; `program=`) are
    still named words; the text wholly in one pair of quotes
    (`goal "change how I lead"`) is the text inside them. None when the words
    are not those of a typed line (a command built by the bot)."""
    if not tokens or not all(isinstance(t, Word) and t.line for t in tokens):
        return None
    first = tokens[0]
    assert isinstance(first, Word)
    head, after = _named_at_end(first.line[first.start :], named)
    # The words before the named ones at the end, placed in the whole line.
    words = [Word(w, first.line, first.start + w.start, unclosed=w.unclosed) for w in _words(head)]
    given = {name for w in [*words, *after] if not getattr(w, "unclosed", False) and (name := named(w))}
    loose, wanted = 0, before(given)
    for i, word in enumerate(words):
        if word.unclosed or not named(word):
            if loose == wanted:
                text = _unquoted(head[word.start - first.start :].strip())
                return [*words[:i], Word(text, first.line, word.start, free=True), *after]
            loose += 1
    return [*words, *after]


def _words(text: str) -> list[Word]:
    return [w for w in tokenize(text) if isinstance(w, Word)]


def _named_at_end(text: str, named: Callable[[str], str | None]) -> tuple[str, list[str]]:
    """`text` without the named parameters typed at its end, and those."""
    after: list[str] = []
    while (m := _NAMED_AT_END.search(text)) and named(m.group(1) + "="):
        value = m.group(2)
        if value[:1] in QUOTES and len(value) > 1:
            value = value[1:-1]
        after.insert(0, f"{m.group(1)}={value}")
        text = text[: m.start()]
    return text, after


def _unquoted(text: str) -> str:
    """A text wholly in one pair of quotes without them; any other text as typed."""
    if text[:1] not in QUOTES or text[-1:] not in QUOTES:
        return text
    words = tokenize(text)
    return words[0] if len(words) == 1 and not has_unclosed(words) else text


def _named_word(token: str, named: Callable[[str], bool]) -> bool:
    return "=" in token and named(token) and not getattr(token, "free", False)


# A word shaped as a named value (`titel=Adeptträff`), a known name or not.
_OPTION = re.compile(r"[a-zåäö_]+=", re.IGNORECASE)


def looks_named(word: str) -> bool:
    """Whether the word is shaped as a named value (`name=...`): an option,
    known or not (`titel=` where the option is `rubrik=`), never a word of
    another value."""
    return bool(_OPTION.match(word)) and not getattr(word, "free", False)


def _ends_value(word: str, named: Callable[[str], bool]) -> bool:
    return _named_word(word, named) or looks_named(word)


def typed_in_quotes(word: str) -> bool:
    """A word whose value was typed in quotes (`place="Sal 2"`): where it ends is as meant."""
    line, start = getattr(word, "line", ""), getattr(word, "start", 0)
    return bool(line) and line[start : start + len(word)] != word


def quote_hint(
    command: str, tokens: list[str], named: Callable[[str], bool], reads: Callable[[list[str]], bool]
) -> UserError | None:
    """When a line does not read, and words follow a named value typed
    without quotes (`participants org=Solna stad`) with which in that value
    it `reads`: how it is written, `org="Solna stad"`, and the line with it.
    The fewest words that make the line read are taken (`place=Sal 2
    10:00`: the time is the time). It only answers; nothing is done with
    that reading. `named(word)`: whether the word is a named parameter.
    A value typed in quotes ends where its quote does, and a word shaped as
    a named value (`titel=X`, an option known or not) is never part of one."""
    for i, token in enumerate(tokens):
        if not _named_word(token, named) or typed_in_quotes(token):
            continue
        after = 0
        while i + after + 1 < len(tokens) and not _ends_value(tokens[i + after + 1], named):
            after += 1
        key, _, first = token.partition("=")
        for taken in range(1, after + 1):
            words = tokens[i + 1 : i + 1 + taken]
            if any(getattr(w, "free", False) for w in words):
                break
            value = " ".join([first, *words])
            if not reads([*tokens[:i], f"{key}={value}", *tokens[i + 1 + taken :]]):
                continue
            quote = "'" if '"' in value else '"'
            quoted = f"{key}={quote}{value}{quote}"
            return UserError(
                "errors/value_in_quotes",
                command=command,
                typed=" ".join([token, *words]),
                quoted=quoted,
                line=quoted_line(tokens, i, taken, quoted),
            )
    return None


def quoted_line(tokens: list[str], i: int, taken: int, quoted: str) -> str | None:
    """The typed line with tokens[i : i + taken + 1] written as `quoted`,
    or None when the words do not say where they stand in it."""
    first, last = tokens[i], tokens[i + taken]
    if not (isinstance(first, Word) and isinstance(last, Word) and first.line and first.line == last.line):
        return None
    line, end = first.line, last.start + len(last)
    if line[first.start : first.start + len(first)] != first or line[last.start : end] != last:
        return None  # a word typed in quotes, or joined from two
    return f"{line[: first.start]}{quoted}{line[end:]}".strip()

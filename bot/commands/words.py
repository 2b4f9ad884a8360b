"""The words of a typed line, as `shlex.split` reads them (quotes group
words; “curly” quotes count as straight ones), each knowing how many line
breaks stood before it, so a text that keeps its lines (a broadcast's body,
`Param(lines=True)`) can be put back together as typed."""

from __future__ import annotations

import io
import shlex

from bot.errors import UserError
from bot.inputs import paragraphs


class Word(str):
    """A typed word (as `shlex.split` reads it) that knows how many line
    breaks stood before it, so a `lines` text keeps its lines; everywhere
    else it is the plain string it equals."""

    breaks: int = 0

    def __new__(cls, text: str, breaks: int = 0) -> Word:
        word = super().__new__(cls, text)
        word.breaks = breaks
        return word


def tokenize(text: str) -> list[str]:
    """The words of a typed line, quotes as `shlex.split` reads them; each a
    `Word` with the line breaks before it (the lexer reads one character at
    a time, and a word ends at the first whitespace after it)."""
    straight = text.replace("“", '"').replace("”", '"')
    stream = io.StringIO(straight)
    lexer = shlex.shlex(stream, posix=True)
    lexer.whitespace_split, lexer.commenters = True, ""
    words: list[str] = []
    end = 0  # just past the whitespace character that ended the last word
    try:
        while (token := lexer.get_token()) is not None:
            read = stream.tell()
            between = straight[max(end - 1, 0) : read]
            gap = between[: len(between) - len(between.lstrip())]
            words.append(Word(token, gap.count("\n") if words else 0))
            end = read
    except ValueError:
        raise UserError("errors/unbalanced_quotes", text=text) from None
    return words


def typed_lines(words: list[str]) -> str:
    """The words of a `lines` text with the line breaks they were typed with."""
    text = "".join(("\n" * getattr(w, "breaks", 0) or " ") + w for w in words)
    return paragraphs(text)

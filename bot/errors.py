"""Errors a person caused and can fix: each names a template that says what
was wrong and what would be right. The core rolls back the turn and answers
with the rendered template; it never shows a stack trace."""

from __future__ import annotations


class UserError(Exception):
    def __init__(self, template: str, /, **context):
        super().__init__(template)
        self.template = template
        self.context = context


STALE_BUTTON = "errors/stale_action"


def stale_button() -> UserError:
    """The one answer to a button that no longer applies or is not the
    presser's: a row that is gone or ended, a closed dialogue, another
    program, someone else's card, a forged value. It names nothing about the
    card (whose it was, whether it exists), and the turn changes nothing."""
    return UserError(STALE_BUTTON)

"""Answers and words for transcript tests in both languages."""

from __future__ import annotations

from sqlmodel import select

from bot.store.models import Reminder

WORDS = {
    "sv": {"yes": "ja", "no": "nej", "back": "tillbaka", "skip": "hoppa över", "cancel": "avbryt", "help": "hjälp"},
    "en": {"yes": "yes", "no": "no", "back": "back", "skip": "skip", "cancel": "cancel", "help": "help"},
}

# (typed line, template of the question it should lead to)
ADEPT = [
    ("join", "dialogs/ask/consent_adept"),
    ("{yes}", "dialogs/ask/organisation"),
    ("2", "dialogs/ask/department"),  # Knivsta kommun (options sorted by name)
    ("Hemtjänst Norr", "dialogs/ask/role_title"),
    ("Enhetschef", "dialogs/ask/months_as_manager"),
    ("14", "dialogs/ask/topics"),
    ("1,3", "dialogs/ask/wishes"),
    ("Att leda genom en omorganisation", "dialogs/ask/wishes_with_mentor"),
    ("{yes}", "dialogs/ask/format"),
    ("3", "dialogs/ask/place"),
    ("Knivsta", "dialogs/ask/languages"),
    ("1", "dialogs/ask/summary"),
]

MENTOR = [
    ("join role=mentor", "dialogs/ask/consent_mentor"),
    ("{yes}", "dialogs/ask/organisation"),
    ("3", "dialogs/ask/department"),  # Täby kommun
    ("Socialtjänsten", "dialogs/ask/years_as_manager"),
    ("12", "dialogs/ask/nominator"),
    ("Karin Ek", "dialogs/ask/experience"),
    ("2,4", "dialogs/ask/capacity"),
    ("2", "dialogs/ask/joint_meetings"),
    ("1", "dialogs/ask/training"),
    ("1", "dialogs/ask/format"),
    ("1", "dialogs/ask/place"),
    ("Täby centrum", "dialogs/ask/languages"),
    ("sv, en", "dialogs/ask/summary"),
]


def line(text: str, locale: str) -> str:
    return text.format(**WORDS[locale])


def kinds(replies) -> list[str]:
    return [r.kind for r in replies]


def asked(replies) -> str:
    """The template of the last question in a reply."""
    return replies[-1].kind


async def run(chat, script, locale: str, upto: int | None = None) -> list:
    """Type the script's lines, checking that each leads to the next question."""
    replies = []
    for typed, expected in script[:upto]:
        replies = await chat.say(line(typed, locale))
        assert asked(replies) == expected, (typed, [r.text for r in replies])
    return replies


async def reminders(db) -> list[Reminder]:
    async with db.read() as s:
        return list((await s.exec(select(Reminder).where(Reminder.kind == "intake"))).all())


async def type_raw(chat, text: str, event_id: str | None = None) -> list:
    """A typed line exactly as Slack or Teams would deliver it (the console
    harness would read a bare number as pressing a button)."""
    from bot.messages import Inbound, Kind

    return await chat._send(Inbound(chat.actor, chat.address, Kind.TEXT, text=text, event_id=event_id))

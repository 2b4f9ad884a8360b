"""Scripted participants: people who onboard through the real dialogues, for
`make demo` and `mentorbot simulate`.

`onboard(send, answers)` types `join` and then answers whatever the bot asks,
looking the answer up by the question (`dialogs/ask/<step>`), until the
dialogue ends. Answers are what a person would type: labels, names, `ja`.
`DEMO_PEOPLE` are the adepts and mentors of the demo, from the
municipalities of the Upplands Väsby network.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from bot.messages import Outbound

ASK = "dialogs/ask/"
# What anyone says when the script has no answer for a question.
DEFAULTS = {
    "consent": "ja",
    "summary": "bekräfta",
    "role_title": "hoppa över",
    "wishes": "hoppa över",
    "place": "hoppa över",
    "capacity": "hoppa över",
    "languages": "svenska",
    "format": "blandat",
    "joint_meetings": "ja",
    "training": "ja",
    "wishes_with_mentor": "ja",
}
MAX_QUESTIONS = 40

DEMO_PEOPLE: dict[str, dict[str, str]] = {
    "Niklas": {
        "organisation": "Enköpings kommun",
        "department": "Avfall och återvinning",
        "role_title": "Avfallschef",
        "months_as_manager": "14",
        "topics": "Att leda förändring, Arbetsmiljö",
        "wishes": "Jag vill bli tryggare i att leda en förändring som inte alla medarbetare vill ha.",
        "format": "På plats",
        "place": "Enköping",
    },
    "Lina": {
        "organisation": "Täby kommun",
        "department": "Hemtjänst Norr",
        "role_title": "Enhetschef",
        "months_as_manager": "1,5 år",
        "topics": "Personalfrågor och arbetsrätt, konflikthantering, prioritering och tidsplanering",
        "wishes": "Hur prioriterar jag när allt känns akut?",
        "format": "Blandat",
        "place": "Täby",
    },
    "Omar": {
        "organisation": "Knivsta kommun",
        "department": "Grundskola, Alsike",
        "role_title": "Rektor",
        "months_as_manager": "10",
        "topics": "Kommunikation och min roll som chef",
        "format": "Digitalt",
        "languages": "svenska, engelska",
    },
    "Sara": {
        "organisation": "Upplands Väsby kommun",
        "department": "HR och lön",
        "years_as_manager": "12",
        "experience": "Personalfrågor och arbetsrätt, Rekrytering och kompetensförsörjning, Konflikthantering",
        "capacity": "2",
        "format": "Blandat",
        "place": "Upplands Väsby",
    },
    "Mats": {
        "organisation": "Håbo kommun",
        "department": "Samhällsbyggnad",
        "years_as_manager": "9",
        "experience": "Att leda förändring; Strategi och verksamhetsutveckling; Budget och ekonomistyrning",
        "format": "På plats",
        "place": "Bålsta",
    },
}


def step_asked(replies: list[Outbound]) -> str | None:
    """The dialogue step the last reply asks about, if it asks one."""
    kind = replies[-1].kind if replies else ""
    if not kind.startswith(ASK):
        return None
    step = kind[len(ASK) :]
    return "consent" if step.startswith("consent_") else step


async def onboard(
    send: Callable[[str], Awaitable[list[Outbound]]], answers: Mapping[str, str], first: str = "join"
) -> list[Outbound]:
    """Join and answer every question; returns the bot's last replies."""
    replies = await send(first)
    for _ in range(MAX_QUESTIONS):
        step = step_asked(replies)
        if step is None:
            return replies
        replies = await send(answers.get(step) or DEFAULTS.get(step, "hoppa över"))
    raise RuntimeError(f"the scripted person is stuck at {step_asked(replies)!r}")

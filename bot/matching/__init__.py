"""Matching: explained, optimal adept-mentor pairings under hard rules.

    from bot.matching import AdeptIn, MentorIn, Rules, solve_async
    result = await solve_async(adepts, mentors, Rules(rule="other_org"))

`solve` maximises first how many adepts get a mentor, then the total score;
`greedy_assign` is the simple baseline the benchmark compares it with.
The solver (numpy and scipy, some 50 MB) is imported the first time one of
its names is used, not when the bot starts.
"""

import importlib

from bot.matching.model import (
    AdeptIn,
    Format,
    InvalidPin,
    MatchRule,
    MentorIn,
    Pair,
    Reason,
    ReasonCode,
    Result,
    Rules,
    Unmatched,
    UnmatchedCode,
    Violation,
    Weights,
)
from bot.matching.scoring import score_pair, violation
from bot.matching.topics import DEFAULT_TOPICS, program_topics

__all__ = [
    "DEFAULT_TOPICS",
    "AdeptIn",
    "Format",
    "InvalidPin",
    "MatchRule",
    "MentorIn",
    "Pair",
    "Reason",
    "ReasonCode",
    "Result",
    "Rules",
    "Unmatched",
    "UnmatchedCode",
    "Violation",
    "Weights",
    "greedy_assign",
    "program_topics",
    "score_pair",
    "solve",
    "solve_async",
    "violation",
]


_LAZY = {"greedy_assign": "bot.matching.assign", "solve": "bot.matching.assign", "solve_async": "bot.matching.assign"}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'bot.matching' has no attribute {name!r}")

"""Hard rules and the soft score of one adept-mentor pair.

Two views of the same rules: `violation` and `score_pair` explain one pair
(used for the reasons on a draft card), and `Encoded.block`
(bot/matching/encoded.py) computes whole rows of the score and feasibility
matrices with numpy (used by the solver, which is imported only when a
match is run). A property test keeps the two views equal.

Hard rules (a pair breaking one is never proposed):
- the program's organisation rule: a mentor from another organisation
  (`other_org`); also never the adept's own line manager
  (`other_org_not_manager`); or only another department (`other_department`,
  which also never allows the line manager). When a department is unknown under
  `other_department`, a mentor in the same organisation is refused: the rule
  cannot be shown to hold.
- a common language, when both gave theirs: two people who cannot talk to
  each other are no pair, however much else they share.
- a coordinator's exclusion, and a pair that existed in an earlier program.
Capacity is a hard rule too; the assignment enforces it.

Soft score, each part a `Reason`: shared topics (points per topic), a common
meeting format, the same place when both can meet in person, a shared language.
Above the score stands a way to meet (`can_meet`): the assignment proposes a
pair that has none (one only in person, the other only digitally) only when
no other assignment gives as many adepts a mentor (bot/matching/assign.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.matching.model import (
    AdeptIn,
    Format,
    MatchRule,
    MentorIn,
    Reason,
    ReasonCode,
    Rules,
    Violation,
    Weights,
)

_IN_PERSON_CAPABLE = frozenset({Format.IN_PERSON.value, Format.MIXED.value})
_FORMAT_BITS = {Format.IN_PERSON.value: 1, Format.DIGITAL.value: 2, Format.MIXED.value: 4}


def accepted_formats(formats: frozenset[str]) -> frozenset[str]:
    """The formats someone accepts: who accepts both in person and digital
    meetings also accepts a mix of them."""
    if {Format.IN_PERSON.value, Format.DIGITAL.value} <= formats:
        return formats | {Format.MIXED.value}
    return formats


def can_meet_in_person(formats: frozenset[str]) -> bool:
    """No stated preference counts as open to meeting in person."""
    return not formats or bool(formats & _IN_PERSON_CAPABLE)


def normalise_place(place: str | None) -> str | None:
    if place is None:
        return None
    cleaned = " ".join(place.split()).casefold()
    return cleaned or None


def shares_language(adept: AdeptIn, mentor: MentorIn) -> bool:
    """They have a language in common, or one of them gave none (not known)."""
    return not adept.languages or not mentor.languages or bool(adept.languages & mentor.languages)


def can_meet(adept: AdeptIn, mentor: MentorIn) -> bool:
    """They have a way of meeting in common, or one of them stated no
    preference: not one only in person and the other only digitally."""
    a_formats, m_formats = accepted_formats(adept.formats), accepted_formats(mentor.formats)
    return not a_formats or not m_formats or bool(a_formats & m_formats)


def violation(adept: AdeptIn, mentor: MentorIn, rules: Rules) -> Violation | None:
    """The first hard rule the pair breaks, or None when it is allowed."""
    same_org = adept.org == mentor.org
    if rules.rule is MatchRule.OTHER_DEPARTMENT:
        unknown = adept.department is None or mentor.department is None
        if same_org and (unknown or adept.department == mentor.department):
            return Violation.SAME_DEPARTMENT
    elif same_org:
        return Violation.SAME_ORGANISATION
    if rules.rule is not MatchRule.OTHER_ORG and adept.manager_id is not None and adept.manager_id == mentor.person_id:
        return Violation.OWN_MANAGER
    if not shares_language(adept, mentor):
        return Violation.NO_SHARED_LANGUAGE
    if (adept.id, mentor.id) in rules.exclusions:
        return Violation.EXCLUDED
    if (adept.id, mentor.id) in rules.previous_pairs:
        return Violation.PREVIOUS_PAIR
    return None


def score_pair(adept: AdeptIn, mentor: MentorIn, weights: Weights) -> tuple[float, tuple[Reason, ...]]:
    """The soft score and its reasons, biggest contribution first."""
    reasons: list[Reason] = []
    topics = adept.topics & mentor.topics
    if topics and weights.topic > 0:
        reasons.append(Reason(ReasonCode.SHARED_TOPICS, tuple(sorted(topics)), weights.topic * len(topics)))
    formats = accepted_formats(adept.formats) & accepted_formats(mentor.formats)
    if formats and weights.format > 0:
        reasons.append(Reason(ReasonCode.SHARED_FORMAT, tuple(sorted(formats)), weights.format))
    place = normalise_place(adept.place)
    if (
        place is not None
        and place == normalise_place(mentor.place)
        and can_meet_in_person(adept.formats)
        and can_meet_in_person(mentor.formats)
        and weights.place > 0
    ):
        reasons.append(Reason(ReasonCode.SAME_PLACE, mentor.place, weights.place))
    languages = adept.languages & mentor.languages
    if languages and weights.language > 0:
        reasons.append(Reason(ReasonCode.SHARED_LANGUAGES, tuple(sorted(languages)), weights.language))
    total = 0.0
    for reason in reasons:  # the same order of additions as `Encoded._scores`
        total += reason.points
    reasons.sort(key=lambda reason: -reason.points)  # stable: ties keep the order above
    return total, tuple(reasons)


def max_score(adepts: Sequence[AdeptIn], mentors: Sequence[MentorIn], weights: Weights) -> float:
    """An upper bound of any pair's score in this run."""
    most_topics = min(
        max((len(a.topics) for a in adepts), default=0),
        max((len(m.topics) for m in mentors), default=0),
    )
    return weights.topic * most_topics + weights.format + weights.place + weights.language

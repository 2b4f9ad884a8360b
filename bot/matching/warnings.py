"""What a pair gives up: the mismatches a score hides.

The soft score adds points for what a pair shares; a pair can still score
well and be unworkable. These are named on each pair of the draft, so the
coordinator decides with open eyes:

- `no_shared_language`: both gave languages and have none in common. A hard
  rule (bot/matching/scoring.py), so the solver never proposes it; named
  still on a pair made before the rule, or with answers changed since.
- `in_person_vs_digital`: they have no way of meeting in common: one only
  meets in person, the other only digitally. Who answered "mixed" meets both
  ways, so with a digital-only partner they meet digitally: no warning. The
  solver proposes such a pair only when no other assignment matches as many.
- `different_places` (a note, not a warning): the pair can only meet in
  person (no digital way in common) and gave different places. The bot knows
  nothing about where places are, so it claims no distance: neighbouring
  municipalities are the rule in a cross-municipality program; the
  coordinator is asked to check.
- `no_shared_topics` (a trade-off, not a warning): the adept asked for areas
  the mentor does not offer.

Codes plus data, never sentences: `templates/*/matching/warning/<code>.j2`.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.matching.model import AdeptIn, Format, MentorIn
from bot.matching.scoring import accepted_formats, can_meet, normalise_place, shares_language

NO_SHARED_LANGUAGE = "no_shared_language"
IN_PERSON_VS_DIGITAL = "in_person_vs_digital"
DIFFERENT_PLACES = "different_places"
NO_SHARED_TOPICS = "no_shared_topics"
HARD = (NO_SHARED_LANGUAGE, IN_PERSON_VS_DIGITAL)
_IN_PERSON = frozenset({Format.IN_PERSON.value, Format.MIXED.value})


@dataclass(frozen=True)
class Warning:
    code: str
    value: dict

    @property
    def hard(self) -> bool:
        return self.code in HARD


def warnings(adept: AdeptIn, mentor: MentorIn) -> list[Warning]:
    found: list[Warning] = []
    if not shares_language(adept, mentor):
        found.append(
            Warning(NO_SHARED_LANGUAGE, {"adept": sorted(adept.languages), "mentor": sorted(mentor.languages)})
        )
    a_formats, m_formats = accepted_formats(adept.formats), accepted_formats(mentor.formats)
    shared = a_formats & m_formats
    if not can_meet(adept, mentor):
        wants = "adept" if Format.DIGITAL.value not in a_formats else "mentor"
        place = adept.place if wants == "adept" else mentor.place
        found.append(Warning(IN_PERSON_VS_DIGITAL, {"wants": wants, "place": place}))
    elif shared & _IN_PERSON and Format.DIGITAL.value not in shared:  # they will meet in person
        a_place, m_place = normalise_place(adept.place), normalise_place(mentor.place)
        if a_place and m_place and a_place != m_place:
            found.append(Warning(DIFFERENT_PLACES, {"adept": adept.place, "mentor": mentor.place}))
    if adept.topics and not adept.topics & mentor.topics:
        found.append(Warning(NO_SHARED_TOPICS, {"wanted": sorted(adept.topics)}))
    return found

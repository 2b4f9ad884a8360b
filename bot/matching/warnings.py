"""What a pair gives up: the mismatches a score hides.

The soft score adds points for what a pair shares; a pair can still score
well and be unworkable. These are named on each pair of the draft, so the
coordinator decides with open eyes:

- `no_shared_language`: both gave languages and have none in common.
- `in_person_vs_digital`: one wants to meet in person (only or partly), the
  other only digitally.
- `far_apart`: both can meet in person but gave different places.
- `no_shared_topics` (a trade-off, not a warning): the adept asked for areas
  the mentor does not offer.

Codes plus data, never sentences: `templates/*/matching/warning/<code>.j2`.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.matching.model import AdeptIn, Format, MentorIn
from bot.matching.scoring import can_meet_in_person, normalise_place

NO_SHARED_LANGUAGE = "no_shared_language"
IN_PERSON_VS_DIGITAL = "in_person_vs_digital"
FAR_APART = "far_apart"
NO_SHARED_TOPICS = "no_shared_topics"
HARD = (NO_SHARED_LANGUAGE, IN_PERSON_VS_DIGITAL, FAR_APART)


@dataclass(frozen=True)
class Warning:
    code: str
    value: dict

    @property
    def hard(self) -> bool:
        return self.code in HARD


def _digital_only(formats: frozenset[str]) -> bool:
    return formats == {Format.DIGITAL.value}


def warnings(adept: AdeptIn, mentor: MentorIn) -> list[Warning]:
    found: list[Warning] = []
    if adept.languages and mentor.languages and not adept.languages & mentor.languages:
        found.append(
            Warning(NO_SHARED_LANGUAGE, {"adept": sorted(adept.languages), "mentor": sorted(mentor.languages)})
        )
    adept_digital, mentor_digital = _digital_only(adept.formats), _digital_only(mentor.formats)
    if adept_digital != mentor_digital and (adept.formats and mentor.formats):
        wants = "adept" if mentor_digital else "mentor"
        place = adept.place if wants == "adept" else mentor.place
        found.append(Warning(IN_PERSON_VS_DIGITAL, {"wants": wants, "place": place}))
    elif can_meet_in_person(adept.formats) and can_meet_in_person(mentor.formats):
        a_place, m_place = normalise_place(adept.place), normalise_place(mentor.place)
        if a_place and m_place and a_place != m_place:
            found.append(Warning(FAR_APART, {"adept": adept.place, "mentor": mentor.place}))
    if adept.topics and not adept.topics & mentor.topics:
        found.append(Warning(NO_SHARED_TOPICS, {"wanted": sorted(adept.topics)}))
    return found

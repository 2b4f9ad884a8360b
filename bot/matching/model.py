"""The matching engine's own vocabulary: what goes in and what comes out.

These frozen dataclasses know nothing about the database or a chat platform.
The caller (the coordinator's `match` command) builds them from enrollments
and turns the result back into draft pairings. Ids are whatever the caller
uses for an adept or a mentor (enrollment ids in the bot); they only need to
be sortable, so that the same input always gives the same output.

Reasons are codes plus data, never sentences: a template under
`templates/<locale>/matching/` turns a reason into words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeAlias

# Enrollment (and person) ids. The solver only hashes and sorts them, so any
# sortable hashable value would run, but the bot and its tests use ints.
Id: TypeAlias = int


class Format(StrEnum):
    """How a pair can meet."""

    IN_PERSON = "in_person"
    DIGITAL = "digital"
    MIXED = "mixed"


class MatchRule(StrEnum):
    """The program's organisation rule (`Program.match_rule`)."""

    OTHER_ORG = "other_org"  # the seeds' rule: mentor from another organisation
    OTHER_ORG_NOT_MANAGER = "other_org_not_manager"  # ... and never the adept's line manager
    OTHER_DEPARTMENT = "other_department"  # relaxed: another department is enough


class ReasonCode(StrEnum):
    """Why a pair scored what it did (one per score contribution)."""

    SHARED_TOPICS = "shared_topics"  # value: sorted topic codes both share
    SHARED_FORMAT = "shared_format"  # value: sorted formats both accept
    SAME_PLACE = "same_place"  # value: the place
    SHARED_LANGUAGES = "shared_languages"  # value: sorted language codes
    PINNED = "pinned"  # value: None; the coordinator fixed this pair


class Violation(StrEnum):
    """Why a pair is not allowed at all (a hard rule)."""

    SAME_ORGANISATION = "same_organisation"
    SAME_DEPARTMENT = "same_department"
    OWN_MANAGER = "own_manager"
    NO_SHARED_LANGUAGE = "no_shared_language"  # both gave languages, none in common: they cannot talk
    EXCLUDED = "excluded"  # a coordinator said "never these two"
    PREVIOUS_PAIR = "previous_pair"  # they were a pair before: ended in this program, or in an earlier one


class UnmatchedCode(StrEnum):
    """Why an adept got no mentor in this run."""

    NO_MENTORS = "no_mentors"  # the run has no mentor at all
    NO_MENTOR_MEETS_RULE = "no_mentor_meets_rule"  # detail: the rule
    # Every mentor who meets the rule speaks none of the adept's languages; detail: those, sorted.
    NO_SHARED_LANGUAGE = "no_shared_language"
    # Every mentor who meets the rule is excluded, an earlier mentor, or (some of them)
    # speaks none of the adept's languages; detail: (excluded, previous, no language) counts.
    EXCLUDED_EVERYWHERE = "excluded_everywhere"
    # Mentors who would be allowed have no place now (capacity 0: full, paused,
    # not yet approved; or filled by pins); detail: their ids, sorted.
    MENTORS_UNAVAILABLE = "mentors_unavailable"
    TAKEN_BY_PINS = "taken_by_pins"  # detail: how many allowed mentors pins filled
    CAPACITY_TAKEN = "capacity_taken"  # detail: how many allowed mentors were full


@dataclass(frozen=True, slots=True)
class Weights:
    """Points per score contribution; a program may change them."""

    topic: float = 3.0  # per shared topic
    format: float = 1.0  # they accept a common meeting format
    place: float = 1.0  # same place, and they could meet in person
    language: float = 1.0  # they share a language

    def __post_init__(self) -> None:
        for name in ("topic", "format", "place", "language"):
            value = getattr(self, name)
            if not value >= 0:  # also refuses NaN
                raise ValueError(f"weight {name!r} must be a number >= 0, got {value!r}")


@dataclass(frozen=True, slots=True)
class AdeptIn:
    id: Id
    org: str
    department: str | None = None
    manager_id: Id | None = None  # the person id of the adept's line manager
    topics: frozenset[str] = frozenset()  # what the adept wants to work on
    formats: frozenset[str] = frozenset()  # empty = no preference given
    place: str | None = None
    languages: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class MentorIn:
    id: Id
    org: str
    department: str | None = None
    person_id: Id | None = None  # compared with AdeptIn.manager_id
    capacity: int = 1  # how many adepts this mentor takes; 0 = none now
    topics: frozenset[str] = frozenset()  # what the mentor has experience of
    formats: frozenset[str] = frozenset()
    place: str | None = None
    languages: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.capacity < 0:
            raise ValueError(f"mentor {self.id!r}: capacity must be >= 0, got {self.capacity}")


@dataclass(frozen=True, slots=True)
class Rules:
    """The hard rules and the weights of one matching run.

    `previous_pairs` holds (adept id, mentor id) of people who were a pair
    before: a pair that ended in this program, or people who were a pair in an
    earlier program, already translated by the caller to this run's ids.
    """

    rule: MatchRule = MatchRule.OTHER_ORG
    exclusions: frozenset[tuple[Id, Id]] = frozenset()
    previous_pairs: frozenset[tuple[Id, Id]] = frozenset()
    pins: frozenset[tuple[Id, Id]] = frozenset()
    weights: Weights = field(default_factory=Weights)

    def __post_init__(self) -> None:
        object.__setattr__(self, "rule", MatchRule(self.rule))


@dataclass(frozen=True, slots=True)
class Reason:
    code: ReasonCode
    value: object = None
    points: float = 0.0  # what this reason added to the score


@dataclass(frozen=True, slots=True)
class Pair:
    adept_id: Id
    mentor_id: Id
    score: float
    reasons: tuple[Reason, ...] = ()  # biggest contribution first
    pinned: bool = False


@dataclass(frozen=True, slots=True)
class Unmatched:
    adept_id: Id
    reason_code: UnmatchedCode | None  # None: not known (a draft adjusted by hand)
    detail: object = None


@dataclass(frozen=True, slots=True)
class Result:
    pairs: tuple[Pair, ...]  # sorted by adept id
    unmatched: tuple[Unmatched, ...]  # sorted by adept id

    @property
    def total_score(self) -> float:
        return sum(pair.score for pair in self.pairs)

    def mentor_of(self, adept_id: Id) -> Id | None:
        for pair in self.pairs:
            if pair.adept_id == adept_id:
                return pair.mentor_id
        return None


class InvalidPin(ValueError):
    """A pin the solver cannot honour; `code` says why (for a template)."""

    def __init__(self, adept_id: Id, mentor_id: Id, code: str) -> None:
        super().__init__(f"cannot pin adept {adept_id!r} to mentor {mentor_id!r}: {code}")
        self.adept_id = adept_id
        self.mentor_id = mentor_id
        self.code = code

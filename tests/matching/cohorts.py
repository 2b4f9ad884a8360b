"""Small random cohorts for property tests, and a brute force to check against."""

from __future__ import annotations

import itertools

from hypothesis import strategies as st

from bot.matching import AdeptIn, MatchRule, MentorIn, Rules, Weights, score_pair, violation
from bot.matching.scoring import can_meet

TOPICS = ("conflict", "budget", "staffing", "change")
FORMATS = ("in_person", "digital", "mixed")


def _subset(items):
    return st.frozensets(st.sampled_from(items), max_size=len(items))


@st.composite
def cohorts(draw, max_adepts: int = 5, max_mentors: int = 4, with_pins: bool = True, sparse: bool = False):
    """(adepts, mentors, rules): a few organisations, departments, line managers,
    capacities 0-2, exclusions, earlier pairs and valid pins. `sparse` excludes
    about half of all pairs, so adepts compete for few allowed mentors."""
    n_adepts = draw(st.integers(0, max_adepts))
    n_mentors = draw(st.integers(0, max_mentors))
    orgs = st.sampled_from(("Lund", "Malmö", "Ystad"))
    departments = st.sampled_from((None, "social", "school"))
    places = st.sampled_from((None, "Lund", "lund ", "Malmö"))
    languages = _subset(("sv", "en", "ar"))
    # Mentor person ids are 100+j; an adept's line manager may be one of them.
    mentors = [
        MentorIn(
            id=10 + j,
            org=draw(orgs),
            department=draw(departments),
            person_id=100 + j,
            capacity=draw(st.integers(0, 2)),
            topics=draw(_subset(TOPICS)),
            formats=draw(_subset(FORMATS)),
            place=draw(places),
            languages=draw(languages),
        )
        for j in range(n_mentors)
    ]
    adepts = [
        AdeptIn(
            id=i,
            org=draw(orgs),
            department=draw(departments),
            manager_id=draw(st.sampled_from([None] + [100 + j for j in range(n_mentors)])),
            topics=draw(_subset(TOPICS)),
            formats=draw(_subset(FORMATS)),
            place=draw(places),
            languages=draw(languages),
        )
        for i in range(n_adepts)
    ]
    every_pair = [(a.id, m.id) for a in adepts for m in mentors]
    pair_sets = st.frozensets(st.sampled_from(every_pair), max_size=3) if every_pair else st.just(frozenset())
    weights = Weights(
        topic=draw(st.sampled_from((0.0, 1.0, 3.0, 2.5))),
        format=draw(st.sampled_from((0.0, 1.0, 0.25))),
        place=draw(st.sampled_from((0.0, 1.0, 2.0))),
        language=draw(st.sampled_from((0.0, 1.0, 0.5))),
    )
    exclusions = draw(pair_sets)
    if sparse and every_pair:
        keep = draw(st.lists(st.booleans(), min_size=len(every_pair), max_size=len(every_pair)))
        exclusions |= {pair for pair, kept in zip(every_pair, keep) if not kept}
    rules = Rules(
        rule=draw(st.sampled_from(list(MatchRule))),
        exclusions=exclusions,
        previous_pairs=draw(pair_sets),
        weights=weights,
    )
    if with_pins:
        rules = Rules(
            rules.rule, rules.exclusions, rules.previous_pairs, draw(valid_pins(adepts, mentors, rules)), weights
        )
    return adepts, mentors, rules


@st.composite
def valid_pins(draw, adepts, mentors, rules):
    """Pins a coordinator could make: allowed pairs, each adept once, within capacity."""
    left = {m.id: m.capacity for m in mentors}
    pins = set()
    for adept in adepts:
        options = [m for m in mentors if left[m.id] > 0 and violation(adept, m, rules) is None]
        if options and draw(st.integers(0, 3)) == 0:
            mentor = draw(st.sampled_from(options))
            left[mentor.id] -= 1
            pins.add((adept.id, mentor.id))
    return frozenset(pins)


def brute_force_best(adepts, mentors, rules) -> tuple[int, int, float]:
    """(most adepts matched, most pairs that can meet among those, best total
    score among those) by trying every assignment."""
    pins = dict(rules.pins)
    choices = []
    for adept in adepts:
        if adept.id in pins:
            choices.append([next(m for m in mentors if m.id == pins[adept.id])])
        else:
            allowed = [m for m in mentors if m.capacity > 0 and violation(adept, m, rules) is None]
            choices.append([None, *allowed])
    best = (0, 0, 0.0)
    for assignment in itertools.product(*choices):
        used: dict[object, int] = {}
        for mentor in assignment:
            if mentor is not None:
                used[mentor.id] = used.get(mentor.id, 0) + 1
        if any(used[m.id] > m.capacity for m in mentors if m.id in used):
            continue
        matched = sum(mentor is not None for mentor in assignment)
        meeting = sum(can_meet(a, m) for a, m in zip(adepts, assignment) if m is not None)
        score = sum(
            score_pair(adept, mentor, rules.weights)[0]
            for adept, mentor in zip(adepts, assignment)
            if mentor is not None
        )
        if (matched, meeting, score) > best:
            best = (matched, meeting, score)
    return best

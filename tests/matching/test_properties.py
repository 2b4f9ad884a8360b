"""Properties of every assignment, on random small cohorts."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.matching import UnmatchedCode, greedy_assign, score_pair, solve, violation
from bot.matching.encoded import Encoded
from bot.matching.scoring import can_meet, shares_language

from .cohorts import brute_force_best, cohorts

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SOLVERS = pytest.mark.parametrize("assign", [solve, greedy_assign], ids=["optimal", "greedy"])


@SOLVERS
@SETTINGS
@given(cohort=cohorts())
def test_no_pair_breaks_a_hard_rule_or_a_capacity(assign, cohort):
    adepts, mentors, rules = cohort
    result = assign(adepts, mentors, rules)
    by_id = {a.id: a for a in adepts}
    mentor_by_id = {m.id: m for m in mentors}
    for pair in result.pairs:
        assert violation(by_id[pair.adept_id], mentor_by_id[pair.mentor_id], rules) is None
    load: dict[object, int] = {}
    for pair in result.pairs:
        load[pair.mentor_id] = load.get(pair.mentor_id, 0) + 1
    for mentor_id, count in load.items():
        assert count <= mentor_by_id[mentor_id].capacity


@SOLVERS
@SETTINGS
@given(cohort=cohorts())
def test_every_adept_is_either_paired_once_or_told_why_not(assign, cohort):
    adepts, mentors, rules = cohort
    result = assign(adepts, mentors, rules)
    paired = [p.adept_id for p in result.pairs]
    left = [u.adept_id for u in result.unmatched]
    assert sorted(paired + left) == sorted(a.id for a in adepts)
    assert len(set(paired)) == len(paired)
    assert paired == sorted(paired) and left == sorted(left)


@SOLVERS
@SETTINGS
@given(cohort=cohorts())
def test_pins_are_kept_and_marked(assign, cohort):
    adepts, mentors, rules = cohort
    result = assign(adepts, mentors, rules)
    kept = {(p.adept_id, p.mentor_id) for p in result.pairs if p.pinned}
    assert kept == set(rules.pins)


@SETTINGS
@given(cohort=st.one_of(cohorts(), cohorts(sparse=True)))
def test_as_many_adepts_matched_as_possible_then_ways_to_meet_then_the_best_total_score(cohort):
    adepts, mentors, rules = cohort
    result = solve(adepts, mentors, rules)
    most, meeting, best_score = brute_force_best(adepts, mentors, rules)
    assert len(result.pairs) == most
    assert _meeting(adepts, mentors, result) == meeting
    assert result.total_score == pytest.approx(best_score, abs=1e-6)


def _meeting(adepts, mentors, result) -> int:
    """How many of the result's pairs have a way of meeting in common."""
    adept, mentor = {a.id: a for a in adepts}, {m.id: m for m in mentors}  # the ids may overlap
    return sum(can_meet(adept[p.adept_id], mentor[p.mentor_id]) for p in result.pairs)


@SETTINGS
@given(cohort=cohorts())
def test_greedy_never_beats_the_optimum(cohort):
    adepts, mentors, rules = cohort
    optimal, greedy = solve(adepts, mentors, rules), greedy_assign(adepts, mentors, rules)
    assert len(greedy.pairs) <= len(optimal.pairs)
    if len(greedy.pairs) == len(optimal.pairs):
        assert _meeting(adepts, mentors, greedy) <= _meeting(adepts, mentors, optimal)
        if _meeting(adepts, mentors, greedy) == _meeting(adepts, mentors, optimal):
            assert greedy.total_score <= optimal.total_score + 1e-6


@SOLVERS
@SETTINGS
@given(cohort=cohorts(max_adepts=8, max_mentors=6), seed=st.integers(0, 2**16))
def test_same_input_in_any_order_gives_the_same_output(assign, cohort, seed):
    adepts, mentors, rules = cohort
    first = assign(adepts, mentors, rules)
    shuffled_adepts, shuffled_mentors = list(adepts), list(mentors)
    random.Random(seed).shuffle(shuffled_adepts)
    random.Random(seed + 1).shuffle(shuffled_mentors)
    assert assign(shuffled_adepts, shuffled_mentors, rules) == first
    assert assign(adepts, mentors, rules) == first


@SOLVERS
@SETTINGS
@given(cohort=cohorts())
def test_each_unmatched_reason_is_true(assign, cohort):
    """Over every mentor of the run: one with no place (capacity 0) is never
    chosen, but counts when the reason says who fits and who does not."""
    adepts, mentors, rules = cohort
    result = assign(adepts, mentors, rules)
    offering = [m for m in mentors if m.capacity > 0]
    load = {m.id: 0 for m in mentors}
    for pair in result.pairs:
        load[pair.mentor_id] += 1
    pinned_load = {m.id: sum(1 for _, mid in rules.pins if mid == m.id) for m in mentors}
    by_id = {a.id: a for a in adepts}
    for item in result.unmatched:
        adept = by_id[item.adept_id]
        broken = {m.id: violation(adept, m, rules) for m in mentors}
        allowed = [m for m in offering if broken[m.id] is None]
        resting = [m for m in mentors if m.capacity == 0 and broken[m.id] is None]
        if item.reason_code is UnmatchedCode.NO_MENTORS:
            assert not mentors
        elif item.reason_code is UnmatchedCode.NO_MENTOR_MEETS_RULE:
            assert mentors and all(
                broken[m.id] not in (None, "no_shared_language", "excluded", "previous_pair") for m in mentors
            )
        elif item.reason_code is UnmatchedCode.NO_SHARED_LANGUAGE:
            assert "no_shared_language" in broken.values()
            assert all(broken[m.id] not in (None, "excluded", "previous_pair") for m in mentors)
            assert item.detail == tuple(sorted(adept.languages))
        elif item.reason_code is UnmatchedCode.EXCLUDED_EVERYWHERE:
            assert not allowed and not resting
            assert sorted(broken.values()).count("excluded") == item.detail[0]
            assert sorted(broken.values()).count("previous_pair") == item.detail[1]
            assert sorted(broken.values()).count("no_shared_language") == item.detail[2]
        elif item.reason_code is UnmatchedCode.MENTORS_UNAVAILABLE:
            assert resting and all(pinned_load[m.id] == m.capacity for m in allowed)
            assert item.detail == tuple(sorted(m.id for m in allowed + resting))
        elif item.reason_code is UnmatchedCode.TAKEN_BY_PINS:
            assert allowed and not resting and all(pinned_load[m.id] == m.capacity for m in allowed)
        else:
            assert item.reason_code is UnmatchedCode.CAPACITY_TAKEN
            assert item.detail == len(allowed)
            assert all(load[m.id] == m.capacity for m in allowed)  # nobody left a slot open


@SETTINGS
@given(cohort=cohorts(max_adepts=6, max_mentors=6, with_pins=False))
def test_the_solver_matrices_agree_with_the_explained_score(cohort):
    adepts, mentors, rules = cohort
    encoded = Encoded(adepts, mentors, rules)
    block = encoded.block(0, len(adepts))
    for i, adept in enumerate(adepts):
        for j, mentor in enumerate(mentors):
            assert block.allowed[i, j] == (violation(adept, mentor, rules) is None)
            assert block.language_ok[i, j] == shares_language(adept, mentor)
            assert block.meetable[i, j] == can_meet(adept, mentor)
            score, reasons = score_pair(adept, mentor, rules.weights)
            assert block.scores[i, j] == score
            assert score == sum(r.points for r in reasons) or np.isclose(score, sum(r.points for r in reasons))


@settings(SETTINGS, max_examples=40)
@given(
    cohort=cohorts(max_adepts=30, max_mentors=20, sparse=True),
    topic_weight=st.sampled_from((3.0, 50.0)),
)
def test_on_bigger_cohorts_as_many_are_matched_as_hopcroft_karp_finds(cohort, topic_weight):
    from dataclasses import replace

    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import maximum_bipartite_matching

    adepts, mentors, rules = cohort
    rules = replace(rules, weights=replace(rules.weights, topic=topic_weight))
    pins = dict(rules.pins)
    slots = [m for m in mentors for _ in range(m.capacity)]
    graph = np.zeros((len(adepts), len(slots)), dtype=np.int8)
    for i, a in enumerate(adepts):
        for s, m in enumerate(slots):
            if (a.id in pins and pins[a.id] == m.id) or (a.id not in pins and violation(a, m, rules) is None):
                graph[i, s] = 1
    # Pinned adepts may only use their own mentor's slots; the maximum is the same
    # whether or not the pins are "first", since a valid pin set fits together.
    most = int((maximum_bipartite_matching(csr_matrix(graph), perm_type="column") >= 0).sum()) if graph.size else 0
    assert len(solve(adepts, mentors, rules).pairs) == most


@settings(SETTINGS, max_examples=40)
@given(cohort=st.one_of(cohorts(max_adepts=25, max_mentors=15), cohorts(max_adepts=25, max_mentors=15, sparse=True)))
def test_on_bigger_cohorts_the_total_score_equals_a_linear_program_optimum(cohort):
    """An independent check: the assignment as two linear programs (most matched,
    then most pairs that can meet and the best score among those, as one
    objective: a pair that can meet is worth more than every score together),
    solved by HiGHS; the constraint matrix is totally unimodular, so the LP
    optimum is the assignment optimum."""
    from scipy.optimize import linprog

    adepts, mentors, rules = cohort
    pins = dict(rules.pins)
    edges = [
        (i, j, score_pair(a, m, rules.weights)[0])
        for i, a in enumerate(adepts)
        for j, m in enumerate(mentors)
        if (pins[a.id] == m.id if a.id in pins else violation(a, m, rules) is None) and m.capacity > 0
    ]
    result = solve(adepts, mentors, rules)
    if not edges:
        assert result.pairs == ()
        return
    a_rows = np.zeros((len(adepts) + len(mentors), len(edges)))
    for e, (i, j, _) in enumerate(edges):
        a_rows[i, e] = 1
        a_rows[len(adepts) + j, e] = 1
    limits = np.array([1] * len(adepts) + [m.capacity for m in mentors])
    # Pinned pairs must be in: bound their variable to 1.
    bounds = [(1, 1) if adepts[i].id in pins else (0, 1) for i, _, _ in edges]
    most = -linprog(-np.ones(len(edges)), A_ub=a_rows, b_ub=limits, bounds=bounds, method="highs").fun
    scores = np.array([s for _, _, s in edges])
    lift = scores.sum() + 1.0
    worth = scores + lift * np.array([can_meet(adepts[i], mentors[j]) for i, j, _ in edges])
    best = -linprog(
        -worth,
        A_ub=a_rows,
        b_ub=limits,
        A_eq=np.ones((1, len(edges))),
        b_eq=[round(most)],
        bounds=bounds,
        method="highs",
    ).fun
    assert len(result.pairs) == round(most)
    assert _meeting(adepts, mentors, result) == int((best + 1e-6) // lift)
    assert result.total_score + lift * _meeting(adepts, mentors, result) == pytest.approx(best, abs=1e-6)

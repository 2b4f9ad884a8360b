"""The whole-cohort assignment: as many adepts matched as possible, then as
few pairs without a way of meeting (`can_meet`: one only in person, the
other only digitally) as possible, then the highest total score; every hard
rule kept, pins honoured.

The solver is scipy's `linear_sum_assignment` (a modified Jonker-Volgenant)
on adepts x mentor slots, a mentor with capacity k being k identical columns.
Costs are integers held in float64, so every sum the solver makes is exact:

    allowed pair:  -(BONUS + MEET * m + q)    q = the score in integer quanta,
                                              m = 1 when the pair can meet
    refused pair:  0                          (an "assignment" to it means: unmatched)

MEET is larger than the best total score any assignment can reach, so one
more pair that can meet always beats any gain in score; BONUS is larger than
the best MEET and score total, so one more matched adept beats both. Rows and
columns are built in id order, so the same input always gives the same output.
"""

from __future__ import annotations

import asyncio
import heapq
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from bot.matching.encoded import Encoded
from bot.matching.model import (
    AdeptIn,
    InvalidPin,
    MentorIn,
    Pair,
    Reason,
    ReasonCode,
    Result,
    Rules,
    Unmatched,
    UnmatchedCode,
)
from bot.matching.scoring import max_score, score_pair, violation

_EXACT_LIMIT = 2.0**50  # costs and their sums stay exact integers below 2**53
_ROWS_PER_BLOCK = 256  # rows scored at a time, to keep temporary arrays small


@dataclass
class _Problem:
    """The run after pins: who is still free and which mentor slots remain."""

    adepts: list[AdeptIn]  # every adept, by id
    mentors: list[MentorIn]  # mentors with capacity > 0, by id
    resting: list[MentorIn]  # mentors with capacity 0 (full, paused...): only for the reasons, by id
    pinned: list[Pair]
    free_rows: np.ndarray  # indices into `adepts` of adepts without a pin
    free_slots: np.ndarray  # per mentor: capacity left after pins


def solve(adepts: Sequence[AdeptIn], mentors: Sequence[MentorIn], rules: Rules) -> Result:
    """The optimal assignment (see the module docstring)."""
    problem = _prepare(adepts, mentors, rules)
    encoded = Encoded(problem.adepts, problem.mentors, rules)
    chosen: dict[int, int] = {}  # adept index -> mentor index
    if len(problem.free_rows) and problem.free_slots.sum():
        chosen = _optimal(problem, encoded, rules)
    return _result(problem, encoded, rules, chosen)


def _optimal(problem: _Problem, encoded: Encoded, rules: Rules) -> dict[int, int]:
    best_pair = max_score(problem.adepts, problem.mentors, rules.weights)
    k = min(len(problem.free_rows), int(problem.free_slots.sum()))  # no assignment matches more
    scale = _quantum_scale(best_pair, k)
    top = math.ceil(scale * best_pair)
    meet = k * top + 1  # one more pair that can meet outweighs any score
    ceiling = meet + top  # the most one pair is worth
    bonus = k * ceiling + 1.0  # one more matched adept outweighs both
    quanta = _quanta(problem, encoded, scale, meet, np.int32 if ceiling < 2**31 - 1 else np.int64)
    rows, slot_mentor = _solver_order(problem, quanta)
    # The solver copies a matrix with more rows than columns; build it the other way round.
    transposed = len(rows) > len(slot_mentor)
    cost = np.empty((len(slot_mentor), len(rows)) if transposed else (len(rows), len(slot_mentor)))
    order = np.searchsorted(problem.free_rows, rows)  # each solver row's line in `quanta`
    for start in range(0, len(rows), _ROWS_PER_BLOCK):
        q = quanta[order[start : start + _ROWS_PER_BLOCK]][:, slot_mentor]
        values = np.where(q >= 0, -(bonus + q), 0.0)  # allowed pairs cost less than nothing
        if transposed:
            cost[:, start : start + len(values)] = values.T
        else:
            cost[start : start + len(values)] = values
    del quanta
    row_ind, col_ind = linear_sum_assignment(cost)
    if transposed:
        row_ind, col_ind = col_ind, row_ind
    taken = cost[col_ind, row_ind] if transposed else cost[row_ind, col_ind]
    del cost
    return {
        int(rows[r]): int(slot_mentor[c])
        for r, c, value in zip(row_ind.tolist(), col_ind.tolist(), taken.tolist())
        if value < 0  # an allowed pair; 0 means the solver had nothing to give this adept
    }


def _quanta(problem: _Problem, encoded: Encoded, scale: float, meet: int, dtype) -> np.ndarray:
    """Scores in integer quanta, plus `meet` for a pair that can meet, for
    free adepts (rows, in id order) x mentors; -1 where a hard rule forbids
    the pair."""
    rows = problem.free_rows
    quanta = np.empty((len(rows), len(problem.mentors)), dtype=dtype)
    for start in range(0, len(rows), _ROWS_PER_BLOCK):
        part = rows[start : start + _ROWS_PER_BLOCK]
        block = encoded.block(int(part[0]), int(part[-1]) + 1)
        picked = part - part[0]
        worth = np.rint(block.scores[picked] * scale) + meet * block.meetable[picked]
        quanta[start : start + len(part)] = np.where(block.allowed[picked], worth, -1)
    return quanta


def _solver_order(problem: _Problem, quanta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The order of rows (adepts) and columns (mentor slots) handed to the solver.

    Any order gives the same optimum; this one makes the solver's augmenting
    paths short on cohorts where many want the same mentors (the benchmark's
    5 000 x 5 000 runs in about half the time): adepts with the best single
    option first, and the mentors everybody wants last. Stable sorts keep it
    a function of the input alone.
    """
    best = quanta.max(axis=1) if quanta.shape[1] else np.full(len(quanta), -1)
    mentor_total = np.zeros(quanta.shape[1])
    for start in range(0, len(quanta), _ROWS_PER_BLOCK):
        mentor_total += np.maximum(quanta[start : start + _ROWS_PER_BLOCK], 0).sum(axis=0)
    row_order = problem.free_rows[np.argsort(-best.astype(np.float64), kind="stable")]
    mentor_order = np.argsort(mentor_total, kind="stable")
    slot_mentor = np.repeat(mentor_order, problem.free_slots[mentor_order])
    return row_order, slot_mentor


async def solve_async(adepts: Sequence[AdeptIn], mentors: Sequence[MentorIn], rules: Rules) -> Result:
    """`solve` in a worker thread, so the bot keeps answering meanwhile."""
    return await asyncio.to_thread(solve, list(adepts), list(mentors), rules)


def greedy_assign(adepts: Sequence[AdeptIn], mentors: Sequence[MentorIn], rules: Rules) -> Result:
    """The baseline: repeatedly take the highest-scoring allowed pair whose adept
    is free and whose mentor has a slot (ties by adept id, then mentor id)."""
    problem = _prepare(adepts, mentors, rules)
    encoded = Encoded(problem.adepts, problem.mentors, rules)
    lift = max_score(problem.adepts, problem.mentors, rules.weights) + 1.0  # a pair that can meet first
    free_slots = problem.free_slots.copy()
    chosen: dict[int, int] = {}
    # One heap entry per adept: its best mentor that had a slot when it was pushed.
    heap: list[tuple[float, int, int]] = []
    row_scores: dict[int, np.ndarray] = {}
    for start in range(0, len(problem.free_rows), _ROWS_PER_BLOCK):
        part = problem.free_rows[start : start + _ROWS_PER_BLOCK]
        block = encoded.block(int(part[0]), int(part[-1]) + 1)
        block_rows = part - part[0]
        worth = block.scores[block_rows] + lift * block.meetable[block_rows]
        scores = np.where(block.allowed[block_rows], worth, -np.inf)
        for row, values in zip(part.tolist(), scores):
            row_scores[row] = values
            _push_best(heap, row, values, free_slots)
    while heap:
        _, row, column = heapq.heappop(heap)
        if free_slots[column] > 0:
            chosen[row] = column
            free_slots[column] -= 1
            del row_scores[row]
        else:  # the mentor filled up since; look again
            _push_best(heap, row, row_scores[row], free_slots)
    return _result(problem, encoded, rules, chosen)


def _push_best(heap: list, row: int, scores: np.ndarray, free_slots: np.ndarray) -> None:
    if not scores.size:
        return
    available = np.where(free_slots > 0, scores, -np.inf)
    column = int(np.argmax(available))  # the lowest mentor index among equals
    if available[column] > -np.inf:
        heapq.heappush(heap, (-float(available[column]), row, column))


def _prepare(adepts: Sequence[AdeptIn], mentors: Sequence[MentorIn], rules: Rules) -> _Problem:
    all_adepts = sorted(adepts, key=lambda a: a.id)
    all_mentors = sorted(mentors, key=lambda m: m.id)
    for kind, people in (("adept", all_adepts), ("mentor", all_mentors)):
        repeated = [pid for pid, count in Counter(p.id for p in people).items() if count > 1]
        if repeated:
            raise ValueError(f"each {kind} id must appear once; repeated: {sorted(repeated)}")
    offering = [m for m in all_mentors if m.capacity > 0]
    adept_index = {a.id: i for i, a in enumerate(all_adepts)}
    mentor_index = {m.id: j for j, m in enumerate(offering)}
    known_mentors = {m.id for m in all_mentors}
    free_slots = np.asarray([m.capacity for m in offering], dtype=np.int64)
    pinned: list[Pair] = []
    pinned_rows: set[int] = set()
    for adept_id, mentor_id in sorted(rules.pins):
        if adept_id not in adept_index:
            raise InvalidPin(adept_id, mentor_id, "unknown_adept")
        if mentor_id not in known_mentors:
            raise InvalidPin(adept_id, mentor_id, "unknown_mentor")
        row = adept_index[adept_id]
        if row in pinned_rows:
            raise InvalidPin(adept_id, mentor_id, "adept_pinned_twice")
        adept = all_adepts[row]
        mentor = next(m for m in all_mentors if m.id == mentor_id)
        broken = violation(adept, mentor, rules)
        if broken is not None:
            raise InvalidPin(adept_id, mentor_id, broken.value)
        column = mentor_index.get(mentor_id)
        if column is None or free_slots[column] == 0:
            raise InvalidPin(adept_id, mentor_id, "mentor_full")
        free_slots[column] -= 1
        pinned_rows.add(row)
        score, reasons = score_pair(adept, mentor, rules.weights)
        pinned.append(Pair(adept_id, mentor_id, score, (Reason(ReasonCode.PINNED), *reasons), pinned=True))
    free_rows = np.asarray([i for i in range(len(all_adepts)) if i not in pinned_rows], dtype=np.int64)
    resting = [m for m in all_mentors if m.capacity == 0]
    return _Problem(all_adepts, offering, resting, pinned, free_rows, free_slots)


def _quantum_scale(best_pair: float, k: int) -> float:
    """Quanta per score point: fine (10**6) unless the sums would stop being
    exact. A pair is worth at most BONUS + MEET + top, about (k + 1)**2 * top,
    and an assignment adds k of them."""
    scale = 1e6
    while scale > 1e-6 and k * (k + 2) ** 2 * (scale * best_pair + 2) * 2 > _EXACT_LIMIT:
        scale /= 10
    return scale


def _result(problem: _Problem, encoded: Encoded, rules: Rules, chosen: dict[int, int]) -> Result:
    pairs = list(problem.pinned)
    for row, column in chosen.items():
        adept, mentor = problem.adepts[row], problem.mentors[column]
        score, reasons = score_pair(adept, mentor, rules.weights)
        pairs.append(Pair(adept.id, mentor.id, score, reasons))
    pairs.sort(key=lambda pair: pair.adept_id)
    left = np.asarray([r for r in problem.free_rows.tolist() if r not in chosen], dtype=np.int64)
    unmatched = _why_unmatched(problem, encoded, rules, left)
    return Result(tuple(pairs), tuple(unmatched))


def _why_unmatched(problem: _Problem, encoded: Encoded, rules: Rules, rows: np.ndarray) -> list[Unmatched]:
    """A reason code for each adept left without a mentor, most basic cause
    first, over every mentor the run was given: a mentor with no place now
    (capacity 0: full, paused...) is never chosen, but when they are the ones
    who fit, the reason names them instead of claiming that no mentor meets
    the rule or that all are excluded."""
    out: list[Unmatched] = []
    has_slot = problem.free_slots > 0
    resting = Encoded(problem.adepts, problem.resting, rules) if problem.resting and len(rows) else None
    no_rest = np.zeros(len(problem.resting), dtype=bool)
    for start in range(0, len(rows), _ROWS_PER_BLOCK):
        part = rows[start : start + _ROWS_PER_BLOCK]
        first, stop = int(part[0]), int(part[-1]) + 1
        blocks = [encoded.block(first, stop)] + ([resting.block(first, stop)] if resting is not None else [])
        for row in part.tolist():
            i = row - first
            adept_id = problem.adepts[row].id
            allowed = blocks[0].allowed[i]
            rest_allowed = blocks[1].allowed[i] if resting is not None else no_rest
            if not problem.mentors and not problem.resting:
                out.append(Unmatched(adept_id, UnmatchedCode.NO_MENTORS))
            elif not any(b.rule_ok[i].any() for b in blocks):
                out.append(Unmatched(adept_id, UnmatchedCode.NO_MENTOR_MEETS_RULE, rules.rule.value))
            elif not any((b.rule_ok[i] & b.language_ok[i]).any() for b in blocks):
                languages = tuple(sorted(problem.adepts[row].languages))
                out.append(Unmatched(adept_id, UnmatchedCode.NO_SHARED_LANGUAGE, languages))
            elif not allowed.any() and not rest_allowed.any():
                counts = (
                    sum(int(b.excluded[i].sum()) for b in blocks),
                    sum(int(b.previous[i].sum()) for b in blocks),
                    sum(int((b.rule_ok[i] & ~b.language_ok[i]).sum()) for b in blocks),
                )
                out.append(Unmatched(adept_id, UnmatchedCode.EXCLUDED_EVERYWHERE, counts))
            elif not (allowed & has_slot).any() and rest_allowed.any():
                ids = [problem.mentors[j].id for j in np.flatnonzero(allowed).tolist()]  # filled by pins
                ids += [problem.resting[j].id for j in np.flatnonzero(rest_allowed).tolist()]
                out.append(Unmatched(adept_id, UnmatchedCode.MENTORS_UNAVAILABLE, tuple(sorted(ids))))
            elif not (allowed & has_slot).any():
                out.append(Unmatched(adept_id, UnmatchedCode.TAKEN_BY_PINS, int(allowed.sum())))
            else:
                # Some allowed mentor has a slot that went to another adept: this
                # adept could have had it, but the chosen pairs score higher together.
                out.append(Unmatched(adept_id, UnmatchedCode.CAPACITY_TAKEN, int(allowed.sum())))
    return out

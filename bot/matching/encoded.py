"""Whole rows of the score and feasibility matrices, with numpy (the
solver's view of bot/matching/scoring.py; a property test keeps the two equal)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from bot.matching.model import AdeptIn, MatchRule, MentorIn, Rules
from bot.matching.scoring import _FORMAT_BITS, accepted_formats, can_meet_in_person, normalise_place


@dataclass(frozen=True, slots=True)
class Block:
    """Rows `start:stop` of the adepts against every encoded mentor."""

    scores: np.ndarray  # float64, the soft score of every pair
    rule_ok: np.ndarray  # bool, the organisation/manager rule holds
    language_ok: np.ndarray  # bool, a common language (or one of them gave none)
    allowed: np.ndarray  # bool, every hard rule except capacity holds
    excluded: np.ndarray  # bool, rule_ok and language_ok but a coordinator excluded it
    previous: np.ndarray  # bool, rule_ok, language_ok, not excluded, but an earlier pair
    meetable: np.ndarray  # bool, a way of meeting in common (`can_meet`)


def _codes(values: Iterable[object], table: dict[object, int]) -> np.ndarray:
    """Small ints for equality tests; None -> -1, never equal to a real value."""
    out = [-1 if v is None else table.setdefault(v, len(table)) for v in values]
    return np.asarray(out, dtype=np.int64)


def _vocabulary(*groups: Sequence[frozenset[str]]) -> dict[str, int]:
    words = sorted({word for group in groups for items in group for word in items})
    return {word: column for column, word in enumerate(words)}


def _incidence(sets: Sequence[frozenset[str]], table: dict[str, int]) -> np.ndarray:
    """One bit per word when they fit in 64 bits (the usual case), else a 0/1 matrix."""
    if len(table) <= 64:
        masks = [sum(1 << table[word] for word in items) for items in sets]
        return np.asarray(masks, dtype=np.uint64)
    matrix = np.zeros((len(sets), len(table)), dtype=np.float32)
    for row, items in enumerate(sets):
        matrix[row, [table[word] for word in items]] = 1.0
    return matrix


def _shared_counts(a: np.ndarray, m: np.ndarray) -> np.ndarray:
    """How many words each row of `a` shares with each row of `m` (see `_incidence`)."""
    if a.ndim == 1:
        return np.bitwise_count(a[:, None] & m[None, :])
    return (a @ m.T).astype(np.uint8 if a.shape[1] < 256 else np.int32)


def _format_mask(formats: frozenset[str]) -> int:
    return sum(_FORMAT_BITS.get(f, 0) for f in accepted_formats(formats))


class Encoded:
    """Adepts and mentors as numpy arrays, so rows of the matrices are cheap."""

    def __init__(self, adepts: Sequence[AdeptIn], mentors: Sequence[MentorIn], rules: Rules) -> None:
        self.rules = rules
        self.n_adepts, self.n_mentors = len(adepts), len(mentors)
        orgs: dict[object, int] = {}
        self.a_org, self.m_org = _codes((a.org for a in adepts), orgs), _codes((m.org for m in mentors), orgs)
        depts: dict[object, int] = {}
        self.a_dept = _codes(((a.org, a.department) if a.department is not None else None for a in adepts), depts)
        self.m_dept = _codes(((m.org, m.department) if m.department is not None else None for m in mentors), depts)
        people: dict[object, int] = {}
        self.a_manager = _codes((a.manager_id for a in adepts), people)
        self.m_person = _codes((m.person_id for m in mentors), people)
        a_topics, m_topics = [a.topics for a in adepts], [m.topics for m in mentors]
        topics = _vocabulary(a_topics, m_topics)
        self.a_topics, self.m_topics = _incidence(a_topics, topics), _incidence(m_topics, topics)
        a_langs, m_langs = [a.languages for a in adepts], [m.languages for m in mentors]
        languages = _vocabulary(a_langs, m_langs)
        self.a_langs, self.m_langs = _incidence(a_langs, languages), _incidence(m_langs, languages)
        self.a_has_langs = np.asarray([bool(a.languages) for a in adepts], dtype=bool)
        self.m_has_langs = np.asarray([bool(m.languages) for m in mentors], dtype=bool)
        self.a_format = np.asarray([_format_mask(a.formats) for a in adepts], dtype=np.int64)
        self.m_format = np.asarray([_format_mask(m.formats) for m in mentors], dtype=np.int64)
        self.a_has_format = np.asarray([bool(a.formats) for a in adepts], dtype=bool)
        self.m_has_format = np.asarray([bool(m.formats) for m in mentors], dtype=bool)
        places: dict[object, int] = {}
        self.a_place = _codes((normalise_place(a.place) for a in adepts), places)
        self.m_place = _codes((normalise_place(m.place) for m in mentors), places)
        self.a_in_person = np.asarray([can_meet_in_person(a.formats) for a in adepts], dtype=bool)
        self.m_in_person = np.asarray([can_meet_in_person(m.formats) for m in mentors], dtype=bool)
        self.excluded_cells = self._cells(rules.exclusions, adepts, mentors)
        self.previous_cells = self._cells(rules.previous_pairs, adepts, mentors)

    @staticmethod
    def _cells(pairs, adepts, mentors) -> dict[int, list[int]]:
        a_index = {a.id: i for i, a in enumerate(adepts)}
        m_index = {m.id: j for j, m in enumerate(mentors)}
        cells: dict[int, list[int]] = {}
        for adept_id, mentor_id in pairs:
            if adept_id in a_index and mentor_id in m_index:
                cells.setdefault(a_index[adept_id], []).append(m_index[mentor_id])
        return cells

    def block(self, start: int, stop: int) -> Block:
        rows = slice(start, stop)
        same_org = self.a_org[rows, None] == self.m_org[None, :]
        if self.rules.rule is MatchRule.OTHER_DEPARTMENT:
            a_dept, m_dept = self.a_dept[rows, None], self.m_dept[None, :]
            rule_ok = ~(same_org & ((a_dept < 0) | (m_dept < 0) | (a_dept == m_dept)))
        else:
            rule_ok = ~same_org
        if self.rules.rule is not MatchRule.OTHER_ORG:
            own_manager = (self.a_manager[rows, None] == self.m_person[None, :]) & (self.a_manager[rows, None] >= 0)
            rule_ok &= ~own_manager
        both_gave = self.a_has_langs[rows, None] & self.m_has_langs[None, :]
        language_ok = ~(both_gave & (_shared_counts(self.a_langs[rows], self.m_langs) == 0))
        excluded = np.zeros_like(rule_ok)
        previous = np.zeros_like(rule_ok)
        for cells, mark in ((self.excluded_cells, excluded), (self.previous_cells, previous)):
            for row in range(start, stop):
                if row in cells:
                    mark[row - start, cells[row]] = True
        excluded &= rule_ok & language_ok
        previous &= rule_ok & language_ok & ~excluded
        allowed = rule_ok & language_ok & ~excluded & ~previous
        both_said = self.a_has_format[rows, None] & self.m_has_format[None, :]
        meetable = ~(both_said & ((self.a_format[rows, None] & self.m_format[None, :]) == 0))
        return Block(self._scores(rows), rule_ok, language_ok, allowed, excluded, previous, meetable)

    def _scores(self, rows: slice) -> np.ndarray:
        w = self.rules.weights
        scores = np.zeros((len(self.a_org[rows]), self.n_mentors), dtype=np.float64)
        if w.topic > 0:
            scores += w.topic * _shared_counts(self.a_topics[rows], self.m_topics)  # exact small ints
        if w.format > 0:
            scores += w.format * ((self.a_format[rows, None] & self.m_format[None, :]) != 0)
        if w.place > 0:
            a_place = self.a_place[rows, None]
            same_place = (a_place == self.m_place[None, :]) & (a_place >= 0)
            same_place &= self.a_in_person[rows, None] & self.m_in_person[None, :]
            scores += w.place * same_place
        if w.language > 0:
            scores += w.language * (_shared_counts(self.a_langs[rows], self.m_langs) > 0)
        return scores

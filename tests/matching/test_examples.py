"""What a coordinator sees in concrete cases: who gets whom, and why."""

from __future__ import annotations

import asyncio

import pytest

from bot.matching import (
    AdeptIn,
    InvalidPin,
    MentorIn,
    Reason,
    ReasonCode,
    Rules,
    Unmatched,
    UnmatchedCode,
    Weights,
    greedy_assign,
    solve,
    solve_async,
)


def adept(id, org="Lund", **kw):
    for key in ("topics", "formats", "languages"):
        if key in kw:
            kw[key] = frozenset(kw[key])
    return AdeptIn(id=id, org=org, **kw)


def mentor(id, org="Malmö", **kw):
    for key in ("topics", "formats", "languages"):
        if key in kw:
            kw[key] = frozenset(kw[key])
    return MentorIn(id=id, org=org, **kw)


def pairs_of(result):
    return {(p.adept_id, p.mentor_id) for p in result.pairs}


def test_the_mentor_always_comes_from_another_organisation():
    adepts = [adept(1, "Lund", topics={"budget"}), adept(2, "Malmö", topics={"budget"})]
    mentors = [mentor(10, "Lund", topics={"budget"}), mentor(11, "Malmö", topics={"budget"})]
    assert pairs_of(solve(adepts, mentors, Rules())) == {(1, 11), (2, 10)}


def test_the_tight_rule_never_gives_an_adept_their_own_line_manager():
    adepts = [adept(1, "Lund", manager_id=500, topics={"budget", "conflict"})]
    boss = mentor(10, "Region Skåne", person_id=500, topics={"budget", "conflict"})
    other = mentor(11, "Malmö", person_id=501)
    assert pairs_of(solve(adepts, [boss, other], Rules(rule="other_org"))) == {(1, 10)}
    assert pairs_of(solve(adepts, [boss, other], Rules(rule="other_org_not_manager"))) == {(1, 11)}


def test_the_relaxed_rule_allows_another_department_of_the_same_organisation():
    adepts = [adept(1, "Lund", department="social", topics={"budget"})]
    same_department = mentor(10, "Lund", department="social", topics={"budget"})
    other_department = mentor(11, "Lund", department="school", topics={"budget"})
    unknown_department = mentor(12, "Lund", topics={"budget"})
    mentors = [same_department, other_department, unknown_department]
    assert pairs_of(solve(adepts, mentors, Rules(rule="other_department"))) == {(1, 11)}
    result = solve(adepts, mentors, Rules(rule="other_org"))
    assert result.unmatched == (Unmatched(1, UnmatchedCode.NO_MENTOR_MEETS_RULE, "other_org"),)


def test_exclusions_and_earlier_pairs_are_never_proposed():
    adepts = [adept(1, topics={"budget"})]
    mentors = [mentor(10, topics={"budget"}), mentor(11, topics={"budget"}), mentor(12)]
    rules = Rules(exclusions=frozenset({(1, 10)}), previous_pairs=frozenset({(1, 11)}))
    assert pairs_of(solve(adepts, mentors, rules)) == {(1, 12)}


def test_reasons_are_codes_with_data_biggest_first():
    a = adept(
        1,
        topics={"conflict", "budget", "change"},
        formats={"in_person", "digital"},
        place="Lund",
        languages={"sv", "en"},
    )
    m = mentor(10, topics={"budget", "conflict", "strategy"}, formats={"mixed"}, place=" lund", languages={"sv"})
    (pair,) = solve([a], [m], Rules()).pairs
    assert pair.reasons == (
        Reason(ReasonCode.SHARED_TOPICS, ("budget", "conflict"), 6.0),
        Reason(ReasonCode.SHARED_FORMAT, ("mixed",), 1.0),
        Reason(ReasonCode.SAME_PLACE, " lund", 1.0),
        Reason(ReasonCode.SHARED_LANGUAGES, ("sv",), 1.0),
    )
    assert pair.score == 9.0


def test_the_same_place_counts_only_when_they_can_meet_in_person():
    a = adept(1, formats={"digital"}, place="Lund")
    m = mentor(10, formats={"digital", "in_person"}, place="Lund")
    (pair,) = solve([a], [m], Rules()).pairs
    assert [r.code for r in pair.reasons] == [ReasonCode.SHARED_FORMAT]


def test_program_weights_change_who_gets_whom():
    a = adept(1, topics={"budget"}, languages={"ar"})
    by_topic, by_language = mentor(10, topics={"budget"}), mentor(11, languages={"ar"})
    assert pairs_of(solve([a], [by_topic, by_language], Rules())) == {(1, 10)}
    language_first = Rules(weights=Weights(topic=1.0, language=5.0))
    assert pairs_of(solve([a], [by_topic, by_language], language_first)) == {(1, 11)}


def test_one_more_matched_adept_beats_any_gain_in_score():
    # Anna fits Mentor 10 perfectly and Mentor 11 barely; Bo can only have Mentor 10.
    anna = adept(1, topics={"budget", "conflict", "change", "staffing"})
    bo = adept(2, org="Ystad")
    perfect = mentor(10, "Malmö", topics={"budget", "conflict", "change", "staffing"})
    barely = mentor(11, "Ystad")
    result = solve([anna, bo], [perfect, barely], Rules())
    assert pairs_of(result) == {(1, 11), (2, 10)}
    # The greedy baseline grabs the perfect pair first and leaves Bo without a mentor.
    greedy = greedy_assign([anna, bo], [perfect, barely], Rules())
    assert pairs_of(greedy) == {(1, 10)}
    assert greedy.unmatched == (Unmatched(2, UnmatchedCode.CAPACITY_TAKEN, 1),)


def test_a_mentor_with_capacity_two_takes_two_adepts():
    adepts = [adept(1, topics={"budget"}), adept(2, topics={"budget"}), adept(3, topics={"budget"})]
    mentors = [mentor(10, capacity=2, topics={"budget"}), mentor(11)]
    result = solve(adepts, mentors, Rules())
    assert sorted(p.mentor_id for p in result.pairs) == [10, 10, 11]


def test_small_score_differences_still_decide():
    a = adept(1, formats={"digital"}, languages={"sv"})
    nearly = mentor(10, formats={"digital"})
    best = mentor(11, formats={"digital"}, languages={"sv"})
    rules = Rules(weights=Weights(topic=0, format=1000.0, place=0, language=0.001))
    assert pairs_of(solve([a], [nearly, best], rules)) == {(1, 11)}


def test_pinned_pairs_stay_and_the_rest_is_solved_around_them():
    adepts = [adept(1, topics={"budget"}), adept(2, topics={"budget"})]
    mentors = [mentor(10, topics={"budget"}), mentor(11)]
    assert pairs_of(solve(adepts, mentors, Rules())) in ({(1, 10), (2, 11)}, {(1, 11), (2, 10)})
    result = solve(adepts, mentors, Rules(pins=frozenset({(2, 10)})))
    assert pairs_of(result) == {(1, 11), (2, 10)}
    pinned = next(p for p in result.pairs if p.adept_id == 2)
    assert pinned.pinned and pinned.reasons[0] == Reason(ReasonCode.PINNED)


@pytest.mark.parametrize(
    ("pins", "code"),
    [
        ({(1, 20)}, "same_organisation"),
        ({(1, 10), (2, 10)}, "mentor_full"),
        ({(1, 10), (1, 11)}, "adept_pinned_twice"),
        ({(9, 10)}, "unknown_adept"),
        ({(1, 99)}, "unknown_mentor"),
        ({(3, 10)}, "excluded"),
    ],
)
def test_a_pin_that_breaks_a_rule_is_refused_with_the_reason(pins, code):
    adepts = [adept(1), adept(2), adept(3)]
    mentors = [mentor(10), mentor(11), mentor(20, org="Lund")]
    with pytest.raises(InvalidPin) as caught:
        solve(adepts, mentors, Rules(pins=frozenset(pins), exclusions=frozenset({(3, 10)})))
    assert caught.value.code == code


def test_every_unmatched_adept_gets_the_most_basic_reason():
    adepts = [
        adept(1, "Lund"),  # every mentor is from Lund too, the full one included
        adept(2, "Malmö"),  # every other-organisation mentor is excluded or an earlier pair
        adept(3, "Ystad"),  # the Lund mentors who fit are all pinned to others
        adept(4, "Ystad"),  # pinned
        adept(5, "Ystad"),
        adept(6, "Ystad"),  # fits the pinned ones and the full one: all are named
    ]
    mentors = [mentor(10, "Lund", capacity=1), mentor(11, "Lund", capacity=1), mentor(12, "Lund", capacity=0)]
    rules = Rules(
        exclusions=frozenset({(2, 10), (2, 12), (3, 12)}),
        previous_pairs=frozenset({(2, 11)}),
        pins=frozenset({(4, 10), (5, 11)}),
    )
    result = solve(adepts, mentors, rules)
    assert result.unmatched == (
        Unmatched(1, UnmatchedCode.NO_MENTOR_MEETS_RULE, "other_org"),
        Unmatched(2, UnmatchedCode.EXCLUDED_EVERYWHERE, (2, 1, 0)),
        Unmatched(3, UnmatchedCode.TAKEN_BY_PINS, 2),
        Unmatched(6, UnmatchedCode.MENTORS_UNAVAILABLE, (10, 11, 12)),
    )
    assert solve(adepts, [], Rules()).unmatched[0] == Unmatched(1, UnmatchedCode.NO_MENTORS)


@pytest.mark.parametrize("assign", [solve, greedy_assign])
def test_a_mentor_with_no_place_who_fits_is_named_not_a_broken_rule(assign):
    """A full or paused mentor (capacity 0) is never chosen, but when they
    are the one who fits, the reason says so: not "no mentor meets the rule",
    not "every mentor is excluded", not "there are no mentors"."""
    same_org = mentor(10, "Lund", capacity=1)
    resting = mentor(11, "Malmö", capacity=0)
    ended = Rules(exclusions=frozenset({(1, 10)}))
    assert assign([adept(1, "Lund")], [same_org, resting], Rules()).unmatched == (
        Unmatched(1, UnmatchedCode.MENTORS_UNAVAILABLE, (11,)),
    )
    assert assign([adept(1, "Ystad")], [same_org, resting], ended).unmatched == (
        Unmatched(1, UnmatchedCode.MENTORS_UNAVAILABLE, (11,)),
    )
    assert assign([adept(1, "Lund")], [resting], Rules()).unmatched == (
        Unmatched(1, UnmatchedCode.MENTORS_UNAVAILABLE, (11,)),
    )
    # ... and one who would not be allowed anyway is not named.
    assert assign([adept(1, "Malmö")], [same_org, resting], ended).unmatched == (
        Unmatched(1, UnmatchedCode.EXCLUDED_EVERYWHERE, (1, 0, 0)),
    )


def test_an_adept_left_out_by_scores_is_told_the_mentors_were_taken():
    adepts = [adept(1, topics={"budget"}), adept(2)]
    result = solve(adepts, [mentor(10, topics={"budget"})], Rules())
    assert pairs_of(result) == {(1, 10)}
    assert result.unmatched == (Unmatched(2, UnmatchedCode.CAPACITY_TAKEN, 1),)


def test_repeated_ids_are_refused():
    with pytest.raises(ValueError, match="adept id must appear once"):
        solve([adept(1), adept(1)], [mentor(10)], Rules())


def test_an_unknown_rule_is_refused():
    with pytest.raises(ValueError):
        Rules(rule="same_org")


def test_negative_weights_and_capacities_are_refused():
    with pytest.raises(ValueError, match="weight 'topic'"):
        Weights(topic=-1)
    with pytest.raises(ValueError, match="capacity"):
        mentor(10, capacity=-1)


async def test_solving_off_the_event_loop_lets_the_bot_keep_answering():
    adepts = [adept(i, org=f"org{i % 7}", topics={"budget"} if i % 2 else {"conflict"}) for i in range(400)]
    mentors = [mentor(1000 + j, org=f"org{j % 5}", topics={"budget"}) for j in range(400)]
    answered = 0

    async def keep_answering(task):
        nonlocal answered
        while not task.done():
            answered += 1
            await asyncio.sleep(0)

    task = asyncio.ensure_future(solve_async(adepts, mentors, Rules()))
    await asyncio.gather(task, keep_answering(task))
    assert answered > 1
    assert task.result() == solve(adepts, mentors, Rules())

"""The first meeting: the agreement checklist after the announcement, the
adept's goals (at most three, only the pair sees them, `forget` removes
them), and "is this a good fit?" after the first logged meeting, where a
"no" reaches the coordinator at once with buttons. Swedish and English."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.markup import strip_marks
from bot.messages import Buttons
from bot.store.models import AuditLog, Enrollment, Pairing, Person
from tests.core.harness import enroll, texts
from tests.life.helpers import COHORT, Year, started_year

SAY = {
    "sv": {
        "intro": "Inför ert första möte",
        "ticked": "är avklarat. 4 punkter kvar",
        "shared": "har skrivit ett mål",
        "too_many": "redan 3 mål",
        "fit": "Är det här ett bra par för dig?",
        "notice": "tycker inte att paret",
        "ended": "är avslutat",
        "rematch_asked": "Avsluta paret #{n} Cecilia → Frida i Mentorprogram 2027 (motivering: ”passade inte (efter första mötet)”)? "
        "Båda får veta att paret är avslutat",
        "rematch_reason": "passade inte (efter första mötet)",
        "kept": "Okej, jag gjorde ingenting.",
        "told": "är avslutat av samordnaren",
        "no_pair": "Mål skrivs av adepten",
        "by_mentee": "Parets mål skriver adepten. Du ser dem med `målen`",
        "which_pair": "Vilket av dina par gäller målet ”Leda en förändring”?",
        "goals_of_pairs": "Målen i dina par:",
        "no_goals_yet": "– inga mål ännu.",
        "replace_with": "Byt sedan ut det med `mål ändra N TEXT` eller ta bort det med `mål ta-bort N`",
        "removed": "Borttaget: ”Bli tryggare i lönesamtal”.",
        "removed_shared": "Cecilia har tagit bort ett av målen för ert mentorskap: ”Bli tryggare i lönesamtal”.",
        "changed_shared": "Cecilia har ändrat ett av målen för ert mentorskap: ”Hinna reflektera” är nu ”Hinna reflektera varje vecka”.",
        "no_goal_5": "Det finns inget mål 5: era mål har nummer 1–3",
        "not_a_number": "`mål ta-bort` tar målets nummer, som `målen` visar det, inte ”Rädslan att delegera”",
        "in_quotes": '`mål "ändra x y"`',
        "which_remove": "Vilket av dina par gäller det? Mål 1 i varje par:",
    },
    "en": {
        "intro": "Before your first meeting",
        "ticked": "is done. 4 items left",
        "shared": "has written a goal",
        "too_many": "already have 3 goals",
        "fit": "Is this a good pair for you?",
        "notice": "does not think the pair",
        "ended": "has ended",
        "rematch_asked": "End pair #{n} Cecilia → Frida in Mentorprogram 2027 (reason: “not a good fit (after the first meeting)”)? "
        "Both are told the pair has ended",
        "rematch_reason": "not a good fit (after the first meeting)",
        "kept": "All right, I did nothing.",
        "told": "has been ended by the coordinator",
        "no_pair": "Goals are written by the mentee",
        "by_mentee": "The mentee writes the pair's goals. You can read them with `goals`",
        "which_pair": "Which of your pairs is the goal “Leda en förändring” for?",
        "goals_of_pairs": "The goals of your pairs:",
        "no_goals_yet": "– no goals yet.",
        "replace_with": "Then replace it with `goal change N TEXT` or remove it with `goal remove N`",
        "removed": "Removed: “Bli tryggare i lönesamtal”.",
        "removed_shared": "Cecilia has removed one of the goals for your mentorship: “Bli tryggare i lönesamtal”.",
        "changed_shared": "Cecilia has changed one of the goals for your mentorship: “Hinna reflektera” is now “Hinna reflektera varje vecka”.",
        "no_goal_5": "There is no goal 5: your goals are numbered 1–3",
        "not_a_number": "`goal remove` takes the goal's number, as `goals` shows it, not “Rädslan att delegera”",
        "in_quotes": '`goal "change x y"`',
        "which_remove": "Which of your pairs do you mean? Goal 1 in each pair:",
    },
}


@pytest.fixture(params=["sv", "en"])
async def year(request, sqlite_db, clock):
    return await started_year(sqlite_db, clock, request.param, SAY)


def _buttons(message) -> list[str]:
    return [b.action_id for block in message.card.blocks if isinstance(block, Buttons) for b in block.buttons]


async def _pair(db, pairing_id: int) -> Pairing:
    async with db.read() as s:
        return await s.get(Pairing, pairing_id)


async def test_checklist_goals_and_a_good_fit_no_reaching_the_coordinator(year):
    say, cecilia, frida, anna = year.say, year["Cecilia"], year["Frida"], year["Anna"]
    checklist = next(m for m in cecilia.inbox() if m.kind == "firstmeeting/checklist_intro")
    assert say["intro"] in checklist.text and len(_buttons(checklist)) == 5
    assert any(m.kind == "firstmeeting/checklist_intro" for m in frida.inbox())
    pair_id = int(checklist.card.blocks[-1].buttons[0].value)
    ticked = await cecilia.click("agree.confidentiality", str(pair_id))
    assert say["ticked"] in texts(ticked) and _buttons(ticked[0]) == _buttons(checklist)  # the numbers stay

    # Goals: the adept writes them, her mentor is told, a fourth is refused, the mentor cannot write one.
    for goal in ("Leda genom en omorganisation", "Bli tryggare i lönesamtal", "Hinna reflektera"):
        await cecilia.say(f"goal {goal}")
    assert say["shared"] in texts(frida.inbox())
    assert say["too_many"] in texts(await cecilia.say("goal Ett fjärde mål"))
    mentors = texts(await frida.say("goal Mitt eget mål"))  # not "you have no such pair": she has one
    assert say["by_mentee"] in mentors and say["no_pair"] not in mentors, mentors
    listed = texts(await frida.say("goals")).splitlines()  # each goal on a numbered line of its own
    assert listed[1:] == ["1. Leda genom en omorganisation", "2. Bli tryggare i lönesamtal", "3. Hinna reflektera"]
    assert "Hinna reflektera" not in texts(await year["David"].say("goals"))
    async with year.db.read() as s:  # the audit log keeps that a goal was added, never its words
        details = [a.detail for a in (await s.exec(select(AuditLog).where(AuditLog.action == "goal added"))).all()]
    assert details and all("Leda" not in str(d) for d in details)

    # The first logged meeting asks each member privately; a second one does not ask again.
    mine = await cecilia.say("met")
    assert say["fit"] in texts(mine)
    fit = [m for m in frida.inbox() if m.kind == "firstmeeting/fit_question"]
    assert len(fit) == 1 and _buttons(fit[0]) == ["fit.yes", "fit.no"]
    await frida.choose(2, fit)  # "no"
    notice = [m for m in anna.inbox() if m.kind == "firstmeeting/fit_no_notice"]
    assert len(notice) == 1 and say["notice"] in notice[0].text and "Frida" in notice[0].text
    assert _buttons(notice[0]) == ["fitcheck.talk", "fitcheck.rematch", "fitcheck.keep"]
    assert "Leda" not in notice[0].text  # the goals stay with the pair
    assert [m.kind for m in cecilia.inbox()] == []  # Cecilia is not told Frida's answer
    refused = await year["David"].click("fitcheck.rematch", notice[0].card.blocks[-1].buttons[1].value)
    assert [r.kind for r in refused] == ["errors/not_coordinator"]
    await anna.choose(2, notice)  # "re-match": asks first (test_re_match_asks_…)
    assert (await _pair(year.db, pair_id)).status == "announced"


def _button(message, action_id: str):
    return next(
        b
        for block in message.card.blocks
        if isinstance(block, Buttons)
        for b in block.buttons
        if b.action_id == action_id
    )


async def test_re_match_asks_what_unpair_asks_and_ends_the_pair_only_on_yes(year):
    """The fit notice's "re-match" ended the pair in one click. Now it asks
    `unpair`'s question with the fit question's reason; the notice stays as
    it was (its buttons still to press); No leaves the pair and tells
    nobody; Yes ends it and tells both. Pressed by value, as a client does."""
    say, anna = year.say, year["Anna"]
    for name in ("Cecilia", "Frida"):
        year[name].inbox()
    await year["Cecilia"].say("met")
    fit = [m for m in year["Frida"].inbox() if m.kind == "firstmeeting/fit_question"]
    await year["Frida"].click("fit.no", _button(fit[0], "fit.no").value, on=fit[0])
    (notice,) = [m for m in anna.inbox() if m.kind == "firstmeeting/fit_no_notice"]
    n = int(_button(notice, "fitcheck.rematch").value.split(":")[0])
    rematch = _button(notice, "fitcheck.rematch")

    asked = await anna.click(rematch.action_id, rematch.value, on=notice)
    assert [m.kind for m in asked] == ["matching/unpair_confirm"], texts(asked)
    assert asked[0].text.startswith(say["rematch_asked"].format(n=n)), asked[0].text
    assert asked[0].keeps_clicked  # the notice is not shown answered: after a No its buttons are still there
    assert (await _pair(year.db, n)).status == "announced"  # nothing done yet
    assert year["Cecilia"].inbox() == [] and year["Frida"].inbox() == []

    no = _button(asked[0], "confirm.cancel")
    assert say["kept"] in texts(await anna.click(no.action_id, no.value, on=asked[0]))
    assert (await _pair(year.db, n)).status == "announced"
    assert year["Cecilia"].inbox() == [] and year["Frida"].inbox() == []

    asked = await anna.click(rematch.action_id, rematch.value, on=notice)  # asked again
    yes = _button(asked[0], "confirm.confirm")
    assert say["ended"] in texts(await anna.click(yes.action_id, yes.value, on=asked[0]))
    pairing = await _pair(year.db, n)
    assert (pairing.status, pairing.end_reason) == ("ended", say["rematch_reason"])
    for name in ("Cecilia", "Frida"):
        assert say["told"] in texts(year[name].inbox())
    kept = _button(notice, "fitcheck.keep")  # the pair has ended: the notice's buttons are stale now
    assert [m.kind for m in await anna.click(kept.action_id, kept.value, on=notice)] == ["errors/stale_action"]


async def test_forget_removes_the_adepts_goals(year):
    cecilia = year["Cecilia"]
    await cecilia.say("goal Leda genom en omorganisation")
    asked = await cecilia.say("forget")
    await cecilia.choose(1, asked)
    async with year.db.read() as s:
        assert [p.goals for p in (await s.exec(select(Pairing))).all()] == [[], [], []]


def _by_label(message) -> dict:
    return {b.label: b for block in message.card.blocks if isinstance(block, Buttons) for b in block.buttons}


async def _goals_by_partner(db) -> dict[str, list[str]]:
    """Each pair's goals, by the name of its mentor."""
    async with db.read() as s:
        rows = await s.exec(
            select(Pairing, Person.name)
            .join(Enrollment, Enrollment.id == Pairing.mentor_id)
            .join(Person, Person.id == Enrollment.person_id)
        )
        return {name: pairing.goals or [] for pairing, name in rows.all()}


async def _cecilia_in_a_second_program(year) -> None:
    """Cecilia, Frida's adept in Mentorprogram 2027, becomes Ivar's in Fortsättning 2027."""
    anna = year["Anna"]
    for line in (
        "program create Fortsättning 2027 start=2027-01-19 end=2027-12-15",
        "org add Täby kommun program=fortsattning-2027",
        "org add Knivsta kommun program=fortsattning-2027",
    ):
        await anna.say(line)
    await enroll(year.db, year.clock, 2, "Cecilia", "adept", "Täby kommun", ["conflict"])
    await enroll(year.db, year.clock, 2, "Ivar", "mentor", "Knivsta kommun", ["conflict"])
    for line in ("match", "match approve", "match announce"):
        await anna.say(f"{line} program=fortsattning-2027")
    assert set(await _goals_by_partner(year.db)) >= {"Frida", "Ivar"}
    for name in ("Frida", "Ivar"):
        year[name].inbox()


async def test_an_adept_in_two_programs_is_asked_which_pair_a_goal_is_for(year):
    """Cecilia is Frida's adept in Mentorprogram 2027 and Ivar's in a second
    program: `goal` asks which pair, a button per pair carrying its id, and
    saves nothing until one is pressed; `goals` shows each pair's goals by
    the mentor's name."""
    cecilia = year["Cecilia"]
    await _cecilia_in_a_second_program(year)

    (question,) = await cecilia.say("goal Leda en   förändring")
    assert question.kind == "firstmeeting/which_pair" and year.say["which_pair"] in question.text, question.text
    buttons = _by_label(question)
    assert set(buttons) == {"Frida (Mentorprogram 2027)", "Ivar (Fortsättning 2027)"}
    assert all(goals == [] for goals in (await _goals_by_partner(year.db)).values()), "nothing saved before a press"

    # Frida is in the pair, as its mentor: a goal is the adept's to write.
    ivar = buttons["Ivar (Fortsättning 2027)"]
    frida_pair = buttons["Frida (Mentorprogram 2027)"].value.split(":")[0]
    assert [m.kind for m in await year["Frida"].click("goal.pair", f"{frida_pair}:Mitt mål")] == ["errors/stale_action"]
    await cecilia.click(ivar.action_id, ivar.value, on=question)
    goals = await _goals_by_partner(year.db)
    assert goals["Ivar"] == ["Leda en förändring"] and goals["Frida"] == []
    assert year.say["shared"] in texts(year["Ivar"].inbox()) and year["Frida"].inbox() == []

    listed = strip_marks(texts(await cecilia.say("goals"))).splitlines()  # the names' marks: as the console shows
    assert listed[:4] == [
        year.say["goals_of_pairs"],
        f"*Frida (Mentorprogram 2027)* {year.say['no_goals_yet']}",
        "*Ivar (Fortsättning 2027)*",
        "1. Leda en förändring",
    ], listed


async def test_a_mentor_with_two_adepts_sees_each_pairs_goals_by_the_adepts_name(sqlite_db, clock):
    year = Year(sqlite_db, clock, "en")
    await year.start(cohort={}, announce=False)
    for name, role, org, capacity in (
        ("Bertil", "adept", "Täby kommun", 1),
        ("Cecilia", "adept", "Täby kommun", 1),
        ("Frida", "mentor", "Knivsta kommun", 2),
    ):
        await enroll(sqlite_db, clock, 1, name, role, org, ["conflict"], capacity=capacity)
    for line in ("match", "match approve", "match announce"):
        await year["Anna"].say(line)
    await year["Bertil"].say("goal Delegera mer")
    await year["Cecilia"].say("goal Leda genom en omorganisation")
    await year["Cecilia"].say("goal Hinna reflektera")

    listed = texts(await year["Frida"].say("goals")).splitlines()
    assert listed == [
        "The goals of your pairs:",
        "*Bertil*",
        "1. Delegera mer",
        "*Cecilia*",
        "1. Leda genom en omorganisation",
        "2. Hinna reflektera",
    ], listed
    # Each adept has one pair: their own goals, as before.
    assert texts(await year["Bertil"].say("goals")).splitlines() == ["Your goals:", "1. Delegera mer"]


THREE_GOALS = ("Leda genom en omorganisation", "Bli tryggare i lönesamtal", "Hinna reflektera")


async def test_the_adept_removes_or_changes_a_goal_by_its_number_and_the_mentor_is_told(year):
    """`goal remove N` and `goal change N TEXT` (`mål ta-bort N`, `mål ändra N
    TEXT`): their words are the command, never the start of a goal (`mål
    ta-bort 1` once saved the goal "ta-bort 1"); N is checked against the
    goals there are; the mentor is told what was removed or changed."""
    say, cecilia, frida = year.say, year["Cecilia"], year["Frida"]
    for goal in THREE_GOALS:
        await cecilia.say(f"goal {goal}")
    frida.inbox()
    assert say["replace_with"] in texts(await cecilia.say("goal Ett fjärde mål"))  # the commands that make room

    for line in ("mål ta-bort 5", "mål ta bort 5", "goal remove 5", "goal Remove 5", "mål remove 5", "goal ta-bort 5"):
        answer = await cecilia.say(line)
        assert [m.kind for m in answer] == ["firstmeeting/no_such_goal"], (line, texts(answer))
        assert say["no_goal_5"] in texts(answer), texts(answer)
    for line in ("goal remove 0", "goal change 4 Ett nytt mål", "mål ändra -1 Ett nytt mål"):
        assert [m.kind for m in await cecilia.say(line)] == ["firstmeeting/no_such_goal"], line
    answer = await cecilia.say("goal remove Rädslan att delegera")
    assert [m.kind for m in answer] == ["firstmeeting/goal_number"] and say["not_a_number"] in texts(answer)
    answer = await cecilia.say("mål ändra x y" if year.locale == "sv" else "goal change x y")
    assert [m.kind for m in answer] == ["firstmeeting/goal_number"] and say["in_quotes"] in texts(answer)
    assert (await _goals_by_partner(year.db))["Frida"] == list(THREE_GOALS) and frida.inbox() == []

    answer = await cecilia.say("mål ta-bort 2")
    assert [m.kind for m in answer] == ["firstmeeting/goal_removed"] and say["removed"] in texts(answer)
    assert texts(answer).splitlines()[2:4] == ["1. Leda genom en omorganisation", "2. Hinna reflektera"]
    assert [say["removed_shared"]] == [m.text for m in frida.inbox()]
    answer = await cecilia.say("goal change 2 Hinna reflektera   varje vecka")
    assert [m.kind for m in answer] == ["firstmeeting/goal_changed"]
    assert [say["changed_shared"]] == [m.text for m in frida.inbox()]
    assert (await _goals_by_partner(year.db))["Frida"] == [
        "Leda genom en omorganisation",
        "Hinna reflektera varje vecka",
    ]

    # A goal that should begin with such a word is written in quotes.
    await cecilia.say('mål "ändra hur jag delegerar"')
    assert (await _goals_by_partner(year.db))["Frida"][-1] == "ändra hur jag delegerar"
    # The mentor writes no goals, and removes or changes none.
    for line in ("goal remove 1", "mål ändra 1 Mitt eget mål"):
        assert say["by_mentee"] in texts(await frida.say(line))
    async with year.db.read() as s:  # the audit log keeps what was done, never the words
        details = [
            a.detail
            for a in (await s.exec(select(AuditLog).where(AuditLog.action.in_(["goal removed", "goal changed"])))).all()
        ]
    assert len(details) == 2 and all("Hinna" not in str(d) and "Bli" not in str(d) for d in details)


async def _set_goals(db, goals: dict[str, list[str]]) -> None:
    """Each pair's goals, by the name of its mentor."""
    async with db.write() as s:
        rows = await s.exec(
            select(Pairing, Person.name)
            .join(Enrollment, Enrollment.id == Pairing.mentor_id)
            .join(Person, Person.id == Enrollment.person_id)
        )
        for pairing, name in rows.all():
            if name in goals:
                pairing.goals = goals[name]
                s.add(pairing)


async def test_an_adept_in_two_programs_is_asked_which_pairs_goal_to_remove_or_change(year):
    """`goal remove N` and `goal change N TEXT` from an adept in two pairs ask
    which, showing each pair's goal N, with a button for each pair that has
    one; nothing changes until a press, and a press after the goals changed
    since the question is stale (it would change another goal than shown)."""
    cecilia = year["Cecilia"]
    await _cecilia_in_a_second_program(year)
    await _set_goals(year.db, {"Frida": ["Leda en förändring"], "Ivar": ["Delegera mer", "Hinna reflektera"]})
    frida_label, ivar_label = "Frida (Mentorprogram 2027)", "Ivar (Fortsättning 2027)"

    (remove,) = await cecilia.say("mål ta-bort 1")
    assert remove.kind == "firstmeeting/which_pair_remove" and year.say["which_remove"] in remove.text
    assert "Leda en förändring" in remove.text and "Delegera mer" in remove.text
    assert set(_by_label(remove)) == {frida_label, ivar_label}
    (second,) = await cecilia.say("goal remove 2")  # only Ivar's pair has a goal 2: only its button
    assert set(_by_label(second)) == {"Ivar"} and "Hinna reflektera" in second.text
    assert [m.kind for m in await cecilia.say("goal remove 3")] == ["firstmeeting/no_such_goal"]
    (change,) = await cecilia.say("goal change 1 Leda en omorganisation")
    assert change.kind == "firstmeeting/which_pair_change" and set(_by_label(change)) == {frida_label, ivar_label}
    assert await _goals_by_partner(year.db) == {
        "Frida": ["Leda en förändring"],
        "Ivar": ["Delegera mer", "Hinna reflektera"],
        "Gustav": [],
        "Hanna": [],
    }, "nothing changes before a press"

    # Ivar is in the pair, as its mentor: the goals are the adept's to change.
    ivar = _by_label(remove)[ivar_label]
    assert [m.kind for m in await year["Ivar"].click(ivar.action_id, ivar.value)] == ["errors/stale_action"]
    await cecilia.click(ivar.action_id, ivar.value, on=remove)
    assert (await _goals_by_partner(year.db))["Ivar"] == ["Hinna reflektera"]
    assert year.say["removed_shared"].replace("Bli tryggare i lönesamtal", "Delegera mer") in texts(
        year["Ivar"].inbox()
    )
    assert year["Frida"].inbox() == []

    # The goals changed since these questions: their buttons would change another goal than they showed.
    for question, label in ((remove, frida_label), (second, "Ivar"), (change, ivar_label)):
        button = _by_label(question)[label]
        assert [m.kind for m in await cecilia.click(button.action_id, button.value, on=question)] == [
            "errors/stale_action"
        ]
    (change,) = await cecilia.say("mål ändra 1 Leda en omorganisation")
    frida = _by_label(change)[frida_label]
    answer = await cecilia.click(frida.action_id, frida.value, on=change)
    assert [m.kind for m in answer] == ["firstmeeting/goal_changed"]
    goals = await _goals_by_partner(year.db)
    assert goals["Frida"] == ["Leda en omorganisation"] and goals["Ivar"] == ["Hinna reflektera"]
    assert "Leda en omorganisation" in texts(year["Frida"].inbox()) and year["Ivar"].inbox() == []


async def test_the_same_checklist_item_pressed_twice_ticks_nothing_else(year):
    """Finding 12: the buttons renumbered after a tick, so `1` pressed twice
    ticked "where we meet" too. Every item keeps its place; a second press
    of a ticked one changes nothing and says so."""
    cecilia = year["Cecilia"]
    checklist = next(m for m in cecilia.inbox() if m.kind == "firstmeeting/checklist_intro")
    first = await cecilia.choose(1, [checklist])
    second = await cecilia.choose(1, first)
    assert _buttons(first[0]) == _buttons(second[0]) == _buttons(checklist)
    assert ("redan avklarat" if year.locale == "sv" else "already done") in texts(second)
    pair = await _pair(year.db, int(checklist.card.blocks[-1].buttons[0].value))
    assert list(pair.checks["agreement"]) == ["how_often"]


async def test_a_mentor_with_two_mentees_gets_a_checklist_naming_each(sqlite_db, clock):
    """Finding 9: two identical checklists that did not say which pair."""
    year = Year(sqlite_db, clock, "sv")
    cohort = {"Cecilia": COHORT["Cecilia"], "David": ("adept", "Täby kommun", ["budget"])}
    await year.start(cohort=cohort, announce=False)
    await enroll(year.db, year.clock, 1, "Frida", "mentor", "Knivsta kommun", ["conflict", "budget"], capacity=2)
    for line in ("match", "match approve", "match announce"):
        await year["Anna"].say(line)
    lists = [m for m in year["Frida"].inbox() if m.kind == "firstmeeting/checklist_intro"]
    assert sorted("Cecilia" in m.text for m in lists) == [False, True]
    assert sorted("David" in m.text for m in lists) == [False, True]
    assert all("du och" in m.card.blocks[0].text or "Med " in m.card.blocks[0].text for m in lists)
    ticked = await year["Frida"].choose(2, [m for m in lists if "David" in m.text])
    assert ticked[0].card.blocks[0].text.startswith("Med David:")

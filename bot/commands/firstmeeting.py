"""After the match: the adept's goals, and "is this a good fit?" after the
first logged meeting (the first meeting's agreement checklist is
`bot.commands.agreement`).

    goal TEXT        the adept records a goal (up to three; only the pair sees them);
                     an adept in two pairs (two programs) is asked which
    goal remove N    the adept removes goal N (as `goals` numbers them); the mentor is told
    goal change N TEXT  the adept rewrites goal N; the mentor is told
    goals            the pair's goals; each pair's, by the other member's name, for someone in several

The good-fit question goes to each member privately after the pair's
first meeting is logged. A "no" reaches the coordinators at once, with
buttons to talk to the person, re-match (asked first, as `unpair` asks) or
keep the pair.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import replace

from bot.commands.participant import answered
from bot.commands.registry import COORDINATOR, Param, action, command
from bot.commands.unpair import ask_to_end
from bot.commands.which import PairRow, partners_of, which_pair
from bot.coordinators import coordinator_people
from bot.errors import UserError, stale_button
from bot.inputs import parse_int, parse_whole
from bot.meetings import live_pairs_of, pair_for_action
from bot.messages import Button, Buttons, Card, Outbound, Text
from bot.store.models import Enrollment, Meeting, Pairing, PairStatus, Person, Program
from bot.store.rows import fetch, pk
from bot.turn import Turn

MAX_GOALS = 3
MAX_GOAL_LENGTH = 300


@command("goal", params=(Param("text", free=True),))
async def goal(turn: Turn, args):
    pairs = await _adept_pairs(turn)
    text = _goal_text(str(args["text"]))
    if len(pairs) > 1:  # an adept in two programs: which mentor the goal is with (`goal.pair`: `<id>:<text>`)
        return [await which_pair(turn, pairs, "goal.pair", text, "firstmeeting/which_pair", goal=text)]
    pairing, _me, program = pairs[0]
    return [await _add_goal(turn, pairing, program, text)]


@action("goal.pair")
async def goal_pair(turn: Turn):
    """The pair pressed on `goal`'s question: the adept's own live pair, and
    the goal it carries checked again (a button's value is the client's to send)."""
    pair_id, _, typed = (turn.inbound.value or "").partition(":")
    pairing, program = await pair_for_action(turn.session, pk(turn.person), pair_id, role="adept")
    text = _goal_text(typed)
    if not text:
        raise stale_button()
    return [replace(await _add_goal(turn, pairing, program, text), replace=turn.inbound.message)]


async def _adept_pairs(turn: Turn) -> list[PairRow]:
    """The live pairs whose goals the person may write: those they are the adept of."""
    live = await live_pairs_of(turn.session, pk(turn.person))
    pairs = [row for row in live if row[1].role == "adept"]
    if not pairs:  # a mentor of a running pair reads the goals; the mentee writes them
        raise UserError("firstmeeting/goals_by_the_mentee" if live else "firstmeeting/no_pair_for_goals")
    return pairs


def _goal_text(typed: str) -> str:
    text = " ".join(typed.split())
    if len(text) > MAX_GOAL_LENGTH:
        raise UserError("firstmeeting/goal_too_long", limit=MAX_GOAL_LENGTH, length=len(text))
    return text


async def _add_goal(turn: Turn, pairing: Pairing, program: Program, text: str) -> Outbound:
    if len(pairing.goals or []) >= MAX_GOALS:
        raise UserError("firstmeeting/too_many_goals", limit=MAX_GOALS)
    pairing.goals = [*(pairing.goals or []), text]
    turn.session.add(pairing)
    mentor = await fetch(turn.session, Enrollment, pairing.mentor_id)
    await turn.tell(mentor.person_id, "firstmeeting/goal_shared", program=program, adept=turn.person.name, goal=text)
    await turn.audit("goal added", program=program, pairing=pairing.id)  # not the text: it stays with the pair
    return turn.say("firstmeeting/goal_added", goals=pairing.goals, limit=MAX_GOALS)


# ------------------------------------------------- removing, changing a goal
#
# `goal remove N` and `goal change N TEXT` (`mål ta-bort N`, `mål ändra N
# TEXT`): N is the goal's number as `goals` shows it. Being commands of their
# own, their words begin no goal: `goal remove 1` never saves "remove 1" (a
# goal that should begin so is written in quotes: `goal "change how I lead"`).
# An adept in two pairs is asked which, as `goal` asks: a button for each pair
# that has a goal N, carrying the pair's id, N, the mark of the goals the
# question showed and the new text (`goal.remove`: `<id>:<N>:<mark>`,
# `goal.change`: `<id>:<N>:<mark>:<text>`).


def _is_number(text: str) -> bool:
    return parse_whole(text) is not None


@command("goal", "remove", params=(Param("n", rest=True, looks=_is_number),))
async def goal_remove(turn: Turn, args):
    pairs = await _adept_pairs(turn)
    number = _goal_number(str(args["n"]), "goal remove")
    if len(pairs) > 1:
        return [await _which_goal(turn, pairs, number, "goal remove", "")]
    pairing, _me, program = pairs[0]
    return [await _remove_goal(turn, pairing, program, number)]


@command("goal", "change", params=(Param("n", looks=_is_number), Param("text", free=True)))
async def goal_change(turn: Turn, args):
    pairs = await _adept_pairs(turn)
    number = _goal_number(str(args["n"]), "goal change", typed=f"{args['n']} {args['text']}")
    text = _goal_text(str(args["text"]))
    if len(pairs) > 1:
        return [await _which_goal(turn, pairs, number, "goal change", text)]
    pairing, _me, program = pairs[0]
    return [await _change_goal(turn, pairing, program, number, text)]


@action("goal.remove")
async def goal_remove_pair(turn: Turn):
    pairing, program, number, _text = await _pressed_goal(turn)
    return [replace(await _remove_goal(turn, pairing, program, number), replace=turn.inbound.message)]


@action("goal.change")
async def goal_change_pair(turn: Turn):
    pairing, program, number, typed = await _pressed_goal(turn)
    text = _goal_text(typed)
    if not text:
        raise stale_button()
    return [replace(await _change_goal(turn, pairing, program, number, text), replace=turn.inbound.message)]


def _goal_number(value: str, command: str, *, typed: str = "") -> int:
    """N as typed: a whole number (whether the pair has that goal is for
    `_goal_at`). Anything else is answered with how the command is written
    and, as the words may have been meant as the start of a goal, how to
    write such a goal."""
    number = parse_whole(value)
    if number is None:
        raise UserError("firstmeeting/goal_number", command=command, value=value, typed=typed or value)
    return number


def _goal_at(pairing: Pairing, number: int, command: str) -> str:
    goals = pairing.goals or []
    if not 1 <= number <= len(goals):
        raise UserError("firstmeeting/no_such_goal", command=command, number=number, count=len(goals))
    return goals[number - 1]


def _goals_mark(pairs: list[PairRow]) -> str:
    """A short mark of the adept's goals in every pair: a button pressed
    after they changed (a second button of the same question, say) would
    change another goal than the question showed, and is stale instead."""
    shown = json.dumps(sorted([pk(pairing), pairing.goals or []] for pairing, _, _ in pairs), ensure_ascii=False)
    return hashlib.sha256(shown.encode()).hexdigest()[:12]


async def _which_goal(turn: Turn, pairs: list[PairRow], number: int, command: str, text: str) -> Outbound:
    """The question which pair's goal N `command` (`goal remove`, `goal
    change`) is about, showing each pair's goal N; a button (`goal.remove`,
    `goal.change`) for each pair that has one."""
    having = [row for row in pairs if number <= len(row[0].goals or [])]
    if number < 1 or not having:
        raise UserError("firstmeeting/no_such_goal", command=command, number=number, count=None)
    shown = [
        {"partner": name, "goal": goals[number - 1] if number <= len(goals := row[0].goals or []) else None}
        for row, name in await partners_of(turn, pairs)
    ]
    typed = f"{number}:{_goals_mark(pairs)}" + (f":{text}" if text else "")
    template = "firstmeeting/which_pair_change" if text else "firstmeeting/which_pair_remove"
    return await which_pair(
        turn, having, command.replace(" ", "."), typed, template, number=number, shown=shown, goal=text
    )


async def _pressed_goal(turn: Turn) -> tuple[Pairing, Program, int, str]:
    """The pair, goal number and text a `goal.remove`/`goal.change` button
    carries, checked again: the presser's live pair, as its adept, and their
    goals as the question showed them."""
    pair_id, number, mark, text = [*(turn.inbound.value or "").split(":", 3), "", "", ""][:4]
    pairing, program = await pair_for_action(turn.session, pk(turn.person), pair_id, role="adept")
    goal_number = parse_int(number, low=1, high=MAX_GOALS)
    if goal_number is None or mark != _goals_mark(await _adept_pairs(turn)):
        raise stale_button()
    return pairing, program, goal_number, text


async def _remove_goal(turn: Turn, pairing: Pairing, program: Program, number: int) -> Outbound:
    removed = _goal_at(pairing, number, "goal remove")
    goals = list(pairing.goals or [])
    del goals[number - 1]
    pairing.goals = goals
    turn.session.add(pairing)
    mentor = await fetch(turn.session, Enrollment, pairing.mentor_id)
    await turn.tell(
        mentor.person_id, "firstmeeting/goal_removed_shared", program=program, adept=turn.person.name, goal=removed
    )
    await turn.audit("goal removed", program=program, pairing=pairing.id)  # not the text: it stays with the pair
    return turn.say("firstmeeting/goal_removed", removed=removed, goals=goals)


async def _change_goal(turn: Turn, pairing: Pairing, program: Program, number: int, text: str) -> Outbound:
    old = _goal_at(pairing, number, "goal change")
    goals = list(pairing.goals or [])
    goals[number - 1] = text
    pairing.goals = goals
    turn.session.add(pairing)
    mentor = await fetch(turn.session, Enrollment, pairing.mentor_id)
    name = turn.person.name
    await turn.tell(
        mentor.person_id, "firstmeeting/goal_changed_shared", program=program, adept=name, old=old, goal=text
    )
    await turn.audit("goal changed", program=program, pairing=pairing.id)  # not the text: it stays with the pair
    return turn.say("firstmeeting/goal_changed", number=number, old=old, goals=goals)


@command("goals")
async def goals(turn: Turn, args):
    """Every live pair's goals: named by the other member when there are several."""
    pairs = await live_pairs_of(turn.session, pk(turn.person))
    if not pairs:
        raise UserError("firstmeeting/no_pair_for_goals")
    shown = [{"partner": name, "goals": row[0].goals or []} for row, name in await partners_of(turn, pairs)]
    return [turn.say("firstmeeting/goals", pairs=shown, ephemeral=True)]


# ------------------------------------------------------------- good fit?


async def after_first_meeting(turn: Turn, pairing: Pairing, program: Program) -> None:
    """Once the pair's first meeting is logged, each member is asked privately."""
    if "fit_asked" in (pairing.checks or {}):  # asked already: no need to count the meetings
        return
    from sqlalchemy import func
    from sqlmodel import select

    count = (
        await turn.session.exec(select(func.count()).select_from(Meeting).where(Meeting.pairing_id == pairing.id))
    ).one()
    if count != 1:
        return
    pairing.checks = {**(pairing.checks or {}), "fit_asked": turn.now.isoformat()}
    turn.session.add(pairing)
    for enrollment_id, other_id in ((pairing.adept_id, pairing.mentor_id), (pairing.mentor_id, pairing.adept_id)):
        me = await fetch(turn.session, Enrollment, enrollment_id)
        other = await fetch(turn.session, Person, (await fetch(turn.session, Enrollment, other_id)).person_id)

        def card(render: Callable[..., str], o: Person = other, value: str = str(pairing.id)) -> Card:
            return Card(
                (
                    Text(render("firstmeeting/fit_question", program=program, partner=o.name)),
                    Buttons(
                        (
                            Button("fit.yes", render("firstmeeting/button_fit_yes"), value, "primary"),
                            Button("fit.no", render("firstmeeting/button_fit_no"), value),
                        )
                    ),
                )
            )

        await turn.tell(me.person_id, "firstmeeting/fit_question", program=program, partner=other.name, card=card)


@action("fit.")
async def fit_answer(turn: Turn):
    pairing, program = await pair_for_action(turn.session, pk(turn.person), turn.inbound.value)
    adept, mentor = [await fetch(turn.session, Enrollment, e) for e in (pairing.adept_id, pairing.mentor_id)]
    good = turn.inbound.action_id == "fit.yes"
    checks = dict(pairing.checks or {})
    pairing.checks = {**checks, "fit": {**checks.get("fit", {}), str(turn.person.id): good}}
    turn.session.add(pairing)
    await turn.audit("good fit answered", program=program, pairing=pairing.id, good=good)
    if good:
        return answered(turn, "firstmeeting/fit_thanks")
    other = mentor if adept.person_id == turn.person.id else adept
    other_person = await fetch(turn.session, Person, other.person_id)
    value = f"{pairing.id}:{turn.person.id}"
    # A coordinator who is in this pair is the partner the question promised would not see the answer.
    members = {adept.person_id, mentor.person_id}
    told = [c for c in await coordinator_people(turn.session, turn.core.config) if c.id not in members]
    who, partner = turn.person.name, other_person.name
    choices = (("talk", "primary"), ("rematch", "danger"), ("keep", None))

    def notice(render: Callable[..., str]) -> Card:
        text = render("firstmeeting/fit_no_notice", program=program, who=who, partner=partner)
        buttons = (Button(f"fitcheck.{c}", render(f"firstmeeting/button_{c}"), value, style) for c, style in choices)
        return Card((Text(text), Buttons(tuple(buttons))))

    for coordinator in told:
        await turn.tell(
            pk(coordinator),
            "firstmeeting/fit_no_notice",
            program=program,
            who=who,
            partner=partner,
            card=notice,
            as_coordinator=True,
        )
    return answered(turn, "firstmeeting/fit_sorry" if told else "firstmeeting/fit_sorry_untold")


async def _fit_pair(turn: Turn) -> tuple[Pairing, Program, set[int]]:
    """The live pair a fit notice's button names (who may press is declared:
    coordinators), its program and its members' person ids."""
    number = parse_int((turn.inbound.value or "").partition(":")[0], low=1)
    pairing = await turn.session.get(Pairing, number) if number is not None else None
    if pairing is None or pairing.status != PairStatus.ANNOUNCED:
        raise stale_button()
    program = await fetch(turn.session, Program, pairing.program_id)
    members = {(await fetch(turn.session, Enrollment, e)).person_id for e in (pairing.adept_id, pairing.mentor_id)}
    return pairing, program, members


@action("fitcheck.", role=COORDINATOR, name="fitcheck")
async def fit_followup(turn: Turn):
    pairing, program, members = await _fit_pair(turn)
    who = (turn.inbound.value or "").partition(":")[2]
    choice = (turn.inbound.action_id or "").removeprefix("fitcheck.")
    if choice not in ("talk", "keep") or (choice == "talk" and parse_int(who) not in members):
        raise stale_button()  # the card names its pair's member; any other value is forged
    await turn.audit(f"good fit {choice}", program=program, pairing=pairing.id)
    if choice == "talk":
        await turn.tell(int(who), "firstmeeting/coordinator_will_call", program=program, coordinator=turn.person.name)
        return answered(turn, "firstmeeting/talk_sent")
    return answered(turn, "firstmeeting/kept")


@action("fitcheck.rematch", role=COORDINATOR, name="fitcheck", keeps_card=True)
async def fit_rematch(turn: Turn):
    """The "re-match" button asks what `unpair` asks (`ask_to_end`), with the fit
    question's reason: Yes ends the pair, No leaves it. The notice stays as
    it was, its buttons there to press (after a No: talk to them, keep)."""
    pairing, program, _members = await _fit_pair(turn)
    await turn.audit("good fit rematch", program=program, pairing=pairing.id)
    return [await ask_to_end(turn, pairing, turn.render("firstmeeting/rematch_reason"), program=program)]

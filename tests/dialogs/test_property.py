"""Arbitrary text and button values at every step: nothing escapes as an
internal error, and the stored dialogue state always validates."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from adapters.console_render import options
from bot.dialogs.flow import FLOWS, State, load_ctx, problems
from bot.store.models import DialogState, Enrollment, Person
from tests.dialogs.script import ADEPT, MENTOR, line, type_raw

WORDS = [
    "ja",
    "nej",
    "yes",
    "no",
    "tillbaka",
    "back",
    "hoppa över",
    "skip",
    "avbryt",
    "cancel",
    "hjälp",
    "help",
    "1",
    "2",
    "3",
    "4",
    "1,3",
    "0",
    "99",
    "-1",
    "1,5 år",
    "18 months",
    "",
    " ",
    "join",
    "join role=mentor",
    "status",
    "Täby kommun",
    "digital",
    "sv, en",
    "x" * 3000,
    "?",
    "2027-02-30",
    "🙂",
    ",",
    " ; ",
    "och",
]

typed = st.one_of(st.text(max_size=80), st.sampled_from(WORDS)).map(lambda t: ("type", t))
pressed = st.integers(min_value=0, max_value=20).map(lambda n: ("press", n))
forged = st.tuples(
    st.sampled_from(["dlg:", "invite.join", "nomination.accept", "nomination.decline"]),
    st.text(alphabet="0123456789:-abc", max_size=12),
    st.one_of(
        st.text(max_size=20),
        st.sampled_from(
            ["_back", "_skip", "_cancel", "_help", "_coordinator", "_retry", "yes", "no", "confirm", "edit", "1", "2"]
        ),
    ),
).map(lambda t: ("forge", t))
submitted = st.tuples(
    st.sampled_from(["dlg:1:1:pick", "dlg:", "invite.join"]),
    st.dictionaries(
        st.text(max_size=12), st.one_of(st.text(max_size=12), st.lists(st.text(max_size=8)).map(tuple)), max_size=3
    ),
).map(lambda t: ("form", t))
actions = st.lists(st.one_of(typed, pressed, forged, submitted), min_size=1, max_size=8)

people = itertools.count(1)


async def check_person(world, name: str) -> None:
    async with world.db.read() as s:
        person = (await s.exec(select(Person).where(Person.name == name))).first()
        if person is None:
            return
        for row in (await s.exec(select(DialogState).where(DialogState.person_id == person.id))).all():
            state = State.of(row)
            ctx = await load_ctx(s, state)
            if ctx is None:  # its enrollment is gone (forget): it must not be live
                assert row.status != "active"
                continue
            assert problems(FLOWS[row.name], state, ctx) == [], (row.step, row.data)
        for enrollment in (await s.exec(select(Enrollment).where(Enrollment.person_id == person.id))).all():
            if enrollment.answers:
                assert enrollment.status in ("active", "pending") and enrollment.consent_at is not None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(role=st.sampled_from(["adept", "mentor"]), prefix=st.integers(min_value=0, max_value=13), acts=actions)
async def test_arbitrary_input_at_any_step(world, role, prefix, acts):
    name = f"Person {next(people)}"
    chat = world.chat(name)
    script = ADEPT if role == "adept" else MENTOR
    replies = []
    for typed_line, _ in script[:prefix]:
        replies = await type_raw(chat, line(typed_line, "sv"))
    for kind, what in acts:
        if kind == "type":
            replies = await type_raw(chat, what)
        elif kind == "press":
            picks = [p for r in replies for p in options(r.card)]
            if not picks:
                continue
            pick = picks[what % len(picks)]
            replies = await chat.click(pick.action_id, pick.value)
        elif kind == "form":
            replies = await chat.submit(*what)
        else:
            prefix_id, middle, value = what
            replies = await chat.click(prefix_id + middle, value)
        assert all(r.kind != "errors/internal" for r in replies), [r.text for r in replies]
        await check_person(world, name)

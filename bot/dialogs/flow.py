"""The pieces of a dialogue: its definition (`Flow`), the working copy of
its stored state (`State`), what its steps may look at (`Ctx`), loading and
the compare-and-set save, and the check that a stored state is sound.
The engine that moves through a flow is `bot.dialogs.engine`."""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import programs
from bot.dialogs.choice import ChoiceStep
from bot.dialogs.steps import YES_WORDS, Step, YesNoStep, norm
from bot.errors import UserError
from bot.language import DIALOGUE_KEY
from bot.messages import Option, Outbound
from bot.store.models import DialogState, Enrollment, Organisation, Person, Program, ProgramEvent
from bot.store.rows import pk, table_of

if TYPE_CHECKING:
    from bot.turn import Turn

ACTION_PREFIX = "dlg:"
SUMMARY = "summary"
EDIT = "_edit"
CONFIRM_CANCEL = "_cancel"
DECLINED = "_declined"
ACTIVE, DONE, CANCELLED = "active", "done", "cancelled"
MAX_INVALID = 3

# --------------------------------------------------------------------- model


@dataclass
class State:
    """A working copy of a `DialogState` row for one turn."""

    id: int
    person_id: int
    program_id: int | None
    name: str
    step: str
    data: dict
    history: list
    invalid_count: int
    status: str
    version: int

    @classmethod
    def of(cls, row: DialogState) -> State:
        return cls(
            pk(row),
            row.person_id,
            row.program_id,
            row.name,
            row.step,
            copy.deepcopy(row.data or {}),
            list(row.history or []),
            row.invalid_count,
            row.status,
            row.version,
        )

    @property
    def answers(self) -> dict:
        return self.data.setdefault("answers", {})

    @property
    def locale(self) -> str | None:
        """The language the dialogue started in, which it keeps (`bot.language`);
        None for one started before dialogues kept theirs."""
        return self.data.get(DIALOGUE_KEY)

    @property
    def editing(self) -> bool:
        return bool(self.data.get("editing"))

    @property
    def action_prefix(self) -> str:
        return f"{ACTION_PREFIX}{self.id}:{self.version}"


@dataclass
class Ctx:
    """What the steps of one turn may look at."""

    turn: Turn | None
    program: Program
    enrollment: Enrollment | None  # None only where answers are shown (`answers.answer_ctx`)
    # The program's organisations (all, when it names none), read only for a
    # question that looks at them (`read_for`, `Flow.organisation_steps`).
    organisations: list[Organisation]
    topics: tuple[str, ...]
    nominator: Person | None = None
    # The program's events (not cancelled), read only for a question that lists them (`read_for`).
    events: tuple[ProgramEvent, ...] = ()
    events_read: bool = False
    organisations_read: bool = False

    @property
    def member(self) -> Enrollment:
        """The enrollment a running dialogue is about (always there in a dialogue)."""
        if self.enrollment is None:
            raise ValueError("this context only shows answers: it has no enrollment")
        return self.enrollment


Finish = Callable[["Turn", Ctx, State], Awaitable[list[Outbound]]]
Started = Callable[["Turn", Ctx, State], Awaitable[None]]
Hook = Callable[["Turn", Ctx, State, Any], Awaitable[list[str]]]


@dataclass
class Flow:
    """A named dialogue. `transitions[step](answers, ctx)` names the next step
    (`SUMMARY` after the last question, `DECLINED` to end it as refused
    consent); `hooks[step]` may act on an answer and return notes (rendered
    sentences) to show before the next question. `finish` writes the answers
    after the final confirm; `cancelled` and `declined` undo whatever the
    dialogue started (they run before its answers are dropped); `started`
    runs once when the dialogue begins."""

    name: str
    steps: Sequence[Step]
    transitions: dict[str, Callable[[dict, Ctx], str]]
    finish: Finish
    cancelled: Finish
    declined: Finish
    started: Started | None = None
    hooks: dict[str, Hook] = field(default_factory=dict)
    # Enrollment statuses the dialogue runs for (None: those still onboarding).
    open_for: tuple[str, ...] | None = None
    # The steps that look at the program's organisations (`Ctx.organisations`:
    # their options, or their transition); a turn at another step reads none,
    # and a survey never does. Its summary shows them (an answer's name).
    organisation_steps: tuple[str, ...] = ()
    # "intake" or "survey": what `help` says about stopping and carrying on
    # (`join` starts or resumes an intake, a survey's Start button a survey).
    kind: str = "intake"

    def __post_init__(self) -> None:
        self.by_name = {s.name: s for s in self.steps}
        self.first = self.steps[0].name
        missing = [s.name for s in self.steps if s.name not in self.transitions]
        if missing:
            raise RuntimeError(f"flow {self.name}: no transition for {missing}")

    @property
    def fields(self) -> dict[str, Step]:
        return {s.field: s for s in self.steps if s.field}

    @property
    def uses_organisations(self) -> bool:
        return bool(self.organisation_steps)

    @property
    def uses_events(self) -> bool:
        """Whether a question lists the program's events (`Step.event_kinds`)."""
        return any(s.event_kinds for s in self.steps)


FLOWS: dict[str, Flow] = {}


def register(flow: Flow) -> Flow:
    FLOWS[flow.name] = flow
    return flow


# ------------------------------------------------------------ summary steps


def _summary_options(ctx, render) -> list[Option]:
    return [
        Option("confirm", render("dialogs/option/confirm")),
        Option("edit", render("dialogs/option/edit")),
        Option("cancel", render("dialogs/option/cancel")),
    ]


@dataclass(frozen=True)
class SummaryStep(ChoiceStep):
    """Confirm, edit or cancel; a plain "yes" confirms."""

    def parse(self, text: str, ctx, render):
        if norm(text) in YES_WORDS:
            return "confirm"
        return super().parse(text, ctx, render)


SUMMARY_STEP = SummaryStep(SUMMARY, source=_summary_options, ask="dialogs/ask/summary")
CANCEL_STEP = YesNoStep(
    CONFIRM_CANCEL,
    ask="dialogs/ask/confirm_cancel",
    yes_label="dialogs/option/cancel_yes",
    no_label="dialogs/option/cancel_no",
)


def _edit_step(flow: Flow, state: State) -> ChoiceStep:
    answered = [s for s in flow.steps if s.field and s.field in state.answers]
    return ChoiceStep(
        EDIT,
        ask="dialogs/ask/edit",
        source=lambda ctx, render: [Option(s.name, render(f"dialogs/label/{s.field}")) for s in answered],
    )


def step_of(flow: Flow, state: State) -> Step:
    if state.step == SUMMARY:
        return SUMMARY_STEP
    if state.step == CONFIRM_CANCEL:
        return CANCEL_STEP
    if state.step == EDIT:
        return _edit_step(flow, state)
    return flow.by_name[state.step]


# ------------------------------------------------------------------ loading

# Statements of every turn in a dialogue, built once (building one costs more
# than SQLite's work on it); their values are bound at execution.
_ALL_ORGANISATIONS = select(Organisation).order_by(col(Organisation.name))
# A state comes with its enrollment (`State.data["enrollment_id"]`), which
# `load_ctx` is then given instead of reading it again.
_STATE_AND_ENROLLMENT = select(DialogState, Enrollment).outerjoin(
    Enrollment, col(Enrollment.id) == col(DialogState.data)["enrollment_id"].as_integer()
)
_ACTIVE_STATE = _STATE_AND_ENROLLMENT.where(
    col(DialogState.person_id) == sa.bindparam("person_id"), col(DialogState.status) == ACTIVE
).order_by(col(DialogState.updated_at).desc(), col(DialogState.id).desc())
_STATE_BY_ID = _STATE_AND_ENROLLMENT.where(col(DialogState.id) == sa.bindparam("state_id"))
_SAVE = (
    sa.update(DialogState)
    .where(col(DialogState.id) == sa.bindparam("state_id"), col(DialogState.version) == sa.bindparam("seen_version"))
    .values(
        {
            name: sa.bindparam(f"new_{name}", type_=table_of(DialogState).c[name].type)
            for name in ("step", "data", "history", "invalid_count", "status", "version", "updated_at")
        }
    )
)


async def load_ctx(
    session: AsyncSession, state: State, turn: Turn | None = None, enrollment: Enrollment | None = None
) -> Ctx | None:
    """What the state's steps look at, or None when its enrollment is gone.
    `enrollment`: the state's, when it was read with it (`active_state`).
    Without a turn (a stored state checked or shown) every answer may be
    looked at, so the organisations are read whatever the step."""
    program = await session.get(Program, state.program_id) if state.program_id else None
    if enrollment is None or enrollment.id != state.data.get("enrollment_id"):
        enrollment = await session.get(Enrollment, state.data.get("enrollment_id") or 0)
    if program is None or enrollment is None or enrollment.person_id != state.person_id:
        return None
    from bot.matching.topics import program_topics

    nominator = await session.get(Person, enrollment.nominated_by) if enrollment.nominated_by else None
    ctx = Ctx(turn, program, enrollment, [], program_topics(program.topics), nominator)
    flow = FLOWS.get(state.name)
    if flow is None or (turn is None and flow.uses_organisations):
        await _read_organisations(session, ctx)
    if flow is not None:  # a summary or an edit may lead to any question
        await read_for(session, flow, ctx, state.step, any_step=state.step not in flow.by_name)
    return ctx


async def read_for(session: AsyncSession, flow: Flow, ctx: Ctx, step: str, *, any_step: bool = False) -> None:
    """Read into `ctx`, once, what the question at `step` looks at (any of
    the flow's with `any_step`): the program's events when it lists them,
    its organisations when it is one of `Flow.organisation_steps` or the
    summary, an edit or a cancel (which show the answers, or lead back to
    any question). A turn whose questions look at neither reads neither."""
    question = flow.by_name.get(step)
    if flow.uses_events if any_step else bool(getattr(question, "event_kinds", ())):
        await program_events(session, ctx)
    if flow.uses_organisations if any_step or question is None else step in flow.organisation_steps:
        await _read_organisations(session, ctx)


async def program_events(session: AsyncSession, ctx: Ctx) -> tuple[ProgramEvent, ...]:
    """The program's events (not cancelled, by date), read once a turn."""
    if not ctx.events_read:
        ctx.events, ctx.events_read = tuple(await programs.events(session, ctx.program)), True
    return ctx.events


async def _read_organisations(session: AsyncSession, ctx: Ctx) -> None:
    """The program's organisations; a program that names none offers all."""
    if not ctx.organisations_read:
        organisations = await programs.organisations(session, ctx.program)
        if not organisations:
            organisations = list((await session.exec(_ALL_ORGANISATIONS)).all())
        ctx.organisations, ctx.organisations_read = organisations, True


# Session.info: the people this transaction found with no active dialogue.
# Only `entrances.start` makes one active, and it says so (`dialogue_started`).
_NONE_ACTIVE = "mentorbot.dialogs.none_active"


async def active_state(turn: Turn) -> tuple[DialogState, Enrollment | None] | None:
    """The person's active dialogue, if any, and its enrollment (for `load_ctx`).
    Found to have none, a person has none for the rest of the turn unless
    it starts one: a command typed outside a dialogue reads once, not again
    to say that a question still waits."""
    none_active = turn.session.info.setdefault(_NONE_ACTIVE, set())
    if turn.person.id in none_active:
        return None
    found = (await turn.session.exec(_ACTIVE_STATE, params={"person_id": turn.person.id})).first()
    if found is None:
        none_active.add(turn.person.id)
        return None
    return found[0], found[1]


def dialogue_started(session: AsyncSession, person_id: int) -> None:
    """The person may have an active dialogue from now on (`entrances.start`)."""
    session.info.get(_NONE_ACTIVE, set()).discard(person_id)


async def state_by_id(session: AsyncSession, state_id: int) -> tuple[DialogState, Enrollment | None] | None:
    """A dialogue's state by its id (a card names it), and its enrollment (for `load_ctx`)."""
    found = (await session.exec(_STATE_BY_ID, params={"state_id": state_id})).first()
    return (found[0], found[1]) if found is not None else None


async def save(turn: Turn, state: State) -> None:
    """Compare-and-set: a stale version means another turn got there first,
    and this one is rolled back and answered kindly."""
    await turn.session.flush()  # what the turn changed so far goes first, as before any statement
    connection = await turn.session.connection()  # a plain UPDATE, outside the ORM: nothing to synchronise
    result = await connection.execute(
        _SAVE,
        {
            "state_id": state.id,
            "seen_version": state.version,
            "new_step": state.step,
            "new_data": state.data,
            "new_history": state.history,
            "new_invalid_count": state.invalid_count,
            "new_status": state.status,
            "new_version": state.version + 1,
            "new_updated_at": turn.now,
        },
    )
    if result.rowcount != 1:
        raise UserError("dialogs/already_answered")
    state.version += 1
    # A copy of the row loaded earlier in this turn is now stale: drop it, so
    # anything reading it later in the turn loads the saved version.
    for obj in list(turn.session.identity_map.values()):
        if isinstance(obj, DialogState) and obj.id == state.id:
            turn.session.expire(obj)


# ----------------------------------------------------------------- checking


def problems(flow: Flow, state: State, ctx: Ctx) -> list[str]:
    """Everything wrong with a stored state (used by tests and on load)."""
    found = []
    specials = {SUMMARY, EDIT, CONFIRM_CANCEL}
    if state.status not in (ACTIVE, DONE, CANCELLED):
        found.append(f"status {state.status!r}")
    if state.step not in flow.by_name and state.step not in specials:
        found.append(f"unknown step {state.step!r}")
    if any(h not in flow.by_name for h in state.history):
        found.append(f"unknown step in history {state.history!r}")
    if not 0 <= state.invalid_count < MAX_INVALID:
        found.append(f"invalid_count {state.invalid_count}")
    fields = flow.fields
    for key, value in state.answers.items():
        step = fields.get(key)
        if step is None:
            found.append(f"unknown answer {key!r}")
        elif value is None and not step.skippable:
            found.append(f"{key} skipped but required")
        elif value is not None and not step.check(value, ctx):
            found.append(f"{key}={value!r} does not fit step {step.name}")
    if state.answers and ctx.member.consent_at is None:
        found.append("answers kept without consent")
    if state.status != ACTIVE and state.answers:
        found.append(f"{state.status} dialogue kept answers")
    if state.step == EDIT and not state.answers:
        found.append("editing with nothing answered")
    back_to = state.data.get("cancel_from")
    if (state.step == CONFIRM_CANCEL) != (back_to is not None) or (
        back_to is not None and back_to not in flow.by_name and back_to not in (SUMMARY, EDIT)
    ):
        found.append(f"confirming a cancel from {back_to!r} at step {state.step!r}")
    if state.editing and state.step not in flow.by_name and state.step != CONFIRM_CANCEL:
        found.append(f"editing at step {state.step!r}")
    unknown = set(state.data) - {"enrollment_id", "answers", "prior_status", "editing", "cancel_from", DIALOGUE_KEY}
    if unknown:
        found.append(f"unknown state data {sorted(unknown)}")
    return found

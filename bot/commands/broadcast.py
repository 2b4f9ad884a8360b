"""`broadcast all|mentors|adepts|org=NAME TEXT`: a message from the
coordinator to part of the program.

The command only shows a preview (the text as people will read it, and how
many will get it) with Send / Cancel buttons; the draft is kept as an audit
entry ("broadcast drafted"), and its id is the buttons' value. Send writes
one outbox row per recipient (kind `broadcast`, key `broadcast:<draft>:person<id>`)
in the same transaction, so the dispatcher paces the sending and a double
click sends nothing twice.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from bot.commands.arguments import longer_org
from bot.commands.choices import choice_value
from bot.commands.registry import COMMANDS, COORDINATOR, PROGRAM, Param, action, command
from bot.errors import UserError
from bot.inputs import parse_int
from bot.messages import Button, Buttons, Card, Outbound, Text
from bot.programs import org_id_of, organisations, taking_part
from bot.reminders.events import AUDIENCE_ROLES
from bot.reminders.store import Planned, insert_if_absent
from bot.store.models import AuditLog, Enrollment, EnrollmentStatus, Person, Program
from bot.store.rows import fetch, pk
from bot.turn import Turn

AUDIENCES = tuple(AUDIENCE_ROLES)
MAX_TEXT = 3000  # inside one Slack section and a Teams text block
GIVE_UP_AFTER = timedelta(days=3)
DRAFTED, SENT = "broadcast drafted", "broadcast sent"


async def recipients(session, program: Program, audience: str, org: str | None) -> list[int]:
    """Person ids of the active participants in the audience (and organisation,
    the one each is in the program for: `org_id_of`)."""
    query = (
        select(Enrollment, Person)
        .join(Person, col(Person.id) == col(Enrollment.person_id))
        .where(
            Enrollment.program_id == program.id,
            Enrollment.status == EnrollmentStatus.ACTIVE,
            col(Enrollment.role).in_(AUDIENCE_ROLES[audience]),
        )
    )
    org_id = (await taking_part(session, program, org)).id if org is not None else None
    rows = (await session.exec(query)).all()
    return sorted({pk(p) for e, p in rows if org_id is None or org_id_of(e, p) == org_id})


def _audience(args) -> tuple[str, str | None, str]:
    """(audience, organisation, text) from `all TEXT` or `org=NAME TEXT`."""
    text, org = str(args["text"]).strip(), args["org"]
    if org is not None:
        return "all", org.strip(), text
    audience = choice_value(str(args["audience"]), AUDIENCES)
    if audience is None:
        raise UserError(
            "errors/bad_choice", argument="audience", value=args["audience"], choices=[*AUDIENCES, "org=…"], names=""
        )
    return audience, None, text


@command(
    "broadcast",
    role=COORDINATOR,
    params=(
        # Checked by `_audience` (whose answer also names `org=`); the choices
        # are declared for the syntax that help shows. With `org=` every word is the text.
        Param("audience", choices=AUDIENCES, unless="org"),
        Param("text", free=True, lines=True),
        Param("org", named=True, required=False),
        PROGRAM,
    ),
)
async def broadcast(turn: Turn, args):
    program = await turn.program(args["program"])
    audience, org, text = _audience(args)
    if org is not None:  # the preview and the draft name it as it is stored
        known = [o.name for o in await organisations(turn.session, program)]
        ambiguous = longer_org(COMMANDS[("broadcast",)], org, turn.words, known)  # `org=Solna stad …`
        if ambiguous is not None:
            raise ambiguous
        org = (await taking_part(turn.session, program, org)).name
    if len(text) > MAX_TEXT:
        raise UserError("dialogs/invalid/text_long", length=len(text), max=MAX_TEXT)
    people = await recipients(turn.session, program, audience, org)
    if not people:
        return [turn.say("broadcast/nobody", audience=audience, org=org, program=program)]
    draft = AuditLog(
        at=turn.now,
        actor=turn.actor_key,
        program_id=program.id,
        action=DRAFTED,
        detail={"audience": audience, "org": org, "text": text, "count": len(people)},
    )
    turn.session.add(draft)
    await turn.session.flush()
    preview = turn.render("broadcast/message", text=text, sender=turn.person.name, program=program)
    card = Card(
        (
            Text(turn.render("broadcast/preview", count=len(people), audience=audience, org=org, program=program)),
            Text(preview),
            Buttons(
                (
                    Button(
                        "broadcast.send",
                        turn.render("broadcast/button_send", count=len(people)),
                        str(draft.id),
                        "primary",
                    ),
                    Button("broadcast.cancel", turn.render("commands/button_no"), str(draft.id)),
                )
            ),
        )
    )
    return [turn.say("broadcast/preview", card=card, count=len(people), audience=audience, org=org, program=program)]


async def _draft(turn: Turn) -> tuple[AuditLog, Program]:
    """The clicker's own draft (an audit row written with its program) and that program."""
    value = turn.inbound.value or ""
    number = parse_int(value, low=1)
    draft = await turn.session.get(AuditLog, number) if number is not None else None
    if draft is None or draft.action != DRAFTED or draft.actor != turn.actor_key or draft.program_id is None:
        raise UserError("errors/stale_action")
    return draft, await fetch(turn.session, Program, draft.program_id)


@action("broadcast.", role=COORDINATOR, name="broadcast")
async def broadcast_answer(turn: Turn):
    draft, program = await _draft(turn)
    done = (
        await turn.session.exec(
            select(AuditLog).where(
                col(AuditLog.action).in_((SENT, "broadcast cancelled")), AuditLog.program_id == draft.program_id
            )
        )
    ).all()
    if any(d.detail.get("draft") == draft.id for d in done):
        return [Outbound(text=turn.render("broadcast/already"), replace=turn.inbound.message, kind="broadcast/already")]
    if turn.inbound.action_id != "broadcast.send":
        await turn.audit("broadcast cancelled", program=program, draft=draft.id)
        return [
            Outbound(text=turn.render("broadcast/cancelled"), replace=turn.inbound.message, kind="broadcast/cancelled")
        ]
    detail = draft.detail
    people = await recipients(turn.session, program, detail["audience"], detail.get("org"))
    rows = [
        Planned(
            key=f"broadcast:{draft.id}:person{pid}",
            kind="broadcast",
            template="broadcast/message",
            due_at=turn.now,
            subject=f"broadcast:{draft.id}",
            program_id=program.id,
            person_id=pid,
            context={"text": detail["text"], "sender": turn.person.name},
            expires_at=turn.now + GIVE_UP_AFTER,
        )
        for pid in people
    ]
    await insert_if_absent(turn.session, rows, turn.now)
    await turn.audit(
        SENT, program=program, draft=draft.id, audience=detail["audience"], org=detail.get("org"), count=len(people)
    )
    return [
        Outbound(
            text=turn.render("broadcast/queued", count=len(people)),
            replace=turn.inbound.message,
            kind="broadcast/queued",
        )
    ]

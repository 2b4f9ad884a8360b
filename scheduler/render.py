"""From a claimed reminder row to a message in the reader's language.

Rendering happens at send time, from the live state: an event that moved
since planning is shown at its new time, a pair that ended gets no nudge.
`prepare` returns a `Ready` (where and what to send) or a `Skip` (the row is
no longer wanted: it is cancelled, not sent).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Config
from bot.i18n import Translator
from bot.messages import Address, Button, Buttons, Card, Outbound, Text
from bot import outbox
from bot.outbox import address_from_dict
from bot.people import address_of, locale_for
from bot.ports import DeliveryError
from scheduler.planner import utc_iso
from bot.store.models import (
    Enrollment,
    EnrollmentStatus,
    Meeting,
    Pairing,
    PairStatus,
    Person,
    Program,
    ProgramEvent,
)

PARTNER_ROLE = {"adept": "mentor", "mentor": "adept"}


@dataclass(frozen=True)
class Ready:
    to: Address
    message: Outbound


@dataclass(frozen=True)
class Skip:
    reason: str


@dataclass(frozen=True)
class Unreachable:
    """The recipient cannot be reached at all (no identity): fail the row."""

    error: DeliveryError


class Renderer:
    def __init__(self, config: Config, translator: Translator):
        self.config = config
        self.translator = translator

    async def prepare(self, session: AsyncSession, row) -> Ready | Skip | Unreachable:
        program = await session.get(Program, row.program_id) if row.program_id else None
        if program is not None and program.status != "active" and row.kind not in ("failure",):
            return Skip("the program is closed")
        if row.kind == outbox.KIND:  # a message that failed at once: send it as it was written
            to = address_from_dict(row.address)
            return Ready(to, outbox.decode(row.context["message"], to))
        person = await session.get(Person, row.person_id) if row.person_id else None
        if person is not None:
            to = await address_of(session, person.id)
            if to is None:
                return Unreachable(DeliveryError("no reachable identity: they have not talked to the bot "
                                                 "or every identity is marked unreachable", permanent=True))
            locale = locale_for(person, program, self.config)
            tz = program.timezone if program else self.config.bot.timezone
        elif row.address:
            to = address_from_dict(row.address)
            locale = program.locale if program else self.config.bot.locale
            tz = program.timezone if program else self.config.bot.timezone
        else:
            return Skip("no recipient")
        builder = getattr(self, f"_ctx_{row.kind}", None)
        if builder is None:
            return Skip(f"unknown reminder kind {row.kind!r}")
        built = await builder(session, row, program, person)
        if isinstance(built, Skip):
            return built
        ctx, card = built

        def render(name: str, /, **kw) -> str:
            kw.setdefault("tz", tz)  # the program's zone, named when the reader's differs
            kw.setdefault("reader_tz", person.timezone if person is not None else None)
            return self.translator.render(locale, name, **kw)

        text = render(row.template, **ctx)
        return Ready(to, Outbound(text=text, card=card(render, text) if card else None, to=to, kind=row.template))

    # ----------------------------------------------------------- per kind

    async def _active_in(self, session, program_id: int, person_id: int) -> bool:
        found = (await session.exec(select(Enrollment.id).where(
            Enrollment.program_id == program_id, Enrollment.person_id == person_id,
            Enrollment.status == EnrollmentStatus.ACTIVE))).first()
        return found is not None

    async def _ctx_event(self, session, row, program, person):
        event = await session.get(ProgramEvent, row.context.get("event_id"))
        if event is None or event.cancelled:
            return Skip("the event was removed")
        if utc_iso(event.starts_at) != row.context.get("starts_at"):
            return Skip("the event moved; its new reminders are planned")
        if person is not None and not await self._active_in(session, program.id, person.id):
            return Skip("no longer an active participant")
        return {
            "event": event, "program": program, "offset": int(row.context.get("offset", 0)),
            "to_channel": person is None,
        }, None

    async def _pair(self, session, pairing_id):
        pairing = await session.get(Pairing, pairing_id)
        if pairing is None or pairing.status != PairStatus.ANNOUNCED:
            return None, None, None
        adept = await session.get(Enrollment, pairing.adept_id)
        mentor = await session.get(Enrollment, pairing.mentor_id)
        return pairing, adept, mentor

    async def _ctx_nudge(self, session, row, program, person):
        pairing, adept, mentor = await self._pair(session, row.context.get("pairing_id"))
        if pairing is None:
            return Skip("the pair is no longer active")
        me, partner = (adept, mentor) if adept.person_id == row.person_id else (mentor, adept)
        partner_person = await session.get(Person, partner.person_id)
        since = date.fromisoformat(row.context["since"])
        value = str(pairing.id)

        def card(render, text):
            return Card((
                Text(text),
                Buttons((
                    Button("nudge.met", render("nudges/button_met"), value, "primary"),
                    Button("nudge.snooze", render("nudges/button_snooze"), value),
                    Button("nudge.help", render("nudges/button_help"), value),
                )),
            ))

        return {"partner": partner_person.name if partner_person else "?", "since": since,
                "role": me.role, "program": program}, card

    async def _ctx_stall(self, session, row, program, person):
        pairing, adept, mentor = await self._pair(session, row.context.get("pairing_id"))
        if pairing is None:
            return Skip("the pair is no longer active")
        since = date.fromisoformat(row.context["since"])
        later = (await session.exec(select(Meeting.id).where(
            Meeting.pairing_id == pairing.id, Meeting.held_on > since))).first()
        if later is not None:
            return Skip("the pair has met since")
        adept_person = await session.get(Person, adept.person_id)
        mentor_person = await session.get(Person, mentor.person_id)
        return {"adept": adept_person.name, "mentor": mentor_person.name, "since": since,
                "days": int(row.context.get("days", program.stall_days)), "program": program,
                "pairing_id": pairing.id}, None

    async def _ctx_intake(self, session, row, program, person):
        enrollment = await session.get(Enrollment, row.context.get("enrollment_id"))
        if enrollment is None or enrollment.status not in (EnrollmentStatus.INVITED, EnrollmentStatus.ONBOARDING):
            return Skip("onboarding is finished or was declined")
        return {"program": program, "role": enrollment.role,
                "started": enrollment.status == EnrollmentStatus.ONBOARDING}, None

    async def _ctx_failure(self, session, row, program, person):
        c = row.context
        return {"who": c.get("who", "?"), "what": c.get("what", "?"), "why": c.get("why", "?"),
                "attempts": c.get("attempts", 0), "program_name": program.name if program else ""}, None

"""SQLModel tables: the database is the source of truth.

Times are stored as UTC (`UTCDateTime` gives them back timezone-aware);
calendar dates as dates. Free-form structured data (intake answers, match
rationale, reminder context) lives in JSON columns.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from bot.store.coltypes import UTCDateTime


def _utc(**kw: Any):
    nullable = kw.pop("nullable", True)
    index = kw.pop("index", False)
    return Field(sa_column=sa.Column(UTCDateTime(), nullable=nullable, index=index), **kw)


def _json(default_factory=dict):
    return Field(default_factory=default_factory, sa_column=sa.Column(sa.JSON, nullable=False))


class Role(StrEnum):
    ADEPT = "adept"
    MENTOR = "mentor"


class EnrollmentStatus(StrEnum):
    INVITED = "invited"  # invited or nominated, has not started
    ONBOARDING = "onboarding"  # in the intake dialogue
    PENDING = "pending"  # ineligible by the rules; waits for a coordinator
    ACTIVE = "active"  # onboarded, can be matched
    DECLINED = "declined"  # said no to an invitation / nomination, or to the intake's consent question
    CANCELLED = "cancelled"  # cancelled the intake before finishing it
    LEFT = "left"


# Not (or no longer) taking part: what every "still in the program" check leaves out.
GONE = (EnrollmentStatus.LEFT, EnrollmentStatus.DECLINED, EnrollmentStatus.CANCELLED)


class PairStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    ANNOUNCED = "announced"
    ENDED = "ended"
    CONTINUING = "continuing"  # after the close-out both want to go on on their own
    COMPLETED = "completed"  # the program year is over for this pair


class EndReason(StrEnum):
    """Why the bot ended a pair (`Pairing.end_reason`); a coordinator's
    `unpair` keeps their own words there instead. Each has its words in
    `labels/end_reason/<name in lower case>`."""

    LEFT = "left"
    CONSENT_WITHDRAWN = "consent withdrawn"
    FORGOTTEN = "forgotten"
    CLOSE_OUT = "close-out"
    PROGRAM_CLOSED = "program closed"


class ReminderStatus(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class Organisation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True)


class OrganisationTenant(SQLModel, table=True):
    """A Slack workspace or Teams tenant an organisation's people come from:
    only these may reach a program (`org add NAME slack=T… teams=…`)."""

    __tablename__ = "organisation_tenant"
    organisation_id: int = Field(foreign_key="organisation.id", primary_key=True)
    platform: str = Field(primary_key=True)
    tenant: str = Field(primary_key=True, index=True)


class Person(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str
    email: str | None = Field(default=None, index=True)
    locale: str | None = None  # chosen by the person (sv/en); wins over the platform's
    platform_locale: str | None = None
    # The language of their first intake: kept when a program's language changes later.
    started_locale: str | None = None
    timezone: str | None = None
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    # The program a coordinator picked with `program use` (their commands' default).
    coordinating_program_id: int | None = Field(default=None, foreign_key="program.id")
    created_at: datetime | None = _utc()


class Identity(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("platform", "tenant", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    platform: str
    tenant: str
    user_id: str
    # Where to reach them later: a DM channel id, a Teams conversation reference.
    conversation: str | None = None
    ref: str | None = None
    unreachable: bool = False
    unreachable_reason: str | None = None
    # When this account first wrote to the bot; None for one a coordinator
    # named (a mention, a key) before it ever did. Names resolve only to
    # people who have written (`bot.people.resolve_person`).
    spoke_at: datetime | None = _utc()


class Program(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(index=True, unique=True)
    name: str
    start: date
    end: date
    locale: str = "sv"
    timezone: str = "Europe/Stockholm"
    country: str = "SE"
    status: str = "active"  # draft, active, closing, closed, archived (bot.lifecycle)
    nudge_min_days: int = 21
    nudge_max_days: int = 28
    first_nudge_days: int = 14
    stall_days: int = 56
    # Days before an event to remind (0 = the morning of the event).
    reminder_offsets: list = _json(lambda: [7, 1, 0])
    # [["07-01", "07-31"]]: month-day ranges with no nudges.
    quiet_periods: list = _json(lambda: [["07-01", "07-31"]])
    adept_min_months: int = 6
    adept_max_months: int = 36
    mentor_min_years: int = 5
    mentor_max_capacity: int = 3
    topics: list = _json(list)  # empty = the default topic list
    match_rule: str = "other_org"  # other_org, other_org_not_manager, other_department
    names_in_channel: bool = False
    # Who may nominate mentors besides coordinators: participants (active or
    # pending in this program; the safe default), anyone, or coordinators only.
    nominators: str = "participants"
    # The program channel, set by the channel command on a platform.
    channel_platform: str | None = None
    channel_tenant: str | None = None
    channel_conversation: str | None = None
    channel_ref: str | None = None
    created_at: datetime | None = _utc()
    # When the coordinator closed it: the privacy rules' retention clock starts here.
    closed_at: datetime | None = _utc()
    # The program this one was created from with `program new-cohort`.
    previous_id: int | None = Field(default=None, foreign_key="program.id")


class ProgramOrganisation(SQLModel, table=True):
    __tablename__ = "program_organisation"
    program_id: int = Field(foreign_key="program.id", primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", primary_key=True)


class ProgramEvent(SQLModel, table=True):
    __tablename__ = "program_event"
    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    kind: str  # kickoff, mentor_training, inspiration, closing, custom
    title: str | None = None
    starts_at: datetime = _utc(nullable=False)
    place: str | None = None
    audience: str = "all"  # all, mentors, adepts
    cancelled: bool = False
    # Bumped at each change a calendar must take (date, time, place, title,
    # cancellation): the .ics files' SEQUENCE, so an imported copy updates.
    revision: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class LinkCode(SQLModel, table=True):
    """A one-time code that proves two platform identities are one person:
    shown to the known identity (`link`), typed by the new one (`link CODE`).
    Only a hash of the code is stored."""

    __tablename__ = "link_code"
    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(index=True, unique=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    issued_to: str  # the identity key that asked for it
    expires_at: datetime = _utc(nullable=False)
    used_at: datetime | None = _utc()


class Coordinator(SQLModel, table=True):
    """Someone who may run coordinator commands: an identity key
    (`slack:T1:U2`), or an e-mail address matched to the person."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(index=True, unique=True)
    added_by: str | None = None
    created_at: datetime | None = _utc()


class Enrollment(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("program_id", "person_id", "role"),)
    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    role: str  # Role
    status: str = EnrollmentStatus.INVITED
    consent_at: datetime | None = _utc()
    answers: dict = _json(dict)
    capacity: int = 1
    paused_until: date | None = None
    nominated_by: int | None = Field(default=None, foreign_key="person.id")
    nomination_reason: str | None = None
    override_by: str | None = None  # coordinator who accepted an ineligible participant
    waitlisted: bool = False  # the coordinator put the adept on the waitlist
    created_at: datetime | None = _utc()
    updated_at: datetime | None = _utc()


class Pairing(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    adept_id: int = Field(foreign_key="enrollment.id", index=True)
    mentor_id: int = Field(foreign_key="enrollment.id", index=True)
    status: str = PairStatus.DRAFT
    pinned: bool = False
    score: float = 0.0
    rationale: list = _json(list)
    announced_at: datetime | None = _utc()
    ended_at: datetime | None = _utc()
    end_reason: str | None = None
    created_at: datetime | None = _utc()
    # The adept's goals (up to three), private to the pair; `forget` clears them.
    goals: list = _json(list)
    # Answers after the match: agreement items ticked, "good fit?" and
    # "go on on your own?" per person id (`PRIVATE_CHECKS`: each member's own).
    checks: dict = _json(dict)

    def other_member(self, enrollment_id: int | None) -> int:
        """The enrollment id of the pair's other member: the mentor for the adept, the adept for the mentor."""
        return self.mentor_id if self.adept_id == enrollment_id else self.adept_id

    def checks_of(self, person_id: int | None) -> dict:
        """`checks` as one member may read them: of each private answer only
        their own, never the other member's (who was told it is theirs alone)."""
        mine = str(person_id)
        return {
            k: ({p: v for p, v in (said or {}).items() if p == mine} if k in PRIVATE_CHECKS else said)
            for k, said in (self.checks or {}).items()
        }


# In `Pairing.checks`, the answers each member gives for themselves alone,
# by person id: "is this a good fit?" and "go on on your own?".
PRIVATE_CHECKS = ("fit", "continue")


class MatchExclusion(SQLModel, table=True):
    """A coordinator's "never this adept with this mentor"."""

    __tablename__ = "match_exclusion"
    __table_args__ = (sa.UniqueConstraint("program_id", "adept_id", "mentor_id"),)
    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    adept_id: int = Field(foreign_key="enrollment.id")
    mentor_id: int = Field(foreign_key="enrollment.id")
    added_by: str | None = None
    created_at: datetime | None = _utc()


class MatchAllowance(SQLModel, table=True):
    """A coordinator's "these two may be paired again" (`match unexclude`):
    lifts the rule that a pair that has been one (ended in this program, or
    in an earlier one) is never proposed again, for the pairs that had ended
    by `created_at`; one that ends after it is a previous pair again."""

    __tablename__ = "match_allowance"
    __table_args__ = (sa.UniqueConstraint("program_id", "adept_id", "mentor_id"),)
    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    adept_id: int = Field(foreign_key="enrollment.id")
    mentor_id: int = Field(foreign_key="enrollment.id")
    added_by: str | None = None
    created_at: datetime | None = _utc()


class Meeting(SQLModel, table=True):
    # A pair's meeting of a day is logged once (migration 0015; `bot.meetings.log_meeting`).
    __table_args__ = (sa.Index("uq_meeting_pairing_day", "pairing_id", "held_on", unique=True),)
    id: int | None = Field(default=None, primary_key=True)
    pairing_id: int = Field(foreign_key="pairing.id", index=True)
    held_on: date
    minutes: int = 90
    logged_by: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime | None = _utc()


class Reminder(SQLModel, table=True):
    """The outbox: one row per future message, unique by `key`."""

    __table_args__ = (
        sa.Index("ix_reminder_status_due", "status", "due_at"),
        # A subject's rows, and one person's of them (an event's, a survey's): migration 0014.
        sa.Index("ix_reminder_subject_person", "subject", "person_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True)
    program_id: int | None = Field(default=None, foreign_key="program.id", index=True)
    kind: str  # event, nudge, intake, stall, failure ...
    template: str
    # Recipient: a person (their identities) or a channel address.
    person_id: int | None = Field(default=None, foreign_key="person.id")
    address: dict | None = Field(default=None, sa_column=sa.Column(sa.JSON, nullable=True))
    context: dict = _json(dict)
    due_at: datetime = _utc(nullable=False)
    expires_at: datetime | None = _utc()
    status: str = ReminderStatus.PENDING
    attempts: int = 0
    lease_until: datetime | None = _utc()
    claimed_by: str | None = None
    last_error: str | None = None
    message_id: str | None = None
    sent_at: datetime | None = _utc()
    created_at: datetime | None = _utc()
    # What the reminder is about ("pair:42", "event:17", "enrollment:5"), so
    # re-planning one pair or event reads only its own rows.
    subject: str | None = None


class DialogState(SQLModel, table=True):
    __tablename__ = "dialog_state"
    __table_args__ = (sa.UniqueConstraint("person_id", "name", "program_id"),)
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    program_id: int | None = Field(default=None, foreign_key="program.id")
    name: str
    step: str
    data: dict = _json(dict)
    history: list = _json(list)
    invalid_count: int = 0
    status: str = "active"  # active, done, cancelled
    version: int = 0
    updated_at: datetime | None = _utc()


class SurveyResponse(SQLModel, table=True):
    __tablename__ = "survey_response"
    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    survey: str
    answers: dict = _json(dict)
    created_at: datetime | None = _utc()


class AuditLog(SQLModel, table=True):
    __tablename__ = "audit_log"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _utc(nullable=False, index=True)
    actor: str  # identity key
    program_id: int | None = Field(default=None, foreign_key="program.id")
    action: str
    detail: dict = _json(dict)


class ProcessedEvent(SQLModel, table=True):
    """Platform event ids already handled, so a retry is processed once."""

    __tablename__ = "processed_event"
    key: str = Field(primary_key=True)  # "slack:Ev123", "teams:<activity id>"
    at: datetime = _utc(nullable=False, index=True)


class EventRsvp(SQLModel, table=True):
    """A person's "I'm coming" / "I can't come" for a program event (the last answer counts)."""

    __tablename__ = "event_rsvp"
    __table_args__ = (sa.UniqueConstraint("event_id", "person_id"),)
    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="program_event.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    coming: bool
    at: datetime = _utc(nullable=False)


class CalendarFeed(SQLModel, table=True):
    """A person's calendar subscription URL: the token is the secret in the
    URL (HMAC-signed with the server's key); revoking it ends the feed."""

    __tablename__ = "calendar_feed"
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    program_id: int = Field(foreign_key="program.id")
    token: str = Field(index=True, unique=True)
    created_at: datetime | None = _utc()
    revoked_at: datetime | None = _utc()


class SharedFile(SQLModel, table=True):
    """A file offered as a short-lived download link (Teams, where a bot
    cannot upload a file into a chat): removed once it expires."""

    __tablename__ = "shared_file"
    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(index=True, unique=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    filename: str
    media_type: str
    data: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))
    created_at: datetime | None = _utc()
    expires_at: datetime = _utc(nullable=False, index=True)

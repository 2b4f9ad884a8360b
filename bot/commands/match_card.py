"""The coordinator's draft as a card (`match` and the draft's adjustments):
the pairs with score, top reasons and warnings, who is left and why, who was
left out of the pool and why (paused, waiting for approval: the name and the
reason only), and the Approve / Announce buttons, each carrying a digest of
the pairs it shows."""

from __future__ import annotations

import hashlib

from bot.matching.cohort import Cohort
from bot.matching.draft import DraftPair
from bot.matching.model import Unmatched, UnmatchedCode
from bot.matching.warnings import warnings
from bot.messages import Block, Button, Buttons, Card, Heading, Text
from bot.store.models import Pairing, PairStatus
from bot.turn import Turn

TOP_REASONS = 3
UNAVAILABLE_SHOWN = 3  # mentors named in one adept's "the mentors who fit have no place"
DRAFT_SHOWN = 30  # pairs listed in the chat; the whole draft is in `export`


def member_view(cohort: Cohort, enrollment_id: int) -> dict:
    member = cohort.members[enrollment_id]
    return {"name": member.person.name, "org": member.org_name}


def pair_warnings(cohort: Cohort, row: Pairing | DraftPair) -> list:
    """The pair's mismatches and trade-offs (`bot.matching.warnings`)."""
    adept, mentor = cohort.adept(row.adept_id), cohort.mentor(row.mentor_id)
    return warnings(adept, mentor) if adept is not None and mentor is not None else []


def _detail(cohort: Cohort, u: Unmatched):
    """The data of an adept's reason for the template: mentors who fit but
    have no place are named with why (full, paused, waiting for approval)."""
    if u.reason_code is not UnmatchedCode.MENTORS_UNAVAILABLE or not isinstance(u.detail, tuple):
        return u.detail
    ids = list(u.detail)
    return {
        "mentors": [cohort.unavailable_view(m) for m in ids[:UNAVAILABLE_SHOWN]],
        "more": max(0, len(ids) - UNAVAILABLE_SHOWN),
    }


def pair_view(cohort: Cohort, row: Pairing | DraftPair) -> dict:
    reasons = [r for r in row.rationale if r["code"] != "pinned"][:TOP_REASONS]
    return {
        "id": row.id,
        "adept": member_view(cohort, row.adept_id),
        "mentor": member_view(cohort, row.mentor_id),
        "score": row.score,
        "pinned": row.pinned,
        "reasons": reasons,
        "status": row.status,
        "warnings": pair_warnings(cohort, row),
    }


def draft_card(
    turn: Turn,
    cohort: Cohort,
    unmatched: list[Unmatched] | None,
    note: str | None = None,
    drafts: list[DraftPair] | None = None,
):
    """The draft as a card: pairs with score and top reasons, who is left and
    why. `drafts`: a draft just written (else the cohort's draft rows)."""
    if drafts is None:
        drafts = [
            DraftPair(p.id, p.adept_id, p.mentor_id, p.score, p.pinned, p.rationale)
            for p in cohort.pairings
            if p.status == PairStatus.DRAFT
        ]
    approved = [p for p in cohort.pairings if p.status == PairStatus.APPROVED]
    announced = sum(1 for p in cohort.pairings if p.status == PairStatus.ANNOUNCED)
    if unmatched is None:  # after an adjustment: who in the pool has no draft pair
        paired = {p.adept_id for p in drafts}
        unmatched = [Unmatched(a.id, None) for a in cohort.adepts if a.id not in paired]
    taken: dict[int, int] = {}
    for p in drafts:
        taken[p.mentor_id] = taken.get(p.mentor_id, 0) + 1
    # Mentors with room kept from an adept only by an exclusion or an earlier pair: named, with the way to lift it.
    aside = cohort.set_aside({u.adept_id for u in unmatched}, taken)
    left = [
        {
            **member_view(cohort, u.adept_id),
            "code": u.reason_code and str(u.reason_code),
            "detail": _detail(cohort, u),
            "set_aside": aside.get(u.adept_id, [])[:UNAVAILABLE_SHOWN],
        }
        for u in unmatched
    ]
    # A long draft shows the pairs with hard warnings first; the rest is in the spreadsheet.
    hard = {p.id: p.hard if p.hard is not None else any(w.hard for w in pair_warnings(cohort, p)) for p in drafts}
    shown = [pair_view(cohort, p) for p in sorted(drafts, key=lambda p: not hard[p.id])[:DRAFT_SHOWN]]
    shown.sort(key=lambda v: v["id"])
    text = turn.render(
        "matching/draft",
        program=cohort.program,
        rule=cohort.program.match_rule,
        pairs=shown,
        total=len(drafts),
        approved=[pair_view(cohort, p) for p in approved],
        announced=announced,
        unmatched=left,
        waitlisted=[member_view(cohort, eid)["name"] for eid in cohort.waitlisted],
        left_out=sorted(
            ({"name": member_view(cohort, eid)["name"], **why} for eid, why in cohort.held_adepts.items()),
            key=lambda m: m["name"],
        ),
    )
    buttons = []
    if drafts:
        buttons.append(
            Button(
                "match.approve",
                turn.render("matching/button_approve"),
                f"{cohort.program.id}:{shown_pairs(drafts)}",
                "primary",
            )
        )
    if approved and not drafts:
        buttons.append(
            Button(
                "match.announce",
                turn.render("matching/button_announce"),
                f"{cohort.program.id}:{shown_pairs(approved)}",
                "primary",
            )
        )
    blocks: list[Block] = [Heading(turn.render("matching/draft_heading", program=cohort.program))]
    if note:
        blocks.append(Text(note))
    blocks.append(Text(text))
    if buttons:
        blocks.append(Buttons(tuple(buttons)))
    return turn.say("matching/draft_heading", program=cohort.program, card=Card(tuple(blocks)))


def shown_pairs(pairs) -> str:
    """A short digest of the pairs a card shows (which adept with which
    mentor), carried by its Approve / Announce button: pressed after the
    draft changed (a swap, a new `match`), the button is stale instead of
    approving pairs the coordinator never saw."""
    said = ",".join(f"{p.id}-{p.adept_id}-{p.mentor_id}" for p in sorted(pairs, key=lambda p: p.id))
    return hashlib.sha256(said.encode()).hexdigest()[:16]

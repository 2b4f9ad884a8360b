"""What `mentorbot simulate` prints: the year's figures, computed by the
database (`collect`), the summary and the transcript."""

from __future__ import annotations

import itertools
import statistics
from collections import Counter, defaultdict
from datetime import date
from typing import TYPE_CHECKING

from adapters.console_render import render_text
from bot.store.db import Database
from tools.simulation_cohort import STHLM, Member
from tools.simulation_steps import day, steps

if TYPE_CHECKING:
    from tools.simulate import World


def summary(world: World, stats: dict) -> str:
    """The year in figures, from what the database holds (`collect`)."""
    kinds: Counter = stats["kinds"]
    lines = [
        "",
        "mentorbot simulate: one program year (2027) on a virtual clock",
        "",
        f"participants: {stats['participants']} ({stats['adepts']} adepts, {stats['mentors']} mentors), "
        f"pairs: {len(world.pairs)}",
        "",
        "messages sent by the scheduler and the core, by kind:",
    ]
    lines += [f"  {n:5d}  {k}" for k, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))]
    lines += ["", "per pair: nudges to the adept, days between them (min/median/max), meetings logged:"]
    for pair in world.pairs:
        days = stats["nudged"].get(pair.pairing_id, [])
        gaps = [(b - a).days for a, b in itertools.pairwise(days)]
        spread = f"{min(gaps)}/{statistics.median(gaps):g}/{max(gaps)}" if gaps else "-"
        lines.append(
            f"  #{pair.pairing_id:<3d} {pair.behaviour.name:<10s} {pair.adept.name} & {pair.mentor.name}: "
            f"{len(days)} nudges, gaps {spread}, meetings {stats['meetings'].get(pair.pairing_id, 0)}"
        )
    lines += ["", "the year, step by step (local dates):", *steps(world, stats["facts"])]
    lines += [
        "",
        f"stall digests to the coordinator: {kinds.get('scheduler/stall_digest', 0)}",
        f"reminders failed: {stats['failed']}   expired: {stats['expired']}   cancelled (re-planned): "
        f"{stats['cancelled']}",
    ]
    if stats.get("kept_db"):
        lines.append(f"database kept: {stats['db']}")
    return "\n".join(lines)


def transcript(world: World) -> str:
    out = []
    for at, who, message in world.port.log:
        body = render_text(message).replace("\n", "\n    ")
        out.append(f"{at.astimezone(STHLM):%Y-%m-%d %H:%M} → {who} [{message.kind}]\n    {body}")
    out.append("\n--- replies to what people typed or clicked ---")
    for at, who, typed, reply in world.replies:
        body = render_text(reply).replace("\n", "\n    ")
        out.append(f"{at.astimezone(STHLM):%Y-%m-%d %H:%M} {who} > {typed}\n    {body}")
    return "\n".join(out) + "\n"


async def collect(db: Database, members: list[Member]) -> dict:
    """The summary's figures, computed by the database: meetings per pair,
    outbox rows by status, messages sent by kind (a row marked sent with the
    platform's message id, not a reply to the person who wrote, and not a
    coordinators' row that only became one row per coordinator), and each
    pair's nudges to its adept, in order."""
    import sqlalchemy as sa
    from sqlalchemy.orm import aliased
    from sqlmodel import col

    from bot import outbox
    from bot.store.models import Enrollment, Meeting, Pairing, Reminder

    sent = sa.and_(
        col(Reminder.status) == "sent", col(Reminder.message_id).is_not(None), col(Reminder.kind) != outbox.REPLY
    )
    adept = aliased(Enrollment)
    nudges = (
        sa.select(col(Pairing.id), col(Reminder.sent_at))
        .join(Pairing, col(Reminder.subject) == sa.literal("pair:") + sa.cast(col(Pairing.id), sa.String))
        .join(adept, sa.and_(col(adept.id) == col(Pairing.adept_id), col(adept.person_id) == col(Reminder.person_id)))
        .where(col(Reminder.kind) == "nudge", sent)
        .order_by(col(Pairing.id), col(Reminder.sent_at))
    )
    async with db.read() as session:
        conn = await session.connection()
        meetings: dict[int, int] = dict(
            (
                await conn.execute(
                    sa.select(col(Meeting.pairing_id), sa.func.count()).group_by(col(Meeting.pairing_id))
                )
            ).all()
        )
        status: dict[str, int] = dict(
            (await conn.execute(sa.select(col(Reminder.status), sa.func.count()).group_by(col(Reminder.status)))).all()
        )
        kinds = Counter(
            dict(
                (
                    await conn.execute(
                        sa.select(col(Reminder.template), sa.func.count()).where(sent).group_by(col(Reminder.template))
                    )
                ).all()
            )
        )
        nudged: dict[int, list[date]] = defaultdict(list)
        for pairing_id, at in (await conn.execute(nudges)).all():
            if pairing_id is not None and at is not None:
                nudged[pairing_id].append(day(at))
    return {
        "participants": len(members),
        "adepts": sum(m.role == "adept" for m in members),
        "mentors": sum(m.role == "mentor" for m in members),
        "meetings": meetings,
        "kinds": kinds,
        "nudged": dict(nudged),
        "failed": status.get("failed", 0),
        "expired": status.get("expired", 0),
        "cancelled": status.get("cancelled", 0),
    }

"""Conversation references stored on a person's Teams identity.

A personal chat's reference is what every later DM goes through. From a
channel or group chat we only learn the service URL and the person's Teams
user id: that is kept (without a conversation) so the outbound port can open a
1:1 chat with them later, and never overwrites a personal chat's reference.
"""

from __future__ import annotations

import json

from botbuilder.schema import Activity

from adapters.teams.inbound import actor_of, reference_of, where_of
from bot.clock import Clock
from bot.messages import Actor, Where
from bot.people import identity_of, person_for_actor, reachable_again
from bot.store.db import Database


async def remember(db: Database, clock: Clock, activity: Activity, actor: Actor | None = None) -> None:
    """Store where this person can be reached, and that they can be again.
    `actor` is the person as `actor_of(activity)` sees them, perhaps with
    their profile (e-mail) looked up."""
    if activity.from_property is None or activity.conversation is None or not activity.service_url:
        return
    if (activity.from_property.id or "").startswith("28:"):
        return  # the bot itself
    personal = where_of(activity) == Where.DM
    async with db.write() as session:
        _, identity = await person_for_actor(session, actor or actor_of(activity), clock.now())
        if personal:
            reference = reference_of(activity)
            identity.conversation = activity.conversation.id
            identity.ref = json.dumps(reference, sort_keys=True)
            await reachable_again(session, identity, clock.now())  # and what was held for them is due now
        elif identity.ref is None:
            seed = reference_of(activity)
            seed["conversation"] = {"tenantId": seed["conversation"]["tenantId"]}
            identity.ref = json.dumps(seed, sort_keys=True)
        else:
            return
        session.add(identity)


async def forget_chat(db: Database, activity: Activity) -> None:
    """The person removed the app from their personal scope: no more DMs until
    they add it again (their next message clears this). Someone the bot does
    not know is not made known by leaving."""
    actor = actor_of(activity)
    async with db.write() as session:
        identity = await identity_of(session, actor.platform, actor.tenant, actor.user_id)
        if identity is None:
            return
        identity.unreachable = True
        identity.unreachable_reason = "teams: the person removed the app"
        session.add(identity)


async def is_known(db: Database, actor: Actor) -> bool:
    async with db.read() as session:
        return await identity_of(session, actor.platform, actor.tenant, actor.user_id) is not None

"""Linking identities with proof: `link` (a one-time code between two of
one's own accounts) and the coordinator's `person link`. See `bot.linking`."""

from __future__ import annotations

from bot.commands.registry import COORDINATOR, Param, command
from bot.commands.roster import program_if_any
from bot.errors import UserError
from bot.linking import CODE_TTL, issue_code, move_identity, redeem_code
from bot.messages import Actor, Platform
from bot.people import identity_key_of, identity_of, is_identity_ref, person_for_actor, resolve_person
from bot.turn import Turn


@command("link", params=(Param("code", required=False),))
async def link(turn: Turn, args):
    if not args["code"]:
        code = await issue_code(turn.session, turn.person, turn.actor_key, turn.now)
        minutes = int(CODE_TTL.total_seconds() // 60)
        return [turn.say("commands/link_code", code=code, minutes=minutes, ephemeral=True)]
    person = await redeem_code(turn.session, str(args["code"]), turn.identity, turn.now)
    turn.person = person
    await turn.audit("link", person=person.id, identity=turn.actor_key, via="code")
    return [turn.say("commands/linked", name=person.name, ephemeral=True)]


@command(
    "person",
    "link",
    role=COORDINATOR,
    params=(Param("person", "person"), Param("identity", looks=is_identity_ref)),
)
async def person_link(turn: Turn, args):
    key = identity_key_of(str(args["identity"]), turn.inbound.actor)
    if key is None:
        raise UserError("errors/link_needs_identity", ref=args["identity"])
    target = await resolve_person(
        turn.session, str(args["person"]), turn.inbound.actor, turn.now, await program_if_any(turn)
    )
    identity = await identity_of(turn.session, *key)
    if identity is None:  # someone the bot has not met: their identity starts out linked
        _, identity = await person_for_actor(
            turn.session, Actor(Platform(key[0]), key[1], key[2], display_name=target.name), turn.now, spoke=False
        )
    await move_identity(turn.session, identity, target)
    return [turn.say("commands/person_linked", name=target.name, key=":".join(key))]

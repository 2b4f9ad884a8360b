"""The end of the simulated year and the start of the next, as the
coordinator does it after the closing event: `program close` (refused while
pairs have not answered the close-out, then `force=yes` and *Yes*), then
`program new-cohort` from the closed program, `program open` (last year's
mentors are asked to stay on) and `invite` for the new cohort's adepts.

The seed (004) ends the program at a closing event in January and starts the
next one in February; so does this.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from adapters.console import user_id
from bot.messages import Outbound
from tools.simulation_cohort import COORDINATOR, MUNICIPALITIES

if TYPE_CHECKING:
    from tools.simulate import World

CLOSE_AT = datetime(2028, 1, 31, 9, 0, tzinfo=UTC)  # the Monday after the answers had a week and a half
AFTER = datetime(2028, 2, 9, 12, 0, tzinfo=UTC)  # a week on: the invitations and their reminders are out
FIRST = "mentorprogram-2027"
NEXT_NAME, NEXT = "Mentorprogram 2028", "mentorprogram-2028"
NEXT_START = date(2028, 2, 15)  # a Tuesday, as 19 January 2027 was: the calendar keeps its weekdays
NEW_ADEPTS = ("Tove Lindqvist", "Hugo Ekman", "Alva Bergström", "Leo Sandberg", "Selma Nyström", "Isak Holm")


async def close_and_start_again(world: World, new_adepts: int) -> None:
    """The coordinator's commands after the year, typed on `CLOSE_AT`."""
    world.clock.set(CLOSE_AT)
    asked = await world.say(COORDINATOR, "program close")
    if not _confirm(asked):  # pairs that never answered the close-out: closing completes them
        asked = await world.say(COORDINATOR, "program close force=yes")
    card = _confirm(asked)
    if card is not None:
        await world.choose(COORDINATOR, 1, [card])  # *Yes*
    start = NEXT_START.isoformat()
    await world.say(COORDINATOR, f"program new-cohort {FIRST} {NEXT_NAME} start={start}")
    await world.say(COORDINATOR, f"program open {NEXT}")
    names = NEW_ADEPTS[:new_adepts]
    for i, name in enumerate(names):
        await world.chat(name, org=MUNICIPALITIES[i % len(MUNICIPALITIES)])
    if names:
        keys = " ".join(f"console:local:{user_id(name)}" for name in names)
        await world.say(COORDINATOR, f"invite {keys} program={NEXT}")


def _confirm(replies: list[Outbound]) -> Outbound | None:
    return next((m for m in replies if m.kind == "lifecycle/close_confirm"), None)

"""Someone using mentorbot in Teams, as the tests drive them: they type in
their personal chat, and where the last card offers what they mean they click
it (a button, or an Adaptive Card choice set submitted with its button)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tests.fakes.bot_connector import Call, FakeBotConnector
from tests.teams.helpers import TeamsServer, TeamsUser, card_submit, personal_message

_OPTION_BUTTON = re.compile(r":\d+$")
_NAV_BUTTON = re.compile(r":[ns]:\d+$")


def actions_of(card: dict[str, Any]) -> list[dict[str, Any]]:
    found = [a for e in card.get("body", []) if e.get("type") == "ActionSet" for a in e["actions"]]
    return found + list(card.get("actions", []))


def choice_sets(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in card.get("body", []) if e.get("type") == "Input.ChoiceSet"]


@dataclass
class TeamsPerson:
    server: TeamsServer
    connector: FakeBotConnector
    who: TeamsUser
    clicks: int = 0

    def inbox(self) -> list[Call]:
        return self.connector.delivered(self.who.chat)

    def last_card(self) -> Call | None:
        for call in reversed(self.inbox()):
            if call.card is not None:
                return call
        return None

    async def type(self, text: str) -> list[Call]:
        before = len(self.connector.calls)
        await self.server.post(personal_message(self.connector.url, self.who, text))
        return self.connector.calls[before:]

    async def click(self, call: Call, data: dict[str, Any], **inputs) -> list[Call]:
        before = len(self.connector.calls)
        self.clicks += 1
        await self.server.post(card_submit(self.connector.url, self.who, call.result_id, data, **inputs))
        return self.connector.calls[before:]

    async def click_button(self, action_id: str, call: Call | None = None) -> list[Call]:
        call = call or self.last_card()
        for action in actions_of(call.card):
            if action["data"]["mentorbot"]["a"] == action_id:
                return await self.click(call, action["data"])
        raise AssertionError(f"no button {action_id} on the card: {call.shown_text()}")

    async def answer(self, typed: str) -> list[Call]:
        """Click the card's option(s) for `typed` (numbers or a label), else type it."""
        call = self.inbox()[-1] if self.inbox() else None
        card = call.card if call is not None else None
        if card is None:
            return await self.type(typed)
        picks = [p.strip() for p in typed.split(",")]
        for choice in choice_sets(card):
            values = [c["value"] for c in choice["choices"]]
            if all(p.isdigit() and 1 <= int(p) <= len(values) for p in picks):
                submit = next(a for a in actions_of(card) if a["data"]["mentorbot"]["a"] == choice["id"])
                chosen = ",".join(values[int(p) - 1] for p in picks)
                return await self.click(call, submit["data"], **{choice["id"]: chosen})
        options = [
            a
            for a in actions_of(card)
            if _OPTION_BUTTON.search(a["data"]["mentorbot"]["a"])
            and not _NAV_BUTTON.search(a["data"]["mentorbot"]["a"])
        ]
        if len(picks) == 1 and picks[0].isdigit() and 1 <= int(picks[0]) <= len(options):
            return await self.click(call, options[int(picks[0]) - 1]["data"])
        for action in options:
            if action["title"].casefold() == typed.casefold():
                return await self.click(call, action["data"])
        return await self.type(typed)

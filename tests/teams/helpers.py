"""Teams test harness: Bot Framework activities shaped like Teams sends them,
a real aiohttp server on 127.0.0.1:0 with `/api/messages` mounted, and
credentials that never reach Microsoft's login service."""

from __future__ import annotations

import itertools
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import Any

import aiohttp
import requests
from aiohttp import web
from botframework.connector.auth import MicrosoftAppCredentials, ServiceClientCredentialsFactory

from adapters import downloads
from adapters.server import RUNTIME, make_runtime
from adapters.teams import http as teams_http
from bot.config import Config, ServerConfig, TeamsConfig
from bot.reminders.planner import plan_pair
from tests.core.harness import LINK_SECRET
from tests.fakes.bot_framework_auth import FakeBotFrameworkKeys
from tests.fakes.loopback import serve_on_loopback
from tests.scheduler.helpers import pair_of_users

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
APP_ID = "c9e8c047-2a74-40a2-b28a-b162d5f5327c"
BOT = {"id": f"28:{APP_ID}", "name": "Mentorbot"}
TEAM_CHANNEL = "19:d2cf5a3c5a2b4c53a7c2c3e2e3a0d1f1@thread.tacv2"
_ids = itertools.count(1485983408511)


@dataclass(frozen=True)
class TeamsUser:
    name: str
    aad: str  # Entra object id
    teams_id: str  # 29:... (per bot)
    chat: str  # the personal conversation id
    locale: str = "sv-SE"

    @property
    def key(self) -> str:
        return f"teams:{TENANT}:{self.aad}"

    def account(self) -> dict[str, Any]:
        return {"id": self.teams_id, "name": self.name, "aadObjectId": self.aad}


def user(name: str, n: int, locale: str = "sv-SE") -> TeamsUser:
    aad = f"00000000-0000-4000-8000-{n:012d}"
    slug = name.lower().replace(" ", "")
    return TeamsUser(name, aad, f"29:1{slug}{n}", f"a:1personal-{slug}", locale)


def _base(service_url: str, who: TeamsUser, conversation: dict[str, Any], **extra) -> dict[str, Any]:
    activity = {
        "type": "message",
        "id": str(next(_ids)),
        "timestamp": "2027-01-04T08:00:00.000Z",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": who.account(),
        "conversation": {"tenantId": TENANT, **conversation},
        "recipient": BOT,
        "locale": who.locale,
        "entities": [{"type": "clientInfo", "locale": who.locale, "country": "SE", "platform": "Web"}],
        "channelData": {"tenant": {"id": TENANT}},
    }
    activity.update(extra)
    return activity


def in_tenant(activity: dict[str, Any], tenant: str) -> dict[str, Any]:
    """`activity` as Teams sends it from someone in `tenant` instead of the bot's own."""
    activity["conversation"]["tenantId"] = tenant
    activity["channelData"] = {"tenant": {"id": tenant}}
    return activity


def personal_message(service_url: str, who: TeamsUser, text: str, **extra) -> dict[str, Any]:
    return _base(
        service_url, who, {"conversationType": "personal", "id": who.chat}, text=text, textFormat="plain", **extra
    )


def _in_channel(thread: str) -> dict[str, Any]:
    """The conversation and channel data of an activity in the team channel's thread `thread`."""
    return {
        "conversation": {"isGroup": True, "conversationType": "channel", "id": f"{TEAM_CHANNEL};messageid={thread}"},
        "channelData": {
            "teamsChannelId": TEAM_CHANNEL,
            "teamsTeamId": TEAM_CHANNEL,
            "channel": {"id": TEAM_CHANNEL},
            "team": {"id": TEAM_CHANNEL},
            "tenant": {"id": TENANT},
        },
    }


def channel_mention(service_url: str, who: TeamsUser, text: str, thread: str = "1481567603816") -> dict[str, Any]:
    mention = f"<at>{BOT['name']}</at>"
    channel = _in_channel(thread)
    return _base(
        service_url,
        who,
        channel["conversation"],
        text=f"{mention} {text}",
        textFormat="plain",
        entities=[{"type": "mention", "mentioned": BOT, "text": mention}],
        channelData=channel["channelData"],
    )


def card_submit(
    service_url: str, who: TeamsUser, card_message_id: str, data: dict[str, Any], **inputs
) -> dict[str, Any]:
    """What Teams posts when someone presses an Action.Submit on a card."""
    return _base(
        service_url,
        who,
        {"conversationType": "personal", "id": who.chat},
        replyToId=card_message_id,
        value={**data, **inputs},
    )


def channel_card_submit(service_url: str, who: TeamsUser, card_message_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """What Teams posts when someone presses an Action.Submit on a card posted
    in the team channel (the card is its thread's first message)."""
    channel = _in_channel(card_message_id)
    return _base(
        service_url,
        who,
        channel["conversation"],
        channelData=channel["channelData"],
        replyToId=card_message_id,
        value=data,
    )


def personal_install(service_url: str, who: TeamsUser) -> list[dict[str, Any]]:
    """The two activities Teams sends when someone adds the app for themselves."""
    conversation = {"conversationType": "personal", "id": who.chat}
    update = _base(service_url, who, conversation, type="conversationUpdate", membersAdded=[BOT])
    install = _base(service_url, who, conversation, type="installationUpdate", action="add")
    for activity in (update, install):
        activity.pop("locale")
    return [update, install]


# ----------------------------------------------------------------- credentials


class FakeAppCredentials(MicrosoftAppCredentials):
    """Signs outbound calls with a fixed token instead of asking Entra ID."""

    def get_access_token(self, force_refresh: bool = False) -> str:
        return "fake-outbound-token"


class EndpointAppCredentials(MicrosoftAppCredentials):
    """Gets its token from the loopback token endpoint (tests/fakes/entra_token.py)
    the way msal does: a blocking HTTP request without a timeout."""

    def __init__(self, token_url: str, app_id: str, oauth_scope: str | None = None):
        super().__init__(app_id, "unused", oauth_scope=oauth_scope)
        self.token_url = token_url

    def get_access_token(self, force_refresh: bool = False) -> str:
        answer = requests.post(
            self.token_url, data={"grant_type": "client_credentials", "client_id": self.microsoft_app_id}
        )
        answer.raise_for_status()
        return answer.json()["access_token"]


class FakeCredentialsFactory(ServiceClientCredentialsFactory):
    """Fixed-token credentials; with `token_url`, credentials that ask that endpoint."""

    def __init__(self, app_id: str, token_url: str | None = None):
        self.app_id = app_id
        self.token_url = token_url

    async def is_valid_app_id(self, app_id: str) -> bool:
        return app_id == self.app_id

    async def is_authentication_disabled(self) -> bool:
        return False

    async def create_credentials(self, app_id, oauth_scope, login_endpoint, validate_authority):
        if self.token_url:
            return EndpointAppCredentials(self.token_url, app_id, oauth_scope=oauth_scope)
        return FakeAppCredentials(app_id, "unused", oauth_scope=oauth_scope)


# ---------------------------------------------------------------------- server


@dataclass
class TeamsServer:
    url: str
    runtime: Any
    session: aiohttp.ClientSession
    # Signs every post the way the Bot Framework does (tests/fakes/bot_framework_auth.py).
    keys: FakeBotFrameworkKeys | None = None

    @property
    def bot(self):
        return self.runtime.extras["teams_bot"]

    @property
    def port(self):
        return self.runtime.extras["teams_port"]

    async def post(self, activity: dict[str, Any], headers: dict[str, str] | None = None) -> int:
        if headers is None and self.keys is not None:
            app_id = self.runtime.config.teams.app_id
            headers = {"Authorization": "Bearer " + self.keys.token(app_id=app_id, service_url=activity["serviceUrl"])}
        async with self.session.post(f"{self.url}/api/messages", json=activity, headers=headers or {}) as response:
            await response.read()
            status = response.status
        await self.bot.drain()
        return status


def config_for(
    db_url: str, *, app_id: str = "", coordinators: tuple[str, ...] = (), locale: str = "sv", app_type: str = ""
) -> Config:
    config = Config()
    # Without an app id, the tests run Teams in explicit local mode on loopback;
    # either way the bot's own tenant is the one the test people are in.
    teams = TeamsConfig(
        app_id=app_id, app_password="secret" if app_id else "", local=not app_id, tenant_id=TENANT, app_type=app_type
    )
    return replace(
        config,
        server=ServerConfig(host="127.0.0.1", port=0, link_secret=LINK_SECRET),
        teams=teams,
        bot=replace(config.bot, coordinators=tuple(coordinators), locale=locale),
    )


@asynccontextmanager
async def teams_server(
    db,
    clock,
    *,
    app_id: str = "",
    coordinators: tuple[str, ...] = (),
    extra_ports=(),
    keys: FakeBotFrameworkKeys | None = None,
    app_type: str = "",
    token_url: str | None = None,
):
    """The Teams route on loopback: in local mode without an app id; with
    `keys` (the `keys` fixture), as `serve` runs it, every post signed and
    checked by the SDK's own token validation (`app_type="MultiTenant"`: an
    older multi-tenant registration). With `token_url`, outbound calls get
    their token from that endpoint (tests/fakes/entra_token.py)."""
    app_id = app_id or (APP_ID if keys is not None else "")
    config = config_for(db.url, app_id=app_id, coordinators=coordinators, app_type=app_type)
    runtime = make_runtime(config, db, clock)
    for port in extra_ports:
        runtime.delivery.register(port)
    app = web.Application()
    app[RUNTIME] = runtime
    factory = FakeCredentialsFactory(app_id, token_url) if app_id else None
    # Without the fake key server, nothing fetches keys (nothing may reach Microsoft).
    teams_http.mount(app, runtime, credentials_factory=factory, warm_keys=keys is not None)
    downloads.mount(app, runtime)
    runner, port = await serve_on_loopback(app)
    try:
        async with aiohttp.ClientSession() as session:
            yield TeamsServer(f"http://127.0.0.1:{port}", runtime, session, keys)
    finally:
        await runner.cleanup()
        for extra in extra_ports:
            if hasattr(extra, "close"):
                await extra.close()


async def announce_pair(db, clock, adept: TeamsUser, mentor: TeamsUser) -> None:
    """A running program with these two (who have written to the bot) as an
    announced pair, its nudges planned."""
    async with db.write() as s:
        pairing = await pair_of_users(s, clock, adept.aad, mentor.aad)
        await plan_pair(s, pairing, clock.now())


async def takes_part(db, who: TeamsUser, role: str = "mentor") -> None:
    """`who`, a coordinator who has written to the bot, also takes part in
    the (only) program: `program show` gives her its RSVP buttons."""
    from sqlmodel import select

    from bot.store.models import Enrollment, EnrollmentStatus, Person, Program

    async with db.write() as s:
        person = (await s.exec(select(Person).where(Person.name == who.name))).one()
        program = (await s.exec(select(Program))).one()
        s.add(Enrollment(program_id=program.id, person_id=person.id, role=role, status=EnrollmentStatus.ACTIVE))

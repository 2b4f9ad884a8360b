"""Which Slack workspaces and Teams tenants may reach the bot.

Each organisation names the workspaces (`slack=T…`) and tenants
(`teams=<tenant id>`) its people come from (`org add NAME slack=T1,T2
teams=…`, replaced with `org set`). A request from a workspace or tenant that
no organisation names gets one polite refusal and creates nothing.

The install's own workspace and tenant (`OwnTenants`) are always allowed,
and as long as no organisation names one on a platform they are the only
ones: on Slack the workspace the bot token belongs to (and its Enterprise
Grid org), which the adapter learns from `auth.test` once at start (`serve`
does not start without it); on Teams the bot registration's home tenant,
`teams.tenant_id`, which Teams needs to start. Until the own one is known,
a platform lets in only the workspaces or tenants organisations name. A
person is judged by their own workspace or tenant, as the adapter read it
from the request; one whose workspace the platform did not say is never let
in. The console is local and always allowed.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import SLACK_TEAM, TEAMS_TENANT, Config
from bot.errors import UserError
from bot.messages import Actor, Platform
from bot.store.models import Organisation, OrganisationTenant
from bot.store.rows import pk, table_of

# Every Slack and Teams turn asks, before anything else: a plain statement,
# built once (an ORM select built per call cost more than the rest of the check).
_NAMED = sa.select(table_of(OrganisationTenant).c.tenant).where(
    table_of(OrganisationTenant).c.platform == sa.bindparam("platform")
)


def _parse(platform: str, raw: str | None) -> set[str]:
    if not raw:
        return set()
    found = {v.strip() for v in raw.split(",") if v.strip()}
    pattern = SLACK_TEAM if platform == "slack" else TEAMS_TENANT
    for value in found:
        if not pattern.match(value):
            raise UserError("errors/bad_tenant", platform=platform, value=value)
    return {v.lower() for v in found} if platform == "teams" else found


async def tenants_of(session: AsyncSession, org: Organisation) -> list[str]:
    rows = (await session.exec(select(OrganisationTenant).where(OrganisationTenant.organisation_id == org.id))).all()
    return sorted(f"{r.platform}={r.tenant}" for r in rows)


async def add_tenants(session: AsyncSession, org: Organisation, *, slack: str | None, teams: str | None) -> bool:
    """Add the named workspaces/tenants; True if any was new."""
    wanted = {("slack", t) for t in _parse("slack", slack)} | {("teams", t) for t in _parse("teams", teams)}
    added = False
    for platform, tenant in sorted(wanted):
        if await session.get(OrganisationTenant, (org.id, platform, tenant)) is None:
            session.add(OrganisationTenant(organisation_id=pk(org), platform=platform, tenant=tenant))
            added = True
    await session.flush()
    return added


async def set_tenants(session: AsyncSession, org: Organisation, *, slack: str | None, teams: str | None) -> None:
    """Replace the workspaces (when `slack` is given) and tenants (when `teams` is)."""
    for platform, raw in (("slack", slack), ("teams", teams)):
        if raw is None:
            continue
        keep = _parse(platform, raw) if raw.strip() not in ("-", "none") else set()
        rows = (
            await session.exec(
                select(OrganisationTenant).where(
                    OrganisationTenant.organisation_id == org.id, OrganisationTenant.platform == platform
                )
            )
        ).all()
        for row in rows:
            if row.tenant not in keep:
                await session.delete(row)
        for tenant in keep - {r.tenant for r in rows}:
            session.add(OrganisationTenant(organisation_id=pk(org), platform=platform, tenant=tenant))
    await session.flush()


class OwnTenants:
    """The workspace and tenant the install itself is in, per platform: held
    in memory for the life of the process, so the check per request asks
    nothing new. Teams: `teams.tenant_id`. Slack: unknown until the adapter
    `learn`s it from `auth.test` at start."""

    def __init__(self, config: Config):
        teams = config.teams.tenant_id.strip().lower()
        self._own: dict[str, frozenset[str]] = {"teams": frozenset({teams} - {""})}

    def learn(self, platform: str, *tenants: str | None) -> None:
        """The platform said where the install is (a Slack workspace and its Grid org)."""
        self._own[platform] = frozenset(t.lower() if platform == "teams" else t for t in tenants if t)

    def of(self, platform: str) -> frozenset[str]:
        return self._own.get(platform, frozenset())


def allowed_at_once(own: OwnTenants, actor: Actor) -> bool | None:
    """Whether `actor` may reach the bot when that needs no database: the
    console, the install's own workspace or tenant (yes), a payload that
    does not say where the person belongs (`""`: never, setup or not).
    None: only the organisations can tell (`tenant_allowed`)."""
    if actor.platform == Platform.CONSOLE:
        return True
    if not actor.tenant:
        return False
    if _tenant(actor) in own.of(str(actor.platform)):
        return True
    return None


async def tenant_allowed(session: AsyncSession, own: OwnTenants, actor: Actor) -> bool:
    """Whether `actor`'s own workspace or tenant may reach the bot: the
    install's own, or one an organisation names; nothing else."""
    at_once = allowed_at_once(own, actor)
    if at_once is not None:
        return at_once
    connection = await session.connection()
    named = (await connection.execute(_NAMED, {"platform": str(actor.platform)})).scalars().all()
    return _tenant(actor) in set(named)


def _tenant(actor: Actor) -> str:
    return actor.tenant.lower() if str(actor.platform) == "teams" else actor.tenant

"""`mentorbot db purge [--dry-run]`: lists what retention would delete now,
and without `--dry-run` deletes it and says how much."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from adapters.cli import main
from bot.store.db import Database
from bot.store.migrate import upgrade
from bot.store.models import AuditLog, ProcessedEvent


async def _seed(url: str) -> None:
    db = Database(url)
    try:
        await upgrade(db)
        now = datetime.now(UTC)
        async with db.write() as s:
            s.add(ProcessedEvent(key="slack:EvOld", at=now - timedelta(days=8)))
            s.add(ProcessedEvent(key="slack:EvNew", at=now - timedelta(days=1)))
            s.add(AuditLog(at=now - timedelta(days=400), actor="console:local:anna", action="invite"))
    finally:
        await db.dispose()


async def _left(url: str) -> tuple[list[str], list[str]]:
    db = Database(url)
    try:
        async with db.read() as s:
            events = list((await s.exec(select(ProcessedEvent.key))).all())
            actions = list((await s.exec(select(AuditLog.action))).all())
        return sorted(events), sorted(actions)
    finally:
        await db.dispose()


def test_dry_run_lists_then_purge_deletes_and_says_how_much(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    (tmp_path / "config.toml").write_text(f'[database]\nurl = "{url}"\n', encoding="utf-8")
    asyncio.run(_seed(url))
    config = str(tmp_path / "config.toml")

    assert main(["--config", config, "db", "purge", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "dry run: nothing is deleted" in out
    assert "processed_events        1" in out and "audit                   1" in out
    assert "would delete 2 in all" in out
    assert asyncio.run(_left(url)) == (["slack:EvNew", "slack:EvOld"], ["invite"])

    assert main(["--config", config, "db", "purge"]) == 0
    out = capsys.readouterr().out
    assert "deleted 2 in all" in out
    assert asyncio.run(_left(url)) == (["slack:EvNew"], ["privacy.purge"])


def test_purge_on_an_unmigrated_database_says_to_upgrade(tmp_path, capsys):
    (tmp_path / "config.toml").write_text(f'[database]\nurl = "sqlite:///{tmp_path / "new.db"}"\n', encoding="utf-8")
    assert main(["--config", str(tmp_path / "config.toml"), "db", "purge", "--dry-run"]) == 2
    assert "mentorbot db upgrade" in capsys.readouterr().err

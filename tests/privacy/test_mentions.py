"""Finding a person's name in free-form columns: whole words, any case,
as typed and as JSON stores it (`\\u00c5` for Å), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.privacy.mentions import Needles, replaced, rows_mentioning
from bot.store.models import AuditLog, Coordinator

NOW = datetime(2027, 1, 4, tzinfo=UTC)


async def test_rows_naming_someone_are_found_in_text_and_json(any_db):
    async with any_db.write() as s:
        s.add(AuditLog(at=NOW, actor="console:local:x", action="invite", detail={"who": "Åsa Öberg"}))
        s.add(AuditLog(at=NOW, actor="console:local:x", action="invite", detail={"who": "Åsa Öbergsson"}))
        s.add(AuditLog(at=NOW, actor="console:local:x", action="invite", detail={"who": "Bo"}))
        s.add(Coordinator(key="console:local:y", added_by="Added by Åsa Öberg"))
    needles = Needles.of(["Åsa Öberg"])
    async with any_db.read() as s:
        audit = await rows_mentioning(s, AuditLog.__table__, ("actor", "detail"), needles)
        coordinators = await rows_mentioning(s, Coordinator.__table__, ("added_by",), needles)
    # The database finds candidates (Öbergsson too); whole words are checked in Python.
    assert sorted(r.detail["who"] for r in audit) == ["Åsa Öberg", "Åsa Öbergsson"]
    assert [replaced(r.detail, needles.pattern, "X") for r in audit] in (
        [{"who": "X"}, {"who": "Åsa Öbergsson"}],
        [{"who": "Åsa Öbergsson"}, {"who": "X"}],
    )
    assert [r.added_by for r in coordinators] == ["Added by Åsa Öberg"]

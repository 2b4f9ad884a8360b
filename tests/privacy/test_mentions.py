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


def test_only_the_person_is_replaced_not_a_longer_name_or_account_holding_theirs():
    """Ann is forgotten: Ann-Marie, Annika, `planning`, ann.berg@… and
    console:local:ann.berg are other people or words; Ann Berg is another
    person the database knows (`others`), in the Swedish genitive too."""
    needles = Needles.of(["Ann", "ann", "console:local:ann"], others=["Ann Berg", "Annika Ek", "Ann"])
    assert needles.others == ("Ann Berg",)  # someone else called Ann is no reason to keep a mention
    text = (
        "Ann, Ann's and ANN; not Ann-Marie, Annika, planning, ann.berg@solna.se, "
        "console:local:ann.berg, Marie-Ann, Ann Berg or Ann Bergs grupp. By console:local:ann."
    )
    assert replaced(text, needles.pattern, "X") == (
        "X, X's and X; not Ann-Marie, Annika, planning, ann.berg@solna.se, "
        "console:local:ann.berg, Marie-Ann, Ann Berg or Ann Bergs grupp. By X."
    )


def test_json_keys_are_structure_and_a_key_that_names_the_person_keeps_its_value():
    """Keys are field names, ids, dates and step names the code reads by
    key; only a key that is wholly a mention is replaced, and a second such
    key (or one that would read the same) does not overwrite the first."""
    needles = Needles.of(["Bo", "bo", "console:local:bo"])
    detail = {
        "unmatched": {"12": "no_mentor", "7": "waitlisted"},
        "who bo asked": 1,  # a key a mention is part of is another field's name
        "2027-03-02 bo": "Bo was there",
        "Bo": {"goal": "delegera"},
        "console:local:bo": {"goal": "leda möten"},
    }
    assert replaced(detail, needles.pattern, "X") == {
        "unmatched": {"12": "no_mentor", "7": "waitlisted"},
        "who bo asked": 1,
        "2027-03-02 bo": "X was there",
        "X": {"goal": "delegera"},
        "X#2": {"goal": "leda möten"},
    }

"""Issue 13, points 1, 2 and 8: the coordinator sees people and pairs at a
glance, the matched mentor reads the adept's needs, the draft names hard
mismatches, and `mydata` is readable with a JSON file of everything."""

from __future__ import annotations

import json
import re

import pytest
from sqlmodel import select

from bot.store.models import EnrollmentStatus, Pairing, PairStatus
from tests.core.cockpit import announce, cockpit_world, enroll
from tests.core.harness import confirmed, texts

WISH = "Att leda en grupp som inte vill förändras"
SAY = {
    "sv": {
        "page": "sida 1 av 2",
        "next": "`deltagare sida=2`",
        "paired": "i par med Frida",
        "waitlist": "har ingen mentor ännu",
        "pending": "tiden som chef ligger utanför programmets ram",
        "confidential": "konfidentiellt",
        "no_language": "inget gemensamt språk",
        "speaks_none": "ingen mentor som uppfyller regeln talar hens språk (engelska)",
        "digital": "vill ses på plats i Härnösand, mentorn bara digitalt",
        "wants_in_person": "vill ses på plats",
        "places": "att kolla: olika orter (Danderyd och Täby) – se till att de kan ses på plats",
        "meet_digitally": "kan ses digitalt",
        "no_page": "ingen sida 9",
        "needs": "Det här har Cecilia berättat för samordnaren",
        "unpaired": "är avslutat",
    },
    "en": {
        "page": "page 1 of 2",
        "next": "`participants page=2`",
        "paired": "paired with Frida",
        "waitlist": "no mentor yet",
        "pending": "time as a manager outside the program's range",
        "confidential": "confidential",
        "no_language": "no shared language",
        "speaks_none": "no mentor who meets the rule speaks their language (English)",
        "digital": "wants to meet in person in Härnösand, the mentor only digitally",
        "wants_in_person": "wants to meet in person",
        "places": "to check: different places (Danderyd and Täby) – make sure they can meet in person",
        "meet_digitally": "can meet online",
        "no_page": "no page 9",
        "needs": "What Cecilia told the coordinator",
        "unpaired": "has ended",
    },
}


@pytest.fixture(params=["sv", "en"])
async def world(request, sqlite_db, clock):
    w = await cockpit_world(sqlite_db, clock, request.param)
    w.say = SAY[request.param]
    return w


def _card_text(messages) -> str:
    return "\n".join(b.text for m in messages if m.card for b in m.card.blocks if hasattr(b, "text"))


async def test_participants_show_organisation_pair_and_why_someone_waits(world):
    await enroll(world, "Cecilia", "adept", "Täby kommun", wishes=WISH)
    await enroll(world, "David", "adept", "Täby kommun", topics=["budget"])
    await enroll(world, "Erik", "adept", "Knivsta kommun", status=EnrollmentStatus.PENDING, pending_reasons=["months"])
    await enroll(world, "Frida", "mentor", "Knivsta kommun")
    anna = world["Anna"]
    await anna.say("match")
    await anna.say("match approve")
    text = texts(await anna.say("participants"))
    assert "Cecilia, Täby kommun" in text and world.say["paired"] in text
    assert "David, Täby kommun" in text and world.say["waitlist"] in text
    assert world.say["pending"] in text
    only = texts(await anna.say('participants role=adept org="Knivsta kommun"'))
    assert "Erik" in only and "Cecilia" not in only and "Frida" not in only
    pending = texts(await anna.say("participants status=pending"))
    assert "Erik" in pending and "Cecilia" not in pending


# The words the list shows are the words its filters take (and the error and the help list them).
FILTERS = {
    "sv": ("roll=adept status=väntar", "status=anmäld", "`väntar`", "status=inbjuden|anmäler-sig|väntar|anmäld"),
    "en": (
        "role=mentee status=waiting",
        "status=signed-up",
        "`waiting`",
        "status=invited|filling-in|waiting|signed-up",
    ),
}


async def test_the_filters_take_the_words_the_list_shows(world):
    await enroll(world, "Cecilia", "adept", "Täby kommun")
    await enroll(world, "Erik", "adept", "Knivsta kommun", status=EnrollmentStatus.PENDING, pending_reasons=["months"])
    anna = world["Anna"]
    waiting, signed_up, choice, usage = FILTERS[world.locale]
    listed = texts(await anna.say("participants"))
    shown = {"sv": ("adept", "väntar på samordnaren", "anmäld"), "en": ("mentee", "waiting for", "signed up")}
    assert all(word in listed for word in shown[world.locale])
    found = texts(await anna.say(f"participants {waiting}"))
    assert "Erik" in found and "Cecilia" not in found and waiting in found  # the filter, said back in these words
    found = texts(await anna.say(f"participants {signed_up}"))
    assert "Cecilia" in found and "Erik" not in found
    found = texts(await anna.say("participants role=adept status=pending"))  # the grammar's own words still work
    assert "Erik" in found and "Cecilia" not in found
    (wrong,) = await anna.say("participants status=asleep")
    assert wrong.kind == "errors/bad_choice" and choice in wrong.text
    assert usage in texts(await anna.say({"sv": "hjälp deltagare", "en": "help participants"}[world.locale]))


async def test_program_show_counts_who_takes_part_now_and_the_others_apart(world):
    await enroll(world, "Cecilia", "adept", "Täby kommun")
    await enroll(world, "Frida", "mentor", "Knivsta kommun")
    await enroll(world, "Hugo", "mentor", "Knivsta kommun")
    await enroll(world, "Gustav", "mentor", "Knivsta kommun", status=EnrollmentStatus.DECLINED)
    await enroll(world, "Ivar", "adept", "Täby kommun", status=EnrollmentStatus.LEFT)
    await enroll(world, "Jonna", "adept", "Täby kommun", status=EnrollmentStatus.INVITED)
    await enroll(world, "Kim", "adept", "Täby kommun")
    await announce(world)  # two pairs
    kim = world["Kim"]
    await kim.say("forget")
    await kim.choose(1)  # forgotten: among those who left, and Kim's pair ended
    shown = texts(await world["Anna"].say("program show"))
    now = {
        "sv": "Deltagare: 1 adept och 2 mentorer med i programmet, 1 par",
        "en": "Participants: 1 mentee and 2 mentors taking part, 1 pair",
    }
    assert now[world.locale] in shown, shown
    apart = {
        "sv": "(dessutom 1 inbjuden, 1 tackade nej, 2 har lämnat)",
        "en": "(besides: 1 invited, 1 declined, 2 have left)",
    }
    assert apart[world.locale] in shown, shown


async def test_each_status_word_the_list_shows_filters_the_list(world):
    statuses = {
        "Cecilia": EnrollmentStatus.ACTIVE,
        "David": EnrollmentStatus.INVITED,
        "Erik": EnrollmentStatus.ONBOARDING,
        "Frida": EnrollmentStatus.PENDING,
        "Gustav": EnrollmentStatus.DECLINED,
        "Hanna": EnrollmentStatus.LEFT,
    }
    for name, status in statuses.items():
        await enroll(world, name, "adept", "Täby kommun", status=status)
    anna = world["Anna"]
    listed = texts(await anna.say("participants")).splitlines()
    for name in statuses:
        (line,) = [ln for ln in listed if ln.startswith(f"• {name},")]
        shown = re.split(r", | \(", line.split(" – ", 1)[1].split(", ", 1)[1])[0]  # after the role
        found = texts(await anna.say(f'participants status="{shown}"'))
        assert name in found and all(n not in found for n in statuses if n != name), (shown, found)
        hyphened = texts(await anna.say(f"participants status={shown.replace(' ', '-')}"))
        assert name in hyphened, (shown, hyphened)


@pytest.mark.parametrize("page", [0, 9])
async def test_a_page_the_list_does_not_have_says_which_it_has(world, page):
    await enroll(world, "Cecilia", "adept", "Täby kommun")
    (reply,) = await world["Anna"].say(f"participants page={page}")
    assert reply.kind == "errors/no_such_page"
    said = {"sv": f"ingen sida {page}: listan har 1 sida", "en": f"no page {page}: the list has 1 page"}
    assert said[world.locale] in reply.text


async def test_the_pair_number_that_unpair_takes_is_shown_in_participants_and_person(world, sqlite_db):
    await enroll(world, "Cecilia", "adept", "Täby kommun")
    await enroll(world, "Frida", "mentor", "Knivsta kommun")
    anna = world["Anna"]
    await announce(world)
    await confirmed(anna, "unpair 1 byter tjänst")
    await enroll(world, "Gustav", "mentor", "Knivsta kommun")
    await announce(world)  # Cecilia in a new pair, with a number of its own
    async with sqlite_db.read() as s:
        (live,) = (await s.exec(select(Pairing).where(Pairing.status == PairStatus.ANNOUNCED))).all()
    assert live.id != 1
    pair = {"sv": f"i par med Gustav (par {live.id})", "en": f"paired with Gustav (pair {live.id})"}[world.locale]
    assert pair in texts(await anna.say("participants"))
    assert pair in texts(await anna.say("person Cecilia"))
    pointer = {"sv": "(`deltagare` visar deras nummer", "en": "(`participants` shows their numbers"}[world.locale]
    assert pointer in _card_text(await anna.say("match"))  # where the draft counts the announced pairs
    number = re.search(r"\((?:par|pair) (\d+)\)", texts(await anna.say("person Gustav"))).group(1)
    assert world.say["unpaired"] in texts(await confirmed(anna, f"unpair {number} byter tjänst"))  # the number as read


async def test_long_lists_page_instead_of_being_cut(world):
    for n in range(30):
        await enroll(world, f"Adept{n:02d}", "adept", "Täby kommun")
    anna = world["Anna"]
    first = texts(await anna.say("participants"))
    assert world.say["page"] in first and "Adept00" in first and "Adept29" not in first
    assert world.say["next"] in first
    second = texts(await anna.say(world.say["next"].strip("`")))  # as the reader was told
    assert "Adept29" in second and "Adept00" not in second
    assert world.say["no_page"] in texts(await anna.say("participants page=9"))


async def test_person_shows_intake_answers_with_dilemmas_marked_confidential(world):
    await enroll(world, "Cecilia", "adept", "Täby kommun", wishes=WISH)
    text = texts(await world["Anna"].say("person Cecilia"))
    assert WISH in text and world.say["confidential"] in text
    assert "Täby kommun" in text and "organisation_id" not in text
    refused = texts(await world["Bo"].say("person Cecilia"))
    assert WISH not in refused


@pytest.mark.parametrize("shared", [True, False], ids=["shared", "coordinator-only"])
async def test_the_mentor_reads_the_adepts_wishes_unless_kept_for_the_coordinator(world, shared):
    await enroll(world, "Cecilia", "adept", "Täby kommun", wishes=WISH, wishes_with_mentor=shared)
    await enroll(world, "Frida", "mentor", "Knivsta kommun")
    await announce(world)
    intro = texts(world["Frida"].inbox())
    assert "Cecilia" in intro and world.say["needs"] in intro  # her areas and format are shared either way
    assert (WISH in intro) is shared


async def test_the_draft_proposes_no_pair_without_a_shared_language_and_says_why(world):
    await enroll(world, "Cecilia", "adept", "Täby kommun", languages=["en"])
    await enroll(world, "Frida", "mentor", "Knivsta kommun", languages=["sv"])
    draft = _card_text(await world["Anna"].say("match"))
    assert "Cecilia" in draft and "→ Frida" not in draft and world.say["speaks_none"] in draft


async def test_the_draft_warns_of_in_person_against_digital_only(world):
    await enroll(world, "Cecilia", "adept", "Täby kommun", format="in_person", place="Härnösand")
    await enroll(world, "Frida", "mentor", "Knivsta kommun", format="digital", place=None)
    draft = _card_text(await world["Anna"].say("match"))
    assert "Cecilia" in draft and world.say["digital"] in draft
    assert world.say["no_language"] not in draft


@pytest.mark.parametrize(
    "adept_format, mentor_format, warned",
    [
        ("mixed", "digital", None),  # who meets both ways meets a digital-only mentor digitally
        ("in_person", "digital", "wants_in_person"),
        ("in_person", "mixed", "places"),  # they will meet in person, in two places
        ("mixed", "in_person", "places"),
        ("mixed", "mixed", None),  # they can meet digitally: the places are no matter
    ],
)
async def test_the_draft_warns_only_of_what_the_answers_say(world, adept_format, mentor_format, warned):
    places = {"in_person": "Danderyd", "mixed": "Danderyd", "digital": None}
    await enroll(world, "Eva", "adept", "Knivsta kommun", format=adept_format, place=places[adept_format])
    await enroll(world, "David", "mentor", "Täby kommun", format=mentor_format, place=places[mentor_format] and "Täby")
    draft = _card_text(await world["Anna"].say("match"))
    assert "Eva" in draft and "David" in draft
    for kind in ("wants_in_person", "places"):
        assert (world.say[kind] in draft) is (kind == warned), kind
    assert ("långt ifrån" not in draft) and ("far apart" not in draft)  # the bot knows no distances
    if adept_format == "mixed" and mentor_format == "digital":
        assert world.say["meet_digitally"] in draft


async def test_mydata_is_readable_and_comes_with_a_json_file(world):
    await enroll(world, "Cecilia", "adept", "Täby kommun", wishes=WISH)
    (reply,) = await world["Cecilia"].say("mydata")
    assert "organisation_id" not in reply.text and "eligible" not in reply.text and "['sv']" not in reply.text
    assert "Täby kommun" in reply.text and WISH in reply.text
    (file,) = reply.files
    assert file.filename == "mydata.json" and file.media_type == "application/json"
    data = json.loads(file.data)
    assert data["person"]["name"] == "Cecilia"
    assert data["enrollments"][0]["answers"]["wishes"] == WISH
    assert data["enrollments"][0]["program"] == "Mentorprogram 2027"


def consent_bullets(world, role: str) -> list[str]:
    """Who sees the answers and for how long, as the consent text for `role` says it."""
    core = world.core
    text = core.translator.render(
        world.locale,
        f"dialogs/ask/consent_{role}",
        program="Mentorprogram 2027",
        privacy=core.config.privacy,
        names_in_channel=False,
    )
    return [line for line in text.split("\n") if line.startswith("• *")][:2]


async def test_mydata_says_who_reads_the_answers_as_the_consent_for_the_role_did(world):
    await enroll(world, "Cecilia", "adept", "Täby kommun", wishes=WISH)
    await enroll(world, "Frida", "mentor", "Knivsta kommun")
    for name, role, other in (("Cecilia", "adept", "mentor"), ("Frida", "mentor", "adept")):
        (reply,) = await world[name].say("mydata")
        said, unsaid = consent_bullets(world, role), consent_bullets(world, other)
        assert said[0] != unsaid[0] and all(line in reply.text.split("\n") for line in said), (name, reply.text)
        assert unsaid[0] not in reply.text


async def test_mydata_says_when_only_the_coordinator_reads_the_wishes(world):
    await enroll(world, "Cecilia", "adept", "Täby kommun", wishes=WISH, wishes_with_mentor=False)
    (reply,) = await world["Cecilia"].say("mydata")
    kept = {
        "sv": ("bara samordnaren läser det", "men inte dina önskemål och dilemman"),
        "en": ("only the coordinator reads it", "but not your wishes and dilemmas"),
    }
    assert all(words in reply.text for words in kept[world.locale]), reply.text
    assert consent_bullets(world, "adept")[0] not in reply.text  # the consent's line, with her choice added

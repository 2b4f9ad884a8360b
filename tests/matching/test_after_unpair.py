"""After `unpair`, the mentee is not proposed with the same mentor again
(`unpair` says why the pair did not work). The reason the mentee then waits
counts that mentor as "has been their mentor before", not as excluded, and
says the rule; the reply to `unpair` offers no draft when no mentor with
room may be paired with the mentee, and says so. Swedish and English,
through the console, with the harness of `test_unavailable_mentors`."""

from __future__ import annotations

import pytest

from bot.store.models import EnrollmentStatus
from tests.core.cockpit import announce, cockpit_world, enroll
from tests.core.harness import confirmed, pair_of, texts
from tests.matching.test_unavailable_mentors import _card_text, _line

SAY = {
    "sv": {
        "reason": "alla mentorer som uppfyller regeln är uteslutna (0) eller har redan varit hens mentor (1) – "
        'David har plats men har redan varit hens mentor (par #1): `matcha tillåt "Eva" "David"` låter dem föreslås igen',
        "stuck": "men ingen mentor med plats får paras med hen nu",
        "back": "Eva är tillbaka bland dem som ska matchas – kör `matcha` när du vill.",
        "offer": "väntar på en mentor",
        "told_now": "Just nu finns ingen mentor i Mentorprogram 2027 som passar dig och har plats.",
        "done_now": "Eva står på väntelistan och har fått ett vänligt besked nu.",
        "status_waitlisted": "status=väntelista",
        "done_later": "Eva står på väntelistan och får ett vänligt besked när paren presenteras.",
        "told_later": "Paren i Mentorprogram 2027 har just presenterats",
        "off_list": "Du står inte längre på väntelistan i Mentorprogram 2027.",
        "undone_told": "Hen hade fått besked om väntelistan och har nu fått veta att hen inte står kvar där.",
        "ended_idle": "Sedan ditt par avslutades har du ingen adept, och den här gången blev det ingen ny adept till dig.",
        "more_mentors": "fler mentorer än adepter",
        "home_eva": "Ditt par med David har avslutats, och du väntar på en ny mentor: du är med i samordnarens "
        "nästa matchning, och du får veta det här.",
        "home_eva_waitlisted": "Ditt par med David har avslutats, och du står på väntelistan för en ny mentor: "
        "samordnaren matchar dig när en mentor som passar har plats, och du får veta det här.",
        "home_eva_no_fit": "Ditt par med David har avslutats, och i förra omgången fanns ingen ny mentor som passade "
        "dig; du är med i nästa matchning, och jag hör av mig när du har ett nytt par.",
        "home_david": "Ditt par med Eva har avslutats, och du väntar på en ny adept: får en adept plats hos dig hör "
        "jag av mig.",
        "ask": "fråga samordnaren",
        "home_soon": "Samordnaren matchar snart",
        "no_pair_yet": "Du har inget par ännu",
        "no_mentee_yet": "Du har ingen adept ännu",
        "waitlisted": "Du står på väntelistan",
    },
    "en": {
        "reason": "every mentor who meets the rule is excluded (0) or has been their mentor before (1) – "
        'David has room but has been their mentor before (pair #1): `match unexclude "Eva" "David"` '
        "lets them be proposed again",
        "stuck": "but no mentor with room may be paired with them now",
        "back": "Eva is back among those to match – run `match` when you like.",
        "offer": "waiting for a mentor",
        "told_now": "Right now there is no mentor in Mentorprogram 2027 who fits you and has room.",
        "done_now": "Eva is on the waitlist and has been told, kindly, now.",
        "status_waitlisted": "status=waitlisted",
        "done_later": "Eva is on the waitlist and gets a kind message when the pairs are announced.",
        "told_later": "The pairs in Mentorprogram 2027 have just been introduced",
        "off_list": "You are no longer on the waitlist in Mentorprogram 2027.",
        "undone_told": "They had been told they were on the waitlist and have now been told they are not.",
        "ended_idle": "Since your pair ended you have no mentee, and this time there was no new mentee for you.",
        "more_mentors": "more mentors than mentees",
        "home_eva": "Your pair with David has ended, and you are waiting for a new mentor: you are in the "
        "coordinator's next matching, and you will hear about it here.",
        "home_eva_waitlisted": "Your pair with David has ended, and you are on the waitlist for a new mentor: the "
        "coordinator matches you when a mentor who fits has room, and you will hear about it here.",
        "home_eva_no_fit": "Your pair with David has ended, and in the last round there was no new mentor who fitted "
        "you; you are in the next matching, and I will let you know when you have a new pair.",
        "home_david": "Your pair with Eva has ended, and you are waiting for a new mentee: if one gets a place "
        "with you, I will let you know.",
        "ask": "ask the coordinator",
        "home_soon": "The coordinator will match you soon",
        "no_pair_yet": "You have no pair yet",
        "no_mentee_yet": "You have no mentee yet",
        "waitlisted": "You are on the waitlist",
    },
}


@pytest.fixture(params=["sv", "en"])
async def world(request, sqlite_db, clock):
    """Eva (Knivsta) may only have David (Täby); Cecilia (Knivsta) has room but is from Eva's organisation."""
    w = await cockpit_world(sqlite_db, clock, request.param)
    w.say = SAY[request.param]
    await enroll(w, "Eva", "adept", "Knivsta kommun")
    await enroll(w, "Cecilia", "mentor", "Knivsta kommun")
    await enroll(w, "David", "mentor", "Täby kommun")
    await announce(w)  # Eva with David
    w["Anna"].inbox()
    return w


async def test_an_ended_pair_is_a_previous_pair_and_no_draft_is_offered(world):
    anna, say = world["Anna"], world.say
    reply = await confirmed(anna, f"unpair {await pair_of(world.core.db, 'Eva')} Personkemin fungerade inte")
    assert [m.kind for m in reply if m.kind == "matching/offer"] == []  # Cecilia has room, but not for Eva
    assert say["stuck"] in texts(reply) and say["back"] not in texts(reply)
    eva = _line(_card_text(await anna.say("match")), "Eva")
    assert say["reason"] in eva


def _home_text(replies) -> str:
    (home,) = replies
    return "\n".join(getattr(b, "text", "") for b in home.card.blocks)


async def test_the_home_card_says_the_pair_ended_with_whom_not_that_matching_comes_soon(world):
    """Mid-year, Eva and David see on their home card that their pair ended
    (and whom with) and that they wait for a new partner, in one sentence
    (not "the coordinator will match you soon" as if they never had one, nor
    "ask the coordinator" as if they were out of the pool: `unpair` put Eva
    back among those to match and gave David his room back); on the
    waitlist, Eva's card says that instead; once paired anew, the home card
    is a paired one again."""
    anna, say = world["Anna"], world.say
    await confirmed(anna, f"unpair {await pair_of(world.core.db, 'Eva')} Personkemin fungerade inte")
    eva = _home_text(await world["Eva"].say("home"))
    assert say["home_eva"] in eva and say["home_soon"] not in eva and say["ask"] not in eva, eva
    david = _home_text(await world["David"].say("home"))
    assert say["home_david"] in david and say["home_soon"] not in david and say["ask"] not in david, david
    await anna.say("match waitlist Eva")
    eva = _home_text(await world["Eva"].say("home"))
    assert say["home_eva_waitlisted"] in eva and say["home_eva"] not in eva and say["ask"] not in eva, eva
    await anna.say("match unwaitlist Eva")
    await anna.say("org add Vallentuna kommun")
    await enroll(world, "Gustav", "mentor", "Vallentuna kommun")
    await announce(world)  # Eva with Gustav
    eva = _home_text(await world["Eva"].say("home"))
    assert say["home_eva"] not in eva and "David" not in eva, eva


async def test_a_waitlisted_mentee_who_never_had_a_pair_reads_so_on_the_home_card(world):
    """Never paired, then put on the waitlist: `home` says she is on the
    waitlist and what happens next, not "the coordinator will match you soon"."""
    anna, say = world["Anna"], world.say
    await anna.say("org add Vallentuna kommun")
    await enroll(world, "Hanna", "adept", "Vallentuna kommun")
    before = _home_text(await world["Hanna"].say("home"))
    assert say["home_soon"] in before, before
    await anna.say("match waitlist Hanna")
    hanna = _home_text(await world["Hanna"].say("home"))
    waitlisted = {
        "sv": "Du står på väntelistan: samordnaren matchar dig",
        "en": "You are on the waitlist: the coordinator",
    }
    assert waitlisted[world.locale] in hanna and say["home_soon"] not in hanna, hanna


async def test_status_says_the_pair_ended_with_whom_and_what_she_waits_for_in_one_sentence(world):
    """`status` mid-year after `unpair`: Eva's and David's pair ended, with
    whom, and they wait for a new partner, in the home card's words (not
    "you have no pair yet" / "no mentee yet", and not "ask the coordinator
    for a new pair" beside "you are on the waitlist"): back in the pool, on
    the waitlist, or told at the next announcement that no mentor fitted,
    Eva reads one sentence that says both; paired anew, her status shows the
    new pair and not the ended one."""
    anna, say = world["Anna"], world.say
    await confirmed(anna, f"unpair {await pair_of(world.core.db, 'Eva')} Personkemin fungerade inte")
    eva = texts(await world["Eva"].say("status"))
    assert say["home_eva"] in eva and say["no_pair_yet"] not in eva and say["ask"] not in eva, eva
    david = texts(await world["David"].say("status"))
    assert say["home_david"] in david and say["no_mentee_yet"] not in david and say["ask"] not in david, david
    await anna.say("match waitlist Eva")
    eva = texts(await world["Eva"].say("status"))
    assert say["home_eva_waitlisted"] in eva, eva
    assert say["ask"] not in eva and say["waitlisted"] not in eva and say["home_eva"] not in eva, eva
    await anna.say("match unwaitlist Eva")
    await anna.say("org add Vallentuna kommun")
    await enroll(world, "Hanna", "adept", "Vallentuna kommun")
    await announce(world)  # Hanna with Cecilia or David; nobody for Eva, who is told so
    eva = texts(await world["Eva"].say("status"))
    assert say["home_eva_no_fit"] in eva and say["home_eva"] not in eva and say["ask"] not in eva, eva
    await enroll(world, "Gustav", "mentor", "Vallentuna kommun")
    await announce(world)  # Eva with Gustav
    eva = texts(await world["Eva"].say("status"))
    assert "Gustav" in eva and "David" not in eva, eva


async def test_a_mentor_who_may_have_the_mentee_still_gets_the_offer(world):
    anna, say = world["Anna"], world.say
    await anna.say("org add Vallentuna kommun")
    await enroll(world, "Gustav", "mentor", "Vallentuna kommun")
    reply = await confirmed(anna, f"unpair {await pair_of(world.core.db, 'Eva')} Personkemin fungerade inte")
    assert say["offer"] in texts([m for m in reply if m.kind == "matching/offer"])
    assert say["back"] in texts(reply)
    draft = _card_text(await anna.say("match"))
    assert "Gustav" in draft and "• Eva:" not in draft


async def test_the_waitlist_mid_year_is_told_found_and_matched_when_a_mentor_joins(world):
    """After the pairs were presented, `match waitlist` tells the mentee now
    (not "when the pairs are presented"); the participants filter finds them;
    a mentor who joins later brings an offer whose button drafts them."""
    anna, say = world["Anna"], world.say
    await confirmed(anna, f"unpair {await pair_of(world.core.db, 'Eva')} Personkemin fungerade inte")
    world["Eva"].inbox()
    done = await anna.say("match waitlist Eva")
    assert say["done_now"] in texts(done) + _card_text(done)
    told = [m for m in world["Eva"].inbox() if m.kind == "matching/waitlisted"]
    assert len(told) == 1 and say["told_now"] in told[0].text
    listed = texts(await anna.say(f"participants {say['status_waitlisted']}"))
    assert ": 1." in listed and "Eva" in listed and "Cecilia" not in listed
    await anna.say("org add Vallentuna kommun")
    await enroll(world, "Gustav", "mentor", "Vallentuna kommun", status=EnrollmentStatus.PENDING)
    approved = await anna.say("approve-participant Gustav")
    offer = [m for m in approved + anna.inbox() if m.kind == "matching/offer"]
    assert len(offer) == 1 and say["offer"] in offer[0].text
    draft = _card_text(await anna.choose(1, offer))
    assert "Eva (Knivsta kommun) → Gustav (Vallentuna kommun)" in draft


async def test_a_mentor_whose_pair_ended_hears_a_fitting_word_at_the_next_announcement(world):
    """David's pair with Eva ended; when new pairs are announced and he has no
    mentee, he is not told "there were more mentors than mentees"."""
    anna, say = world["Anna"], world.say
    await confirmed(anna, f"unpair {await pair_of(world.core.db, 'Eva')} Personkemin fungerade inte")
    world["David"].inbox()
    await enroll(world, "Fia", "adept", "Täby kommun")  # Cecilia (Knivsta) is her mentor; David is from Täby
    await announce(world)
    idle = [m for m in world["David"].inbox() if m.kind == "matching/idle_mentor"]
    assert len(idle) == 1
    assert say["ended_idle"] in idle[0].text and say["more_mentors"] not in idle[0].text
    assert [b.action_id for b in idle[0].card.blocks[-1].buttons] == ["idle.later", "idle.not"]


async def test_the_waitlist_during_a_round_hears_it_at_that_rounds_announcement(world):
    """A new round is being drafted mid-year (Fia with Cecilia): Eva, put on
    the waitlist meanwhile, hears nothing before the round is announced,
    then hears it with the round's other outcomes."""
    anna, say = world["Anna"], world.say
    await confirmed(anna, f"unpair {await pair_of(world.core.db, 'Eva')} Personkemin fungerade inte")
    await enroll(world, "Fia", "adept", "Täby kommun")
    await anna.say("match")  # Fia with Cecilia; no mentor for Eva
    world["Eva"].inbox()
    done = await anna.say("match waitlist Eva")
    assert say["done_later"] in texts(done) + _card_text(done)
    assert world["Eva"].inbox() == []  # nothing before the announcement
    for line in ("match approve", "match announce"):
        await anna.say(line)
    told = [m for m in world["Eva"].inbox() if m.kind == "matching/waitlisted"]
    assert len(told) == 1 and say["told_later"] in told[0].text


async def test_taking_a_told_mentee_off_the_waitlist_tells_them(world):
    """Undone as it was done: Eva was told she is on the waitlist (mid-year,
    no round under way), so she hears she is off it; the coordinator hears that she was told."""
    anna, say = world["Anna"], world.say
    await confirmed(anna, f"unpair {await pair_of(world.core.db, 'Eva')} Personkemin fungerade inte")
    await anna.say("match waitlist Eva")
    assert [m.kind for m in world["Eva"].inbox()][-1:] == ["matching/waitlisted"]
    undone = await anna.say("match unwaitlist Eva")
    assert say["undone_told"] in texts(undone)
    notice = world["Eva"].inbox()
    assert [m.kind for m in notice] == ["matching/unwaitlisted_notice"] and say["off_list"] in notice[0].text

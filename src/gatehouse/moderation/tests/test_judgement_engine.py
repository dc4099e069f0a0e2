"""The judgement stage on the engine alone: identity named is not identity attacked, idioms
are not threats, veiled threats and rumours are caught, and a child's report is a concern."""

from __future__ import annotations

import pytest

from gatehouse.moderation.engine import DEFAULT_THRESHOLDS, Engine, Roster, ScoreResult
from gatehouse.moderation.engine.cues import find_cues
from gatehouse.moderation.engine.judgement_thresholds import CONCERN_THRESHOLD

THREAT = "threat_of_violence"
HATE = "racist_or_identity_hate"
ALLEGATION = "allegation_about_staff_or_pupil"


def score(text: str) -> ScoreResult:
    return Engine.load().score(text)


def flagged(result: ScoreResult) -> list[str]:
    return [c for c, v in result.scores.items() if v >= DEFAULT_THRESHOLDS[c]]


@pytest.mark.parametrize("text", [
    "Eid Mubarak to everyone celebrating this week!",
    "Can Jewish pupils leave early on Friday for Shabbat?",
    "My son came out as gay and the school has been wonderful",
    "My daughter is autistic, does anyone know a good holiday club?",
    "As a trans parent I'd love to help with the PTA disco",
    "We're a Polish family and would love to bring food to the international evening",
    "Is the prayer room open during parents' evening? My husband needs to pray",
])
def test_neutral_and_positive_identity_mentions_are_not_held(text: str) -> None:
    result = score(text)
    assert flagged(result) == [], (text, result.scores)
    assert result.concern < CONCERN_THRESHOLD


@pytest.mark.parametrize("text", [
    "Racism has no place at our school",
    "Anyone who thinks it's ok to mock the autistic kids should be ashamed of themselves",
    "Please stop sharing that post about immigrants, it's full of lies and it's hurtful",
])
def test_counter_speech_is_not_held(text: str) -> None:
    result = score(text)
    assert flagged(result) == [], (text, result.scores)


@pytest.mark.parametrize("text", [
    "I could murder a coffee", "The Year 6 choir absolutely killed it tonight",
    "I'd kill for a lie-in this half term", "My feet are killing me after the fun run",
])
def test_idioms_are_not_threats(text: str) -> None:
    assert score(text).scores[THREAT] < DEFAULT_THRESHOLDS[THREAT], text


@pytest.mark.parametrize("text", [
    "you'll regret this, I know where you park",
    "someone should sort that teacher out properly",
    "wait till I see him at pick-up",
    "It'd be a real shame if the head's nice car got damaged",
])
def test_veiled_threats_are_held_with_a_plain_reason(text: str) -> None:
    result = score(text)
    assert result.scores[THREAT] >= DEFAULT_THRESHOLDS[THREAT], text
    assert result.reasons[THREAT].startswith("possible threat:")


def test_the_reason_names_the_form_and_the_target() -> None:
    result = score("If Mr Hughes keeps picking on my son I'll be waiting at pick-up")
    assert "conditional menace towards a member of staff" in result.reasons[THREAT]


@pytest.mark.parametrize("text", [
    "apparently the bursar is helping himself to the trip money",
    "rumour has it a TA locks kids in the cupboard",
    "I've heard the new Year 3 teacher turns up smelling of drink",
])
def test_hedged_allegations_are_held_as_allegations(text: str) -> None:
    result = score(text)
    assert result.scores[ALLEGATION] >= DEFAULT_THRESHOLDS[ALLEGATION], text
    assert "rumour or hedged claim" in result.reasons[ALLEGATION]


@pytest.mark.parametrize("text", [
    "Muslims are all terrorists and should go back where they came from",
    "Gay parents shouldn't be allowed on the PTA, it's not natural",
    "Send the Polish lot home, they're taking all the school places",
])
def test_attacks_on_a_group_are_still_identity_hate(text: str) -> None:
    result = score(text)
    assert result.scores[HATE] >= DEFAULT_THRESHOLDS[HATE], text
    assert result.reasons[HATE].startswith("possible identity hate:")


@pytest.mark.parametrize("text", [
    "someone called my daughter a paki at lunch",
    "my son is being hit on the bus",
    "My little one keeps getting bitten at nursery and nobody tells me who's doing it",
])
def test_a_parent_reporting_harm_to_their_child_is_a_concern(text: str) -> None:
    result = score(text)
    assert result.concern >= CONCERN_THRESHOLD, text
    assert HATE not in flagged(result) and THREAT not in flagged(result)
    assert result.reasons["concern"].startswith("safeguarding concern")


def test_an_illness_is_not_a_concern() -> None:
    assert score("My daughter has a nasty cough, should I keep her off?").concern < (
        CONCERN_THRESHOLD)


def test_cues_see_groups_stance_and_form() -> None:
    cues = find_cues("Racism has no place here, we stand with our Muslim families", "")
    assert cues.groups == ["religion"] and cues.counter and not cues.attack
    assert find_cues("Send them back, they don't belong here", "").attack


def _demo_roster() -> Roster:
    return Roster.from_dicts([
        {"id": 1, "kind": "pupil", "first_name": "Freddie", "last_name": "Walsh",
         "year_group": "Year 3"},
        {"id": 2, "kind": "staff", "first_name": "Daniel", "last_name": "Hughes",
         "title": "Mr", "role": "year 6 teacher"},
    ])


def test_a_parent_naming_their_own_child_is_a_concern_without_my_son() -> None:
    # No harm word and no "my son": the parent names the child.
    text = ("Freddie says a man at the bus stop keeps asking him where he lives and what time "
            "I finish work. Who do I speak to?")
    assert not find_cues(text, "").harm and not find_cues(text, "").child
    named = Engine.load().score(text, _demo_roster())
    assert [m.kind for m in named.roster_matches] == ["pupil"]
    assert named.concern >= CONCERN_THRESHOLD, named.scores
    assert named.reasons["concern"].startswith("safeguarding concern")
    assert THREAT not in flagged(named)


def test_violent_words_the_model_reads_as_no_menace_are_not_threats() -> None:
    for text in ("Knock 'em dead in the concert tonight Year 2!",
                 "dead on my feet after the school disco"):
        assert score(text).scores[THREAT] < DEFAULT_THRESHOLDS[THREAT], text


def test_an_explicit_threat_is_still_held() -> None:
    result = score("I'm going to punch Mr Hughes in the face at pick-up tomorrow")
    assert result.scores[THREAT] >= DEFAULT_THRESHOLDS[THREAT]


def test_naming_hate_to_condemn_it_is_counter_speech() -> None:
    cues = find_cues("Thank you for the lesson on Islamophobia, it was really thoughtful", "")
    assert cues.counter and not cues.attack
    assert find_cues("I'm not racist but there are too many of them here now", "").attack
    assert find_cues("Whoever wrote “send them back” on the fence: not in our name", "").quoted
    assert not find_cues("I'm sure they're lovely but it's not for us", "").quoted


def test_a_rumour_about_staff_by_role_is_an_allegation() -> None:
    result = score("Word is the PTA treasurer spent the fair money on her holiday")
    assert result.scores[ALLEGATION] >= DEFAULT_THRESHOLDS[ALLEGATION], result.scores

"""Tests for matching roster people (names, titles, initials, roles) in comment text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gatehouse.moderation.engine.roster import Roster, RosterPerson

ROSTER_JSON = Path(__file__).resolve().parents[4] / "bench/data/roster.json"


@pytest.fixture(scope="module")
def roster() -> Roster:
    return Roster.from_dicts(json.loads(ROSTER_JSON.read_text())["people"])


def _found(roster: Roster, text: str) -> set[tuple[int, str]]:
    return {(m.person_id, m.how) for m in roster.match(text)}


@pytest.mark.parametrize(
    ("text", "person_id", "how"),
    [
        ("thank you Mrs Patel!", 1, "title_surname"),
        ("mrs patel never replies", 1, "title_surname"),
        ("Mrs Pattel never replies", 1, "title_surname"),  # one edit on a 5-letter name
        ("Mrs Priya Patel", 1, "full_name"),
        ("Dr Fairweathr's talk", 10, "title_surname"),
        ("Oliver Bennett stole it", 101, "full_name"),
        ("Olivr Benett stole it", 101, "full_name"),
        ("Harry Lloyd-Jones is weird", 106, "full_name"),
        ("Ruby O'Connor's mum", 113, "full_name"),
        ("I think May left her cardigan", 110, "first_name"),
        ("has anyone seen Sasha today", 114, "preferred_name"),
        ("J.M. pushed my son", 107, "initials"),
        ("the head is drunk", 1, "role"),
        ("The headteacher's email", 1, "role"),
        ("the year 6 teacher is useless", 3, "year_group_role"),
        ("the Y6 teacher", 3, "year_group_role"),
        ("Miss C in reception is lovely", 4, "year_group_role"),
        ("Mrs P was at the gate", 1, "initials"),
        ("ask the SENCO", 6, "role"),
        ("the caretaker shouted", 12, "role"),
    ],
)
def test_it_finds_people(roster: Roster, text: str, person_id: int, how: str) -> None:
    assert (person_id, how) in _found(roster, text)


@pytest.mark.parametrize(
    "text",
    [
        "Will there be a livestream of the concert?",
        "May I ask when the trip gets back?",
        "we say grace before lunch",
        "I hope the rose garden is finished",
        "there's head lice in Year 3 again",
        "PE kit on Monday please",
        "well done Year 4!",
        "the car park is a nightmare again",
        "Olive oil for the cooking club",
    ],
)
def test_it_ignores_names_that_are_ordinary_words(roster: Roster, text: str) -> None:
    assert roster.match(text) == []


def test_it_reports_offsets_into_the_text(roster: Roster) -> None:
    text = "Please thank Mr Hughes for us"
    (match,) = roster.match(text)
    assert text[match.start:match.end] == "Mr Hughes" == match.matched_text
    assert match.kind == "staff"


def test_ambiguous_initials_are_not_matched() -> None:
    roster = Roster([
        RosterPerson(1, "pupil", "Jack", "Smith", year_group="Year 1"),
        RosterPerson(2, "pupil", "James", "Simms", year_group="Year 2"),
    ])
    assert roster.match("J.S. was rude") == []


def test_it_handles_an_empty_roster_and_odd_input() -> None:
    roster = Roster([])
    assert roster.match("Mrs Patel") == []
    assert roster.match("") == []
    assert roster.match("\u0000" * 10_000) == []

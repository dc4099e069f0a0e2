"""Demo roster and a few comments waiting in the moderation queue."""

from __future__ import annotations

from gatehouse.accounts.models import Membership
from gatehouse.community.actions import do_add_comment
from gatehouse.community.models import Post
from gatehouse.moderation.models import RosterEntry
from gatehouse.moderation.policy import ensure_defaults
from gatehouse.schools.models import School

ROSTER = [
    ("staff", "Mrs", "Helen", "Carter", "", "head teacher", ""),
    ("staff", "Mr", "Daniel", "Patel", "Dan", "year 4 teacher", "Year 4"),
    ("staff", "Miss", "Chloe", "Hollis", "", "year 6 teacher", "Year 6"),
    ("pupil", "", "Ellie", "Lee", "", "", "Year 4"),
    ("pupil", "", "Oliver", "Rowe", "Olly", "", "Year 6"),
]
HELD_EXAMPLES = [
    "If Miss Hollis keeps picking on my son I'll be waiting for her after school",
    "I want to make a complaint, the office has ignored three emails about the dinners",
]


def add_demo_moderation(school: School, memberships: list[Membership]) -> None:
    ensure_defaults(school)
    for kind, title, first, last, preferred, role, year in ROSTER:
        RosterEntry.objects.create(school=school, kind=kind, title=title, first_name=first,
                                   last_name=last, preferred_name=preferred, role=role,
                                   year_group=year)
    post = Post.objects.filter(school=school).first()
    if post is None:
        return
    for membership, text in zip(memberships, HELD_EXAMPLES, strict=False):
        do_add_comment(post, author=membership.user, membership=membership, body=text)

"""The console home counts what is due for the person looking, by their roles."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from gatehouse.accounts.dashboard import due_for
from gatehouse.accounts.models import JoinRequest, Role
from gatehouse.schools.models import SchoolDocument


def _labels(cards: list[Any]) -> dict[str, int]:
    return {card.label: card.count for card in cards}


def test_each_role_sees_its_own_work(school: Any, make_user: Any) -> None:
    docs = {d.kind: d for d in SchoolDocument.objects.filter(school=school)}
    for n in range(2):
        JoinRequest.objects.create(school=school, full_name=f"P {n}", email=f"p{n}@x.example",
                                   date_of_birth="1990-01-01", child_name="A", child_year="Y1",
                                   security_answer="x", answer_matches=True,
                                   rules_version=docs["rules"], hsa_version=docs["hsa"])
    admin = make_user(school=school, roles=(Role.ADMINISTRATOR,))
    head = make_user(school=school, roles=(Role.HEAD_TEACHER,))
    governor = make_user(school=school, roles=(Role.GOVERNOR,))
    assert _labels(due_for(admin, school))["Join requests waiting"] == 2
    assert "Join requests waiting" not in _labels(due_for(head, school))
    assert "Case deadlines this week" in _labels(due_for(head, school))
    assert set(_labels(due_for(governor, school))) == {"Open escalation cases (anonymised)"}


def test_the_home_page_shows_the_counts_with_a_fixed_number_of_queries(
    school: Any, make_user: Any, login_client: Any, django_assert_max_num_queries: Any
) -> None:
    everyone = make_user(school=school, roles=tuple(Role.values))
    client = login_client(everyone)
    url = reverse("staff:home", kwargs={"slug": school.slug})
    with django_assert_max_num_queries(25):
        page = client.get(url).content.decode()
    assert "What is due for you" in page and "Comments waiting for moderation" in page

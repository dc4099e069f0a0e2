from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gatehouse.accounts.models import JoinRequest, Membership, User
from gatehouse.schools.models import SchoolDocument


def _form(school: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "full_name": "Robin Hughes",
        "email": "Robin.Hughes@Example.net",
        "date_of_birth": "1986-05-14",
        "child_name": "Max Hughes",
        "child_year": "Year 2",
        "security_answer": "  shelly ",
        "password1": "a-long-family-password",
        "password2": "a-long-family-password",
        "rules_version": school.current_document(SchoolDocument.Kind.GROUP_RULES).pk,
        "hsa_version": school.current_document(SchoolDocument.Kind.HOME_SCHOOL_AGREEMENT).pk,
        "accept_rules": "on",
        "accept_hsa": "on",
    }
    data.update(overrides)
    return data


def _post(school: Any, **overrides: Any) -> Any:
    return Client().post(reverse("join", kwargs={"slug": school.slug}), _form(school, **overrides))


def test_it_records_a_request_with_the_versions_accepted(school: Any) -> None:
    response = _post(school)
    assert response.status_code == 302
    request = JoinRequest.objects.get()
    assert request.email == "robin.hughes@example.net"
    assert request.answer_matches is True
    assert request.rules_version.kind == "rules" and request.hsa_version.kind == "hsa"
    assert request.password_hash.startswith("argon2")
    assert request.status == JoinRequest.Status.PENDING


def test_it_flags_a_wrong_security_answer_for_the_administrator(school: Any) -> None:
    _post(school, security_answer="Speedy")
    assert JoinRequest.objects.get().answer_matches is False



@pytest.mark.parametrize(
    ("dob", "message"),
    [
        ((timezone.localdate() - dt.timedelta(days=17 * 365)).isoformat(), "18 or over"),
        ((timezone.localdate() + dt.timedelta(days=3)).isoformat(), "in the future"),
        ("2001-02-30", "real date"),
        ("not a date", "real date"),
        ("1801-01-01", "check the year"),
    ],
)
def test_it_refuses_bad_dates_of_birth_clearly(school: Any, dob: str, message: str) -> None:
    response = _post(school, date_of_birth=dob)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not JoinRequest.objects.exists()


def test_it_refuses_a_parent_one_day_short_of_18(school: Any) -> None:
    today = timezone.localdate()
    born = dt.date(today.year - 18, today.month, today.day) + dt.timedelta(days=1)
    assert _post(school, date_of_birth=born.isoformat()).status_code == 400
    exactly_18 = dt.date(today.year - 18, today.month, today.day)
    assert _post(school, date_of_birth=exactly_18.isoformat()).status_code == 302


@pytest.mark.parametrize("field", ["full_name", "child_name"])
def test_it_refuses_markup_in_names(school: Any, field: str) -> None:
    response = _post(school, **{field: "<script>alert(1)</script>"})
    assert response.status_code == 400
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert "without &lt; or &gt;" in response.content.decode()
    assert not JoinRequest.objects.exists()


def test_it_escapes_markup_in_the_security_answer(school: Any, login_client: Any,
                                                 make_user: Any) -> None:
    _post(school, security_answer="<img src=x onerror=alert(1)>")
    admin = make_user(school=school, roles=("administrator",))
    page = login_client(admin).get(reverse("staff:join_requests", kwargs={"slug": school.slug}))
    assert "<img src=x" not in page.content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.content.decode()


def test_it_refuses_oversized_fields(school: Any) -> None:
    response = _post(school, full_name="A" * 151)
    assert response.status_code == 400
    assert "at most 150 characters" in response.content.decode()
    assert not JoinRequest.objects.exists()


def test_it_refuses_a_forged_document_version(school: Any, make_school: Any) -> None:
    other = make_school()
    forged = other.current_document(SchoolDocument.Kind.GROUP_RULES).pk
    response = _post(school, rules_version=forged)
    assert response.status_code == 400
    assert "changed while you were filling this in" in response.content.decode()
    assert not JoinRequest.objects.exists()


def test_it_requires_both_agreements_to_be_ticked(school: Any) -> None:
    data = _form(school)
    del data["accept_hsa"]
    response = Client().post(reverse("join", kwargs={"slug": school.slug}), data)
    assert response.status_code == 400
    assert not JoinRequest.objects.exists()


def test_a_replayed_request_is_recorded_once(school: Any) -> None:
    assert _post(school).status_code == 302
    again = _post(school)
    assert again.status_code == 400
    assert "already have a request" in again.content.decode()
    assert JoinRequest.objects.count() == 1


def test_a_member_asking_again_is_told_to_sign_in(school: Any, make_parent: Any) -> None:
    make_parent(school, email="robin.hughes@example.net")
    response = _post(school)
    assert "already a member" in response.content.decode()
    assert not JoinRequest.objects.exists()


def test_a_recently_declined_parent_must_contact_the_school(school: Any, make_user: Any) -> None:
    from gatehouse.accounts.actions import do_decline_join_request

    _post(school)
    admin = make_user(school=school, roles=("administrator",))
    do_decline_join_request(JoinRequest.objects.get(), actor=admin, reason="Not a parent here")
    response = _post(school)
    assert "declined recently" in response.content.decode()
    assert JoinRequest.objects.count() == 1


def test_approval_creates_the_account_and_emails_the_parent(
    school: Any, make_user: Any, login_client: Any, smtp_server: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _post(school)
    admin = make_user(school=school, roles=("administrator",))
    request = JoinRequest.objects.get()
    url = reverse("staff:decide_join_request", kwargs={"slug": school.slug, "pk": request.pk})
    with django_capture_on_commit_callbacks(execute=True):
        response = login_client(admin).post(url, {"decision": "approve"})
    assert response.status_code == 302
    membership = Membership.objects.get(school=school)
    assert membership.child_name == "Max Hughes"
    assert authenticate(username="robin.hughes@example.net", password="a-long-family-password")
    request.refresh_from_db()
    assert request.status == "approved" and request.password_hash == ""
    smtp_server.wait_for(request.email, count=2)
    subjects = [m["Subject"] for m in smtp_server.messages]
    assert any("Welcome" in s for s in subjects)
    assert any("We have your request" in s for s in subjects)


def test_declining_needs_a_reason_and_sends_it(
    school: Any, make_user: Any, login_client: Any, smtp_server: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    _post(school)
    admin = make_user(school=school, roles=("administrator",))
    request = JoinRequest.objects.get()
    url = reverse("staff:decide_join_request", kwargs={"slug": school.slug, "pk": request.pk})
    client = login_client(admin)
    client.post(url, {"decision": "decline", "reason": ""})
    request.refresh_from_db()
    assert request.status == "pending"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"decision": "decline", "reason": "We could not match your child."})
    smtp_server.wait_for(request.email)
    request.refresh_from_db()
    assert request.status == "declined"
    assert not User.objects.filter(email=request.email).exists()
    bodies = [smtp_server.body_of(m) for m in smtp_server.messages]
    assert any("We could not match your child." in body for body in bodies)


def test_a_request_cannot_be_decided_twice(school: Any, make_user: Any, login_client: Any) -> None:
    _post(school)
    admin = make_user(school=school, roles=("administrator",))
    request = JoinRequest.objects.get()
    url = reverse("staff:decide_join_request", kwargs={"slug": school.slug, "pk": request.pk})
    client = login_client(admin)
    client.post(url, {"decision": "approve"})
    response = client.post(url, {"decision": "decline", "reason": "oops"}, follow=True)
    assert "already approved" in response.content.decode()
    assert Membership.objects.count() == 1


def test_an_administrator_cannot_decide_another_schools_request(
    school: Any, make_school: Any, make_user: Any, login_client: Any
) -> None:
    _post(school)
    other = make_school()
    other_admin = make_user(school=other, roles=("administrator",))
    request = JoinRequest.objects.get()
    url = reverse("staff:decide_join_request", kwargs={"slug": other.slug, "pk": request.pk})
    assert login_client(other_admin).post(url, {"decision": "approve"}).status_code == 404
    own = reverse("staff:decide_join_request", kwargs={"slug": school.slug, "pk": request.pk})
    assert login_client(other_admin).post(own, {"decision": "approve"}).status_code == 403
    assert not Membership.objects.exists()

"""The custody register (no passwords, school recovery details) and the leaver handover that
blocks offboarding until every account is handed over."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from gatehouse.accounts.models import StaffRole
from gatehouse.audit.models import AuditEntry
from gatehouse.governance.custody import send_review_reminders
from gatehouse.governance.forms import looks_like_password
from gatehouse.governance.models import Handover, SocialAccount, add_months
from gatehouse.governance.tests.conftest import account_data


def _url(school: Any, name: str, **kwargs: Any) -> str:
    return reverse(f"staff:{name}", kwargs={"slug": school.slug, **kwargs})


def _post_data(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "administrators": [u.pk for u in data["administrators"]]}


def test_an_administrator_adds_an_account_and_the_register_shows_who_can_reach_it(
    school: Any, staff: dict[str, Any], login_client: Any,
) -> None:
    client = login_client(staff["admin"])
    response = client.post(_url(school, "governance_account_new"),
                           _post_data(account_data([staff["poster"]])))
    assert response.status_code == 302
    account = SocialAccount.objects.get()
    assert [a.user for a in account.admins.all()] == [staff["poster"]]
    page = login_client(staff["head"]).get(_url(school, "governance_register")).content.decode()
    assert "OakfieldPrimary" in page and "Tom Fielding" in page
    assert AuditEntry.objects.filter(action="governance.account.added").exists()


@pytest.mark.parametrize(("field", "value", "message"), [
    ("credentials_location", "Tr0ub4dor&3x", "looks like a password"),
    ("recovery_email", "alex.morgan@gmail.com", "school domain"),
    ("recovery_phone", "not a phone", "UK phone"),
    ("recovery_phone", "07700 900123", "mobile number"),
    ("two_factor", "none", "valid choice"),
    ("url", "javascript:alert(1)", "valid URL"),
])
def test_bad_register_entries_are_refused_with_what_was_typed_kept(
    school: Any, staff: dict[str, Any], login_client: Any, field: str, value: str,
    message: str,
) -> None:
    data = _post_data(account_data([staff["poster"]], **{field: value}))
    response = login_client(staff["admin"]).post(_url(school, "governance_account_new"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and "News for parents" in page
    assert not SocialAccount.objects.exists()


def test_a_school_mobile_is_accepted_once_confirmed(
    school: Any, staff: dict[str, Any], login_client: Any,
) -> None:
    data = _post_data(account_data([staff["poster"]], recovery_phone="07700 900123",
                                   phone_is_school_owned="on"))
    assert login_client(staff["admin"]).post(_url(school, "governance_account_new"),
                                             data).status_code == 302


def test_a_password_is_told_apart_from_where_it_is_kept() -> None:
    assert looks_like_password("Tr0ub4dor&3x") and looks_like_password("hunter2!Q")
    assert not looks_like_password("Bitwarden › Social › Facebook")
    assert not looks_like_password("1Password/School/Instagram")
    assert not looks_like_password("Keeper")


def test_only_administrators_change_the_register(
    school: Any, staff: dict[str, Any], login_client: Any, account: SocialAccount,
) -> None:
    head = login_client(staff["head"])
    assert head.get(_url(school, "governance_account", pk=account.pk)).status_code == 200
    data = _post_data(account_data([staff["teacher"]]))
    assert head.post(_url(school, "governance_account", pk=account.pk), data).status_code == 403
    assert head.get(_url(school, "governance_leavers")).status_code == 403
    for who in ("governor", "moderator", "teacher", "hr"):
        client = login_client(staff[who])
        assert client.get(_url(school, "governance_register")).status_code == 403


def test_offboarding_is_blocked_with_the_list_until_each_account_is_handed_over(
    school: Any, staff: dict[str, Any], login_client: Any, account: SocialAccount,
) -> None:
    other = SocialAccount.objects.create(
        school=school, platform="instagram", handle="oakfield.primary",
        url="https://instagram.example/oakfield", purpose="Photos",
        credentials_location="Bitwarden › Instagram", two_factor="app",
        recovery_email="office1@school.example", created_by=staff["admin"])
    other.admins.create(user=staff["poster"])
    client = login_client(staff["admin"])
    leaver_url = _url(school, "governance_leaver", pk=staff["poster"].pk)
    response = client.post(leaver_url)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Facebook Page OakfieldPrimary" in page and "Instagram oakfield.primary" in page
    assert StaffRole.objects.filter(user=staff["poster"]).count() == 2
    # Removing the posting role on the roles page is blocked the same way.
    poster_role = StaffRole.objects.get(user=staff["poster"], role="poster")
    client.post(_url(school, "revoke_role", pk=poster_role.pk))
    assert StaffRole.objects.filter(pk=poster_role.pk).exists()
    # A handover with a step missing is refused.
    handover_url = _url(school, "governance_handover", pk=staff["poster"].pk,
                        account_id=account.pk)
    steps = {"new_administrator": staff["teacher"].pk, "confirmed_access": "on",
             "credentials_rotated": "on", "two_factor_moved": "on"}
    assert client.post(handover_url, steps).status_code == 400
    assert not Handover.objects.exists()
    assert client.post(handover_url, {**steps, "connector_reissued": "on"}).status_code == 302
    assert client.post(leaver_url).status_code == 409  # Instagram still to do
    client.post(_url(school, "governance_handover", pk=staff["poster"].pk,
                     account_id=other.pk), {**steps, "connector_reissued": "on"})
    assert client.post(leaver_url).status_code == 302
    assert not StaffRole.objects.filter(user=staff["poster"]).exists()
    account.refresh_from_db()
    assert {a.user for a in account.admins.all()} == {staff["admin"], staff["teacher"]}
    assert AuditEntry.objects.filter(action="governance.leaver.offboarded").exists()


def test_the_leaver_cannot_hand_over_to_themselves_or_a_stranger(
    school: Any, staff: dict[str, Any], login_client: Any, account: SocialAccount,
    make_parent: Any,
) -> None:
    client = login_client(staff["admin"])
    url = _url(school, "governance_handover", pk=staff["poster"].pk, account_id=account.pk)
    steps = {"confirmed_access": "on", "credentials_rotated": "on", "two_factor_moved": "on",
             "connector_reissued": "on"}
    for new in (staff["poster"], make_parent(school).user):
        assert client.post(url, {**steps, "new_administrator": new.pk}).status_code == 400
    assert not Handover.objects.exists()


def test_removing_a_role_that_does_not_run_accounts_is_not_blocked(
    school: Any, staff: dict[str, Any], login_client: Any, account: SocialAccount,
) -> None:
    staff_role = StaffRole.objects.get(user=staff["poster"], role="staff")
    login_client(staff["admin"]).post(_url(school, "revoke_role", pk=staff_role.pk))
    assert not StaffRole.objects.filter(pk=staff_role.pk).exists()


def test_access_reviews_are_recorded_and_reminded_once(
    school: Any, staff: dict[str, Any], login_client: Any, account: SocialAccount,
    smtp_server: Any, django_capture_on_commit_callbacks: Any,
) -> None:
    due = account.next_review_due
    assert due == add_months(timezone.localdate(), 6)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_review_reminders(due - dt.timedelta(days=30)) == 0
        assert send_review_reminders(due - dt.timedelta(days=10)) == 1
        assert send_review_reminders(due - dt.timedelta(days=9)) == 0
    assert "Access review due" in smtp_server.wait_for("admin@s.example")["Subject"]
    client = login_client(staff["admin"])
    url = _url(school, "governance_account_review", pk=account.pk)
    client.post(url, {"notes": "forgot to tick"})
    assert not account.reviews.exists()
    client.post(url, {"confirmed": "on", "notes": "Both still need it."})
    account.refresh_from_db()
    assert account.last_reviewed_on == timezone.localdate()
    assert sorted(account.reviews.get().administrators) == ["Alex Morgan", "Tom Fielding"]


def test_add_months_keeps_to_the_end_of_short_months() -> None:
    assert add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2027, 8, 31), 6) == dt.date(2028, 2, 29)

"""Every staff console page and the parents' pages pass axe-core (no serious or critical)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from e2e.conftest import assert_accessible, sign_in
from gatehouse.accounts.models import Membership, User
from gatehouse.cases.actions import do_add_step, do_open_case
from gatehouse.schools import demo

ADMIN_PAGES = [
    "/s/oakfield/staff/", "/s/oakfield/staff/join-requests/", "/s/oakfield/staff/members/",
    "/s/oakfield/staff/roles/", "/s/oakfield/staff/audit/", "/s/oakfield/staff/moderation/",
    "/s/oakfield/staff/moderation/rules/", "/s/oakfield/staff/moderation/watched/",
    "/s/oakfield/staff/moderation/roster/", "/s/oakfield/staff/moderation/platform-reports/",
    "/s/oakfield/staff/posts/new/", "/s/oakfield/staff/pupils/",
    "/s/oakfield/staff/photo-posts/", "/s/oakfield/staff/takedowns/",
    "/s/oakfield/staff/my-image-permission/", "/s/oakfield/staff/incidents/report/",
    "/s/oakfield/staff/incidents/mine/", "/s/oakfield/staff/governance/accounts/",
    "/s/oakfield/staff/governance/accounts/new/", "/s/oakfield/staff/governance/accounts/domains/",
    "/s/oakfield/staff/governance/leavers/", "/s/oakfield/staff/governance/reports/",
    "/s/oakfield/staff/governance/policies/", "/s/oakfield/staff/governance/retention/",
    "/s/oakfield/staff/governance/requests/",
]


def test_staff_pages_are_accessible(page: Page, url: Any, demo_school: Any) -> None:
    sign_in(page, url, "admin@oakfield.example", totp_secret=demo.DEMO_TOTP_SECRET)
    member = Membership.objects.filter(school=demo_school).first()
    assert member is not None
    for path in [*ADMIN_PAGES, f"/s/oakfield/staff/members/{member.pk}/restrict/"]:
        response = page.goto(url(path))
        assert response is not None and response.status == 200, path
        assert_accessible(page)


HEAD_TEACHER_PAGES = [
    "/s/oakfield/staff/", "/s/oakfield/staff/cases/", "/s/oakfield/staff/cases/new/",
    "/s/oakfield/staff/cases/summary/", "/s/oakfield/staff/cases/letters/",
    "/s/oakfield/staff/cases/letters/meeting/", "/s/oakfield/staff/evidence/verify/",
    "/s/oakfield/staff/incidents/",
]


def test_case_pages_are_accessible(page: Page, url: Any, demo_school: Any) -> None:
    head = User.objects.get(email="head@oakfield.example")
    member = Membership.objects.filter(school=demo_school).first()
    assert member is not None
    case = do_open_case(demo_school, actor=head, data={
        "member": member, "subject_name": member.user.full_name, "began_on":
        timezone.localdate(), "subject_email": member.user.email})
    meeting = do_add_step(case, actor=head, version=case.version, kind="meeting", data={
        "occurred_on": timezone.localdate(), "meeting_at": timezone.now(), "place": "Office"})
    case_pages = [f"/s/oakfield/staff/cases/{case.pk}/",
                  f"/s/oakfield/staff/cases/{case.pk}/evidence/",
                  f"/s/oakfield/staff/cases/{case.pk}/steps/warning/",
                  f"/s/oakfield/staff/cases/{case.pk}/steps/{meeting.pk}/outcome/",
                  f"/s/oakfield/staff/cases/{case.pk}/steps/{meeting.pk}/letter/"]
    sign_in(page, url, "head@oakfield.example", totp_secret=demo.DEMO_TOTP_SECRET)
    for path in [*HEAD_TEACHER_PAGES, *case_pages]:
        response = page.goto(url(path))
        assert response is not None and response.status == 200, path
        assert_accessible(page)


def test_safeguarding_concerns_page_is_accessible(page: Page, url: Any, demo_school: Any) -> None:
    sign_in(page, url, "dsl@oakfield.example", totp_secret=demo.DEMO_TOTP_SECRET)
    for path in ["/s/oakfield/staff/moderation/concerns/",
                 "/s/oakfield/staff/moderation/concerns/?status=handled"]:
        response = page.goto(url(path))
        assert response is not None and response.status == 200, path
        assert_accessible(page)


@pytest.mark.parametrize("path", ["/", "/s/oakfield/rules/", "/accounts/login/"])
def test_public_pages_are_accessible(page: Page, url: Any, demo_school: Any, path: str) -> None:
    page.goto(url(path))
    assert_accessible(page)


def test_parent_pages_are_accessible(page: Page, url: Any, demo_school: Any) -> None:
    sign_in(page, url, "parent@oakfield.example")
    for path in ["/s/oakfield/my-children/", "/s/oakfield/"]:
        page.goto(url(path))
        assert_accessible(page)
    page.locator(".report-link").first.click()
    assert_accessible(page)

"""An IT provider sets up a school from the command line; its administrator gets a link."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gatehouse.accounts.models import StaffRole
from gatehouse.schools.models import School

ARGS = ["--name", "Brook Lane Primary", "--slug", "brook-lane", "--admin-email",
        "office.manager@brooklane.sch.uk", "--admin-name", "Sam Okafor",
        "--security-question", "What is the name of the school hall?",
        "--security-answer", "Jubilee Hall", "--phone", "01632 960 555"]


def test_it_creates_the_school_and_invites_its_administrator(
    db: None, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        call_command("create_school", *ARGS)
    school = School.objects.get(slug="brook-lane")
    assert school.check_security_answer("  jubilee hall ")
    assert school.current_document("rules") and school.current_document("hsa")
    assert StaffRole.objects.filter(school=school, role="administrator",
                                    user__email="office.manager@brooklane.sch.uk").exists()
    invite = smtp_server.body_of(smtp_server.wait_for("office.manager@brooklane.sch.uk"))
    assert "/accounts/password/reset/key/" in invite


def test_it_refuses_a_web_name_already_taken_or_a_bad_email(db: None) -> None:
    call_command("create_school", *ARGS)
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_school", *ARGS)
    bad = [*ARGS]
    bad[bad.index("--slug") + 1] = "other"
    bad[bad.index("--admin-email") + 1] = "not-an-email"
    with pytest.raises(CommandError, match="valid email"):
        call_command("create_school", *bad)
    assert School.objects.count() == 1

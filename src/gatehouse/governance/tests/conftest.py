"""Fixtures for governance tests: a school's staff and a register entry."""

from __future__ import annotations

from typing import Any

import pytest

from gatehouse.cases.tests.conftest import media  # noqa: F401  (uploads in a temp folder)
from gatehouse.governance.custody import do_add_account
from gatehouse.governance.models import SocialAccount


@pytest.fixture
def staff(school: Any, make_user: Any) -> dict[str, Any]:
    return {
        "admin": make_user(school=school, roles=("administrator",), email="admin@s.example",
                           name="Alex Morgan"),
        "head": make_user(school=school, roles=("head_teacher",), email="head@s.example",
                          name="Helen Carter"),
        "poster": make_user(school=school, roles=("poster", "staff"), email="poster@s.example",
                            name="Tom Fielding"),
        "teacher": make_user(school=school, roles=("staff",), email="teacher@s.example",
                             name="Daniel Patel"),
        "governor": make_user(school=school, roles=("governor",), email="gov@s.example",
                              name="Margaret Ellis"),
        "moderator": make_user(school=school, roles=("moderator",), email="mod@s.example"),
        "hr": make_user(school=school, roles=("head_of_hr",), email="hr@s.example"),
    }


def account_data(admins: list[Any], **extra: Any) -> dict[str, Any]:
    return {"platform": "facebook", "handle": "OakfieldPrimary",
            "url": "https://facebook.example/OakfieldPrimary", "purpose": "News for parents",
            "credentials_location": "Bitwarden › Oakfield › Social › Facebook",
            "two_factor": "app", "recovery_email": "office1@school.example",
            "recovery_phone": "", "review_every_months": 6, "administrators": admins, **extra}


@pytest.fixture
def account(school: Any, staff: dict[str, Any]) -> SocialAccount:
    return do_add_account(school, actor=staff["admin"],
                          data=account_data([staff["poster"], staff["admin"]]))

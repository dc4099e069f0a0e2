"""Fixtures for incident tests: a school's staff (one centrally employed) and a screenshot."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from gatehouse.cases.tests.conftest import media  # noqa: F401  (uploads in a temp folder)


@pytest.fixture
def staff(school: Any, make_user: Any) -> dict[str, Any]:
    people = {
        "head": make_user(school=school, roles=("head_teacher",), email="head@s.example"),
        "hr": make_user(school=school, roles=("head_of_hr",), email="hr@s.example"),
        "moderator": make_user(school=school, roles=("moderator",), email="mod@s.example"),
        "dsl": make_user(school=school, roles=("dsl",), email="dsl@s.example"),
        "governor": make_user(school=school, roles=("governor",), email="gov@s.example"),
        "admin": make_user(school=school, roles=("administrator",), email="admin@s.example"),
        "teacher": make_user(school=school, roles=("staff",), email="teacher@s.example",
                             name="Daniel Patel"),
        "ta": make_user(school=school, roles=("staff",), email="ta@s.example", name="Ann Bell"),
    }
    people["ta"].centrally_employed = True
    people["ta"].save()
    return people


def png(size: tuple[int, int] = (40, 30), colour: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def screenshot() -> bytes:
    return png()

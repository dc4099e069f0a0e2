"""Fixtures the feed tests share: a school administrator and one post by them."""

from __future__ import annotations

from typing import Any

import pytest

from gatehouse.community.models import Post


@pytest.fixture
def admin(school: Any, make_user: Any) -> Any:
    return make_user(school=school, roles=("administrator",), name="Alex Morgan")


@pytest.fixture
def post(school: Any, admin: Any) -> Post:
    return Post.objects.create(school=school, author=admin, body="Sports day is on Friday!")

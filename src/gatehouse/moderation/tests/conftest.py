from __future__ import annotations

from typing import Any

import pytest

from gatehouse.community.models import Post

THREAT = "I'm going to wait outside the gates and batter Mr Hollis, he won't walk away"
ORDINARY = "What time does the Year 6 trip get back on Thursday?"


@pytest.fixture
def staff(school: Any, make_user: Any) -> dict[str, Any]:
    return {
        "admin": make_user(school=school, roles=("administrator",), email="admin@s.example"),
        "moderator": make_user(school=school, roles=("moderator",), email="mod@s.example"),
        "head": make_user(school=school, roles=("head_teacher",), email="head@s.example"),
        "dsl": make_user(school=school, roles=("dsl",), email="dsl@s.example"),
    }


@pytest.fixture
def post(school: Any, staff: dict[str, Any]) -> Post:
    return Post.objects.create(school=school, author=staff["admin"], body="Sports day Friday")


@pytest.fixture
def comment_as(school: Any, post: Post) -> Any:
    from gatehouse.community.actions import do_add_comment

    def write(membership: Any, body: str) -> Any:
        return do_add_comment(post, author=membership.user, membership=membership, body=body)

    return write

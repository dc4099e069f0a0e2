# ruff: noqa: F811  (pytest fixtures imported from consent are parameters here)
"""Fixtures for publishing: a fake Graph server, connected accounts, and posts with a
checked class photo (the consent app's builders)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.conf import settings

from gatehouse.accounts.models import Role, User
from gatehouse.consent.models import Channel, Face, Photo, PhotoDraft
from gatehouse.consent.photos import do_tag_faces
from gatehouse.consent.tests.conftest import (  # noqa: F401  (shared builders)
    _media_root,
    admin,
    confirm,
    make_draft,
    make_photo,
    make_pupil,
)
from gatehouse.lib.testing import wait_for_background_tasks
from gatehouse.publishing import actions
from gatehouse.publishing.connectors.secrets import encrypt_token
from gatehouse.publishing.fake_graph import FakeGraph
from gatehouse.publishing.models import Connection, Post
from gatehouse.schools.models import School

TOKEN = "demo-page-token"


@pytest.fixture
def background(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    """Run what the block queues after commit, and wait for it: in-process without a broker,
    or by the session's Celery worker (which reads only committed rows, so tests using this
    are marked transaction=True)."""

    @contextmanager
    def run() -> Iterator[None]:
        with django_capture_on_commit_callbacks(execute=True):
            yield
        if settings.CELERY_BROKER_URL:
            from gatehouse.celery import app

            wait_for_background_tasks(app)

    return run


@pytest.fixture
def fake_graph(settings: Any) -> Iterator[FakeGraph]:
    server = FakeGraph().start()
    settings.GRAPH_API_BASE = server.base_url
    settings.INSTAGRAM_POLL_SECONDS = 0
    yield server
    server.stop()


@pytest.fixture
def leader(school: School, make_user: Callable[..., User]) -> User:
    return make_user(school=school, roles=(Role.LEADERSHIP,), name="Lee Head",
                     email="leader@school.example")


@pytest.fixture
def connected(school: School, admin: User, fake_graph: FakeGraph) -> dict[str, Connection]:
    made = {}
    for platform, account in ((Channel.FACEBOOK, fake_graph.state.page_id),
                              (Channel.INSTAGRAM, fake_graph.state.ig_id)):
        made[platform] = Connection.objects.create(
            school=school, platform=platform, account_id=account,
            token_encrypted=encrypt_token(TOKEN), connected_by=admin,
            health=Connection.Health.OK)
    return made


@pytest.fixture
def photo_draft(school: School, admin: User, make_draft: Any, make_photo: Any,
                make_pupil: Any, confirm: Any) -> PhotoDraft:
    """A class photo with two faces: Ellie (consent everywhere) and one blurred."""
    draft = make_draft(school, admin, channels=list(Channel.values[:4]),
                       body="Year 4's Roman day")
    photo: Photo = make_photo(draft, boxes=[(40, 40, 60, 60), (200, 60, 60, 60)])
    ellie = make_pupil(school, first="Ellie")
    faces = list(photo.faces.all())
    do_tag_faces(photo, actor=admin, tags={faces[0].pk: f"pupil:{ellie.pk}",
                                           faces[1].pk: Face.Kind.BLUR})
    confirm(draft, admin)
    return draft


@pytest.fixture
def agreed_post(school: School, admin: User, leader: User,
                photo_draft: PhotoDraft) -> Callable[..., Post]:
    def build(*, channels: list[str] | None = None, publish_at: Any = None) -> Post:
        post = actions.do_create_post(school, actor=admin, body=photo_draft.body, link="",
                                      channels=channels or list(photo_draft.channels),
                                      publish_at=publish_at, photos=photo_draft)
        post = actions.do_submit(post, actor=admin)
        return actions.do_agree(post, actor=leader, fingerprint=post.fingerprint())

    return build

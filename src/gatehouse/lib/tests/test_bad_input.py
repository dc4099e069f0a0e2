"""Bad input at every URL Gatehouse serves, walked from the URL resolver so that a new endpoint
is covered the day it is added: markup and script, null bytes, 1 MB strings, invalid UTF-8 in
multipart bodies, forged, foreign and missing ids, wrong methods and malformed HTMX headers,
as an anonymous visitor, a parent and a member of staff holding every role.

Two promises: no request is answered with a server error, and a request that is refused (any
4xx answer) leaves every table exactly as it was."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from gatehouse.accounts.models import Role, StaffRole, User
from gatehouse.community.actions import do_add_comment
from gatehouse.community.models import Post
from gatehouse.lib.testing import wait_for_background_tasks
from gatehouse.publishing.models import Video
from gatehouse.schools import demo

NASTY = "<script>alert(1)</script>\x00'\"; DROP TABLE x;--{{7*7}}\u202e\ufeff"
HUGE = "A" * 1_000_000
BAD_UTF8 = b"\xff\xfe\xc3\x28 caf\xe9 \x00"
IDS = ["999999", "1", "-1", "1e9", "0x10"]
HTMX = {"HX-Request": "true", "HX-Target": "\x00<svg onload=alert(1)>",
        "HX-Current-URL": "javascript:alert(1)", "HX-Trigger": "x" * 5000}
# Tables a refused request may still touch: the session (Django refreshes it on every request).
UNCOUNTED = {"django_session"}


def _routes(patterns: list[Any] | None = None, prefix: str = "") -> Iterator[str]:
    """Every route as a string, e.g. 's/<slug:slug>/staff/moderation/items/<int:pk>/'."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith("accounts/"):
                continue  # allauth's own views (sign-in, MFA), tested in accounts/
            yield from _routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route


def _paths(route: str, real_ids: dict[str, str]) -> list[str]:
    """The route with its parameters filled: ids that are foreign (low ids belong to another
    school, made first; missing ids are the role test's), the demo school's own where a hint
    names one for the route, or words where a word is expected."""
    variants = [route]
    hinted = [pk for fragment, pk in real_ids.items() if fragment in route]
    for converter, name in re.findall(r"<(\w+):(\w+)>", route):
        values = {"slug": ["oakfield"], "int": ["1", *hinted], "str": ["approve", "%3Cb%3E"],
                  "path": ["x"]}[converter if name != "slug" else "slug"]
        variants = [v.replace(f"<{converter}:{name}>", value, 1)
                    for v in variants for value in values]
    return ["/" + v.replace("^", "").replace("$", "") for v in variants]


class _FieldNames(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self.files: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        name = found.get("name")
        if tag in {"input", "select", "textarea"} and name and name != "csrfmiddlewaretoken":
            (self.files if found.get("type") == "file" else self.names).add(name)


def _fields(client: Client, path: str) -> tuple[set[str], set[str]]:
    response = client.get(path)
    parser = _FieldNames()
    if response.status_code == 200 and "html" in response.get("Content-Type", ""):
        parser.feed(response.content.decode(errors="replace"))
    return parser.names | {"body", "q", "note", "reason", "category", "decision"}, parser.files


def _row_counts() -> tuple[int, ...]:
    tables = [t for t in connection.introspection.table_names() if t not in UNCOUNTED]
    with connection.cursor() as cursor:
        # Table names come from the database itself, not from input.
        counts = ", ".join(f'(SELECT COUNT(*) FROM "{t}")' for t in tables)  # noqa: S608
        cursor.execute(f"SELECT {counts}")
        return tuple(cursor.fetchone())


def _multipart(names: set[str], files: set[str]) -> bytes:
    boundary = b"gatehouse-boundary"
    parts = [b"--" + boundary + b'\r\nContent-Disposition: form-data; name="' + name.encode()
             + b'"\r\n\r\n' + BAD_UTF8 + b"\r\n" for name in sorted(names)]
    parts += [b"--" + boundary + b'\r\nContent-Disposition: form-data; name="' + name.encode()
              + b'"; filename="\xff\xfe<x>.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
              + b"\xff\xd8\xff not really a jpeg " + BAD_UTF8 + b"\r\n" for name in sorted(files)]
    return b"".join(parts) + b"--" + boundary + b"--\r\n"


def _requests(client: Client, path: str) -> Iterator[tuple[str, Any]]:
    names, files = _fields(client, path)
    yield "GET with markup, nulls and malformed HTMX headers", lambda: client.get(
        path, {"q": NASTY, "page": "-1", "action": NASTY, "next": "//evil.example"},
        headers=HTMX)
    yield "POST markup and nulls", lambda: client.post(path, dict.fromkeys(names, NASTY),
                                                       headers=HTMX)
    yield "POST 1 MB strings", lambda: client.post(path, dict.fromkeys(names, HUGE))
    yield "POST forged ids", lambda: client.post(
        path, {name: IDS[n % len(IDS)] for n, name in enumerate(sorted(names))})
    yield "POST invalid UTF-8 multipart", lambda: client.generic(
        "POST", path, _multipart(names, files),
        content_type="multipart/form-data; boundary=gatehouse-boundary")
    yield "PUT", lambda: client.generic("PUT", path, NASTY)
    yield "DELETE", lambda: client.delete(path)


def _another_school(make_school: Any, make_user: Any, make_parent: Any) -> None:
    """Made first, so the low ids (1, 2, ...) are this school's: foreign to Oakfield."""
    school = make_school(slug="elsewhere")
    admin = make_user(school=school, roles=("administrator",))
    parent = make_parent(school)
    post = Post.objects.create(school=school, author=admin, body="Elsewhere's news")
    do_add_comment(post, author=parent.user, membership=parent, body="I'll batter Mr Jones")


def _real_ids() -> dict[str, str]:
    """Fixture hints: routes (by a part of their pattern) walked with one of the demo school's
    own ids too, so their pages meet real records: the demo video post and its face track."""
    video = Video.objects.get(post__school__slug="oakfield", status=Video.Status.READY)
    hints = {"staff/publishing/<int:pk>/video/": str(video.post_id)}
    track = video.tracks.first()
    if track is not None:  # no face photo to make the demo video from: no track
        hints["staff/publishing/video-faces/<int:pk>/"] = str(track.pk)
    return hints


def _last_if_removing(path: str) -> bool:
    """Removing something is walked last, so the pages before it still find their record."""
    return path.rstrip("/").endswith(("remove", "delete"))


@pytest.fixture
def people(transactional_db: None, make_school: Any, make_user: Any,
           make_parent: Any) -> dict[str, Client]:
    _another_school(make_school, make_user, make_parent)
    school = demo.create_demo_school(posts=3, video=True)
    if settings.CELERY_BROKER_URL:  # the worker looks for the demo video's faces
        from gatehouse.celery import app

        assert not wait_for_background_tasks(app)
    staff = User.objects.get(email="head@oakfield.example")
    for role in Role.values:
        StaffRole.objects.get_or_create(user=staff, school=school, role=role)
    clients = {"anonymous": Client(raise_request_exception=False)}
    for who, user in (("parent", User.objects.get(email="parent@oakfield.example")),
                      ("staff", staff)):
        clients[who] = Client(raise_request_exception=False)
        clients[who].force_login(user)
    return clients


def test_no_bad_input_causes_a_server_error_or_a_half_saved_record(
    people: dict[str, Client],
) -> None:
    real_ids = _real_ids()
    paths = sorted((p for route in _routes() for p in _paths(route, real_ids)),
                   key=_last_if_removing)
    assert len(paths) > 50
    post_id = real_ids["staff/publishing/<int:pk>/video/"]
    video_page = f"/s/oakfield/staff/publishing/{post_id}/video/"
    assert people["staff"].get(video_page).status_code == 200  # the hint meets a real video
    assert sum(video_page in p for p in paths) >= 10
    failures = []
    for path in paths:
        for who, client in people.items():
            for what, send in _requests(client, path):
                before = _row_counts()
                status = send().status_code
                if status >= 500:
                    failures.append(f"{status} {who} {what} {path}")
                elif status >= 400 and _row_counts() != before:
                    failures.append(f"{status} but rows changed: {who} {what} {path}")
    assert not failures, "\n".join(failures)

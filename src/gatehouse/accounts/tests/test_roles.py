"""Every staff URL × every role: allowed, or refused with 403."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from gatehouse.accounts.models import Role


def _staff_patterns() -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "staff":
            for pattern in entry.url_patterns:
                assert isinstance(pattern, URLPattern)
                found.append((pattern.name, pattern.callback))
    return found


STAFF_VIEWS = _staff_patterns()
_ROUTES = {
    p.name: str(p.pattern)
    for e in get_resolver().url_patterns
    if isinstance(e, URLResolver) and e.namespace == "staff"
    for p in e.url_patterns
}


def _url(name: str, slug: str, callback: Any) -> str:
    # Views that act on one object get an id that does not exist: the role check comes first.
    kwargs: dict[str, Any] = {"slug": slug}
    for converter, key in re.findall(r"<(\w+):(\w+)>", _ROUTES[name]):
        kwargs[key] = 999_999 if converter == "int" else "approve"
    return reverse(f"staff:{name}", kwargs=kwargs)


def test_every_staff_view_declares_its_roles() -> None:
    assert len(STAFF_VIEWS) >= 10
    for name, callback in STAFF_VIEWS:
        assert getattr(callback, "allowed_roles", None), f"{name} has no role check"


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize(("name", "callback"), STAFF_VIEWS, ids=[n for n, _ in STAFF_VIEWS])
def test_each_role_gets_exactly_its_staff_pages(
    school: Any, make_user: Any, role: str, name: str, callback: Any
) -> None:
    user = make_user(school=school, roles=(role,))
    client = Client()
    client.force_login(user)
    response = client.get(_url(name, school.slug, callback))
    if role in callback.allowed_roles:
        # Allowed: the page (200), a POST-only action (405), a missing object (404), or a
        # step that sends the person on (302: "Connect with Facebook" goes to Meta's dialog),
        # never back to signing in.
        assert response.status_code in {200, 302, 405, 404}, response.status_code
        assert "/accounts/login" not in response.get("Location", "")
    else:
        assert response.status_code == 403


@pytest.mark.parametrize(("name", "callback"), STAFF_VIEWS, ids=[n for n, _ in STAFF_VIEWS])
def test_parents_and_strangers_get_no_staff_page(
    school: Any, make_parent: Any, name: str, callback: Any
) -> None:
    parent = make_parent(school).user
    client = Client()
    client.force_login(parent)
    assert client.get(_url(name, school.slug, callback)).status_code == 403
    anonymous = Client().get(_url(name, school.slug, callback))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


@pytest.mark.parametrize(("name", "callback"), STAFF_VIEWS, ids=[n for n, _ in STAFF_VIEWS])
def test_staff_of_one_school_get_nothing_at_another(
    school: Any, make_school: Any, make_user: Any, name: str, callback: Any
) -> None:
    other = make_school()
    admin_elsewhere = make_user(school=other, roles=tuple(Role.values))
    client = Client()
    client.force_login(admin_elsewhere)
    assert client.get(_url(name, school.slug, callback)).status_code == 403


def test_the_navigation_shows_only_what_the_role_allows(school: Any, make_user: Any) -> None:
    moderator = make_user(school=school, roles=(Role.MODERATOR,))
    client = Client()
    client.force_login(moderator)
    page = client.get(reverse("staff:home", kwargs={"slug": school.slug})).content.decode()
    assert "Join requests" not in page and "Audit log" not in page
    admin = make_user(school=school, roles=(Role.ADMINISTRATOR,))
    client.force_login(admin)
    page = client.get(reverse("staff:home", kwargs={"slug": school.slug})).content.decode()
    assert "Join requests" in page and "Audit log" in page


def test_there_is_no_private_messaging_anywhere() -> None:
    from django.apps import apps

    def walk(patterns: list[Any], prefix: str = "") -> list[str]:
        out: list[str] = []
        for p in patterns:
            if isinstance(p, URLResolver):
                out += walk(p.url_patterns, prefix + str(p.pattern))
            else:
                out.append(prefix + str(p.pattern))
        return out

    routes = " ".join(walk(get_resolver().url_patterns)).lower()
    assert not any(word in routes for word in ("message", "inbox", "conversation", "chat", "dm/"))
    names = {m.__name__.lower() for m in apps.get_models()}
    assert not names & {"message", "privatemessage", "conversation", "thread", "inbox"}


def test_a_new_member_of_staff_is_invited_and_can_set_a_password(
    school: Any, make_user: Any, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.contrib.auth import authenticate

    admin = make_user(school=school, roles=(Role.ADMINISTRATOR,))
    client = Client()
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("staff:roles", kwargs={"slug": school.slug}), {
            "email": "New.Teacher@School.example", "full_name": "Nia Evans", "role": "moderator"})
    assert response.status_code == 302
    body = smtp_server.body_of(smtp_server.wait_for("new.teacher@school.example"))
    link = next(line for line in body.splitlines() if "/accounts/password/reset/key/" in line)
    path = link.split("127.0.0.1:8000", 1)[1].strip()
    newcomer = Client()
    page = newcomer.get(path, follow=True)
    form_url = page.redirect_chain[-1][0]
    newcomer.post(form_url, {"password1": "a-brand-new-passphrase", "password2":
                             "a-brand-new-passphrase"})
    assert authenticate(username="new.teacher@school.example", password="a-brand-new-passphrase")
    # The link works once.
    again = Client().get(path, follow=True)
    assert "possibly because it has already been used" in again.content.decode()

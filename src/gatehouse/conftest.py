"""Fixtures for every app's tests: keyword-only builders over a real database."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.test import Client

from gatehouse.accounts.models import Membership, StaffRole, User
from gatehouse.lib.testing import SMTPServer, wait_for_background_tasks
from gatehouse.schools.models import School, SchoolDocument

PASSWORD = "correct-horse-battery-9"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["gatehouse.lib.testing.FastArgon2PasswordHasher"]


@pytest.fixture
def make_school(db: None) -> Callable[..., School]:
    def build(*, name: str = "", slug: str = "", answer: str = "Shelly") -> School:
        n = next(_seq)
        school = School(name=name or f"School {n}", slug=slug or f"school-{n}",
                        security_question="What is the school tortoise called?",
                        phone="01632 960 000", staff_email=f"office{n}@school.example",
                        complaints_policy_url="https://school.example/complaints")
        school.set_security_answer(answer)
        school.save()
        for kind, title in SchoolDocument.Kind.choices:
            SchoolDocument.objects.create(school=school, kind=kind, version=1, title=title,
                                          body=f"The {title.lower()} text.")
        return school

    return build


@pytest.fixture
def school(make_school: Callable[..., School]) -> School:
    return make_school(name="Oakfield Primary", slug="oakfield")


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    def build(*, email: str = "", name: str = "", school: School | None = None,
              roles: tuple[str, ...] = (), mfa: bool = True) -> User:
        n = next(_seq)
        user = User.objects.create_user(email or f"user{n}@example.org", PASSWORD,
                                        full_name=name or f"Person {n}")
        for role in roles:
            assert school is not None
            StaffRole.objects.create(user=user, school=school, role=role)
        if roles and mfa:
            TOTP.activate(user, TOTP_SECRET)
        return user

    return build


@pytest.fixture
def make_parent(make_user: Callable[..., User]) -> Callable[..., Membership]:
    def build(school: School, *, email: str = "", name: str = "") -> Membership:
        user = make_user(email=email, name=name)
        return Membership.objects.create(user=user, school=school, child_name="Ellie",
                                         child_year="Year 4")

    return build


@pytest.fixture
def login_client() -> Callable[[User], Client]:
    """A client signed in as the user (the MFA sign-in itself is tested in the browser)."""

    def build(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return build


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[SMTPServer]:
    server = SMTPServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    yield server
    # The worker may still be sending (an email the test did not wait for): let it finish
    # into this server rather than retry against a closed port after the test.
    if settings.CELERY_BROKER_URL:
        from gatehouse.celery import app

        wait_for_background_tasks(app)
    server.stop()

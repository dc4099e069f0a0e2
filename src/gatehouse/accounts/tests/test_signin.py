from __future__ import annotations

import time
from typing import Any

from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from gatehouse.conftest import TOTP_SECRET
from gatehouse.lib.testing import totp_now


def test_repeated_failed_sign_ins_lock_the_account(school: Any, make_parent: Any) -> None:
    cache.clear()
    parent = make_parent(school, email="lock@example.org")
    client = Client()
    for _ in range(5):
        client.post(reverse("account_login"), {"login": "lock@example.org", "password": "wrong"})
    response = client.post(reverse("account_login"),
                           {"login": "lock@example.org", "password": "correct-horse-battery-9"})
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()
    other = Client().post(reverse("account_login"),
                          {"login": parent.user.email, "password": "correct-horse-battery-9"})
    assert other.status_code in {200, 429}
    cache.clear()


def test_staff_without_a_second_factor_must_set_one_up(school: Any, make_user: Any) -> None:
    teacher = make_user(school=school, roles=("staff",), mfa=False)
    client = Client()
    client.force_login(teacher)
    response = client.get(reverse("staff:home", kwargs={"slug": school.slug}))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    feed = client.get(reverse("feed", kwargs={"slug": school.slug}))
    assert feed["Location"] == reverse("mfa_activate_totp")


def test_staff_sign_in_asks_for_the_authenticator_code(school: Any, make_user: Any) -> None:
    cache.clear()
    admin = make_user(email="admin@example.org", school=school, roles=("administrator",))
    client = Client()
    response = client.post(reverse("account_login"),
                           {"login": admin.email, "password": "correct-horse-battery-9"})
    assert response.status_code == 302 and "2fa/authenticate" in response["Location"]
    assert "_auth_user_id" not in client.session
    client.post(response["Location"], {"code": "000000"})
    assert "_auth_user_id" not in client.session
    client.post(response["Location"], {"code": totp_now(TOTP_SECRET)})
    assert client.session["_auth_user_id"] == str(admin.pk)


def test_parents_sign_in_with_a_password_only(school: Any, make_parent: Any) -> None:
    cache.clear()
    parent = make_parent(school, email="p@example.org")
    client = Client()
    client.post(reverse("account_login"),
                {"login": "p@example.org", "password": "correct-horse-battery-9"})
    assert client.session["_auth_user_id"] == str(parent.user.pk)


def test_nobody_can_sign_up_without_a_join_request() -> None:
    response = Client().get(reverse("account_signup"))
    assert "Sign Up Closed" in response.content.decode() or response.status_code == 403


def test_staff_cannot_switch_their_second_factor_off(school: Any, make_user: Any,
                                                     make_parent: Any) -> None:
    from allauth.mfa.adapter import get_adapter
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    admin = make_user(school=school, roles=("administrator",))
    assert not get_adapter().can_delete_authenticator(Authenticator.objects.get(user=admin))
    parent = make_parent(school).user
    TOTP.activate(parent, TOTP_SECRET)
    assert get_adapter().can_delete_authenticator(Authenticator.objects.get(user=parent))


def test_authenticator_secrets_are_encrypted_at_rest(school: Any, make_user: Any) -> None:
    from allauth.mfa.models import Authenticator

    admin = make_user(school=school, roles=("administrator",))
    stored = Authenticator.objects.get(user=admin).data["secret"]
    assert TOTP_SECRET not in stored
    assert get_mfa_adapter().decrypt(stored) == TOTP_SECRET


def _code_accepted(admin: Any, code: str) -> bool:
    client = Client()
    response = client.post(reverse("account_login"),
                           {"login": admin.email, "password": "correct-horse-battery-9"})
    client.post(response["Location"], {"code": code})
    return client.session.get("_auth_user_id") == str(admin.pk)


def test_the_code_that_just_changed_still_works_once(school: Any, make_user: Any) -> None:
    """A code typed as the authenticator moves on (or from a phone a little slow) is accepted;
    older codes are not, and no code works twice."""
    admin = make_user(email="admin@example.org", school=school, roles=("administrator",))
    now = time.time()
    assert not _code_accepted(admin, totp_now(TOTP_SECRET, at=now - 60))
    assert _code_accepted(admin, totp_now(TOTP_SECRET, at=now - 30))
    assert not _code_accepted(admin, totp_now(TOTP_SECRET, at=now - 30))

"""Connecting the Page and Instagram with Facebook Login, against the fake Graph server's
dialog and /oauth/access_token, /me/accounts: the signed single-use state, the exchanges,
picking the Page, and the plain messages when something goes wrong."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.test import Client
from django.urls import reverse

from gatehouse.accounts.models import Role
from gatehouse.audit.models import AuditEntry
from gatehouse.publishing.connectors.facebook.oauth import SCOPES
from gatehouse.publishing.connectors.secrets import decrypt_token
from gatehouse.publishing.fake_graph import FakeGraph
from gatehouse.publishing.models import Connection

pytestmark = pytest.mark.django_db


@pytest.fixture
def meta_app(settings: Any, fake_graph: FakeGraph) -> FakeGraph:
    settings.META_APP_ID = fake_graph.state.app_id
    settings.META_APP_SECRET = fake_graph.state.app_secret
    settings.FACEBOOK_DIALOG_BASE = f"http://127.0.0.1:{fake_graph.port}"
    return fake_graph


def _start(client: Client, school: Any) -> str:
    response = client.get(reverse("staff:publishing_oauth_start", kwargs={"slug": school.slug}))
    assert response.status_code == 302
    return response["Location"]


def _dialog(url: str) -> str:
    """What the fake dialog answers: the callback address Meta sends the browser back to."""
    answer = httpx.get(url, follow_redirects=False)
    assert answer.status_code == 302
    back = urlsplit(answer.headers["Location"])
    return f"{back.path}?{back.query}"


def test_connecting_with_facebook_saves_the_page_and_its_instagram_encrypted(
    school: Any, admin: Any, meta_app: FakeGraph, login_client: Any
) -> None:
    client = login_client(admin)
    dialog = _start(client, school)
    asked = parse_qs(urlsplit(dialog).query)
    assert dialog.startswith(f"http://127.0.0.1:{meta_app.port}/v21.0/dialog/oauth?")
    assert asked["client_id"] == [meta_app.state.app_id]
    assert asked["redirect_uri"] == ["http://testserver/publishing/oauth/callback/"]
    assert asked["scope"] == [",".join(SCOPES)]
    assert "instagram_manage_comments" in asked["scope"][0]
    picking = client.get(_dialog(dialog), follow=True)
    page = picking.content.decode()
    assert "Choose the school" in page and meta_app.state.page_name in page
    done = client.post(reverse("staff:publishing_oauth_pages", kwargs={"slug": school.slug}),
                       {"page": meta_app.state.page_id}, follow=True).content.decode()
    assert "Connected Facebook Page" in done and "Instagram" in done

    facebook = Connection.objects.get(school=school, platform="facebook")
    instagram = Connection.objects.get(school=school, platform="instagram")
    assert facebook.account_id == meta_app.state.page_id
    assert instagram.account_id == meta_app.state.ig_id
    token = decrypt_token(facebook.token_encrypted)
    assert token in meta_app.page_tokens() and token not in facebook.token_encrypted
    assert token not in page + done
    assert AuditEntry.objects.filter(action="publishing.connection.saved").count() == 2
    assert not any(token in str(e.details) for e in AuditEntry.objects.all())
    # Both exchanges happened, the second for a long-lived token.
    exchanges = meta_app.state.calls("GET", "oauth/access_token")
    assert [bool(c["params"].get("code")) for c in exchanges] == [True, False]
    assert exchanges[1]["params"]["grant_type"] == "fb_exchange_token"


def test_a_page_without_instagram_connects_the_page_alone(
    school: Any, admin: Any, meta_app: FakeGraph, login_client: Any
) -> None:
    meta_app.state.has_instagram = False
    client = login_client(admin)
    client.get(_dialog(_start(client, school)))
    client.post(reverse("staff:publishing_oauth_pages", kwargs={"slug": school.slug}),
                {"page": meta_app.state.page_id})
    assert list(Connection.objects.values_list("platform", flat=True)) == ["facebook"]


def test_saying_no_on_facebook_changes_nothing(
    school: Any, admin: Any, meta_app: FakeGraph, login_client: Any
) -> None:
    meta_app.state.dialog_denies = True
    client = login_client(admin)
    back = _dialog(_start(client, school))
    assert "error=access_denied" in back
    page = client.get(back, follow=True).content.decode()
    assert "connection wasn" in page and "allowed" in page
    assert not Connection.objects.exists()


def test_a_forged_replayed_or_someone_elses_state_is_refused(
    school: Any, admin: Any, meta_app: FakeGraph, login_client: Any, make_user: Any
) -> None:
    client = login_client(admin)
    back = _dialog(_start(client, school))
    forged = back.replace("state=", "state=x")
    assert client.get(forged).status_code == 400
    # The forged attempt used up this browser's pending state: the real answer is refused too.
    assert client.get(back).status_code == 400

    back = _dialog(_start(client, school))
    other = login_client(make_user(school=school, roles=(Role.ADMINISTRATOR,)))
    refused = other.get(back)
    assert refused.status_code == 400 and "Nothing was changed" in refused.content.decode()
    assert client.get(back).status_code == 302  # still good in the browser that started it
    assert client.get(back).status_code == 400  # but only once
    assert not Connection.objects.exists()


def test_a_state_too_old_or_a_code_expired_gives_a_plain_message(
    school: Any, admin: Any, meta_app: FakeGraph, login_client: Any, settings: Any
) -> None:
    client = login_client(admin)
    settings.META_OAUTH_STATE_SECONDS = -1
    late = client.get(_dialog(_start(client, school)))
    assert late.status_code == 400 and "took too long" in late.content.decode()

    settings.META_OAUTH_STATE_SECONDS = 600
    meta_app.state.code_seconds = -1
    page = client.get(_dialog(_start(client, school)), follow=True).content.decode()
    assert "expired" in page and "Connect with Facebook" in page
    assert not Connection.objects.exists()


def test_without_a_meta_app_the_button_explains(
    school: Any, admin: Any, login_client: Any, settings: Any
) -> None:
    settings.META_APP_ID = ""
    page = login_client(admin).get(reverse("staff:publishing_oauth_start", kwargs={
        "slug": school.slug}), follow=True).content.decode()
    assert "isn" in page and "META_APP_ID" in page


def test_only_administrators_connect(school: Any, meta_app: FakeGraph, login_client: Any,
                                     make_user: Any) -> None:
    poster = login_client(make_user(school=school, roles=(Role.POSTER,)))
    assert poster.get(reverse("staff:publishing_oauth_start", kwargs={
        "slug": school.slug})).status_code == 403
    assert poster.get(reverse("staff:publishing_oauth_pages", kwargs={
        "slug": school.slug})).status_code == 403

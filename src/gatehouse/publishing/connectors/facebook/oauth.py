"""Connecting the school's Page (and its Instagram account) with Facebook Login.

An administrator is sent to Meta's dialog with a signed, single-use `state` naming them, their
school and their session; Meta sends them back to one callback with a `code`. The code becomes
a user token, then a long-lived one; the Pages that token manages are listed for the
administrator to pick, and the chosen Page's own token (long-lived too) is saved through the
same `do_connect` as a pasted token. Tokens are kept encrypted in the session between the two
steps, never shown, and never written to a log (the audit log records only ids and names)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError

from gatehouse.publishing.connectors.base import Graph, PublishError
from gatehouse.publishing.connectors.secrets import decrypt_token, encrypt_token

SCOPES = ("pages_manage_posts", "pages_read_engagement", "pages_manage_engagement",
          "instagram_basic", "instagram_content_publish", "instagram_manage_comments")
SALT = "gatehouse.publishing.oauth"
SESSION_KEY = "publishing_oauth"
# Meta's OAuth error subcodes for a code that can't be exchanged.
CODE_SUBCODES = {36007: "The sign-in with Facebook took too long and has expired",
                 36008: "The sign-in with Facebook came back to a different address",
                 36009: "That sign-in with Facebook was already used"}
AGAIN = "Please click “Connect with Facebook” again."


@dataclass
class Page:
    id: str
    name: str


def graph_version() -> str:
    return settings.GRAPH_API_BASE.rstrip("/").rsplit("/", 1)[-1]


def start(session: Any, *, school_id: int, user_id: int, redirect_uri: str) -> str:
    """The address of Meta's dialog for one attempt; the attempt's nonce goes in the session
    (a callback in another browser, or a second use of the same state, is refused)."""
    if not settings.META_APP_ID or not settings.META_APP_SECRET:
        raise ValidationError("Connecting with Facebook isn't set up on this server (it needs "
                              "META_APP_ID and META_APP_SECRET). Paste a token below instead.")
    nonce = secrets.token_urlsafe(16)
    session[SESSION_KEY] = {"nonce": nonce, "school": school_id}
    state = signing.dumps({"n": nonce, "s": school_id, "u": user_id}, salt=SALT)
    query = urlencode({"client_id": settings.META_APP_ID, "redirect_uri": redirect_uri,
                       "state": state, "response_type": "code", "scope": ",".join(SCOPES)})
    return f"{settings.FACEBOOK_DIALOG_BASE.rstrip('/')}/{graph_version()}/dialog/oauth?{query}"


def check_state(session: Any, state: str, *, user_id: int) -> int:
    """The school the attempt was for. The state must be ours, recent, for this person, and
    not used before: it is forgotten here whatever the outcome."""
    pending = session.pop(SESSION_KEY, None) or {}
    try:
        found = signing.loads(state, salt=SALT, max_age=settings.META_OAUTH_STATE_SECONDS)
    except signing.SignatureExpired as exc:
        raise ValidationError(f"The sign-in with Facebook took too long. {AGAIN}") from exc
    except signing.BadSignature as exc:
        raise ValidationError(f"This sign-in with Facebook didn't start here, or was already "
                              f"used. Nothing was changed. {AGAIN}") from exc
    if (not isinstance(found, dict) or found.get("u") != user_id
            or not pending.get("nonce") or found.get("n") != pending["nonce"]
            or found.get("s") != pending.get("school")):
        raise ValidationError(f"This sign-in with Facebook didn't start in this browser, or "
                              f"was already used. Nothing was changed. {AGAIN}")
    return int(found["s"])


def denied_message(error: str, reason: str) -> str:
    if error == "access_denied":
        return ("Facebook says the connection wasn't allowed, so nothing was changed. To "
                "connect, click “Connect with Facebook” and choose Continue, with the school's "
                "Page ticked.")
    return f"Facebook didn't connect the account ({reason or error or 'no reason given'}). {AGAIN}"


def _oauth_get(client: httpx.Client | None, path: str, params: dict[str, str]) -> str:
    """GET /oauth/access_token as Meta documents it; the new token, or plain words."""
    client = client or httpx.Client(timeout=settings.GRAPH_API_TIMEOUT)
    try:
        response = client.get(f"{settings.GRAPH_API_BASE.rstrip('/')}/{path}", params=params)
        body = response.json()
    except (httpx.TransportError, ValueError) as exc:
        raise ValidationError(f"Could not reach Facebook just now. {AGAIN}") from exc
    error = body.get("error") if isinstance(body, dict) else None
    if error or response.status_code >= 400 or not body.get("access_token"):
        error = error or {}
        why = CODE_SUBCODES.get(error.get("error_subcode"))
        if why:
            raise ValidationError(f"{why}. {AGAIN}")
        if error.get("code") in (1, 101):
            raise ValidationError("Facebook didn't accept this server's app id or secret "
                                  "(META_APP_ID, META_APP_SECRET). Ask whoever runs Gatehouse "
                                  "to check them.")
        raise ValidationError(f"Facebook refused the sign-in "
                              f"({str(error.get('message', 'no reason given'))[:200]}). {AGAIN}")
    return str(body["access_token"])


def exchange(session: Any, code: str, *, school_id: int, redirect_uri: str,
             client: httpx.Client | None = None) -> list[Page]:
    """Code → user token → long-lived user token → the Pages it manages (kept, with the
    encrypted token, in the session for the administrator to pick from)."""
    app = {"client_id": settings.META_APP_ID, "client_secret": settings.META_APP_SECRET}
    short = _oauth_get(client, "oauth/access_token",
                       {**app, "redirect_uri": redirect_uri, "code": code})
    long_lived = _oauth_get(client, "oauth/access_token",
                            {**app, "grant_type": "fb_exchange_token",
                             "fb_exchange_token": short})
    pages = [Page(id=p["id"], name=p.get("name", "")) for p in _accounts(long_lived, client)]
    if not pages:
        raise ValidationError("That Facebook account doesn't manage any Page, or the school's "
                              "Page wasn't ticked. " + AGAIN)
    session[SESSION_KEY] = {"school": school_id, "token": encrypt_token(long_lived),
                            "pages": [[p.id, p.name] for p in pages]}
    return pages


def _accounts(user_token: str, client: httpx.Client | None) -> list[dict[str, Any]]:
    graph = Graph(user_token, client=client)
    try:
        found = graph.get("me/accounts", fields="id,name,access_token")
    except PublishError as exc:
        raise ValidationError(exc.message) from exc
    return [p for p in found.get("data", []) if isinstance(p, dict) and p.get("id")]


def pages_to_pick(session: Any, school_id: int) -> list[Page]:
    pending = session.get(SESSION_KEY) or {}
    if pending.get("school") != school_id or not pending.get("token"):
        return []
    return [Page(id=i, name=n) for i, n in pending.get("pages", [])]


def picked(session: Any, school_id: int, page_id: str, *,
           client: httpx.Client | None = None) -> tuple[str, str, str]:
    """(page token, Page id, Instagram account id or "") for the chosen Page. The attempt is
    over after this, whatever the outcome."""
    pending = session.pop(SESSION_KEY, None) or {}
    if pending.get("school") != school_id or page_id not in {i for i, _ in
                                                             pending.get("pages", [])}:
        raise ValidationError(f"Choose one of the Pages listed. {AGAIN}")
    user_token = decrypt_token(pending.get("token", ""))
    page = next((p for p in _accounts(user_token, client) if str(p["id"]) == page_id), None)
    if page is None or not page.get("access_token"):
        raise ValidationError(f"Facebook no longer lists that Page for you. {AGAIN}")
    token = str(page["access_token"])
    try:
        found = Graph(token, client=client).get(page_id, fields="instagram_business_account")
    except PublishError as exc:
        raise ValidationError(exc.message) from exc
    instagram = str((found.get("instagram_business_account") or {}).get("id", ""))
    return token, page_id, instagram

"""What every connector does, and the one error type they raise (healthchecks' Transport).

A connector publishes one delivery step by step. Each thing the platform makes before the
post is live (a container, an unpublished photo or post) is saved on the delivery through
`save_ref` before the next step, so a worker that dies part-way is followed by one that
finishes the same job rather than starting again."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from django.conf import settings


class PublishError(Exception):
    """`message` is plain words for school staff. `permanent` says retrying would fail the
    same way (invalid content, a revoked token); `token` marks a problem with the connection
    itself (`expired` when it ran out rather than was revoked); `wait_until` is set when the
    platform says to come back later (quota)."""

    def __init__(self, message: str, *, permanent: bool, token: bool = False,
                 wait_until: Any = None, expired: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.token = token
        self.wait_until = wait_until
        self.expired = expired


@dataclass
class Content:
    text: str
    link: str = ""
    image_urls: list[str] = field(default_factory=list)
    video_url: str = ""  # a post has photos or one video


@dataclass
class Published:
    remote_id: str
    url: str = ""


SaveRef = Callable[[dict[str, Any]], None]

# Meta's error codes (https://developers.facebook.com/docs/graph-api/guides/error-handling).
TOKEN_CODES = {190, 102}
RATE_LIMIT_CODES = {4, 17, 32, 613, 80001, 80002, 80004}
TRANSIENT_CODES = {1, 2}
PERMISSION_CODES = {10, 200, 210, 220, 230, 270}
EXPIRED = 463
TOKEN_SUBCODES = {458: "the app was removed from the account",
                  460: "the password was changed", 463: "the token has expired",
                  464: "the account is not confirmed", 467: "the token is no longer valid",
                  492: "the person is no longer a Page admin"}


class Graph:
    """A thin client for the Graph API. The token goes in the Authorization header, never in
    a URL, so it can't end up in a log line."""

    def __init__(self, token: str, *, client: httpx.Client | None = None) -> None:
        self.base = settings.GRAPH_API_BASE.rstrip("/")
        self.platform = "Facebook"
        self._client = client or httpx.Client(timeout=settings.GRAPH_API_TIMEOUT)
        self._headers = {"Authorization": f"Bearer {token}"}

    def request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self._client.request(method, f"{self.base}/{path.lstrip('/')}",
                                            headers=self._headers, **kwargs)
        except httpx.TransportError as exc:
            raise PublishError(f"Could not reach {self.platform} ({type(exc).__name__}); "
                               "trying again shortly.", permanent=False) from exc
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code >= 400 or "error" in body:
            raise self.error(response.status_code, body.get("error") or {})
        return body

    def get(self, path: str, **params: Any) -> dict[str, Any]:
        return self.request("GET", path, params=params)

    def post(self, path: str, **data: Any) -> dict[str, Any]:
        return self.request("POST", path, data=data)

    def delete(self, path: str) -> dict[str, Any]:
        return self.request("DELETE", path)

    def error(self, status: int, error: dict[str, Any]) -> PublishError:
        """Meta's error body as plain words, and whether trying again could help."""
        code, subcode = error.get("code"), error.get("error_subcode")
        said = str(error.get("error_user_msg") or error.get("message") or "")[:200]
        name = self.platform
        if code in TOKEN_CODES:
            why = TOKEN_SUBCODES.get(subcode, "the access token is no longer valid")
            return PublishError(f"{name} refused the school's connection: {why}. An "
                                "administrator needs to connect the account again.",
                                permanent=True, token=True, expired=subcode == EXPIRED)
        if code in RATE_LIMIT_CODES:
            return PublishError(f"{name} is limiting how fast we can post; trying again "
                                "shortly.", permanent=False)
        if code in TRANSIENT_CODES or error.get("is_transient") or status >= 500:
            return PublishError(f"{name} had a temporary problem; trying again shortly.",
                                permanent=False)
        if code in PERMISSION_CODES:
            return PublishError(f"{name} says the school's connection lacks permission for "
                                f"this ({said}). An administrator needs to reconnect with "
                                "publishing permission.", permanent=True, token=True)
        return PublishError(f"{name} refused the post: {said or 'no reason given'}.",
                            permanent=True)


class Connector:
    """One platform. Subclasses live in their own folder (connectors/<platform>/)."""

    platform = ""
    label = ""

    def __init__(self, account_id: str, token: str, *, client: httpx.Client | None = None,
                 sleep: Callable[[float], None] | None = None) -> None:
        self.account_id = account_id
        self.graph = Graph(token, client=client)
        self.graph.platform = self.label
        self.sleep = sleep or time.sleep

    def check(self) -> str:
        """The account's name, or PublishError if the token doesn't work."""
        raise NotImplementedError

    def publish(self, content: Content, ref: dict[str, Any], save_ref: SaveRef) -> Published:
        raise NotImplementedError

    def delete(self, remote_id: str) -> None:
        raise NotImplementedError

    def hide_comment(self, comment_id: str, *, hidden: bool) -> None:
        raise NotImplementedError

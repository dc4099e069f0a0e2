"""A fake Graph API: a real HTTP server on localhost with the request and response shapes of
Meta's reference for the endpoints Gatehouse uses (Page feed, photos and videos; Instagram
containers for photos, carousels and reels, media_publish, content_publishing_limit; comments;
delete; and connecting an account: the OAuth dialog, /oauth/access_token and /me/accounts). It
checks each request's shape, answers with Meta-shaped errors, keeps quota and container states,
and signs webhook deliveries like Meta. Tests start it; `make run` starts one for the demo school.

The OAuth dialog approves at once (a person would log in and pick Pages on Meta's); set
`state.dialog_denies` to answer as if the person clicked "Not now"."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx

from gatehouse.lib.testing import free_port

JPEG = b"\xff\xd8\xff"


def is_mp4(data: bytes) -> bool:
    return data[4:8] == b"ftyp"


def meta_error(message: str, code: int, *, subcode: int | None = None,
               kind: str = "OAuthException", transient: bool = False) -> dict[str, Any]:
    error: dict[str, Any] = {"message": message, "type": kind, "code": code,
                             "fbtrace_id": "AbCdEfGhIjK", "is_transient": transient}
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}


class GraphFault(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        self.status, self.body = status, body


@dataclass
class FakeGraphState:
    page_id: str = "104857361234567"
    page_name: str = "Oakfield Primary School"
    ig_id: str = "17841400000000001"
    ig_username: str = "oakfieldprimary"
    tokens: dict[str, str] = field(default_factory=lambda: {"demo-page-token": "ok"})
    # The Meta app Gatehouse is (META_APP_ID / META_APP_SECRET) and what the OAuth flow made:
    # codes (single use, short-lived) and user tokens (the rest of `tokens` are Page tokens).
    app_id: str = "1234567890"
    app_secret: str = "demo-app-secret"  # noqa: S105  (the fake app's, not a secret)
    has_instagram: bool = True
    dialog_denies: bool = False
    code_seconds: float = 600
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    user_tokens: set[str] = field(default_factory=set)
    quota_total: int = 100
    quota_duration: int = 86400
    polls_before_finished: int = 1
    container_error: bool = False
    fetch_media: bool = False
    # Faults for the next matching requests: (method, part of the path) -> [(status, body)].
    faults: dict[tuple[str, str], list[tuple[int, dict[str, Any]]]] = field(default_factory=dict)
    # Set to an Event to publish and then hang before answering media_publish (a worker
    # killed between the API call and saving its result).
    hang_after_publish: threading.Event | None = None
    publish_seen: threading.Event = field(default_factory=threading.Event)
    requests: list[dict[str, Any]] = field(default_factory=list)
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    media_bytes: dict[str, bytes] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    ids: Any = field(default_factory=lambda: itertools.count(900_000_001))

    def new_id(self) -> str:
        return str(next(self.ids))

    def published_media(self) -> list[dict[str, Any]]:
        return [o for o in self.objects.values() if o["kind"] == "ig_media"]

    def page_posts(self, *, published: bool = True) -> list[dict[str, Any]]:
        return [o for o in self.objects.values()
                if o["kind"] == "page_post" and o["is_published"] == published]

    def calls(self, method: str, suffix: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["method"] == method
                and r["path"].endswith(suffix)]


class FakeGraph:
    """Start with `FakeGraph().start()`; `base_url` is what GRAPH_API_BASE should be."""

    def __init__(self, state: FakeGraphState | None = None, *, port: int = 0) -> None:
        self.state = state or FakeGraphState()
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/v21.0"
        handler = type("Handler", (_Handler,), {"state": self.state})
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> FakeGraph:
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.state.hang_after_publish is not None:
            self.state.hang_after_publish.set()
        self.server.shutdown()
        self.server.server_close()

    def expire(self, token: str) -> None:
        """The token stops working as Meta's expired ones do (code 190, subcode 463)."""
        self.state.tokens[token] = "expired"

    def revoke(self, token: str, *, password_changed: bool = False) -> None:
        """The person removed the app (code 190, subcode 458) or changed their password
        (subcode 460)."""
        self.state.tokens[token] = "password_changed" if password_changed else "revoked"

    def page_tokens(self) -> list[str]:
        return [t for t in self.state.tokens if t not in self.state.user_tokens]

    def fail_next(self, method: str, suffix: str, status: int, body: dict[str, Any],
                  times: int = 1) -> None:
        self.state.faults.setdefault((method, suffix), []).extend([(status, body)] * times)

    # --- webhooks, signed like Meta's ------------------------------------------------------

    @staticmethod
    def sign(body: bytes, app_secret: str) -> str:
        return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()

    def page_comment_event(self, text: str, *, comment_id: str = "",
                           post_id: str = "") -> dict[str, Any]:
        """A Page `feed` change for a new comment, shaped as Meta's webhook reference."""
        comment_id = comment_id or f"{self.state.page_id}_{self.state.new_id()}"
        self.state.objects[comment_id] = {"kind": "comment", "is_hidden": False,
                                          "message": text}
        return {"object": "page", "entry": [{
            "id": self.state.page_id, "time": int(time.time()),
            "changes": [{"field": "feed", "value": {
                "from": {"id": "5551234", "name": "A Parent"}, "item": "comment",
                "comment_id": comment_id, "post_id": post_id or f"{self.state.page_id}_1",
                "verb": "add", "message": text, "created_time": int(time.time())}}]}]}

    def instagram_comment_event(self, text: str) -> dict[str, Any]:
        comment_id = self.state.new_id()
        self.state.objects[comment_id] = {"kind": "comment", "hidden": False, "message": text}
        return {"object": "instagram", "entry": [{
            "id": self.state.ig_id, "time": int(time.time()),
            "changes": [{"field": "comments", "value": {
                "from": {"id": "7771234", "username": "a_parent"}, "id": comment_id,
                "media": {"id": "17900000000000001", "media_product_type": "FEED"},
                "text": text}}]}]}


class _Handler(BaseHTTPRequestHandler):
    state: FakeGraphState

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        return

    def do_GET(self) -> None:  # noqa: N802
        self._serve("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._serve("POST")

    def do_DELETE(self) -> None:  # noqa: N802
        self._serve("DELETE")

    def _serve(self, method: str) -> None:
        url = urlsplit(self.path)
        params = dict(parse_qsl(url.query))
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if raw:
            params.update(parse_qsl(raw.decode()))
        path = url.path.removeprefix("/v21.0").strip("/")
        with self.state.lock:
            self.state.requests.append({"method": method, "path": path, "params": params,
                                        "auth": self.headers.get("Authorization", "")})
        if method == "GET" and path == "dialog/oauth":
            self._dialog(params)
            return
        try:
            body = self._route(method, path, params)
            status = 200
        except GraphFault as fault:
            status, body = fault.status, fault.body
        self._answer(status, body)

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    # --- routing ----------------------------------------------------------------------------

    def _route(self, method: str, path: str, params: dict[str, str]) -> dict[str, Any]:
        if method == "GET" and path == "oauth/access_token":
            return self._access_token(params)
        self._check_token()
        for (m, suffix), queued in self.state.faults.items():
            if m == method and suffix in path and queued:
                status, body = queued.pop(0)
                raise GraphFault(status, body)
        s = self.state
        parts = path.split("/")
        if method == "DELETE":
            return self._delete(path)
        if method == "GET" and path == "me/accounts":
            return self._me_accounts()
        if len(parts) == 2 and parts[0] == s.page_id:
            return self._page_edge(method, parts[1], params)
        if len(parts) == 2 and parts[0] == s.ig_id:
            return self._ig_edge(method, parts[1], params)
        if len(parts) == 1:
            return self._node(method, parts[0], params)
        raise GraphFault(400, meta_error(f"Unknown path components: /{path}", 2500))

    def _check_token(self) -> None:
        auth = self.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ").strip()
        if not auth.startswith("Bearer ") or token not in self.state.tokens:
            raise GraphFault(400, meta_error("Invalid OAuth access token - Cannot parse "
                                             "access token", 190))
        if self.state.tokens[token] == "expired":
            raise GraphFault(400, meta_error("Error validating access token: Session has "
                                             "expired.", 190, subcode=463))
        if self.state.tokens[token] == "revoked":
            raise GraphFault(400, meta_error("Error validating access token: The user has "
                                             "not authorized application.", 190, subcode=458))
        if self.state.tokens[token] == "password_changed":
            raise GraphFault(400, meta_error("Error validating access token: The session has "
                                             "been invalidated because the user changed their "
                                             "password or Facebook has changed the session "
                                             "for security reasons.", 190, subcode=460))

    # --- connecting an account (Meta's "Facebook Login for Business" flow) -----------------

    def _dialog(self, params: dict[str, str]) -> None:
        """www.facebook.com/vXX.X/dialog/oauth: back to redirect_uri with a code, or with
        error=access_denied if the person said no."""
        s = self.state
        redirect_uri = params.get("redirect_uri", "")
        if params.get("client_id") != s.app_id or not redirect_uri.startswith(
                ("http://", "https://")):
            self._answer(400, meta_error("Invalid App ID or redirect_uri", 191))
            return
        if s.dialog_denies:
            answer = {"error": "access_denied", "error_code": "200",
                      "error_description": "Permissions error", "error_reason": "user_denied"}
        else:
            code = secrets.token_urlsafe(32)
            s.codes[code] = {"redirect_uri": redirect_uri, "used": False,
                             "expires": time.time() + s.code_seconds,
                             "scope": params.get("scope", "")}
            answer = {"code": code}
        answer["state"] = params.get("state", "")
        self.send_response(302)
        self.send_header("Location", f"{redirect_uri}?{urlencode(answer)}#_=_")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _access_token(self, params: dict[str, str]) -> dict[str, Any]:
        """A code for a short-lived user token, or (grant_type=fb_exchange_token) a
        short-lived user token for a long-lived one."""
        s = self.state
        if params.get("client_id") != s.app_id:
            raise GraphFault(400, meta_error("Error validating application. Invalid "
                                             "application ID.", 101))
        if params.get("client_secret") != s.app_secret:
            raise GraphFault(400, meta_error("Error validating client secret.", 1))
        if params.get("grant_type") == "fb_exchange_token":
            if s.tokens.get(params.get("fb_exchange_token", "")) != "ok":
                raise GraphFault(400, meta_error("Invalid OAuth access token - Cannot parse "
                                                 "access token", 190))
            return self._user_token(5183944)
        self._only(params, {"client_id", "client_secret", "redirect_uri", "code"},
                   {"client_id", "client_secret", "redirect_uri", "code"})
        found = s.codes.get(params["code"])
        if found is None:
            raise GraphFault(400, meta_error("Invalid verification code format.", 100,
                                             subcode=36007))
        if found["used"]:
            raise GraphFault(400, meta_error("This authorization code has been used.", 100,
                                             subcode=36009))
        if time.time() > found["expires"]:
            raise GraphFault(400, meta_error("This authorization code has expired.", 100,
                                             subcode=36007))
        if params["redirect_uri"] != found["redirect_uri"]:
            raise GraphFault(400, meta_error("Error validating verification code. Please make "
                                             "sure your redirect_uri is identical to the one "
                                             "you used in the OAuth dialog request", 100,
                                             subcode=36008))
        found["used"] = True
        return self._user_token(3600)

    def _user_token(self, expires_in: int) -> dict[str, Any]:
        token = "EAAG" + secrets.token_urlsafe(24)
        self.state.tokens[token] = "ok"
        self.state.user_tokens.add(token)
        return {"access_token": token, "token_type": "bearer", "expires_in": expires_in}

    def _token(self) -> str:
        return self.headers.get("Authorization", "").removeprefix("Bearer ").strip()

    def _me_accounts(self) -> dict[str, Any]:
        s = self.state
        if self._token() not in s.user_tokens:
            raise GraphFault(400, meta_error("(#100) Tried accessing nonexisting field "
                                             "(accounts) on node type (Page)", 100))
        page_token = "EAAP" + secrets.token_urlsafe(24)
        s.tokens[page_token] = "ok"
        return {"data": [{"access_token": page_token, "category": "School",
                          "category_list": [{"id": "2601", "name": "School"}],
                          "name": s.page_name, "id": s.page_id,
                          "tasks": ["ADVERTISE", "ANALYZE", "CREATE_CONTENT", "MESSAGING",
                                    "MODERATE", "MANAGE"]}],
                "paging": {"cursors": {"before": "QVFIUmx1", "after": "QVFIUmx1"}}}

    @staticmethod
    def _only(params: dict[str, str], allowed: set[str], required: set[str] = frozenset()
              ) -> None:
        for name in params:
            base = name.split("[", 1)[0]
            if base not in allowed:
                raise GraphFault(400, meta_error(f"(#100) Param {name} is not valid", 100,
                                                 kind="GraphMethodException"))
        for name in required:
            if not params.get(name):
                raise GraphFault(400, meta_error(f"(#100) The parameter {name} is required",
                                                 100))

    def _fetch(self, url: str, code: int, *, video: bool = False) -> bytes:
        if not url.startswith(("http://", "https://")):
            raise GraphFault(400, meta_error("(#100) Invalid URL", 100))
        if not self.state.fetch_media:
            return b""
        response = httpx.get(url, timeout=60)
        looks_right = is_mp4(response.content) if video else response.content.startswith(JPEG)
        if response.status_code != 200 or not looks_right:
            raise GraphFault(400, meta_error("Media download has failed.", code,
                                             subcode=2207052))
        return response.content

    def _page_edge(self, method: str, edge: str, params: dict[str, str]) -> dict[str, Any]:
        s = self.state
        if method == "GET" and edge == "feed":
            return {"data": [{"id": k, "message": o.get("message", "")}
                             for k, o in s.objects.items() if o["kind"] == "page_post"]}
        if method != "POST":
            raise GraphFault(400, meta_error("Unsupported get request.", 100))
        if edge == "photos":
            self._only(params, {"url", "published", "caption", "temporary"}, {"url"})
            photo_id = s.new_id()
            s.media_bytes[photo_id] = self._fetch(params["url"], 324)
            s.objects[photo_id] = {"kind": "page_photo", "published": params.get("published")}
            return {"id": photo_id}
        if edge == "feed":
            self._only(params, {"message", "link", "published", "attached_media"})
            if not params.get("message") and not params.get("link"):
                raise GraphFault(400, meta_error("(#100) Missing message or attachment", 100))
            media = [json.loads(v)["media_fbid"] for k, v in sorted(params.items())
                     if k.startswith("attached_media[")]
            if any(s.objects.get(m, {}).get("kind") != "page_photo" for m in media):
                raise GraphFault(400, meta_error("(#100) Invalid media_fbid", 100))
            post_id = f"{s.page_id}_{s.new_id()}"
            s.objects[post_id] = {"kind": "page_post", "message": params.get("message", ""),
                                  "link": params.get("link", ""), "media": media,
                                  "is_published": params.get("published", "true") == "true"}
            return {"id": post_id}
        if edge == "videos":  # Page video, from a link (file_url) as Meta's reference
            self._only(params, {"file_url", "description", "title", "published"},
                       {"file_url"})
            video_id = s.new_id()
            s.media_bytes[video_id] = self._fetch(params["file_url"], 351, video=True)
            s.objects[video_id] = {"kind": "page_video",
                                   "description": params.get("description", ""),
                                   "published": params.get("published", "true") == "true"}
            return {"id": video_id}
        raise GraphFault(400, meta_error(f"Unknown edge {edge}", 2500))

    def _ig_edge(self, method: str, edge: str, params: dict[str, str]) -> dict[str, Any]:
        s = self.state
        if method == "GET" and edge == "content_publishing_limit":
            used = sum(1 for o in s.objects.values() if o["kind"] == "ig_media")
            return {"data": [{"config": {"quota_total": s.quota_total,
                                         "quota_duration": s.quota_duration},
                              "quota_usage": used}]}
        if method == "GET" and edge == "media":
            media = [{"id": k, "caption": o["caption"], "permalink": o["permalink"]}
                     for k, o in reversed(s.objects.items()) if o["kind"] == "ig_media"]
            return {"data": media}
        if method == "POST" and edge == "media":
            return self._container(params)
        if method == "POST" and edge == "media_publish":
            return self._media_publish(params)
        raise GraphFault(400, meta_error(f"Unknown edge {edge}", 2500))

    def _container(self, params: dict[str, str]) -> dict[str, Any]:
        s = self.state
        self._only(params, {"image_url", "caption", "is_carousel_item", "media_type",
                            "children", "alt_text", "video_url", "share_to_feed"})
        data = b""
        if params.get("media_type") in ("REELS", "VIDEO"):
            if params["media_type"] == "VIDEO":  # retired by Meta in 2023: reels only
                raise GraphFault(400, meta_error("(#100) The media_type VIDEO is no longer "
                                                 "supported; use REELS", 100))
            if not params.get("video_url"):
                raise GraphFault(400, meta_error("(#100) The parameter video_url is required",
                                                 100))
            data = self._fetch(params["video_url"], 9004, video=True)
        elif params.get("media_type") == "CAROUSEL":
            children = params.get("children", "").split(",")
            if not 2 <= len(children) <= 10 or any(
                    s.objects.get(c, {}).get("kind") != "container" for c in children):
                raise GraphFault(400, meta_error("(#100) Invalid children", 100))
        elif not params.get("image_url"):
            raise GraphFault(400, meta_error("(#100) The parameter image_url is required",
                                             100))
        else:
            data = self._fetch(params["image_url"], 9004)
        container = s.new_id()
        if params.get("image_url") or params.get("video_url"):
            s.media_bytes[container] = data
        s.objects[container] = {"kind": "container", "caption": params.get("caption", ""),
                                "polls": 0, "status": "IN_PROGRESS"}
        return {"id": container}

    def _media_publish(self, params: dict[str, str]) -> dict[str, Any]:
        s = self.state
        self._only(params, {"creation_id"}, {"creation_id"})
        container = s.objects.get(params["creation_id"])
        if container is None or container["kind"] != "container":
            raise GraphFault(400, meta_error("(#100) Invalid creation_id", 100))
        if container["status"] == "PUBLISHED":
            raise GraphFault(400, meta_error("The media has already been published.", 9,
                                             subcode=2207006))
        if container["status"] != "FINISHED":
            raise GraphFault(400, meta_error("Media ID is not available", 9007,
                                             subcode=2207027))
        if len(s.published_media()) >= s.quota_total:
            raise GraphFault(400, meta_error("Application request limit reached", 9,
                                             subcode=2207042))
        media_id = s.new_id()
        with s.lock:
            container["status"] = "PUBLISHED"
            s.objects[media_id] = {"kind": "ig_media", "caption": container["caption"],
                                   "permalink": f"https://www.instagram.com/p/{media_id}/",
                                   "container": params["creation_id"]}
        s.publish_seen.set()
        if s.hang_after_publish is not None:
            s.hang_after_publish.wait(120)  # the worker is killed while it waits here
        return {"id": media_id}

    def _node(self, method: str, node: str, params: dict[str, str]) -> dict[str, Any]:
        s = self.state
        if node == s.page_id and method == "GET":
            page = {"id": s.page_id, "name": s.page_name}
            if "instagram_business_account" in params.get("fields", "") and s.has_instagram:
                page["instagram_business_account"] = {"id": s.ig_id}
            return page
        if node == s.ig_id and method == "GET":
            return {"id": s.ig_id, "username": s.ig_username}
        found = s.objects.get(node)
        if found is None:
            raise GraphFault(400, meta_error(f"Unsupported {method.lower()} request. Object "
                                             f"with ID '{node}' does not exist", 100,
                                             subcode=33, kind="GraphMethodException"))
        if method == "GET":
            return self._read(node, found)
        if found["kind"] == "page_post":
            self._only(params, {"is_published"}, {"is_published"})
            found["is_published"] = params["is_published"] == "true"
            return {"success": True}
        if found["kind"] == "page_video":
            self._only(params, {"published", "description"})
            found["published"] = params.get("published", "true") == "true"
            return {"success": True}
        if found["kind"] == "comment":
            self._only(params, {"is_hidden", "hide"})
            if "is_hidden" in params:
                found["is_hidden"] = params["is_hidden"] == "true"
            if "hide" in params:
                found["hidden"] = params["hide"] == "true"
            return {"success": True}
        raise GraphFault(400, meta_error("(#100) Unsupported post request", 100))

    def _read(self, node: str, found: dict[str, Any]) -> dict[str, Any]:
        s = self.state
        if found["kind"] == "container":
            if s.container_error:
                found["status"] = "ERROR"
            elif found["status"] == "IN_PROGRESS":
                found["polls"] += 1
                if found["polls"] > s.polls_before_finished:
                    found["status"] = "FINISHED"
            return {"id": node, "status_code": found["status"]}
        if found["kind"] == "page_post":
            return {"id": node, "is_published": found["is_published"],
                    "permalink_url": f"https://www.facebook.com/{node}"}
        if found["kind"] == "ig_media":
            return {"id": node, "permalink": found["permalink"]}
        if found["kind"] == "page_video":  # Meta gives it relative to facebook.com
            return {"id": node, "published": found["published"],
                    "permalink_url": f"/{s.page_id}/videos/{node}/"}
        return {"id": node}

    def _delete(self, path: str) -> dict[str, Any]:
        found = self.state.objects.get(path)
        if found is None or found["kind"] not in ("page_post", "page_video", "ig_media",
                                                  "comment"):
            raise GraphFault(400, meta_error(f"Object with ID '{path}' does not exist", 100,
                                             subcode=33))
        del self.state.objects[path]
        return {"success": True}

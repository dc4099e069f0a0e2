"""The connector for a channel: a new network is a new folder and one line here."""

from __future__ import annotations

import httpx

from gatehouse.publishing.connectors.base import Connector
from gatehouse.publishing.connectors.facebook.connector import FacebookPage
from gatehouse.publishing.connectors.instagram.connector import Instagram
from gatehouse.publishing.connectors.secrets import decrypt_token

CONNECTORS: dict[str, type[Connector]] = {c.platform: c for c in (FacebookPage, Instagram)}


def connector_for(connection: object, *, client: httpx.Client | None = None) -> Connector:
    cls = CONNECTORS[connection.platform]  # type: ignore[attr-defined]
    return cls(connection.account_id,  # type: ignore[attr-defined]
               decrypt_token(connection.token_encrypted),  # type: ignore[attr-defined]
               client=client)

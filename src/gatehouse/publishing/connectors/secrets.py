"""Access tokens encrypted at rest with Fernet. The key comes from PUBLISHING_TOKEN_KEY, or is
derived from SECRET_KEY, so a copy of the database alone does not give the Page away."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    secret = settings.PUBLISHING_TOKEN_KEY or settings.SECRET_KEY
    key = hashlib.sha256(b"gatehouse.publishing.tokens\x00" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_token(token: str) -> str:
    return _fernet().encrypt(token.encode()).decode()


def decrypt_token(stored: str) -> str:
    """The token, or "" if it can't be read (the key changed): the connection then shows as
    needing to be connected again."""
    try:
        return _fernet().decrypt(stored.encode()).decode()
    except (InvalidToken, ValueError):
        return ""

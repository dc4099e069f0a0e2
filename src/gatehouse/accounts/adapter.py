"""allauth adapters: nobody signs up directly (parents join through a school's join request),
and staff cannot remove their second factor."""

from __future__ import annotations

import base64
import hashlib

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from cryptography.fernet import Fernet
from django.conf import settings
from django.http import HttpRequest

from gatehouse.accounts.models import StaffRole


class GatehouseAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False


def _fernet() -> Fernet:
    # A key of its own if the deployment sets one, so SECRET_KEY can be rotated without
    # locking every member of staff out of their authenticator.
    secret = settings.MFA_ENCRYPTION_KEY or settings.SECRET_KEY
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest()))


class GatehouseMFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        """TOTP secrets are stored encrypted, so a copy of the database alone can't mint codes."""
        return _fernet().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        return _fernet().decrypt(encrypted_text.encode()).decode()

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Staff cannot switch their second factor off: the policy requires it."""
        if StaffRole.objects.filter(user_id=authenticator.user_id).exists():
            return False
        return super().can_delete_authenticator(authenticator)

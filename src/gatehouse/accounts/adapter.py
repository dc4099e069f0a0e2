"""allauth adapters: nobody signs up directly (parents join through a school's join request),
and staff cannot remove their second factor."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.http import HttpRequest

from gatehouse.accounts.models import StaffRole


class GatehouseAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False


class GatehouseMFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Staff cannot switch their second factor off: the policy requires it."""
        if StaffRole.objects.filter(user_id=authenticator.user_id).exists():
            return False
        return super().can_delete_authenticator(authenticator)

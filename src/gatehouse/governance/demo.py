"""Demo governance data: the school's Facebook Page in the custody register."""

from __future__ import annotations

from gatehouse.accounts.models import User
from gatehouse.governance.models import SchoolDomains, SocialAccount
from gatehouse.schools.models import School


def add_demo_governance(school: School) -> None:
    SchoolDomains.objects.create(school=school, domains="oakfield.example")
    admin = User.objects.get(email="admin@oakfield.example")
    poster = User.objects.get(email="leadership@oakfield.example")
    page = SocialAccount.objects.create(
        school=school, platform=SocialAccount.Platform.FACEBOOK, handle="OakfieldPrimary",
        url="https://www.facebook.com/OakfieldPrimary", purpose="School news for families",
        credentials_location="Bitwarden › Oakfield › Social › Facebook Page",
        two_factor=SocialAccount.TwoFactor.APP, recovery_email="office@oakfield.example",
        recovery_phone="01632 960 123", created_by=admin)
    page.admins.create(user=admin)
    page.admins.create(user=poster)

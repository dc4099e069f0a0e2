"""Demo governance data: the school's Facebook Page in the custody register."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gatehouse.accounts.models import User
from gatehouse.governance.models import (
    PolicyDocument,
    PolicyVersion,
    SchoolDomains,
    SocialAccount,
    Term,
)
from gatehouse.schools.models import School

POLICY = """Staff must not engage with abusive posts about them or the school. They keep a record
of the abuse (screen prints with the time, date and address of the site) and report it to the
head teacher, or, if centrally employed, to the Head of HR."""


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
    _terms(school)
    document = PolicyDocument.objects.create(
        school=school, kind=PolicyDocument.Kind.SOCIAL_MEDIA, title="Social Media Policy",
        committee="Full Governing Body")
    PolicyVersion.objects.create(
        document=document, version=1, body=POLICY, approved_on=dt.date(2025, 9, 15),
        next_review_label="Autumn Term 2027", next_review_due=dt.date(2027, 10, 1),
        published_by=User.objects.get(email="head@oakfield.example"))


def _terms(school: School) -> None:
    """This term and the one before it, from today's date."""
    today = timezone.localdate()
    start = dt.date(today.year, 9, 1) if today.month >= 9 else (
        dt.date(today.year, 4, 14) if today.month >= 4 else dt.date(today.year, 1, 5))
    Term.objects.create(school=school, name=f"Current term ({start:%B %Y})", starts_on=start,
                        ends_on=start + dt.timedelta(days=110))
    before = start - dt.timedelta(days=130)
    Term.objects.create(school=school, name=f"Previous term ({before:%B %Y})",
                        starts_on=before, ends_on=before + dt.timedelta(days=110))

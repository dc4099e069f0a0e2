"""Fictional pupils, parental responsibility and consents for the demo school."""

from __future__ import annotations

from gatehouse.accounts.models import User
from gatehouse.consent.models import (
    Channel,
    ConsentStatus,
    ParentalResponsibility,
    PhotoConsent,
    Pupil,
    StaffImagePermission,
)
from gatehouse.schools.models import School

# (MIS id, first, last, year, parent name, parent email, consent for every channel)
PUPILS = [
    ("A1001", "Ellie", "Lee", "Year 4", "Jordan Lee", "parent@oakfield.example", "given"),
    ("A1002", "Sam", "Rowe", "Year 4", "Chris Rowe", "parent2@oakfield.example", "given"),
    ("A1003", "Noah", "Ahmed", "Year 4", "Aisha Ahmed", "aisha.ahmed@example.net", "refused"),
    ("A1004", "Maya", "Brooks", "Year 4", "Lee Brooks", "lee.brooks@example.net", "not_asked"),
    ("A1005", "Oliver", "Grant", "Year 2", "Jo Grant", "jo.grant@example.net", "given"),
    ("A1006", "Isla", "Turner", "Year 2", "Pat Turner", "pat.turner@example.net", "given"),
]
RESTRICTED = "A1005"  # e.g. an adopted child: never shown, whatever consent says
PERMISSION_GIVEN = ["admin@oakfield.example", "leadership@oakfield.example",
                    "teacher@oakfield.example"]


def add_demo_consent(school: School) -> list[Pupil]:
    pupils = []
    for mis_id, first, last, year, parent, email, status in PUPILS:
        pupil = Pupil.objects.create(school=school, mis_id=mis_id, first_name=first,
                                     last_name=last, year_group=year,
                                     class_name=year[-1] + ("B" if mis_id < "A1004" else "A"),
                                     restricted=mis_id == RESTRICTED)
        ParentalResponsibility.objects.create(pupil=pupil, name=parent, email=email,
                                              user=User.objects.filter(email=email).first())
        if status != ConsentStatus.NOT_ASKED:
            PhotoConsent.objects.bulk_create(
                PhotoConsent(pupil=pupil, channel=c, status=status,
                             evidence_note="Paper consent form, September") for c in Channel.values)
        pupils.append(pupil)
    for user in User.objects.filter(email__in=PERMISSION_GIVEN):
        StaffImagePermission.objects.create(school=school, user=user, given=True)
    return pupils

"""Importing pupils and parental responsibility from a SIMS or Arbor CSV export."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gatehouse.audit.models import AuditEntry
from gatehouse.consent import mis_import
from gatehouse.consent.actions import do_import_pupils
from gatehouse.consent.models import ParentalResponsibility, Pupil, ReferenceTemplate

SIMS = (
    "Adno,UPN,Legal Surname,Legal Forename,Preferred Forename,Year,Contact 1 Name,"
    "Contact 1 Email,Contact 2 Name,Contact 2 Email\n"
    "001,A123,Lee,Eleanor,Ellie,4,Jordan Lee,parent@example.net,Sam Lee,sam@example.net\n"
    "002,A124,Rowe,Samuel,,Year 4,Chris Rowe,chris@example.net,,\n"
    "003,A125,Ahmed,Noah,,R,Aisha Ahmed,AISHA@example.net,,\n"
)
ARBOR_REORDERED = (
    "Primary Contact Email,Year Group,Last Name,First Name,Student ID,Primary Contact Name\n"
    "parent@example.net,Year 5,Lee,Eleanor,S-1,Jordan Lee\n"
    "chris@example.net,Year 5,Rowe,Samuel,S-2,Chris Rowe\n"
)


def _import(school: Any, actor: Any, text: str, *, full: bool = True) -> Any:
    return do_import_pupils(school, actor=actor, rows=mis_import.parse(text), full=full)


def test_it_imports_a_sims_export(school: Any, admin: Any) -> None:
    plan = _import(school, admin, SIMS)
    assert len(plan.created) == 3
    ellie = Pupil.objects.get(school=school, mis_id="A123")  # UPN preferred over Adno
    assert (ellie.first_name, ellie.preferred_name, ellie.year_group) == ("Eleanor", "Ellie",
                                                                         "Year 4")
    assert ellie.name == "Ellie Lee"
    assert sorted(ellie.responsibilities.values_list("email", flat=True)) == [
        "parent@example.net", "sam@example.net"]
    assert Pupil.objects.get(mis_id="A125").year_group == "Reception"
    assert ParentalResponsibility.objects.filter(email="aisha@example.net").exists()
    assert AuditEntry.objects.filter(action="consent.pupils.imported").count() == 1


def test_a_utf8_bom_and_reordered_arbor_headers_are_read(school: Any, admin: Any) -> None:
    text = mis_import.decode(b"\xef\xbb\xbf" + ARBOR_REORDERED.encode())
    _import(school, admin, text)
    pupil = Pupil.objects.get(school=school, mis_id="S-1")
    assert (pupil.first_name, pupil.last_name, pupil.year_group) == ("Eleanor", "Lee", "Year 5")
    assert pupil.responsibilities.get().name == "Jordan Lee"


def test_non_utf8_files_are_refused_clearly() -> None:
    with pytest.raises(mis_import.ImportErrors) as caught:
        mis_import.decode("Surname\nBrontë\n".encode("cp1252"))
    assert "CSV UTF-8" in caught.value.problems[0][1]


def test_bad_rows_are_reported_by_line_and_nothing_is_imported(school: Any) -> None:
    text = SIMS + "004,,Patel,,,3,Ravi Patel,not-an-email,,\n" + "\n" + "005,A127,,Zoe,,3,,,,\n"
    with pytest.raises(mis_import.ImportErrors) as caught:
        mis_import.parse(text)
    problems = caught.value.problems
    assert (5, "First name is empty.") in problems
    assert (5, "“not-an-email” is not an email address.") in problems
    assert (7, "Last name is empty.") in problems
    assert not Pupil.objects.exists()


def test_a_missing_column_is_named() -> None:
    with pytest.raises(mis_import.ImportErrors) as caught:
        mis_import.parse("UPN,Forename,Year\nA1,Ellie,4\n")
    line, message = caught.value.problems[0]
    assert line == 1 and "last name" in message


def test_reimport_updates_rather_than_duplicates(school: Any, admin: Any) -> None:
    _import(school, admin, SIMS)
    plan = _import(school, admin, SIMS.replace("Ellie,4", "Ellie,5"))
    assert len(plan.created) == 0 and len(plan.updated) == 3
    assert Pupil.objects.filter(school=school).count() == 3
    assert Pupil.objects.get(mis_id="A123").year_group == "Year 5"
    assert ParentalResponsibility.objects.filter(pupil__mis_id="A123").count() == 2


def test_pupils_missing_from_a_full_import_are_marked_as_leavers(school: Any,
                                                                 admin: Any) -> None:
    _import(school, admin, SIMS)
    noah = Pupil.objects.get(mis_id="A125")
    ReferenceTemplate.objects.create(pupil=noah, vector=b"x", model_version="t")
    without_noah = "\n".join(SIMS.splitlines()[:3]) + "\n"
    plan = _import(school, admin, without_noah)
    assert [p.mis_id for p in plan.leavers] == ["A125"]
    noah.refresh_from_db()
    assert noah.left_at is not None
    assert not ReferenceTemplate.objects.filter(pupil=noah).exists()
    # A partial import (e.g. just new starters) marks nobody as a leaver.
    _import(school, admin, SIMS)
    assert _import(school, admin, without_noah, full=False).leavers == []


def test_the_import_page_previews_then_confirms(school: Any, admin: Any,
                                                login_client: Any) -> None:
    client = login_client(admin)
    url = reverse("staff:import_pupils", kwargs={"slug": school.slug})
    upload = SimpleUploadedFile("pupils.csv", SIMS.encode(), content_type="text/csv")
    preview = client.post(url, {"file": upload, "full": "on"})
    assert preview.status_code == 200
    assert "3 new pupils" in preview.content.decode()
    assert not Pupil.objects.exists()  # nothing saved until confirmed
    confirm = client.post(url, {"csv_text": SIMS, "full": "True"}, follow=True)
    assert "Imported: 3 new" in confirm.content.decode()
    assert Pupil.objects.filter(school=school).count() == 3


def test_the_import_page_lists_bad_lines(school: Any, admin: Any, login_client: Any) -> None:
    client = login_client(admin)
    url = reverse("staff:import_pupils", kwargs={"slug": school.slug})
    bad = SIMS + "004,A126,Patel,,,3,,,,\n"
    response = client.post(url, {"file": SimpleUploadedFile("p.csv", bad.encode())})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was imported" in page and "Line 5: First name is empty." in page
    assert not Pupil.objects.exists()


def test_a_parent_account_is_linked_by_email(school: Any, admin: Any, make_user: Any) -> None:
    parent = make_user(email="parent@example.net")
    _import(school, admin, SIMS)
    assert Pupil.objects.of_parent(parent).get().mis_id == "A123"


def test_the_class_is_imported_from_a_reg_group_or_form_column(school: Any, admin: Any) -> None:
    _import(school, admin, "UPN,Surname,Forename,Year,Reg Group\nA1,Lee,Eleanor,4,4B\n")
    assert Pupil.objects.get(school=school, mis_id="A1").class_name == "4B"
    _import(school, admin, "Student ID,Last Name,First Name,Year Group,Form\nA1,Lee,Eleanor,"
                           "Year 5,Willow\n")
    assert Pupil.objects.get(school=school, mis_id="A1").class_name == "Willow"
    _import(school, admin, "UPN,Surname,Forename,Year\nA1,Lee,Eleanor,5\n")  # no class column
    assert Pupil.objects.get(school=school, mis_id="A1").class_name == ""


def test_a_class_or_year_too_long_for_the_register_is_reported_not_cut() -> None:
    with pytest.raises(mis_import.ImportErrors) as caught:
        mis_import.parse("UPN,Surname,Forename,Year,Class\nA1,Lee,Eleanor,4," + "x" * 31 + "\n")
    assert caught.value.problems == [(2, "Class name is too long.")]

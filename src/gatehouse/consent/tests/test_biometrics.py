"""The biometric consent ledger, the DPIA gate, and deleting templates at once."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from gatehouse.accounts.models import Role
from gatehouse.consent.biometrics import (
    do_record_biometric_entry,
    do_set_recognition,
    do_store_template,
    may_use_biometrics,
    settings_for,
)
from gatehouse.consent.models import BiometricEntry, ReferenceTemplate, SchoolBiometricsSettings

Kind = BiometricEntry.Kind


@pytest.fixture
def pupil(school: Any, make_pupil: Any) -> Any:
    pupil = make_pupil(school)
    pupil.responsibilities.create(name="Jordan Lee", email="jordan@example.net")
    pupil.responsibilities.create(name="Sam Lee", email="sam@example.net")
    return pupil


def _parents(pupil: Any) -> list[Any]:
    return list(pupil.responsibilities.order_by("name"))


def test_recognition_is_off_by_default_and_needs_a_dpia(school: Any, admin: Any) -> None:
    assert not settings_for(school).recognition_enabled
    with pytest.raises(ValidationError, match="Data Protection Impact Assessment"):
        do_set_recognition(school, actor=admin, enabled=True, dpia_reference=" ")
    assert not settings_for(school).recognition_enabled
    do_set_recognition(school, actor=admin, enabled=True, dpia_reference="DPIA-2026-04")
    assert settings_for(school).recognition_enabled


def test_the_database_refuses_recognition_without_a_dpia(school: Any) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        SchoolBiometricsSettings.objects.create(school=school, recognition_enabled=True)


def test_only_the_head_or_an_administrator_switch_recognition(school: Any,
                                                              make_user: Any) -> None:
    with pytest.raises(PermissionDenied):
        do_set_recognition(school, actor=make_user(school=school, roles=(Role.DSL,)),
                           enabled=True, dpia_reference="DPIA-1")


def test_the_settings_page_explains_a_missing_dpia(school: Any, admin: Any,
                                                   login_client: Any) -> None:
    response = login_client(admin).post(reverse("staff:recognition",
                                                kwargs={"slug": school.slug}), {"enabled": "on"})
    assert response.status_code == 400
    assert "Data Protection Impact Assessment" in response.content.decode()
    assert "no recognition model is installed" in response.content.decode().lower()


def test_the_ledger_needs_written_consent_and_no_objection(pupil: Any, admin: Any) -> None:
    jordan, sam = _parents(pupil)
    assert not may_use_biometrics(pupil)
    do_record_biometric_entry(pupil, actor=admin, kind=Kind.PARENT_CONSENT,
                              responsibility=jordan, note="Signed form")
    assert may_use_biometrics(pupil)
    do_record_biometric_entry(pupil, actor=admin, kind=Kind.PARENT_OBJECTION, responsibility=sam)
    assert not may_use_biometrics(pupil)


def test_the_childs_objection_overrides_parental_consent(pupil: Any, admin: Any) -> None:
    jordan, _ = _parents(pupil)
    do_record_biometric_entry(pupil, actor=admin, kind=Kind.PARENT_CONSENT,
                              responsibility=jordan)
    do_record_biometric_entry(pupil, actor=admin, kind=Kind.CHILD_OBJECTION)
    assert not may_use_biometrics(pupil)
    do_record_biometric_entry(pupil, actor=admin, kind=Kind.CHILD_OBJECTION_LIFTED)
    assert may_use_biometrics(pupil)


def test_parent_entries_must_name_someone_with_parental_responsibility(
    pupil: Any, admin: Any, school: Any, make_pupil: Any
) -> None:
    stranger = make_pupil(school).responsibilities.create(name="Other", email="o@example.net")
    with pytest.raises(ValidationError):
        do_record_biometric_entry(pupil, actor=admin, kind=Kind.PARENT_CONSENT,
                                  responsibility=stranger)


def _allowed_with_template(school: Any, pupil: Any, admin: Any) -> None:
    do_set_recognition(school, actor=admin, enabled=True, dpia_reference="DPIA-1")
    do_record_biometric_entry(pupil, actor=admin, kind=Kind.PARENT_CONSENT,
                              responsibility=_parents(pupil)[0])
    do_store_template(pupil, vector=b"\x00" * 512, model_version="test")
    assert ReferenceTemplate.objects.filter(pupil=pupil).count() == 1


@pytest.mark.parametrize("kind", [Kind.PARENT_OBJECTION, Kind.PARENT_WITHDRAWAL,
                                  Kind.CHILD_OBJECTION])
def test_templates_are_deleted_at_once_on_objection_or_withdrawal(
    school: Any, pupil: Any, admin: Any, kind: str
) -> None:
    _allowed_with_template(school, pupil, admin)
    do_record_biometric_entry(pupil, actor=admin, kind=kind, responsibility=_parents(pupil)[0])
    assert not ReferenceTemplate.objects.filter(pupil=pupil).exists()


def test_templates_are_deleted_when_a_pupil_leaves(school: Any, pupil: Any, admin: Any) -> None:
    _allowed_with_template(school, pupil, admin)
    pupil.left_at = timezone.now()
    pupil.save()
    assert not ReferenceTemplate.objects.filter(pupil=pupil).exists()


def test_templates_are_refused_without_the_dpia_or_the_ledger(
    school: Any, pupil: Any, admin: Any
) -> None:
    with pytest.raises(PermissionDenied, match="off"):
        do_store_template(pupil, vector=b"x", model_version="t")
    do_set_recognition(school, actor=admin, enabled=True, dpia_reference="DPIA-1")
    with pytest.raises(PermissionDenied, match="ledger"):
        do_store_template(pupil, vector=b"x", model_version="t")
    assert not ReferenceTemplate.objects.exists()


def test_staff_record_a_childs_objection_in_one_click(school: Any, pupil: Any, admin: Any,
                                                      login_client: Any) -> None:
    url = reverse("staff:record_biometric", kwargs={"slug": school.slug, "pk": pupil.pk})
    page = login_client(admin).get(reverse("staff:pupil",
                                           kwargs={"slug": school.slug, "pk": pupil.pk}))
    assert "objects</button>" in page.content.decode()
    assert login_client(admin).post(url, {"kind": "child_objection"}).status_code == 302
    assert pupil.biometric_entries.get().kind == Kind.CHILD_OBJECTION

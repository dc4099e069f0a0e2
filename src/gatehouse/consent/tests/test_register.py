"""The restricted list, consent recorded by staff and changed by parents, staff permission."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from gatehouse.accounts.models import Role
from gatehouse.audit.models import AuditEntry
from gatehouse.consent.actions import do_set_own_image_permission, do_set_restricted
from gatehouse.consent.models import Channel, PhotoConsent, StaffImagePermission


@pytest.mark.parametrize("role", Role.values)
def test_only_the_dsl_or_head_teacher_set_the_restricted_list(
    school: Any, make_user: Any, make_pupil: Any, login_client: Any, role: str
) -> None:
    pupil = make_pupil(school)
    user = make_user(school=school, roles=(role,))
    url = reverse("staff:set_restricted", kwargs={"slug": school.slug, "pk": pupil.pk})
    response = login_client(user).post(url, {"restricted": "1", "reason": "Adopted"})
    pupil.refresh_from_db()
    if role in {Role.DSL, Role.HEAD_TEACHER}:
        assert response.status_code == 302 and pupil.restricted
        entry = AuditEntry.objects.get(action="consent.pupil.restricted")
        assert entry.actor == user and entry.details["reason"] == "Adopted"
    else:
        assert response.status_code == 403 and not pupil.restricted
        with pytest.raises(PermissionDenied):
            do_set_restricted(pupil, actor=user, restricted=True, reason="x")


def test_the_restricted_list_needs_a_reason(school: Any, make_user: Any, make_pupil: Any,
                                            login_client: Any) -> None:
    pupil = make_pupil(school)
    dsl = make_user(school=school, roles=(Role.DSL,))
    url = reverse("staff:set_restricted", kwargs={"slug": school.slug, "pk": pupil.pk})
    response = login_client(dsl).post(url, {"restricted": "1", "reason": ""})
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    pupil.refresh_from_db()
    assert not pupil.restricted


def test_staff_record_consent_with_evidence(school: Any, admin: Any, make_pupil: Any,
                                            login_client: Any) -> None:
    pupil = make_pupil(school, consent={})
    url = reverse("staff:record_consent", kwargs={"slug": school.slug, "pk": pupil.pk})
    data = {f"ch_{c}": "not_asked" for c in Channel.values}
    data |= {"ch_parents_group": "given", "ch_facebook": "refused",
             "evidence_note": "Paper form, 4 Sept"}
    assert login_client(admin).post(url, data).status_code == 302
    consent = PhotoConsent.objects.get(pupil=pupil, channel="parents_group")
    assert consent.status == "given" and consent.recorded_by == admin
    assert consent.evidence_note == "Paper form, 4 Sept"
    assert PhotoConsent.objects.get(pupil=pupil, channel="facebook").status == "refused"
    assert AuditEntry.objects.filter(action="consent.photo_consent.changed").count() == 2


def _my_children(school: Any) -> str:
    return reverse("my_children", kwargs={"slug": school.slug})


def test_a_parent_sees_and_changes_their_own_childs_consent(
    school: Any, make_parent: Any, make_pupil: Any, login_client: Any
) -> None:
    parent = make_parent(school, email="jordan@example.net").user
    child = make_pupil(school, first="Ellie", parent_email="jordan@example.net")
    make_pupil(school, first="Someone")  # another family's child is not shown
    client = login_client(parent)
    page = client.get(_my_children(school)).content.decode()
    assert "Ellie Lee" in page and "Someone" not in page
    data = {"pupil": child.pk} | {f"pupil{child.pk}-ch_{c}": "given" for c in Channel.values}
    data[f"pupil{child.pk}-ch_facebook"] = "refused"
    assert client.post(_my_children(school), data).status_code == 302
    assert child.consent_for("facebook") == "refused"
    entry = AuditEntry.objects.get(action="consent.photo_consent.changed")
    assert entry.actor == parent and entry.details["by_parent"] is True
    assert entry.details == entry.details | {"channel": "facebook", "from": "given",
                                             "to": "refused"}


def test_a_parent_cannot_change_another_childs_consent(
    school: Any, make_parent: Any, make_pupil: Any, login_client: Any
) -> None:
    parent = make_parent(school, email="jordan@example.net").user
    make_pupil(school, parent_email="jordan@example.net")
    other = make_pupil(school, parent_email="someone.else@example.net")
    data = {"pupil": other.pk} | {f"pupil{other.pk}-ch_{c}": "refused" for c in Channel.values}
    assert login_client(parent).post(_my_children(school), data).status_code == 403
    assert other.consent_for("facebook") == "given"


def test_a_parent_must_answer_every_channel(school: Any, make_parent: Any, make_pupil: Any,
                                            login_client: Any) -> None:
    parent = make_parent(school, email="jordan@example.net").user
    child = make_pupil(school, consent={}, parent_email="jordan@example.net")
    response = login_client(parent).post(_my_children(school), {
        "pupil": child.pk, f"pupil{child.pk}-ch_facebook": "given"})
    assert response.status_code == 400
    assert "Please choose yes or no for Instagram" in response.content.decode()
    assert not PhotoConsent.objects.exists()


def test_staff_give_and_withdraw_only_their_own_image_permission(
    school: Any, make_user: Any, login_client: Any
) -> None:
    teacher = make_user(school=school, roles=(Role.STAFF,))
    url = reverse("staff:image_permission", kwargs={"slug": school.slug})
    client = login_client(teacher)
    client.post(url, {"given": "yes"})
    assert StaffImagePermission.objects.get(user=teacher).given
    client.post(url, {"given": "no"})
    assert not StaffImagePermission.objects.get(user=teacher).given
    assert AuditEntry.objects.filter(action="consent.staff_image.withdrawn").exists()
    with pytest.raises(PermissionDenied):
        do_set_own_image_permission(school, actor=make_user(), given=True)

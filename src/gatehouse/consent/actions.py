"""Workflows for the consent register: MIS import, photo consent, the restricted list and
staff image permission (check_* then do_*; do_* writes the audit row)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from gatehouse.accounts.models import Role, User
from gatehouse.audit.log import record
from gatehouse.consent.mis_import import PupilRow
from gatehouse.consent.models import (
    Channel,
    ConsentStatus,
    ParentalResponsibility,
    PhotoConsent,
    Pupil,
    ReferenceTemplate,
    StaffImagePermission,
)
from gatehouse.consent.withdrawal import ReachResult, do_reach_past, do_reach_past_for_staff
from gatehouse.schools.models import School

RESTRICTING_ROLES = frozenset({Role.DSL, Role.HEAD_TEACHER})
RECORDING_ROLES = frozenset({Role.ADMINISTRATOR, Role.DSL, Role.HEAD_TEACHER})


# --- MIS import ------------------------------------------------------------------------------


@dataclass
class ImportPlan:
    created: list[PupilRow] = field(default_factory=list)
    updated: list[PupilRow] = field(default_factory=list)
    returning: list[PupilRow] = field(default_factory=list)
    leavers: list[Pupil] = field(default_factory=list)


def plan_import(school: School, rows: list[PupilRow], *, full: bool) -> ImportPlan:
    """What importing `rows` would change, without changing anything (for the preview)."""
    existing = {p.mis_id: p for p in Pupil.objects.filter(school=school)}
    plan = ImportPlan()
    for row in rows:
        pupil = existing.get(row.mis_id)
        if pupil is None:
            plan.created.append(row)
        elif pupil.left_at is not None:
            plan.returning.append(row)
        else:
            plan.updated.append(row)
    if full:
        in_file = {row.mis_id for row in rows}
        plan.leavers = [p for p in existing.values() if p.mis_id not in in_file and not p.left_at]
    return plan


def do_import_pupils(school: School, *, actor: User, rows: list[PupilRow],
                     full: bool) -> ImportPlan:
    """Create or update every pupil in one transaction; with `full`, mark the missing as left."""
    with transaction.atomic():
        plan = plan_import(school, rows, full=full)
        for row in rows:
            _save_pupil(school, row)
        now = timezone.now()
        for leaver in plan.leavers:
            _mark_left(leaver, now)
        record("consent.pupils.imported", actor=actor, school=school, details={
            "created": len(plan.created), "updated": len(plan.updated),
            "returning": len(plan.returning), "leavers": [p.mis_id for p in plan.leavers],
            "full": full,
        })
    return plan


def _save_pupil(school: School, row: PupilRow) -> Pupil:
    pupil, _ = Pupil.objects.update_or_create(
        school=school, mis_id=row.mis_id,
        defaults={"first_name": row.first_name, "last_name": row.last_name,
                  "preferred_name": row.preferred_name, "year_group": row.year_group,
                  "class_name": row.class_name, "left_at": None},
    )
    for contact in row.contacts:
        user = User.objects.filter(email__iexact=contact.email).first() if contact.email else None
        ParentalResponsibility.objects.update_or_create(
            pupil=pupil, name=contact.name, email=contact.email, defaults={"user": user})
    return pupil


def _mark_left(pupil: Pupil, when: Any) -> None:
    pupil.left_at = when
    pupil.save(update_fields=["left_at", "updated_at"])
    # Protection of Freedoms Act: a leaver's biometric templates go at once.
    ReferenceTemplate.objects.filter(pupil=pupil).delete()


# --- the restricted list ---------------------------------------------------------------------


def check_can_restrict(user: User, school: School) -> None:
    if not user.roles_at(school.pk) & RESTRICTING_ROLES:
        raise PermissionDenied("Only the designated safeguarding lead or the head teacher can "
                               "change the restricted list.")


def do_set_restricted(pupil: Pupil, *, actor: User, restricted: bool,
                      reason: str) -> ReachResult | None:
    """Add to or remove from the restricted list; adding reaches every published item."""
    check_can_restrict(actor, pupil.school)
    if not reason.strip():
        raise ValidationError("Please give a reason: it is kept in the audit log.")
    with transaction.atomic():
        pupil = Pupil.objects.select_for_update().get(pk=pupil.pk)
        if pupil.restricted == restricted:
            return None
        pupil.restricted = restricted
        pupil.restricted_changed_at = timezone.now()
        pupil.save(update_fields=["restricted", "restricted_changed_at", "updated_at"])
        action = "consent.pupil.restricted" if restricted else "consent.pupil.unrestricted"
        record(action, actor=actor, school=pupil.school, target=pupil,
               details={"reason": reason.strip()})
        if restricted:
            return do_reach_past(pupil, channels=list(Channel.values), actor=actor,
                                 reason="Added to the restricted list")
    return None


# --- photo consent ---------------------------------------------------------------------------


def check_can_record_consent(user: User, school: School) -> None:
    if not user.roles_at(school.pk) & RECORDING_ROLES:
        raise PermissionDenied("Your role does not allow recording consent.")


def check_is_parent_of(user: User, pupil: Pupil) -> None:
    if not Pupil.objects.of_parent(user).filter(pk=pupil.pk).exists():
        raise PermissionDenied("You can only change consent for your own child.")


def do_record_consent(pupil: Pupil, *, actor: User, channel: str, status: str,
                      evidence_note: str = "", evidence_file: UploadedFile | None = None,
                      as_parent: bool = False) -> ReachResult | None:
    """Set one channel's consent. Effective at once: a withdrawal reaches what is published."""
    if as_parent:
        check_is_parent_of(actor, pupil)
        if status == ConsentStatus.NOT_ASKED:
            raise ValidationError("Please choose yes or no.")
    else:
        check_can_record_consent(actor, pupil.school)
    with transaction.atomic():
        # Lock the pupil so publishing a photo of them waits for this change (photos.py).
        Pupil.objects.select_for_update().filter(pk=pupil.pk).first()
        consent = PhotoConsent.objects.select_for_update().filter(pupil=pupil,
                                                                  channel=channel).first()
        before = consent.status if consent else ConsentStatus.NOT_ASKED
        if before == status and not evidence_note and not evidence_file:
            return None
        consent = consent or PhotoConsent(pupil=pupil, channel=channel)
        consent.status, consent.recorded_by, consent.recorded_at = status, actor, timezone.now()
        consent.evidence_note = evidence_note.strip() or (
            f"Changed by {actor.full_name} in their parent account" if as_parent else "")
        if evidence_file is not None:
            consent.evidence_file = evidence_file
        consent.save()
        record("consent.photo_consent.changed", actor=actor, school=pupil.school, target=pupil,
               details={"channel": channel, "from": before, "to": status,
                        "by_parent": as_parent, "note": consent.evidence_note})
        if before == ConsentStatus.GIVEN and status != ConsentStatus.GIVEN:
            return do_reach_past(pupil, channels=[channel], actor=actor,
                                 reason=f"Consent for {Channel(channel).label} withdrawn")
    return None


def do_parent_set_consents(pupil: Pupil, *, parent: User,
                           statuses: dict[str, str]) -> list[ReachResult]:
    """A parent's choices for every channel, from their account."""
    check_is_parent_of(parent, pupil)
    reached = []
    with transaction.atomic():
        for channel, status in statuses.items():
            result = do_record_consent(pupil, actor=parent, channel=channel, status=status,
                                       as_parent=True)
            if result is not None:
                reached.append(result)
    return reached


# --- staff image permission ------------------------------------------------------------------


def do_set_own_image_permission(school: School, *, actor: User,
                                given: bool) -> StaffImagePermission:
    """Only the member of staff themself gives or withdraws permission to show them."""
    if not actor.roles_at(school.pk):
        raise PermissionDenied("Only staff of this school have an image permission.")
    with transaction.atomic():
        permission, _ = StaffImagePermission.objects.select_for_update().get_or_create(
            school=school, user=actor)
        permission.given, permission.changed_at = given, timezone.now()
        permission.save()
        action = "consent.staff_image.given" if given else "consent.staff_image.withdrawn"
        record(action, actor=actor, school=school, target=actor)
        if not given:
            do_reach_past_for_staff(school, actor, reason="Staff image permission withdrawn")
    return permission

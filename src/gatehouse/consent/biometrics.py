"""Face recognition as a lawful assistant (Protection of Freedoms Act 2012 ss.26-28).

Off by default; a school turns it on only with a recorded DPIA reference. A pupil's biometric
data may be used only with written consent from at least one person with parental
responsibility, no objection from any of them, and no objection from the child. Reference
templates are deleted at once when that stops being true. Recognition only suggests tags: the
restricted list and the photo check never rely on it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from gatehouse.accounts.models import Role, User
from gatehouse.audit.log import record
from gatehouse.consent.models import (
    BiometricEntry,
    ParentalResponsibility,
    Pupil,
    ReferenceTemplate,
    SchoolBiometricsSettings,
)
from gatehouse.schools.models import School

SETTINGS_ROLES = frozenset({Role.ADMINISTRATOR, Role.HEAD_TEACHER})
LEDGER_ROLES = frozenset({Role.ADMINISTRATOR, Role.DSL, Role.HEAD_TEACHER})
PARENT_KINDS = {BiometricEntry.Kind.PARENT_CONSENT, BiometricEntry.Kind.PARENT_WITHDRAWAL,
                BiometricEntry.Kind.PARENT_OBJECTION}
# No recognition model ships with Gatehouse yet; suggestions say so rather than guess.
RECOGNITION_MODEL: str | None = None


def settings_for(school: School) -> SchoolBiometricsSettings:
    found, _ = SchoolBiometricsSettings.objects.get_or_create(school=school)
    return found


def recognition_available(school: School) -> bool:
    return RECOGNITION_MODEL is not None and settings_for(school).recognition_enabled


def do_set_recognition(school: School, *, actor: User, enabled: bool,
                       dpia_reference: str) -> SchoolBiometricsSettings:
    if not actor.roles_at(school.pk) & SETTINGS_ROLES:
        raise PermissionDenied("Only the head teacher or an administrator can change this.")
    dpia_reference = dpia_reference.strip()
    if enabled and not dpia_reference:
        raise ValidationError("Record the reference of the Data Protection Impact Assessment "
                              "before turning face recognition on.")
    with transaction.atomic():
        found = SchoolBiometricsSettings.objects.select_for_update().get_or_create(
            school=school)[0]
        found.recognition_enabled = enabled
        found.dpia_reference = dpia_reference or found.dpia_reference
        found.changed_by, found.changed_at = actor, timezone.now()
        found.save()
        action = "consent.biometrics.enabled" if enabled else "consent.biometrics.disabled"
        record(action, actor=actor, school=school, target=found,
               details={"dpia_reference": found.dpia_reference})
    return found


def may_use_biometrics(pupil: Pupil) -> bool:
    """Written consent from at least one parent, no parent objecting, the child not objecting,
    and still on roll. Each parent's latest entry is their current position."""
    if pupil.left_at is not None:
        return False
    latest_by_parent: dict[int, str] = {}
    child_objects = False
    for entry in pupil.biometric_entries.order_by("recorded_at", "pk"):
        if entry.kind in PARENT_KINDS and entry.responsibility_id is not None:
            latest_by_parent[entry.responsibility_id] = entry.kind
        elif entry.kind == BiometricEntry.Kind.CHILD_OBJECTION:
            child_objects = True
        elif entry.kind == BiometricEntry.Kind.CHILD_OBJECTION_LIFTED:
            child_objects = False
    positions = set(latest_by_parent.values())
    return (not child_objects and BiometricEntry.Kind.PARENT_CONSENT in positions
            and positions == {BiometricEntry.Kind.PARENT_CONSENT})


def do_record_biometric_entry(pupil: Pupil, *, actor: User, kind: str,
                              responsibility: ParentalResponsibility | None = None,
                              note: str = "") -> BiometricEntry:
    """Add to the ledger; if the pupil may no longer be processed, delete templates at once."""
    if not actor.roles_at(pupil.school_id) & LEDGER_ROLES:
        raise PermissionDenied("Your role does not allow recording biometric consent.")
    if kind in PARENT_KINDS and (responsibility is None or responsibility.pupil_id != pupil.pk):
        raise ValidationError("Choose the person with parental responsibility this is from.")
    with transaction.atomic():
        entry = BiometricEntry.objects.create(
            pupil=pupil, kind=kind, responsibility=responsibility if kind in PARENT_KINDS
            else None, note=note.strip(), recorded_by=actor)
        deleted = 0 if may_use_biometrics(pupil) else delete_templates(pupil)
        record("consent.biometric.recorded", actor=actor, school=pupil.school, target=pupil,
               details={"kind": kind, "responsibility": getattr(responsibility, "pk", None),
                        "templates_deleted": deleted})
    return entry


def delete_templates(pupil: Pupil) -> int:
    deleted, _ = ReferenceTemplate.objects.filter(pupil=pupil).delete()
    return deleted


def do_store_template(pupil: Pupil, *, vector: bytes, model_version: str) -> ReferenceTemplate:
    """Only for a pupil whose ledger allows it, at a school that turned recognition on with a
    DPIA. There is deliberately no way to store a template for anyone else."""
    if not settings_for(pupil.school).recognition_enabled:
        raise PermissionDenied("Face recognition is off at this school.")
    if not may_use_biometrics(pupil):
        raise PermissionDenied("This pupil's biometric consent ledger does not allow it.")
    return ReferenceTemplate.objects.create(pupil=pupil, vector=vector,
                                            model_version=model_version)

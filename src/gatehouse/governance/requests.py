"""Subject access and erasure requests: tracked against the statutory month; the export; and
erasure with the exceptions a school must keep (safeguarding records, legal hold, evidence)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gatehouse.accounts.models import JoinRequest, Membership, StaffRole, User
from gatehouse.audit.log import record
from gatehouse.cases.models import Case, CaseComment
from gatehouse.community.models import Comment
from gatehouse.governance.models import SubjectRequest, add_months
from gatehouse.governance.subject_access import build_export, schools_searched
from gatehouse.incidents.models import Incident
from gatehouse.moderation.models import QueueItem
from gatehouse.moderation.originals import originals_of
from gatehouse.schools.models import School


def find_person(school: School, email: str) -> User:
    """The account with this email, if it has any connection with the school or its trust."""
    schools = schools_searched(school)
    user = User.objects.filter(email__iexact=email.strip()).first()
    connected = user is not None and (
        StaffRole.objects.filter(user=user, school__in=schools).exists()
        or Membership.objects.filter(user=user, school__in=schools).exists()
        or JoinRequest.objects.filter(email__iexact=user.email, school__in=schools).exists()
        or Comment.objects.filter(author=user, post__school__in=schools).exists())
    if not connected:
        raise ValidationError("Nobody with that email address has an account connected with "
                              "this school. Check the address the person used.")
    return user


def do_open_request(school: School, *, actor: User, kind: str, email: str,
                    received_on: dt.date) -> SubjectRequest:
    person = find_person(school, email)
    if received_on > timezone.localdate():
        raise ValidationError("The date received cannot be in the future.")
    with transaction.atomic():
        request = SubjectRequest.objects.create(
            school=school, kind=kind, person=person, received_on=received_on,
            due_on=add_months(received_on, 1), recorded_by=actor)
        record(f"governance.{kind}_request.opened", actor=actor, school=school,
               target=request, details={"person": person.pk, "due_on": request.due_on})
    return request


def do_export(request: SubjectRequest, *, actor: User) -> bytes:
    if request.kind != SubjectRequest.Kind.ACCESS:
        raise ValidationError("This is not a subject access request.")
    content, digest = build_export(request.school, request.person)
    with transaction.atomic():
        request.export_sha256 = digest
        request.status = SubjectRequest.Status.DONE
        request.completed_at = request.completed_at or timezone.now()
        request.save(update_fields=["export_sha256", "status", "completed_at"])
        record("governance.access_request.exported", actor=actor, school=request.school,
               target=request, details={"sha256": digest, "bytes": len(content)})
    return content


# --- erasure ------------------------------------------------------------------------------


def erasure_plan(school: School, person: User) -> dict[str, Any]:
    """What erasure would remove, and what must be kept and why."""
    comments = Comment.objects.filter(post__school=school, author=person)
    in_cases = set(CaseComment.objects.filter(comment__in=comments)
                   .values_list("comment_id", flat=True))
    concerns = set(QueueItem.objects.filter(comment__in=comments, kind=QueueItem.Kind.CONCERN)
                   .values_list("comment_id", flat=True))
    evidence = set(originals_of(comments.values_list("pk", flat=True)))
    membership = Membership.objects.filter(school=school, user=person).first()
    cases = Case.objects.filter(school=school).filter(
        Q(subject_email__iexact=person.email) | Q(member__user=person))
    holds = Incident.objects.filter(school=school, legal_hold=True).filter(
        Q(reporter=person) | Q(victim=person))
    exceptions = []
    if concerns:
        exceptions.append(f"{len(concerns)} comment(s) raising a safeguarding concern are kept "
                          "(safeguarding records).")
    if in_cases or evidence - concerns:
        exceptions.append(f"{len(in_cases | evidence - concerns)} comment(s) kept as evidence "
                          "or in an escalation case.")
    if cases.exists():
        exceptions.append(f"{cases.count()} escalation case(s) about them are kept (complaints "
                          "and legal claims), with their membership record.")
    if holds.exists():
        exceptions.append(f"{holds.count()} staff incident report(s) on legal hold are kept.")
    keep = in_cases | concerns | evidence
    return {"comments": comments.exclude(pk__in=keep).count(), "keep_comment_ids": keep,
            "join_requests": JoinRequest.objects.filter(school=school,
                                                        email__iexact=person.email).count(),
            "membership": membership is not None and not cases.exists(),
            "exceptions": exceptions,
            "is_staff": StaffRole.objects.filter(school=school, user=person).exists()}


def do_erase(request: SubjectRequest, *, actor: User) -> dict[str, Any]:
    school, person = request.school, request.person
    if request.kind != SubjectRequest.Kind.ERASURE or request.status != "open":
        raise ValidationError("This erasure request is not open.")
    plan = erasure_plan(school, person)
    if plan["is_staff"]:
        raise ValidationError("This person still holds staff roles here. Offboard them first "
                              "(Governance › Leaver handover); employment records are kept "
                              "under the staff retention schedule.")
    with transaction.atomic():
        Comment.objects.filter(post__school=school, author=person).exclude(
            pk__in=plan["keep_comment_ids"]).delete()
        JoinRequest.objects.filter(school=school, email__iexact=person.email).delete()
        if plan["membership"]:
            Membership.objects.filter(school=school, user=person).delete()
        _anonymise_account(person)
        request.status = SubjectRequest.Status.DONE
        request.exceptions = plan["exceptions"]
        request.completed_at = timezone.now()
        request.save(update_fields=["status", "exceptions", "completed_at"])
        record("governance.erasure_request.completed", actor=actor, school=school,
               target=request, details={"comments": plan["comments"],
                                        "join_requests": plan["join_requests"],
                                        "membership": plan["membership"],
                                        "exceptions": len(plan["exceptions"])})
    return plan


def _anonymise_account(person: User) -> None:
    """The account stays (audit rows point to it) but no longer identifies anyone, unless it
    still belongs to another school of the installation."""
    if Membership.objects.filter(user=person).exists() or StaffRole.objects.filter(
            user=person).exists():
        return
    person.full_name = f"Erased person {person.pk}"
    person.email = f"erased-{person.pk}@erased.invalid"
    person.password = make_password(None)
    person.is_active = False
    person.save(update_fields=["full_name", "email", "password", "is_active"])

"""Case workflows: open, link comments, keep evidence, record steps, letters and outcomes.

Every change to a case is made against the version the person saw: `_claim_version` bumps it
with a conditional UPDATE, so when two people advance a case at once one wins and the other is
told, and nothing of theirs is half-saved.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from gatehouse.accounts.actions import do_restrict_member
from gatehouse.accounts.models import Membership, Role, StaffRole, User
from gatehouse.audit.log import record
from gatehouse.cases import letters
from gatehouse.cases.models import Case, CaseComment, Letter, Letterhead, LetterTemplate, Step
from gatehouse.community.models import Comment
from gatehouse.evidence.models import EvidenceItem, owner_key
from gatehouse.evidence.store import do_keep_file, do_keep_text
from gatehouse.moderation.models import QueueItem
from gatehouse.schools.models import School

STALE = ("{who} changed this case while you were working on it, so your change was not saved. "
         "The case below is up to date; please check it and try again.")


class StaleCase(ValidationError):
    pass


def _claim_version(case: Case, version: int) -> None:
    """Call inside the transaction that makes the change (precondition for every do_* here)."""
    if not Case.objects.filter(pk=case.pk, version=version).update(version=F("version") + 1):
        raise StaleCase(STALE.format(who="Someone else"))
    case.version = version + 1


def check_date(case: Case, day: dt.date, what: str = "The step") -> None:
    today = timezone.localdate()
    if day > today:
        raise ValidationError(f"{what} is dated {day:%d/%m/%Y}, which is in the future. "
                              "Record steps once they have happened.")
    if day < case.began_on:
        raise ValidationError(f"{what} is dated {day:%d/%m/%Y}, before this case began "
                              f"({case.began_on:%d/%m/%Y}).")


# --- opening and extending ----------------------------------------------------------------


def do_open_case(school: School, *, actor: User, data: dict[str, Any]) -> Case:
    member: Membership | None = data.get("member")
    if member is not None and member.school_id != school.pk:
        raise ValidationError("That person is not a member of this school's group.")
    if data["began_on"] > timezone.localdate():
        raise ValidationError("The date the behaviour began cannot be in the future.")
    try:
        with transaction.atomic():
            case = Case.objects.create(school=school, opened_by=actor, **data)
            record("cases.case.opened", actor=actor, school=school, target=case,
                   details={"member": member.pk if member else None,
                            "touches_pupil": case.touches_pupil})
    except IntegrityError as exc:
        raise ValidationError(f"{member} already has an open case; add to that one.") from exc
    return case


def open_case_for(membership: Membership, *, actor: User, began_on: dt.date) -> Case:
    """The member's open case, opened now if they have none (precondition: in a transaction)."""
    case = Case.objects.select_for_update().filter(member=membership, status=Case.Status.OPEN
                                                   ).first()
    if case is not None:
        return case
    try:
        with transaction.atomic():  # a savepoint: two escalations at once may both get here
            case = Case.objects.create(
                school=membership.school, member=membership, opened_by=actor,
                subject_name=membership.user.full_name, subject_email=membership.user.email,
                relationship=f"Parent in the group ({membership.child_year})",
                began_on=began_on)
    except IntegrityError:
        return Case.objects.select_for_update().get(member=membership,
                                                    status=Case.Status.OPEN)
    record("cases.case.opened", actor=actor, school=membership.school, target=case,
           details={"member": membership.pk, "from": "moderation queue"})
    return case


def do_escalate_to_case(item: QueueItem, *, actor: User, note: str = "") -> Case | None:
    """The queue's "escalate": open or extend the author's case with the hidden comment."""
    comment = item.comment
    if comment is None:  # a comment on the school's Page or Instagram: no member to follow up
        return None
    membership = Membership.objects.filter(user=comment.author_id, school=item.school).first()
    if membership is None:  # staff comments are not a parent's case
        return None
    with transaction.atomic():
        began = timezone.localdate(comment.created_at)
        case = open_case_for(membership, actor=actor, began_on=began)
        _link(case, comment, actor=actor, queue_item=item)
        case.categories = sorted(set(case.categories) | set(item.categories))
        case.began_on = min(case.began_on, began)
        case.save(update_fields=["categories", "began_on"])
        Case.objects.filter(pk=case.pk).update(version=F("version") + 1)
        step = Step.objects.create(case=case, kind=Step.Kind.HIDDEN_REPORTED,
                                   occurred_on=timezone.localdate(), recorded_by=actor,
                                   notes=note or "Hidden from the group and escalated from the "
                                   "moderation queue.")
        record("cases.step.recorded", actor=actor, school=case.school, target=step,
               details={"case": case.pk, "kind": step.kind, "comment": comment.pk})
    return case


def _link(case: Case, comment: Comment, *, actor: User, queue_item: QueueItem | None) -> None:
    if CaseComment.objects.filter(case=case, comment=comment).exists():
        return
    CaseComment.objects.create(case=case, comment=comment, queue_item=queue_item,
                               added_by=actor)
    record("cases.comment.linked", actor=actor, school=case.school, target=case,
           details={"comment": comment.pk})


def do_link_comment(case: Case, *, actor: User, version: int, comment: Comment) -> None:
    if comment.post.school_id != case.school_id:
        raise ValidationError("That comment is not in this school's group.")
    with transaction.atomic():
        _claim_version(case, version)
        _link(case, comment, actor=actor, queue_item=getattr(comment, "queue_item", None))


# --- evidence -----------------------------------------------------------------------------


def do_add_evidence(case: Case, *, actor: User, version: int, title: str, text: str,
                    screenshot: tuple[bytes, str] | None, meta: dict[str, Any]) -> EvidenceItem:
    """Keep external evidence (a screenshot or a copied text) in the case, byte for byte."""
    if meta.get("seen_at") and timezone.localdate(meta["seen_at"]) > timezone.localdate():
        raise ValidationError("The time it was seen cannot be in the future.")
    with transaction.atomic():
        _claim_version(case, version)
        if screenshot is not None:
            data, media_type = screenshot
            item = do_keep_file(case.school, owner=owner_key(case), title=title, data=data,
                                media_type=media_type, kind=EvidenceItem.Kind.SCREENSHOT,
                                actor=actor, **meta)
        else:
            item = do_keep_text(case.school, owner=owner_key(case), title=title, text=text,
                                actor=actor, **meta)
        record("cases.evidence.added", actor=actor, school=case.school, target=case,
               details={"item": item.pk, "sha256": item.sha256, "kind": item.kind,
                        "platform": item.platform})
    return item


# --- steps --------------------------------------------------------------------------------


def do_add_step(case: Case, *, actor: User, version: int, kind: str,
                data: dict[str, Any]) -> Step:
    check_date(case, data["occurred_on"])
    _check_step(case, kind, data)
    restrict = data.pop("restrict", None)
    with transaction.atomic():
        _claim_version(case, version)
        step = Step(case=case, kind=kind, recorded_by=actor, **data)
        if kind == Step.Kind.RESTRICTION:
            step.restriction = _restriction_for(case, actor, restrict)
        step.save()
        record("cases.step.recorded", actor=actor, school=case.school, target=step,
               details={"case": case.pk, "kind": kind, "occurred_on": step.occurred_on,
                        "deadline": step.deadline, "reference": step.reference})
    return step


def _restriction_for(case: Case, actor: User, restrict: dict[str, Any] | None) -> Any:
    """A new restriction through the members' page's own action, or the one in force."""
    if case.member is None:
        raise ValidationError("This person is not in the parents' group, so there is no forum "
                              "access to restrict.")
    if restrict:
        return do_restrict_member(case.member, actor=actor, **restrict)
    current = case.member.active_restriction()
    if current is None:
        raise ValidationError("No restriction is in force; choose one to apply.")
    return current


def _check_step(case: Case, kind: str, data: dict[str, Any]) -> None:
    if case.status != Case.Status.OPEN:
        raise ValidationError("This case is closed; reopen it before adding steps.")
    if kind == Step.Kind.WARNING:
        if not data.get("deadline"):
            raise ValidationError("A written warning needs a removal deadline.")
        if data["deadline"] <= timezone.localdate():
            raise ValidationError("The removal deadline must be after today.")
    if kind == Step.Kind.MEETING and not data.get("meeting_at"):
        raise ValidationError("Give the date and time of the meeting.")
    if kind == Step.Kind.POLICE and not data.get("police_force"):
        raise ValidationError("Name the police force.")
    if kind == Step.Kind.PROVIDER and not data.get("platform"):
        raise ValidationError("Name the platform or host asked to remove the content.")


def do_record_outcome(step: Step, *, actor: User, version: int, outcome: str,
                      outcome_on: dt.date, notes: str) -> None:
    check_date(step.case, outcome_on, "The outcome")
    if outcome_on < step.occurred_on:
        raise ValidationError("The outcome cannot be dated before the step itself.")
    with transaction.atomic():
        _claim_version(step.case, version)
        step.outcome, step.outcome_on, step.outcome_notes = outcome, outcome_on, notes.strip()
        step.save(update_fields=["outcome", "outcome_on", "outcome_notes"])
        record("cases.step.outcome", actor=actor, school=step.case.school, target=step,
               details={"case": step.case_id, "outcome": outcome, "on": outcome_on})


def do_close_case(case: Case, *, actor: User, version: int, reopen: bool = False) -> None:
    with transaction.atomic():
        _claim_version(case, version)
        case.status = Case.Status.OPEN if reopen else Case.Status.CLOSED
        case.closed_at = None if reopen else timezone.now()
        try:
            case.save(update_fields=["status", "closed_at"])
        except IntegrityError as exc:
            raise ValidationError("This person already has another open case.") from exc
        record("cases.case.reopened" if reopen else "cases.case.closed", actor=actor,
               school=case.school, target=case)


# --- letters ------------------------------------------------------------------------------


def recipient_email(step: Step) -> str:
    return step.provider_email if step.kind == Step.Kind.PROVIDER else step.case.subject_email


def do_send_letter(step: Step, *, actor: User, delivery: str) -> Letter:
    """Freeze the letter as a PDF in the evidence store, then email it if asked."""
    if not step.letter_kind:
        raise ValidationError("This step has no letter.")
    email = recipient_email(step)
    if delivery == Letter.Delivery.EMAIL and not email:
        raise ValidationError("There is no email address for this letter, so it can only be "
                              "printed. Choose “Print” and send it by post or by hand.")
    rendered = letters.render_letter(step)
    pdf = letters.render_pdf(rendered.html)
    item = None
    try:
        with transaction.atomic():
            item = do_keep_file(step.case.school, owner=owner_key(step.case),
                                title=f"Letter: {rendered.subject}", data=pdf,
                                media_type="application/pdf",
                                kind=EvidenceItem.Kind.DOCUMENT, actor=actor)
            letter = Letter.objects.create(
                case=step.case, step=step, kind=step.letter_kind, template=rendered.template,
                recipient_name=letters.letter_context(step)["recipient"],
                recipient_email=email if delivery == Letter.Delivery.EMAIL else "",
                subject=rendered.subject, delivery=delivery, pdf=item, sha256=item.sha256,
                sent_by=actor)
            record("cases.letter.sent", actor=actor, school=step.case.school, target=letter,
                   details={"case": step.case_id, "kind": letter.kind, "delivery": delivery,
                            "sha256": letter.sha256})
            if delivery == Letter.Delivery.EMAIL:
                from gatehouse.cases.tasks import send_letter

                transaction.on_commit(lambda: send_letter.delay(letter.pk))
    except IntegrityError as exc:
        if item is not None:  # the row was rolled back; don't leave its file behind
            item.file.delete(save=False)
        raise ValidationError("This letter was already sent; a sent letter is never changed."
                              ) from exc
    return letter


def do_save_template(school: School, *, actor: User, kind: str, subject: str,
                     body: str) -> LetterTemplate:
    letters.check_template(subject, body)
    with transaction.atomic():
        current = letters.current_template(school, kind)
        template = LetterTemplate.objects.create(
            school=school, kind=kind, version=(current.version + 1) if current else 1,
            subject=subject.strip(), body=body.strip(), saved_by=actor)
        record("cases.template.saved", actor=actor, school=school, target=template,
               details={"kind": kind, "version": template.version})
    return template


def do_save_letterhead(school: School, *, actor: User, data: dict[str, Any],
                       crest: tuple[bytes, str] | None) -> Letterhead:
    with transaction.atomic():
        letterhead, _ = Letterhead.objects.get_or_create(
            school=school, defaults={"display_name": school.name})
        for key, value in data.items():
            setattr(letterhead, key, value)
        if crest is not None:
            letterhead.crest.save(f"crest-{school.pk}", ContentFile(crest[0]), save=False)
            letterhead.crest_type = crest[1]
        letterhead.save()
        record("cases.letterhead.saved", actor=actor, school=school, target=letterhead,
               details={"crest": bool(crest)})
    return letterhead


def head_teacher_emails(school: School) -> list[str]:
    heads = StaffRole.objects.filter(school=school, role=Role.HEAD_TEACHER)
    return sorted(set(heads.values_list("user__email", flat=True)))

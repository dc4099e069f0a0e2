"""Subject access: everything Gatehouse holds about one person, as a ZIP with a readable page
(HTML and PDF) and the same data as JSON. For a school in a trust, every school of the trust is
searched (one controller), each school in its own section. Third parties are redacted: staff
appear as "a member of staff", other people's words and names are left out, and case notes
(which may name others) are withheld, with the redaction said in the export."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from typing import Any

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from gatehouse.accounts.models import JoinRequest, Membership, Restriction, StaffRole, User
from gatehouse.audit.models import AuditEntry
from gatehouse.cases.letters import render_pdf
from gatehouse.cases.models import Case
from gatehouse.community.models import Comment
from gatehouse.consent.models import PhotoConsent, Pupil, StaffImagePermission
from gatehouse.incidents.models import Incident
from gatehouse.moderation.models import CommentReport
from gatehouse.moderation.originals import originals_of
from gatehouse.schools.models import School

STAFF = "a member of staff"


def schools_searched(school: School) -> list[School]:
    if school.trust_id is None:
        return [school]
    return list(School.objects.filter(trust_id=school.trust_id).order_by("name"))


def collect(school: School, person: User) -> dict[str, Any]:
    return {
        "format": "gatehouse-subject-access/1",
        "produced_at": timezone.now().isoformat(),
        "person": {"name": person.full_name, "email": person.email,
                   "account_created": person.date_joined.isoformat(),
                   "centrally_employed": person.centrally_employed},
        "redactions": "Other people's names and words are left out; staff are shown as 'a "
                      "member of staff'; notes in escalation cases are withheld because they "
                      "may identify others.",
        "schools": [_school_section(s, person) for s in schools_searched(school)],
    }


def _school_section(school: School, person: User) -> dict[str, Any]:
    membership = Membership.objects.filter(school=school, user=person).first()
    return {
        "school": school.name,
        "staff_roles": [r.get_role_display() for r in StaffRole.objects.filter(
            school=school, user=person)],
        "membership": _membership(membership),
        "join_requests": _join_requests(school, person),
        "comments": _comments(school, person),
        "reports_made": [{"comment": r.comment_id, "category": r.category,
                          "reason": r.reason, "at": r.created_at.isoformat()}
                         for r in CommentReport.objects.filter(comment__post__school=school,
                                                               reporter=person)],
        "consents": _consents(school, person),
        "image_permission": [{"given": p.given, "changed_at": p.changed_at.isoformat()}
                             for p in StaffImagePermission.objects.filter(school=school,
                                                                          user=person)],
        "cases_about_them": _cases(school, person, membership),
        "incidents": _incidents(school, person),
        "audit_entries": _audit(school, person, membership),
    }


def _membership(membership: Membership | None) -> dict[str, Any] | None:
    if membership is None:
        return None
    restrictions = Restriction.objects.filter(membership=membership).order_by("starts_at")
    return {"joined_at": membership.joined_at.isoformat(), "child_name": membership.child_name,
            "child_year": membership.child_year,
            "restrictions": [{"kind": r.get_kind_display(), "reason": r.reason,
                              "from": r.starts_at.isoformat(),
                              "until": r.ends_at.isoformat() if r.ends_at else None,
                              "lifted_at": r.lifted_at.isoformat() if r.lifted_at else None}
                             for r in restrictions]}


def _join_requests(school: School, person: User) -> list[dict[str, Any]]:
    return [{"made_at": j.created_at.isoformat(), "name": j.full_name, "email": j.email,
             "date_of_birth": j.date_of_birth.isoformat(), "child_name": j.child_name,
             "child_year": j.child_year, "status": j.get_status_display(),
             "decision_reason": j.decision_reason}
            for j in JoinRequest.objects.filter(school=school, email__iexact=person.email)]


def _comments(school: School, person: User) -> list[dict[str, Any]]:
    comments = list(Comment.objects.filter(post__school=school, author=person)
                    .select_related("queue_item").order_by("created_at"))
    originals = {pk: item.text for pk, item in originals_of(c.pk for c in comments).items()}
    rows = []
    for c in comments:
        item = getattr(c, "queue_item", None)
        rows.append({"id": c.pk, "posted_at": c.created_at.isoformat(), "text": c.body,
                     "status": c.get_status_display(), "post": c.post_id,
                     "kept_original": originals.get(c.pk),
                     "moderation": {"decision": item.get_status_display(),
                                    "categories": item.categories} if item else None})
    return rows


def _consents(school: School, person: User) -> list[dict[str, Any]]:
    pupils = Pupil.objects.filter(school=school).of_parent(person)
    return [{"pupil": f"{c.pupil.first_name} {c.pupil.last_name}", "channel":
             c.get_channel_display(), "status": c.get_status_display(),
             "recorded_at": c.recorded_at.isoformat(),
             "recorded_by": "you" if c.recorded_by_id == person.pk else STAFF}
            for c in PhotoConsent.objects.filter(pupil__in=pupils).select_related("pupil")]


def _cases(school: School, person: User, membership: Membership | None) -> list[dict[str, Any]]:
    about = Q(subject_email__iexact=person.email)
    if membership is not None:
        about |= Q(member=membership)
    rows = []
    for case in Case.objects.filter(school=school).filter(about).prefetch_related("steps"):
        rows.append({"reference": case.reference, "status": case.get_status_display(),
                     "opened_at": case.opened_at.isoformat(),
                     "began_on": case.began_on.isoformat(),
                     "steps": [{"step": s.get_kind_display(), "on": s.occurred_on.isoformat(),
                                "recorded_by": STAFF, "notes": "[withheld: may identify others]"}
                               for s in case.steps.all()],
                     "comments": [link.comment_id for link in case.comments.all()]})
    return rows


def _incidents(school: School, person: User) -> list[dict[str, Any]]:
    rows = []
    for i in Incident.objects.filter(school=school).filter(Q(reporter=person) | Q(victim=person)):
        rows.append({"reference": i.reference, "reported_at": i.created_at.isoformat(),
                     "you_reported_it": i.reporter_id == person.pk,
                     "about_you": i.victim_id == person.pk, "platform": i.platform,
                     "url": i.url, "what_happened": i.what_happened,
                     "status": i.get_status_display(),
                     "who_it_seems_to_come_from": "[withheld: a third party]" if i.source else ""})
    return rows


def _audit(school: School, person: User, membership: Membership | None) -> list[dict[str, Any]]:
    about = Q(actor=person) | Q(object_type="accounts.user", object_id=str(person.pk))
    if membership is not None:
        about |= Q(object_type="accounts.membership", object_id=str(membership.pk))
    entries = AuditEntry.objects.filter(school=school).filter(about).order_by("seq")
    return [{"seq": e.seq, "at": e.created_at.isoformat(), "action": e.action,
             "by": "you" if e.actor_id == person.pk else (STAFF if e.actor_id else "system"),
             "object": f"{e.object_type}:{e.object_id}"} for e in entries]


def build_export(school: School, person: User) -> tuple[bytes, str]:
    """The ZIP (index.html, the same as index.pdf, data.json) and its SHA-256."""
    data = collect(school, person)
    html = render_to_string("governance/subject_access_export.html", {"data": data})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("index.html", html)
        archive.writestr("index.pdf", render_pdf(html))
        archive.writestr("data.json", json.dumps(data, indent=1, ensure_ascii=False))
    content = buffer.getvalue()
    return content, hashlib.sha256(content).hexdigest()

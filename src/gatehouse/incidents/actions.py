"""Incident workflows: report (routed by the victim's employer), update, and the evidence pack."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import slugify
from django.template.loader import render_to_string
from django.utils import timezone

from gatehouse.accounts.models import Role, StaffRole, User
from gatehouse.audit.log import record
from gatehouse.audit.models import AuditEntry
from gatehouse.cases.letters import render_pdf
from gatehouse.evidence.models import CustodyEvent, EvidenceItem, owner_key
from gatehouse.evidence.packs import PackFile, build_pack, json_file
from gatehouse.evidence.store import (
    custody_log,
    do_keep_file,
    do_note_custody,
    do_record_export,
    items_of,
)
from gatehouse.incidents.models import Incident
from gatehouse.lib.mail import email_after_commit
from gatehouse.schools.models import School

_ROLE_OF_ROUTE = {Incident.Route.HEAD_TEACHER: Role.HEAD_TEACHER,
                  Incident.Route.HEAD_OF_HR: Role.HEAD_OF_HR}


def owner_emails(school: School, route: str) -> list[str]:
    holders = StaffRole.objects.filter(school=school, role=_ROLE_OF_ROUTE[route])
    return sorted(set(holders.values_list("user__email", flat=True)))


def route_for(school: School, victim: User) -> str:
    """Head of HR for centrally employed staff (policy), else the head teacher. A school with
    no Head of HR recorded sends it to the head teacher rather than to nobody."""
    if victim.centrally_employed and owner_emails(school, Incident.Route.HEAD_OF_HR):
        return Incident.Route.HEAD_OF_HR
    return Incident.Route.HEAD_TEACHER


def check_reporter(school: School, reporter: User, victim: User) -> None:
    if not reporter.roles_at(school.pk) or not victim.roles_at(school.pk):
        raise ValidationError("Only members of staff at this school can report, or be the "
                              "subject of, a staff incident report.")


def do_report_incident(school: School, *, reporter: User, victim: User, data: dict[str, Any],
                       files: list[tuple[bytes, str, str]]) -> Incident:
    check_reporter(school, reporter, victim)
    route = route_for(school, victim)
    with transaction.atomic():
        incident = Incident.objects.create(school=school, reporter=reporter, victim=victim,
                                           route=route, **data)
        for n, (content, media_type, name) in enumerate(files, 1):
            kind = (EvidenceItem.Kind.DOCUMENT if media_type == "application/pdf"
                    else EvidenceItem.Kind.SCREENSHOT)
            do_keep_file(school, owner=owner_key(incident), title=f"File {n}: {name}"[:200],
                         data=content, media_type=media_type, kind=kind, actor=reporter,
                         platform=incident.platform, url=incident.url, seen_at=incident.seen_at)
        # The audit row says who reported and where it went, never what was said.
        record("incidents.incident.reported", actor=reporter, school=school, target=incident,
               details={"route": route, "about_self": victim.pk == reporter.pk,
                        "files": len(files)})
    email_after_commit(owner_emails(school, route), "incidents/email/reported",
                       {"incident": incident, "school": school})
    return incident


def do_update_incident(incident: Incident, *, actor: User, data: dict[str, Any]) -> None:
    case = data.get("case")
    if case is not None and case.school_id != incident.school_id:
        raise ValidationError("That case is not at this school.")
    changed = {}
    for field in ("status", "outcome", "case", "platform_report", "legal_hold"):
        if field in data and getattr(incident, field) != data[field]:
            setattr(incident, field, data[field])
            value = data[field]
            changed[field] = value.pk if hasattr(value, "pk") else value
    if not changed:
        return
    if "outcome" in changed:  # the words stay with the incident, out of the audit log
        changed["outcome"] = "changed"
    if incident.status == Incident.Status.CLOSED and incident.closed_at is None:
        incident.closed_at = timezone.now()
    elif incident.status != Incident.Status.CLOSED:
        incident.closed_at = None
    with transaction.atomic():
        incident.save()
        record("incidents.incident.updated", actor=actor, school=incident.school,
               target=incident, details=changed)


def do_note_view(incident: Incident, item: EvidenceItem, *, actor: User, download: bool) -> None:
    do_note_custody([item], action=CustodyEvent.Action.DOWNLOADED if download else
                    CustodyEvent.Action.VIEWED, actor=actor, note=incident.reference)


# --- the evidence pack --------------------------------------------------------------------


def _audit(incident: Incident) -> list[dict[str, Any]]:
    entries = AuditEntry.objects.filter(
        school=incident.school, object_type="incidents.incident", object_id=str(incident.pk)
    ).select_related("actor")
    return [{"seq": e.seq, "at": e.created_at.isoformat(), "actor": str(e.actor or "system"),
             "action": e.action, "details": e.details, "hash": e.hash} for e in entries]


def build_incident_pack(incident: Incident) -> tuple[bytes, str, int]:
    """The ZIP (PDF summary, originals, audit and custody logs), its manifest hash, its size."""
    items = items_of(owner_key(incident))
    rows, originals = [], []
    for n, item in enumerate(items, 1):
        name = f"evidence/{n:03d}-{slugify(item.title)[:40] or 'item'}.{item.extension}"
        originals.append(PackFile(name, item.read_original()))
        rows.append({"file": name, "item": item})
    summary = render_pdf(render_to_string("incidents/pack_summary.html", {
        "incident": incident, "evidence": rows, "now": timezone.now()}))
    files = [PackFile("summary.pdf", summary), *originals,
             json_file("audit.json", _audit(incident)),
             json_file("custody.json", custody_log(items))]
    data, manifest_sha256 = build_pack(files, title=f"Evidence pack for {incident.reference}")
    return data, manifest_sha256, len(files)


def do_export_pack(incident: Incident, *, actor: User) -> bytes:
    data, manifest_sha256, count = build_incident_pack(incident)
    with transaction.atomic():
        do_record_export(incident.school, owner=owner_key(incident),
                         manifest_sha256=manifest_sha256, files=count, actor=actor)
        record("incidents.pack.exported", actor=actor, school=incident.school, target=incident,
               details={"manifest_sha256": manifest_sha256, "files": count})
    return data

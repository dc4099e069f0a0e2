"""Subject access (export contents, trust-wide, redaction, the statutory month) and erasure
(with the exceptions a school keeps)."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from gatehouse.accounts.models import Membership, Restriction, User
from gatehouse.audit.log import record
from gatehouse.cases.models import Case, Step
from gatehouse.community.models import Comment, Post
from gatehouse.evidence.models import EvidenceItem, owner_key
from gatehouse.governance.models import SubjectRequest
from gatehouse.moderation.models import QueueItem
from gatehouse.moderation.originals import do_keep_original
from gatehouse.schools.models import Trust


def _url(school: Any, name: str, **kwargs: Any) -> str:
    return reverse(f"staff:{name}", kwargs={"slug": school.slug, **kwargs})


@pytest.fixture
def parent(school: Any, staff: dict[str, Any], make_parent: Any) -> Membership:
    member = make_parent(school, email="jordan@parents.example", name="Jordan Lee")
    post = Post.objects.create(school=school, author=staff["admin"], body="Sports day")
    Comment.objects.create(post=post, author=member.user, body="Lovely day!")
    held = Comment.objects.create(post=post, author=member.user, body="The head is useless",
                                  status=Comment.Status.HELD)
    QueueItem.objects.create(school=school, comment=held, source="auto",
                             categories=["complaint_about_school_or_staff"])
    other = make_parent(school, email="other@parents.example", name="Other Person")
    Comment.objects.create(post=post, author=other.user, body="Someone else's words")
    Restriction.objects.create(membership=member, kind=Restriction.Kind.READ_ONLY,
                               reason="Rude comments", created_by=staff["admin"])
    case = Case.objects.create(school=school, member=member, subject_name="Jordan Lee",
                               opened_by=staff["head"], began_on=dt.date(2026, 1, 1))
    Step.objects.create(case=case, kind=Step.Kind.MEETING, occurred_on=dt.date(2026, 1, 2),
                        recorded_by=staff["head"], notes="Other Person complained too",
                        meeting_at=case.opened_at)
    record("accounts.member.restricted", actor=staff["admin"], school=school, target=member)
    return member


def _open(client: Any, school: Any, kind: str, email: str, on: str = "2026-01-10") -> Any:
    return client.post(_url(school, "governance_requests"),
                       {"kind": kind, "email": email, "received_on": on})


def test_a_subject_access_export_holds_their_data_and_redacts_others(
    school: Any, staff: dict[str, Any], parent: Membership, login_client: Any, tmp_path: Path,
) -> None:
    client = login_client(staff["admin"])
    assert _open(client, school, "access", "Jordan@Parents.example").status_code == 302
    request = SubjectRequest.objects.get()
    assert request.due_on == dt.date(2026, 2, 10) and request.overdue()
    response = client.post(_url(school, "governance_request_export", pk=request.pk))
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert set(archive.namelist()) == {"index.html", "index.pdf", "data.json"}
    pdf = tmp_path / "index.pdf"
    pdf.write_bytes(archive.read("index.pdf"))
    text = subprocess.run(["/usr/bin/pdftotext", str(pdf), "-"], capture_output=True,  # noqa: S603
                          check=True, text=True).stdout
    assert "The head is useless" in text and "Rude comments" in text
    data = json.loads(archive.read("data.json"))
    section = data["schools"][0]
    texts = {c["text"]: c["status"] for c in section["comments"]}
    assert texts == {"Lovely day!": "Visible", "The head is useless": "Awaiting review"}
    assert section["membership"]["restrictions"][0]["reason"] == "Rude comments"
    assert section["cases_about_them"][0]["steps"][0]["notes"].startswith("[withheld")
    assert section["audit_entries"][0]["by"] == "a member of staff"
    html = archive.read("index.html").decode()
    assert "The head is useless" in html and "Rude comments" in html
    for text in (html, json.dumps(data)):
        assert "Someone else" not in text and "Other Person" not in text
        assert staff["head"].full_name not in text and staff["admin"].email not in text
    request.refresh_from_db()
    assert request.status == "done" and len(request.export_sha256) == 64


def test_a_person_with_data_in_two_schools_of_a_trust_gets_both(
    school: Any, make_school: Any, staff: dict[str, Any], parent: Membership,
    make_user: Any, login_client: Any,
) -> None:
    trust = Trust.objects.create(name="Riverside Trust")
    sister = make_school(name="Brook Primary")
    for s in (school, sister):
        s.trust = trust
        s.save()
    Membership.objects.create(user=parent.user, school=sister, child_name="Sam",
                              child_year="Year 1")
    unrelated = make_school(name="Elsewhere")
    Membership.objects.create(user=parent.user, school=unrelated, child_name="Zed",
                              child_year="Year 2")
    client = login_client(staff["admin"])
    _open(client, school, "access", parent.user.email)
    content = client.post(_url(school, "governance_request_export",
                               pk=SubjectRequest.objects.get().pk)).content
    data = json.loads(zipfile.ZipFile(io.BytesIO(content)).read("data.json"))
    assert [s["school"] for s in data["schools"]] == ["Brook Primary", "Oakfield Primary"]
    assert data["schools"][0]["membership"]["child_name"] == "Sam"


def test_requests_for_strangers_or_future_dates_are_refused(
    school: Any, staff: dict[str, Any], parent: Membership, make_school: Any,
    make_parent: Any, login_client: Any,
) -> None:
    stranger = make_parent(make_school()).user
    client = login_client(staff["admin"])
    for email, on in ((stranger.email, "2026-01-10"), ("nobody@x.example", "2026-01-10"),
                      (parent.user.email, "2099-01-01")):
        response = _open(client, school, "access", email, on)
        assert response.status_code == 400
        assert email in response.content.decode()  # what was typed is kept
    assert not SubjectRequest.objects.exists()
    assert login_client(staff["governor"]).get(_url(school, "governance_requests")
                                               ).status_code == 403


def test_erasure_removes_what_it_may_and_keeps_the_exceptions(
    school: Any, staff: dict[str, Any], parent: Membership, make_parent: Any,
    login_client: Any,
) -> None:
    concern = Comment.objects.create(post=Post.objects.first(), author=parent.user,
                                     body="My son is being hit on the bus")
    QueueItem.objects.create(school=school, comment=concern, source="auto",
                             kind=QueueItem.Kind.CONCERN)
    client = login_client(staff["admin"])
    _open(client, school, "erasure", parent.user.email, "2026-01-10")
    request = SubjectRequest.objects.get()
    page = client.get(_url(school, "governance_request", pk=request.pk)).content.decode()
    assert "safeguarding" in page and "escalation case" in page
    client.post(_url(school, "governance_request_erase", pk=request.pk))
    request.refresh_from_db()
    assert request.status == "done" and len(request.exceptions) == 2
    remaining = set(Comment.objects.filter(author=parent.user).values_list("body", flat=True))
    assert remaining == {"My son is being hit on the bus"}
    assert Membership.objects.filter(pk=parent.pk).exists()  # the case keeps it
    assert Comment.objects.filter(body="Someone else's words").exists()


def test_erasure_of_a_plain_member_anonymises_the_account(
    school: Any, staff: dict[str, Any], make_parent: Any, login_client: Any,
) -> None:
    member = make_parent(school, email="leaving@parents.example", name="Pat Leaving")
    Comment.objects.create(post=Post.objects.create(school=school, author=staff["admin"],
                                                    body="x"), author=member.user, body="Hi")
    client = login_client(staff["admin"])
    _open(client, school, "erasure", member.user.email, "2026-01-10")
    client.post(_url(school, "governance_request_erase", pk=SubjectRequest.objects.get().pk))
    user = User.objects.get(pk=member.user.pk)
    assert user.full_name.startswith("Erased person") and not user.is_active
    assert not Membership.objects.filter(pk=member.pk).exists()
    assert not Comment.objects.filter(author=user).exists()


def test_staff_cannot_be_erased_before_they_are_offboarded(
    school: Any, staff: dict[str, Any], login_client: Any,
) -> None:
    client = login_client(staff["admin"])
    _open(client, school, "erasure", staff["teacher"].email, "2026-01-10")
    request = SubjectRequest.objects.get()
    client.post(_url(school, "governance_request_erase", pk=request.pk))
    request.refresh_from_db()
    assert request.status == "open"
    assert User.objects.get(pk=staff["teacher"].pk).full_name == "Daniel Patel"


def test_open_requests_are_due_on_the_administrator_s_console(
    school: Any, staff: dict[str, Any], parent: Membership, login_client: Any,
) -> None:
    client = login_client(staff["admin"])
    home = reverse("staff:home", kwargs={"slug": school.slug})
    assert "Subject requests and access reviews due" not in client.get(home).content.decode()
    _open(client, school, "access", parent.user.email, "2026-01-10")
    page = client.get(home).content.decode()
    assert "Subject requests and access reviews due" in page and "Subject access #" in page


def _hide(comment: Comment, school: Any, actor: Any) -> None:
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.HIDDEN)
    do_keep_original(comment, school=school, actor=actor)


def test_the_export_holds_their_hidden_originals_and_nobody_else_s(
    school: Any, staff: dict[str, Any], parent: Membership, login_client: Any,
) -> None:
    post = Post.objects.first()
    _hide(Comment.objects.create(post=post, author=parent.user, body="You are all liars"),
          school, staff["moderator"])
    other = Comment.objects.get(body="Someone else's words")
    _hide(other, school, staff["moderator"])
    client = login_client(staff["admin"])
    _open(client, school, "access", parent.user.email)
    content = client.post(_url(school, "governance_request_export",
                               pk=SubjectRequest.objects.get().pk)).content
    data = json.loads(zipfile.ZipFile(io.BytesIO(content)).read("data.json"))
    kept = {c["text"]: c["kept_original"] for c in data["schools"][0]["comments"]}
    assert kept["You are all liars"] == "You are all liars"
    assert kept["Lovely day!"] is None
    assert "Someone else" not in json.dumps(data)


def test_erasure_keeps_a_comment_whose_original_is_kept_as_evidence(
    school: Any, staff: dict[str, Any], parent: Membership, login_client: Any,
) -> None:
    hidden = Comment.objects.create(post=Post.objects.first(), author=parent.user,
                                    body="You are all liars")
    _hide(hidden, school, staff["moderator"])
    client = login_client(staff["admin"])
    _open(client, school, "erasure", parent.user.email, "2026-01-10")
    client.post(_url(school, "governance_request_erase", pk=SubjectRequest.objects.get().pk))
    assert set(Comment.objects.filter(author=parent.user).values_list("body", flat=True)
               ) == {"You are all liars"}
    assert EvidenceItem.objects.get(owner=owner_key(hidden)).is_intact()

"""Letters: school wording to PDF, preview, email with the PDF attached, frozen once sent."""

from __future__ import annotations

import datetime as dt
import hashlib
import http.server
import threading
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from gatehouse.cases.letters import render_letter, render_pdf
from gatehouse.cases.models import Case, Letter, LetterTemplate, Step
from gatehouse.cases.tests.conftest import case_url, pdf_text

MEETING_AT = dt.datetime(2031, 3, 14, 15, 30, tzinfo=ZoneInfo("Europe/London"))


def _meeting(client: Any, case: Case, when: dt.datetime) -> Step:
    response = client.post(case_url("case_step_add", case, kind="meeting"), {
        "version": Case.objects.get(pk=case.pk).version,
        "occurred_on": timezone.localdate().isoformat(),
        "meeting_at": when.strftime("%Y-%m-%dT%H:%M"), "place": "the head teacher's office",
        "hsa_clauses": "Parents will raise concerns directly with the school."})
    assert response.status_code == 302, response.content.decode()
    return case.steps.get(kind="meeting")


@pytest.fixture
def meeting(staff: dict[str, Any], case: Case, login_client: Any) -> Step:
    return _meeting(login_client(staff["head"]), case, MEETING_AT)


def test_the_meeting_letter_pdf_quotes_the_comment_and_the_date(
    meeting: Step, staff: dict[str, Any], login_client: Any, tmp_path: Path
) -> None:
    response = login_client(staff["head"]).get(
        case_url("case_letter_pdf", meeting.case, step_id=meeting.pk))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    assert "batter Mr Hollis" in text
    assert "Friday 14 March 2031" in text and "15:30" in text
    assert "raise concerns directly with the school" in text


def test_the_letter_is_previewed_in_the_browser(
    meeting: Step, staff: dict[str, Any], login_client: Any
) -> None:
    page = login_client(staff["head"]).get(
        case_url("case_letter", meeting.case, step_id=meeting.pk)).content.decode()
    assert "Check the letter" in page and "Friday 14 March 2031" in page
    assert "batter Mr Hollis" in page


# Committed data: with a broker, the Celery worker reads the letter on its own connection.
@pytest.mark.django_db(transaction=True)
def test_sending_emails_the_frozen_pdf_over_smtp(
    meeting: Step, staff: dict[str, Any], login_client: Any, smtp_server: Any,
    django_capture_on_commit_callbacks: Any, tmp_path: Path
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = login_client(staff["head"]).post(
            case_url("case_letter", meeting.case, step_id=meeting.pk), {"delivery": "email"})
    assert response.status_code == 302
    message = smtp_server.wait_for("jordan@parents.example")
    letter = Letter.objects.get(step=meeting)
    attachments = [p for p in message.walk() if p.get_content_type() == "application/pdf"]
    attached = attachments[0].get_payload(decode=True)
    assert hashlib.sha256(attached).hexdigest() == letter.sha256 == letter.pdf.sha256
    assert "batter Mr Hollis" in pdf_text(attached, tmp_path)
    with pytest.raises(ValidationError):
        letter.save()
    again = login_client(staff["head"]).post(
        case_url("case_letter", meeting.case, step_id=meeting.pk), {"delivery": "print"})
    assert again.status_code == 200 and Letter.objects.filter(step=meeting).count() == 1


def test_with_no_email_the_letter_is_print_only(
    meeting: Step, staff: dict[str, Any], login_client: Any
) -> None:
    Case.objects.filter(pk=meeting.case_id).update(subject_email="")
    client = login_client(staff["head"])
    url = case_url("case_letter", meeting.case, step_id=meeting.pk)
    assert "can only be printed" in client.get(url).content.decode()
    refused = client.post(url, {"delivery": "email"})
    assert refused.status_code == 400 and "can only be printed" in refused.content.decode()
    assert not Letter.objects.exists()
    assert client.post(url, {"delivery": "print"}).status_code == 302
    assert Letter.objects.get().delivery == Letter.Delivery.PRINT


def test_a_template_with_broken_syntax_is_refused_and_the_last_good_one_keeps_working(
    school: Any, staff: dict[str, Any], meeting: Step, login_client: Any
) -> None:
    client = login_client(staff["head"])
    url = f"/s/{school.slug}/staff/cases/letters/meeting/"
    good = client.post(url, {"subject": "Please come in", "body":
                             "<p>Dear {{ recipient }}, see you on {{ meeting_date }}.</p>"})
    assert good.status_code == 302
    broken = client.post(url, {"subject": "Oops", "body":
                               "<p>Dear {{ recipient }}</p>\n{% for c in comments %}<p>x</p>"})
    assert broken.status_code == 400
    page = broken.content.decode()
    assert "has a mistake on line 2" in page and "previous wording is still in use" in page
    assert LetterTemplate.objects.filter(school=school).count() == 1
    rendered = render_letter(meeting)
    assert rendered.subject == "Please come in" and "see you on Friday 14 March 2031" in \
        rendered.html


@pytest.mark.parametrize(("body", "error"), [
    ("<p>{{ recipeint }}</p>", "Unknown placeholder"),
    ("<script>alert(1)</script>", "&lt;script&gt;"),
    ('<p onclick="x()">Hi</p>', "attributes on &lt;p&gt;"),
])
def test_templates_refuse_unknown_placeholders_and_markup(
    school: Any, staff: dict[str, Any], login_client: Any, body: str, error: str
) -> None:
    response = login_client(staff["head"]).post(
        f"/s/{school.slug}/staff/cases/letters/warning/", {"subject": "Warning", "body": body})
    assert response.status_code == 400 and error in response.content.decode()


def test_letters_never_fetch_from_the_network(tmp_path: Path) -> None:
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            requests.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        html = (f'<link rel="stylesheet" href="http://127.0.0.1:{port}/x.css"><p>Hello</p>'
                f'<img src="http://127.0.0.1:{port}/tracker.png" alt="">')
        assert "Hello" in pdf_text(render_pdf(html), tmp_path)
    finally:
        server.shutdown()
    assert requests == []


def test_the_letterhead_crest_is_checked_like_a_photo(
    school: Any, staff: dict[str, Any], login_client: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = login_client(staff["head"]).post(f"/s/{school.slug}/staff/cases/letters/", {
        "display_name": "Oakfield Primary", "signature_role": "Head teacher",
        "crest": SimpleUploadedFile("crest.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>")})
    assert response.status_code == 400 and "not a photo" in response.content.decode()

"""Letters: the school's editable wording, rendered to HTML for preview and to PDF to send.

Templates use Django's template language in a sandboxed engine (no {% include %}, no loading of
files) with a fixed set of placeholders. A template that does not compile is never saved, so the
last good version keeps working.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import weasyprint
import weasyprint.images
from django.core.exceptions import ValidationError
from django.template import Context, Engine, TemplateSyntaxError
from django.template.loader import render_to_string
from django.utils import timezone
from PIL import ImageFile

from gatehouse.cases.defaults import DEFAULT_TEMPLATES
from gatehouse.cases.models import Letterhead, LetterTemplate, Step
from gatehouse.schools.models import School

# WeasyPrint switches on Pillow's LOAD_TRUNCATED_IMAGES for the whole process when imported,
# which would let truncated uploads through the photo and screenshot checks. Switch it back:
# letters only embed a crest that already passed those checks.
ImageFile.LOAD_TRUNCATED_IMAGES = False

# A separate engine with no template loaders: school wording cannot include or extend files.
# debug=True only so syntax errors carry their line number for the head teacher.
SANDBOX = Engine(loaders=[("django.template.loaders.locmem.Loader", {})], autoescape=True,
                 debug=True)
PLACEHOLDERS = {
    "recipient": "the person the letter is to", "school": "the school's name",
    "reference": "the case reference", "today": "today's date",
    "comments": "the comments concerned (each has .text and .date)",
    "meeting_date": "the meeting's date", "meeting_time": "the meeting's time",
    "place": "where the meeting is", "hsa_clauses": "the Home-School Agreement clauses",
    "deadline": "the removal deadline", "platform": "the platform or host",
    "content_url": "the address of the content", "signature_name": "who signs",
    "signature_role": "their role",
}
_PLACEHOLDER_USE = re.compile(r"{{\s*([a-zA-Z_]+)|{%\s*for\s+\w+\s+in\s+([a-zA-Z_]+)")
_LOOP_NAMES = re.compile(r"{%\s*for\s+(\w+)\s+in")
_PDF_CSS = weasyprint.CSS(string="""
@page { size: A4; margin: 22mm 20mm; }
body { font-family: "DejaVu Sans", sans-serif; font-size: 10.5pt; line-height: 1.45; }
.letterhead { border-bottom: 2px solid #1d4f91; padding-bottom: 6mm; margin-bottom: 8mm; }
.letterhead img { float: right; max-height: 22mm; max-width: 40mm; }
.letterhead .school-name { font-size: 16pt; font-weight: bold; margin: 0; color: #1d4f91; }
.address { white-space: pre-line; color: #333; }
.meta { margin-bottom: 6mm; } .body p { margin: 0 0 3mm; }
blockquote { border-left: 3px solid #999; margin: 2mm 0 3mm; padding: 1mm 4mm; }
/* Fixed layout: WeasyPrint's automatic table widths cost seconds on long cases. */
table { width: 100%; border-collapse: collapse; table-layout: fixed; }
col.w10 { width: 12%; } col.w20 { width: 20%; } col.w25 { width: 25%; }
col.w30 { width: 30%; } col.w45 { width: 43%; }
th, td { border-bottom: 1px solid #ccc; padding: 1mm; vertical-align: top; font-size: 9pt;
  text-align: left; }
.hash { font-size: 7pt; word-break: break-all; }
.signature { margin-top: 10mm; } .ref { color: #555; font-size: 9pt; }
""")


@dataclass(frozen=True)
class RenderedLetter:
    subject: str
    html: str
    template: LetterTemplate | None


def current_template(school: School, kind: str) -> LetterTemplate | None:
    return LetterTemplate.objects.filter(school=school, kind=kind).order_by("-version").first()


def wording(school: School, kind: str) -> tuple[str, str, LetterTemplate | None]:
    template = current_template(school, kind)
    if template is not None:
        return template.subject, template.body, template
    subject, body = DEFAULT_TEMPLATES[kind]
    return subject, body, None


def check_template(subject: str, body: str) -> None:
    """Refuse wording that would not render, naming the line and the problem."""
    check_markup(body)
    used = {a or b for a, b in _PLACEHOLDER_USE.findall(body + subject)}
    unknown = sorted(used - set(PLACEHOLDERS) - set(_LOOP_NAMES.findall(body)) - {"forloop"})
    if unknown:
        raise ValidationError(
            f"Unknown placeholder {', '.join('{{ ' + u + ' }}' for u in unknown)}. "
            f"You can use: {', '.join(sorted(PLACEHOLDERS))}.")
    for label, text in (("subject", subject), ("letter", body)):
        try:
            SANDBOX.from_string(text).render(Context(_sample_context()))
        except TemplateSyntaxError as exc:
            line = _error_line(exc)
            raise ValidationError(f"The {label} has a mistake{line}: {exc}. Nothing was saved; "
                                  "the previous wording is still in use.") from exc


def _error_line(exc: TemplateSyntaxError) -> str:
    info = getattr(exc, "template_debug", None)
    return f" on line {info['line']}" if info and info.get("line") else ""


def letter_context(step: Step, letterhead: Letterhead | None = None) -> dict[str, Any]:
    case = step.case
    letterhead = letterhead or letterhead_for(case.school)
    meeting = timezone.localtime(step.meeting_at) if step.meeting_at else None
    return {
        "recipient": case.subject_name if step.kind != Step.Kind.PROVIDER else
        (step.platform or "the provider"),
        "school": letterhead.display_name, "reference": case.reference,
        "today": _long_date(timezone.localdate()),
        "comments": [{"text": link.comment.body,
                      "date": _long_date(timezone.localdate(link.comment.created_at))}
                     for link in case.comments.select_related("comment")],
        "meeting_date": _long_date(meeting.date()) if meeting else "",
        "meeting_time": meeting.strftime("%H:%M") if meeting else "",
        "place": step.place, "hsa_clauses": step.hsa_clauses,
        "deadline": _long_date(step.deadline) if step.deadline else "",
        "platform": step.platform, "content_url": step.content_url,
        "signature_name": letterhead.signature_name, "signature_role": letterhead.signature_role,
    }


def render_letter(step: Step) -> RenderedLetter:
    """The letter's subject and full HTML (letterhead, body, signature)."""
    letterhead = letterhead_for(step.case.school)
    subject, body, template = wording(step.case.school, step.letter_kind)
    context = letter_context(step, letterhead)
    try:
        text = SANDBOX.from_string(body).render(Context(context))
        subject = SANDBOX.from_string(subject).render(Context(context))
    except TemplateSyntaxError:  # pragma: no cover - check_template refuses these on save
        subject, body = DEFAULT_TEMPLATES[step.letter_kind]
        text = SANDBOX.from_string(body).render(Context(context))
        template = None
    html = render_to_string("cases/letter_document.html", {
        "letterhead": letterhead, "crest": crest_data_uri(letterhead), "body": text,
        "subject": subject, "context": context})
    return RenderedLetter(subject=" ".join(subject.split()), html=html, template=template)


def render_pdf(html: str) -> bytes:
    """HTML to PDF. Only data: URLs are fetched: a letter can never reach the network."""
    fetcher = weasyprint.URLFetcher(allowed_protocols={"data"})
    return weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=[_PDF_CSS])


def letterhead_for(school: School) -> Letterhead:
    found = Letterhead.objects.filter(school=school).first()
    return found or Letterhead(school=school, display_name=school.name)


def crest_data_uri(letterhead: Letterhead) -> str:
    if not letterhead.crest:
        return ""
    with letterhead.crest.open("rb") as handle:
        data = base64.b64encode(handle.read()).decode("ascii")
    return f"data:{letterhead.crest_type};base64,{data}"


def _long_date(day: dt.date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _sample_context() -> dict[str, Any]:
    today = _long_date(timezone.localdate())
    sample = {key: f"[{key}]" for key in PLACEHOLDERS}
    return {**sample, "today": today,
            "comments": [{"text": "An example comment.", "date": today}]}


class _TagCheck(HTMLParser):
    """Collects tags and attributes that letter wording may not use."""

    ALLOWED = frozenset({"p", "br", "strong", "b", "em", "i", "u", "blockquote", "ul", "ol",
                         "li", "h2", "h3"})

    def __init__(self) -> None:
        super().__init__()
        self.bad: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.ALLOWED:
            self.bad.add(f"<{tag}>")
        if attrs:
            self.bad.add(f"attributes on <{tag}>")


def check_markup(body: str) -> None:
    parser = _TagCheck()
    parser.feed(body)
    if parser.bad:
        raise ValidationError(
            f"Letters can use simple formatting only ({', '.join(sorted(_TagCheck.ALLOWED))}), "
            f"without attributes. Please remove: {', '.join(sorted(parser.bad))}.")

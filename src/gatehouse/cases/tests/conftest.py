"""Fixtures for case tests: a school's staff, a parent with a held threat, an open case."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from gatehouse.cases.models import Case
from gatehouse.community.models import Post
from gatehouse.moderation.models import QueueItem

PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"
THREAT = "I'm going to wait outside the gates and batter Mr Hollis, he won't walk away"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def staff(school: Any, make_user: Any) -> dict[str, Any]:
    return {
        "head": make_user(school=school, roles=("head_teacher",), email="head@s.example",
                          name="Helen Carter"),
        "moderator": make_user(school=school, roles=("moderator",), email="mod@s.example"),
        "dsl": make_user(school=school, roles=("dsl",), email="dsl@s.example"),
        "governor": make_user(school=school, roles=("governor",), email="gov@s.example"),
    }


@pytest.fixture
def parent(school: Any, make_parent: Any) -> Any:
    return make_parent(school, email="jordan@parents.example", name="Jordan Lee")


@pytest.fixture
def held(school: Any, staff: dict[str, Any], parent: Any) -> QueueItem:
    from gatehouse.community.actions import do_add_comment

    post = Post.objects.create(school=school, author=staff["head"], body="Sports day Friday")
    comment = do_add_comment(post, author=parent.user, membership=parent, body=THREAT)
    return QueueItem.objects.get(comment=comment)


@pytest.fixture
def case(school: Any, staff: dict[str, Any], held: QueueItem, login_client: Any) -> Case:
    """The threat escalated from the queue by a moderator, as in the browser."""
    url = reverse("staff:moderation_decide", kwargs={"slug": school.slug, "pk": held.pk,
                                                     "decision": "escalate"})
    login_client(staff["moderator"]).post(url, {"note": "Threat to a teacher"})
    return Case.objects.get(member__user=held.comment.author)


def case_url(name: str, case: Case, **kwargs: Any) -> str:
    return reverse(f"staff:{name}", kwargs={"slug": case.school.slug, "pk": case.pk, **kwargs})


def png_bytes(size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def pdf_text(data: bytes, tmp_path: Path) -> str:
    """The PDF's text as pdftotext (poppler) reads it: what a person would see."""
    path = tmp_path / "letter.pdf"
    path.write_bytes(data)
    out = subprocess.run([PDFTOTEXT, "-layout", str(path), "-"],  # noqa: S603
                         capture_output=True, check=True, text=True)
    return " ".join(out.stdout.split())


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)

"""Print how long letters take to render as PDF, and how long a case's evidence pack takes.

Run from the repo root:  .venv/bin/python bench/cases.py [--letters 40] [--packs 5]

Builds a throwaway SQLite database and media folder in a temporary directory: the demo school,
one case with 50 evidence items (20 phone-sized screenshots and 30 copied texts), 5 hidden
comments, the ladder's steps and 3 sent letters. Then it times rendering the meeting letter
(template + WeasyPrint PDF) and exporting the evidence pack (summary PDF, originals, manifest,
audit), and verifying that pack. No timing is asserted anywhere; this only prints figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS, TEXTS, COMMENTS = 20, 30, 5


def _django_setup(workdir: Path) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ["SQLITE_PATH"] = str(workdir / "bench.sqlite3")
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gatehouse.settings")
    import django

    django.setup()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def screenshot(n: int) -> bytes:
    """A phone screenshot-like JPEG (1170 × 2532: a photo above lines of text), ~0.5 MB."""
    import numpy as np
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1170, 2532), (255, 255, 255))
    noise = np.random.default_rng(n).integers(0, 255, (500, 1090, 3), dtype=np.uint8)
    image.paste(Image.fromarray(noise).resize((1090, 900)), (40, 1500))
    draw = ImageDraw.Draw(image)
    for row in range(60):
        y = 80 + row * 40
        draw.rectangle((40, y, 40 + (row * 97 + n * 31) % 1000 + 80, y + 18),
                       fill=((row * 13) % 200, (n * 17) % 200, 90))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def build_case() -> object:
    from django.core.management import call_command
    from django.utils import timezone

    from gatehouse.accounts.models import Membership, User
    from gatehouse.cases import actions
    from gatehouse.cases.models import Case, CaseComment, Letter
    from gatehouse.community.models import Comment, Post
    from gatehouse.schools.demo import create_demo_school

    call_command("migrate", verbosity=0)
    school = create_demo_school(slug="bench", posts=1)
    head = User.objects.get(email="head@oakfield.example")
    member = Membership.objects.get(school=school, user__email="parent@oakfield.example")
    case = actions.do_open_case(school, actor=head, data={
        "member": member, "subject_name": member.user.full_name,
        "subject_email": member.user.email, "began_on": timezone.localdate()})
    post = Post.objects.filter(school=school).first()
    for n in range(COMMENTS):
        comment = Comment.objects.create(post=post, author=member.user, status="hidden",
                                         body=f"Comment {n}: I will make Mr Patel pay for this")
        CaseComment.objects.create(case=case, comment=comment, added_by=head)
    for n in range(SCREENSHOTS + TEXTS):
        case.refresh_from_db()
        shot = (screenshot(n), "image/jpeg") if n < SCREENSHOTS else None
        actions.do_add_evidence(case, actor=head, version=case.version, title=f"Item {n}",
                                text="" if shot else f"Copied post {n}. " * 20, screenshot=shot,
                                meta={"platform": "Facebook", "notes": "",
                                      "url": f"https://facebook.example/p/{n}",
                                      "seen_at": timezone.now()})
    today = timezone.localdate()
    for kind, data in [
        ("meeting", {"meeting_at": timezone.now() + dt.timedelta(days=3), "place": "Office",
                     "hsa_clauses": "Parents will raise concerns with the school."}),
        ("warning", {"deadline": today + dt.timedelta(days=7)}),
        ("police", {"police_force": "Kent Police", "reference": "46/1/26"}),
        ("provider", {"platform": "Facebook", "content_url": "https://facebook.example/p/1"}),
    ]:
        case.refresh_from_db()
        step = actions.do_add_step(case, actor=head, version=case.version, kind=kind,
                                   data={"occurred_on": today, **data})
        if step.letter_kind:
            actions.do_send_letter(step, actor=head, delivery=Letter.Delivery.PRINT)
    return Case.objects.get(pk=case.pk)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=40)
    parser.add_argument("--packs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gatehouse-bench-cases-") as tmp:
        _django_setup(Path(tmp))
        from gatehouse.cases.letters import render_letter, render_pdf
        from gatehouse.cases.pack import do_export_pack
        from gatehouse.evidence.packs import verify_pack

        t0 = time.perf_counter()
        case = build_case()
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
              f"{platform.python_version()}; setup {time.perf_counter() - t0:.1f} s")
        meeting = case.steps.get(kind="meeting")
        head = case.opened_by
        render_pdf(render_letter(meeting).html)  # warm up fonts and caches
        times, size = [], 0
        for _ in range(args.letters):
            t0 = time.perf_counter()
            size = len(render_pdf(render_letter(meeting).html))
            times.append((time.perf_counter() - t0) * 1000)
        print(f"letter PDF (meeting, {case.comments.count()} quoted comments), "
              f"{args.letters} renders: p50 {percentile(times, 50):.1f} ms, "
              f"p95 {percentile(times, 95):.1f} ms, {size / 1024:.0f} KB")
        pack_times, verify_times, data = [], [], b""
        for _ in range(args.packs):
            t0 = time.perf_counter()
            data = do_export_pack(case, actor=head)
            pack_times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            verdict = verify_pack(data)
            verify_times.append(time.perf_counter() - t0)
            assert verdict.ok, verdict.problems
        print(f"evidence pack (50 items incl. {SCREENSHOTS} screenshots, {COMMENTS} comments, "
              f"3 letters), {args.packs} exports: median {statistics.median(pack_times):.2f} s, "
              f"max {max(pack_times):.2f} s, {len(data) / 1_048_576:.1f} MB, "
              f"{verdict.checked} files; verify median "
              f"{statistics.median(verify_times) * 1000:.0f} ms")


if __name__ == "__main__":
    main()

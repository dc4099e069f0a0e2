"""Publishing benchmark: deliveries per minute through the scheduler (claim, consent check
at the moment of publishing, connector, save) against the local fake Graph server, for the
parents' group, Facebook Page text posts, Facebook photo posts and Instagram photo posts.
Runs in its own SQLite database in a temporary folder.

    .venv/bin/python bench/publishing.py [--posts 60] [--video-seconds 30] [--video-size 1280x720]

Then the video check, end to end on one generated video (a face moving across the frame, 30
frames a second, with sound): the upload check (sniff, decode, faces on sampled frames, tracks)
and the published copy (re-encode with the face track blurred, no metadata), in seconds and
per minute of video. `--posts 0` measures only the video; `--video-seconds 0` skips it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup(folder: str) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.update({"DJANGO_SETTINGS_MODULE": "gatehouse.settings",
                       "SQLITE_PATH": f"{folder}/bench.sqlite3", "MEDIA_ROOT": f"{folder}/m",
                       "INSTAGRAM_POLL_SECONDS": "0", "LOG_LEVEL": "WARNING",
                       "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"})
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _school() -> tuple[object, object, object]:
    from gatehouse.accounts.models import StaffRole, User
    from gatehouse.schools.models import School

    school = School.objects.create(name="Bench", slug="bench", security_question="?",
                                   security_answer_hash="x")
    poster = User.objects.create_user("poster@bench.example", None, full_name="Poster")
    leader = User.objects.create_user("leader@bench.example", None, full_name="Leader")
    StaffRole.objects.create(user=poster, school=school, role="administrator")
    StaffRole.objects.create(user=leader, school=school, role="leadership")
    return school, poster, leader


def _photo_draft(school: object, poster: object, channels: list[str]) -> object:
    from gatehouse.publishing.tests.worker_scenario import photo_draft_without_people

    return photo_draft_without_people(school, poster, channels, size=1080)


def _schedule(school: object, poster: object, leader: object, channel: str, n: int,
              photos: bool) -> None:
    from django.utils import timezone

    from gatehouse.publishing import actions

    for i in range(n):
        draft = _photo_draft(school, poster, [channel]) if photos else None
        post = actions.do_create_post(school, actor=poster, body=f"Post {i} for {channel}",
                                      link="", channels=[channel], photos=draft,
                                      publish_at=timezone.now() + dt.timedelta(hours=1))
        post = actions.do_submit(post, actor=poster)
        actions.do_agree(post, actor=leader, fingerprint=post.fingerprint())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=60)
    parser.add_argument("--video-seconds", type=float, default=30)
    parser.add_argument("--video-size", default="1280x720")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        _setup(folder)
        from django.conf import settings
        from django.utils import timezone

        from gatehouse.publishing.connectors.secrets import encrypt_token
        from gatehouse.publishing.delivery import run_due
        from gatehouse.publishing.fake_graph import FakeGraph
        from gatehouse.publishing.models import Connection, Delivery

        graph = FakeGraph().start()
        graph.state.polls_before_finished = 0
        graph.state.quota_total = 10_000
        settings.GRAPH_API_BASE = graph.base_url
        school, poster, leader = _school()
        for platform, account in (("facebook", graph.state.page_id),
                                  ("instagram", graph.state.ig_id)):
            Connection.objects.create(school=school, platform=platform, account_id=account,
                                      token_encrypted=encrypt_token("demo-page-token"),
                                      connected_by=poster)
        print(f"load average at start: {os.getloadavg()[0]:.2f}")
        for label, channel, photos in (("parents' group, text", "parents_group", False),
                                       ("Facebook Page, text", "facebook", False),
                                       ("Facebook Page, one photo", "facebook", True),
                                       ("Instagram, one photo", "instagram", True)
                                       ) if args.posts else ():
            Delivery.objects.all().delete()
            _schedule(school, poster, leader, channel, args.posts, photos)
            start = time.perf_counter()
            done = run_due(timezone.now() + dt.timedelta(hours=2))
            seconds = time.perf_counter() - start
            assert done == {"published": args.posts}, done
            print(f"{label:28} {args.posts / seconds * 60:8.0f} deliveries/minute "
                  f"({args.posts} in {seconds:.2f} s)")
        graph.stop()
        if args.video_seconds:
            width, height = (int(v) for v in args.video_size.split("x"))
            _video(Path(folder), args.video_seconds, (width, height))
        print(f"load average at end: {os.getloadavg()[0]:.2f}")


def _video(folder: Path, seconds: float, size: tuple[int, int]) -> None:
    from gatehouse.publishing.tests.videos import make_video
    from gatehouse.publishing.video import check_video, render_video

    source = make_video(folder / "bench.mov", seconds=seconds, size=size, fps=30)
    label = f"{seconds:g} s {size[0]}x{size[1]} video"
    start = time.perf_counter()
    with source.open("rb") as handle:
        checked = check_video(handle)
    checking = time.perf_counter() - start
    start = time.perf_counter()
    with source.open("rb") as handle:
        render_video(handle, folder / "published.mp4", [t.boxes for t in checked.tracks])
    rendering = time.perf_counter() - start
    per_minute = 60 / seconds
    print(f"{label}: upload check {checking:.1f} s ({len(checked.tracks)} face track(s)), "
          f"published copy {rendering:.1f} s, end to end {checking + rendering:.1f} s "
          f"= {(checking + rendering) * per_minute:.0f} s per minute of video")


if __name__ == "__main__":
    main()

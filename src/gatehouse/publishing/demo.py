"""The demo school's Facebook Page and Instagram account, on the fake Graph server that
`make run` starts (see `manage.py run_fake_graph`), and a short video post waiting for its
check."""

from __future__ import annotations

import tempfile
from pathlib import Path

from gatehouse.accounts.models import User
from gatehouse.consent.models import Channel
from gatehouse.lib.shared_data import SHARED_DATA
from gatehouse.publishing import actions, videos
from gatehouse.publishing.connectors.secrets import encrypt_token
from gatehouse.publishing.fake_graph import FakeGraphState
from gatehouse.publishing.models import Connection, Post, PublishingSettings
from gatehouse.publishing.sample_video import make_video
from gatehouse.schools.models import School

DEMO_TOKEN = "demo-page-token"  # noqa: S105  (the fake Graph server's, not a secret)
# A public face photo the tests use too (outside the project); without it the demo video
# shows a plain background and has no face to tag.
DEMO_FACE = SHARED_DATA / "faces" / "face_recognition_examples" / "examples" / "obama-480p.jpg"
DEMO_VIDEO_POST = "Year 4's relay race at sports day: well run, everyone!"


def add_demo_publishing(school: School) -> None:
    admin = User.objects.get(email="admin@oakfield.example")
    # Quick text posts to the parents' group go straight out; everything else is agreed.
    PublishingSettings.objects.create(school=school, quick_text_posts=True)
    fake = FakeGraphState()
    for platform, account, name in ((Channel.FACEBOOK, fake.page_id, fake.page_name),
                                    (Channel.INSTAGRAM, fake.ig_id, fake.ig_username)):
        Connection.objects.create(school=school, platform=platform, account_id=account,
                                  name=name, token_encrypted=encrypt_token(DEMO_TOKEN),
                                  connected_by=admin)


def add_demo_video(school: School) -> Post:
    """A 2-second 320x240 video post (a face photo sliding across the frame, made here with
    PyAV in a fraction of a second) for the group and the Page, uploaded as a poster would:
    its face is found like any upload's (by the worker, or at once without a broker) and
    waits to be tagged on the video check page."""
    admin = User.objects.get(email="admin@oakfield.example")
    post = actions.do_create_post(school, actor=admin, body=DEMO_VIDEO_POST, link="",
                                  channels=[Channel.PARENTS_GROUP, Channel.FACEBOOK],
                                  publish_at=None, has_video=True)
    with tempfile.TemporaryDirectory() as folder:
        clip = make_video(Path(folder) / "sports-day.mov", seconds=2, audio=False,
                          portrait=DEMO_FACE if DEMO_FACE.exists() else None)
        with clip.open("rb") as handle:
            probed = videos.check_upload(handle, size=clip.stat().st_size)
            videos.do_add_video(post, actor=admin, upload=handle, probed=probed)
    return post

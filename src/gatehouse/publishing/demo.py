"""The demo school's Facebook Page and Instagram account, on the fake Graph server that
`make run` starts (see `manage.py run_fake_graph`)."""

from __future__ import annotations

from gatehouse.accounts.models import User
from gatehouse.consent.models import Channel
from gatehouse.publishing.connectors.secrets import encrypt_token
from gatehouse.publishing.fake_graph import FakeGraphState
from gatehouse.publishing.models import Connection, PublishingSettings
from gatehouse.schools.models import School

DEMO_TOKEN = "demo-page-token"  # noqa: S105  (the fake Graph server's, not a secret)


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

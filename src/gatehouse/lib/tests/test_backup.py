"""Backup → wipe → restore gives back the same school: data, files, audit chain and pages."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.urls import reverse

from gatehouse.accounts.models import User
from gatehouse.audit.models import AuditEntry
from gatehouse.moderation.actions import do_hide
from gatehouse.moderation.models import QueueItem
from gatehouse.moderation.originals import hidden_originals
from gatehouse.schools import demo

PAGES = ["feed", "staff:home", "staff:moderation_queue", "staff:audit", "staff:members",
         "staff:pupils", "my_children"]
ORIGINAL = "consent/originals/2026/11/3f2a9c.jpg"


def _wipe_database() -> None:
    """What a lost server leaves: a database with no tables at all."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
            return
        cursor.execute("PRAGMA foreign_keys = OFF")
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'DROP TABLE "{table}"')


def _what_each_person_sees() -> dict[tuple[str, str], tuple[int, bool]]:
    """Per demo login and page: the status, and whether the school's first post is on it."""
    seen = {}
    first_post = demo.SAMPLE_POSTS[0]
    for login in demo.demo_logins():
        client = Client()
        client.force_login(User.objects.get(email=login.email))
        for page in PAGES:
            response = client.get(reverse(page, kwargs={"slug": "oakfield"}))
            seen[(login.email, page)] = (response.status_code,
                                         first_post in response.content.decode())
    return seen


@pytest.fixture
def school_with_files(transactional_db: None, settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    school = demo.create_demo_school(posts=3)
    moderator = User.objects.get(email="moderator@oakfield.example")
    held = QueueItem.objects.filter(school=school).first()
    do_hide(held, actor=moderator, note="Threat towards a member of staff")  # kept as evidence
    original = settings.MEDIA_ROOT / ORIGINAL
    original.parent.mkdir(parents=True)
    original.write_bytes(b"\xff\xd8\xff\xe0 a photo's original bytes \x00\x01\xff\xd9")
    return tmp_path


def test_a_backup_restores_into_an_empty_database(school_with_files: Path, settings: Any) -> None:
    before = _what_each_person_sees()
    audit_rows = AuditEntry.objects.count()
    school = QueueItem.objects.first().school
    evidence = list(hidden_originals(school).values_list("pk", "sha256"))
    assert audit_rows and evidence and any(ok for _, ok in before.values())
    archive = school_with_files / "backup.tar"
    call_command("backup", output=archive)

    _wipe_database()
    original = settings.MEDIA_ROOT / ORIGINAL
    original_bytes = original.read_bytes()
    original.unlink()
    call_command("restore", str(archive))

    assert AuditEntry.objects.count() == audit_rows
    assert list(hidden_originals(school).values_list("pk", "sha256")) == evidence
    assert original.read_bytes() == original_bytes
    call_command("verify_audit")  # raises if the chain does not hold
    assert _what_each_person_sees() == before


def test_restore_refuses_a_database_that_is_not_empty(school_with_files: Path) -> None:
    archive = school_with_files / "backup.tar"
    call_command("backup", output=archive)
    with pytest.raises(CommandError, match="database is not empty"):
        call_command("restore", str(archive))


def test_restore_names_a_file_altered_after_the_backup(
    school_with_files: Path, settings: Any
) -> None:
    archive = school_with_files / "backup.tar"
    call_command("backup", output=archive)
    tampered = school_with_files / "tampered.tar"
    with tarfile.open(archive) as source, tarfile.open(tampered, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == f"media/{ORIGINAL}":
                data = data[:-1] + bytes([data[-1] ^ 1])  # one bit changed
            target.addfile(member, io.BytesIO(data))
    _wipe_database()
    for path in Path(settings.MEDIA_ROOT).rglob("*"):
        if path.is_file():
            path.unlink()
    with pytest.raises(CommandError, match=f"media/{ORIGINAL} does not match its SHA-256"):
        call_command("restore", str(tampered))
    assert connection.introspection.table_names() == []  # nothing was half-restored
    call_command("restore", str(archive))  # the good backup still restores
    call_command("verify_audit")


def test_a_file_that_is_not_a_backup_is_refused(tmp_path: Path, transactional_db: None) -> None:
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"this is not a tar file")
    with pytest.raises(CommandError, match="not a readable Gatehouse backup"):
        call_command("restore", str(junk))

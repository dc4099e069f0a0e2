from __future__ import annotations

from typing import Any

import pytest
from django.core.management import CommandError, call_command

from gatehouse.audit.log import mask_secrets, record
from gatehouse.audit.models import AuditEntry


def _write_rows(school: Any, actor: Any, n: int = 4) -> list[AuditEntry]:
    return [record("community.post.created", actor=actor, school=school,
                   details={"n": i, "note": "ünïcode ✓"}) for i in range(n)]


def test_rows_are_chained_and_verify(school: Any, make_user: Any, capsys: Any) -> None:
    rows = _write_rows(school, make_user())
    assert [r.seq for r in rows] == [1, 2, 3, 4]
    assert rows[1].prev_hash == rows[0].hash
    call_command("verify_audit")
    assert "4 rows, chain intact" in capsys.readouterr().out


def test_verify_names_the_first_altered_row(school: Any, make_user: Any) -> None:
    _write_rows(school, make_user())
    AuditEntry.objects.filter(seq=3).update(details={"n": 99})
    AuditEntry.objects.filter(seq=4).update(action="tampered")
    with pytest.raises(CommandError, match=r"#3 .*altered"):
        call_command("verify_audit")


def test_verify_notices_removed_rows(school: Any, make_user: Any) -> None:
    _write_rows(school, make_user())
    AuditEntry.objects.filter(seq=2).delete()  # queryset delete bypasses the model guard
    with pytest.raises(CommandError, match=r"#3 .*rows missing"):
        call_command("verify_audit")


def test_verify_notices_the_newest_row_removed(school: Any, make_user: Any) -> None:
    _write_rows(school, make_user())
    AuditEntry.objects.filter(seq=4).delete()
    with pytest.raises(CommandError, match="newest rows were removed"):
        call_command("verify_audit")


def test_rows_cannot_be_changed_or_deleted_through_the_model(school: Any) -> None:
    entry = record("schools.test", school=school)
    entry.action = "changed"
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()


def test_secrets_are_masked_at_any_depth(db: None) -> None:
    masked = mask_secrets({"password": "p", "nested": [{"api_token": "t", "ok": 1}],
                           "security_answer": "Shelly", "reason": "kept"})
    assert masked == {"password": "***", "nested": [{"api_token": "***", "ok": 1}],
                      "security_answer": "***", "reason": "kept"}
    entry = record("accounts.test", details={"client_secret": "s3cr3t"})
    entry.refresh_from_db()
    assert "s3cr3t" not in str(entry.details)

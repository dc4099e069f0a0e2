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


def _age(seqs: list[int], days: int) -> None:
    from datetime import timedelta

    from django.utils import timezone

    AuditEntry.objects.filter(seq__in=seqs).update(created_at=timezone.now() - timedelta(days=days))


def test_pruning_removes_the_oldest_block_and_the_chain_still_verifies(
    school: Any, make_user: Any, capsys: Any,
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from gatehouse.audit.log import prune_before

    _write_rows(school, make_user(), n=5)
    # Rows 1, 2 and 4 are old, but 3 is not: only the block before the first kept row goes.
    _age([1, 2, 4], days=400)
    # Hashes cover created_at, so re-chain the aged rows as if written then (test set-up).
    _rechain()
    assert prune_before(timezone.now() - timedelta(days=365)) == 2
    assert list(AuditEntry.objects.values_list("seq", flat=True)) == [3, 4, 5, 6]
    pruned = AuditEntry.objects.get(seq=6)
    assert pruned.action == "audit.pruned" and pruned.details["through_seq"] == 2
    call_command("verify_audit")
    assert "4 rows, chain intact (rows up to #2 were removed by retention)" in (
        capsys.readouterr().out)
    assert prune_before(timezone.now() - timedelta(days=365)) == 0  # nothing more to do


def test_a_forged_checkpoint_is_noticed(school: Any, make_user: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from gatehouse.audit.log import prune_before
    from gatehouse.audit.models import AuditChainHead

    _write_rows(school, make_user(), n=4)
    _age([1, 2], days=400)
    _rechain()
    prune_before(timezone.now() - timedelta(days=365))
    # Someone removes row 3 too and moves the checkpoint along to hide it.
    row3 = AuditEntry.objects.get(seq=3)
    AuditEntry.objects.filter(seq=3).delete()
    AuditChainHead.objects.filter(pk=1).update(pruned_through_seq=3,
                                               pruned_through_hash=row3.hash)
    with pytest.raises(CommandError, match="does not match the chain head"):
        call_command("verify_audit")


def _rechain() -> None:
    """Recompute every hash in order (test set-up after back-dating rows)."""
    from gatehouse.audit.models import GENESIS_HASH, AuditChainHead

    prev = GENESIS_HASH
    for entry in AuditEntry.objects.order_by("seq"):
        entry.prev_hash = prev
        entry.hash = entry.compute_hash()
        AuditEntry.objects.filter(pk=entry.pk).update(prev_hash=entry.prev_hash, hash=entry.hash)
        prev = entry.hash
    AuditChainHead.objects.filter(pk=1).update(last_hash=prev)

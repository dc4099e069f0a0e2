"""Move the originals of hidden comments from moderation's own tables into the one evidence store.

Each moderation.Evidence row becomes an evidence.EvidenceItem owned by its comment
("community.comment:<id>"), with the same text, SHA-256 (copied, not recomputed, so an original
altered before the move still shows as altered), author and time; its custody events follow in
their order with the same actors and times. The next migration drops the old tables.

Reversing moves every hidden original back (including ones kept since) and removes them from
the store. Custody notes and items' titles, which the old tables had no place for, are lost.
"""

from django.db import migrations

COMMENT_OWNER = "community.comment:"
ACTION_LENGTH = 12  # evidence.CustodyEvent.action; the old field allowed 30


def _owner(old):
    # A row without a comment cannot happen in practice (only hiding a comment wrote one), but
    # if one exists it is kept, under its old identity, rather than lost.
    if old.comment_id is None:
        return f"moderation.evidence:{old.pk}"
    return f"{COMMENT_OWNER}{old.comment_id}"


def _set_times(model, db, objects, field, times):
    """auto_now_add overwrote the times on insert; put the originals back."""
    for obj, at in zip(objects, times, strict=True):
        setattr(obj, field, at)
    model.objects.using(db).bulk_update(objects, [field], batch_size=500)


def forwards(apps, schema_editor):
    db = schema_editor.connection.alias
    Evidence = apps.get_model("moderation", "Evidence")
    OldCustody = apps.get_model("moderation", "CustodyEvent")
    Item = apps.get_model("evidence", "EvidenceItem")
    Custody = apps.get_model("evidence", "CustodyEvent")
    for old in Evidence.objects.using(db).order_by("created_at", "pk").iterator():
        size = len(old.content.encode("utf-8"))
        item = Item.objects.using(db).create(
            school_id=old.school_id, owner=_owner(old), kind="text",
            title=f"Hidden comment #{old.comment_id}" if old.comment_id else "Hidden comment",
            text=old.content, media_type="text/plain", size=size, sha256=old.sha256,
            created_by_id=old.created_by_id)
        _set_times(Item, db, [item], "created_at", [old.created_at])
        events = list(OldCustody.objects.using(db).filter(evidence_id=old.pk).order_by("at", "pk"))
        # Only "created" and "viewed" were ever written; anything longer keeps its full name.
        new = [Custody(item_id=item.pk, actor_id=e.actor_id, action=e.action[:ACTION_LENGTH],
                       note=e.action if len(e.action) > ACTION_LENGTH else "") for e in events]
        Custody.objects.using(db).bulk_create(new)
        _set_times(Custody, db, new, "at", [e.at for e in events])


def backwards(apps, schema_editor):
    db = schema_editor.connection.alias
    Evidence = apps.get_model("moderation", "Evidence")
    OldCustody = apps.get_model("moderation", "CustodyEvent")
    Comment = apps.get_model("community", "Comment")
    Item = apps.get_model("evidence", "EvidenceItem")
    Custody = apps.get_model("evidence", "CustodyEvent")
    items = Item.objects.using(db).filter(owner__startswith=COMMENT_OWNER)
    for item in items.order_by("created_at", "pk").iterator():
        comment_id = int(item.owner.removeprefix(COMMENT_OWNER))
        if not Comment.objects.using(db).filter(pk=comment_id).exists():
            comment_id = None
        old = Evidence.objects.using(db).create(
            school_id=item.school_id, comment_id=comment_id, content=item.text,
            sha256=item.sha256, created_by_id=item.created_by_id)
        _set_times(Evidence, db, [old], "created_at", [item.created_at])
        events = list(Custody.objects.using(db).filter(item_id=item.pk).order_by("at", "pk"))
        back = [OldCustody(evidence_id=old.pk, actor_id=e.actor_id, action=e.action)
                for e in events]
        OldCustody.objects.using(db).bulk_create(back)
        _set_times(OldCustody, db, back, "at", [e.at for e in events])
    Custody.objects.using(db).filter(item__in=items).delete()
    items.delete()


class Migration(migrations.Migration):

    dependencies = [
        ("moderation", "0002_judgement"),
        ("evidence", "0001_evidence_store"),
        ("community", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

"""Drop moderation's own evidence tables: their rows now live in the evidence store (0003)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("moderation", "0003_move_hidden_originals_to_evidence_store"),
    ]

    operations = [
        migrations.DeleteModel(name="CustodyEvent"),
        migrations.DeleteModel(name="Evidence"),
    ]

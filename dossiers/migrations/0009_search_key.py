"""The officer queue's search key (dossiers/search.py): filled for existing dossiers, and on
PostgreSQL GIN trigram indexes so that a substring match does not read the whole table: one
over the open dossiers (the queues search those: 30 times fewer entries per trigram) and one
over all (a search narrowed to returned dossiers)."""

from django.db import migrations, models


def fill_search_keys(apps, schema_editor):
    from dossiers.search import dossier_search_key

    Dossier = apps.get_model("dossiers", "Dossier")
    batch = []
    for dossier in Dossier.objects.only("code", "applicant_name", "applicant_id_number", "applicant_phone").iterator(
        chunk_size=2000
    ):
        dossier.search_key = dossier_search_key(
            code=dossier.code or "",
            name=dossier.applicant_name,
            id_number=dossier.applicant_id_number,
            phone=dossier.applicant_phone,
        )
        batch.append(dossier)
        if len(batch) == 2000:
            Dossier.objects.bulk_update(batch, ["search_key"])
            batch = []
    Dossier.objects.bulk_update(batch, ["search_key"])


def trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite: LIKE over the column, correct without an index
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    from dossiers.constants import IN_QUEUE

    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS dossier_search_trgm_idx ON dossiers_dossier USING gin (search_key gin_trgm_ops)"
    )
    # The same list, in the same order, as the queues' status__in: the planner matches it.
    open_states = ", ".join(f"'{state}'" for state in IN_QUEUE)
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS dossier_open_search_trgm_idx ON dossiers_dossier "
        f"USING gin (search_key gin_trgm_ops) WHERE status IN ({open_states})"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS dossier_open_search_trgm_idx")
        schema_editor.execute("DROP INDEX IF EXISTS dossier_search_trgm_idx")


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0008_intake_supplement_answer_by"),
    ]

    operations = [
        migrations.AddField(
            model_name="dossier",
            name="search_key",
            field=models.CharField(default="", editable=False, max_length=255),
        ),
        migrations.RunPython(fill_search_keys, migrations.RunPython.noop),
        migrations.RunPython(trigram_index, drop_trigram_index),
    ]

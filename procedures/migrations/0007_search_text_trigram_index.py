"""Typo-tolerant catalogue search on PostgreSQL (procedures/selectors.py): pg_trgm and a GIN
trigram index over the published versions' search text, which serves both the substring match
(LIKE '%word%') and the word-similarity match (search_text %> 'word') of a mistyped word.
SQLite has neither and needs neither: LIKE over a few thousand rows, and difflib for typos."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS version_search_text_trgm_idx ON procedures_procedureversion "
        "USING gin (search_text gin_trgm_ops) WHERE status = 'published'"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS version_search_text_trgm_idx")


class Migration(migrations.Migration):
    dependencies = [
        ("procedures", "0006_agency_desk_contact_and_english_names"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]

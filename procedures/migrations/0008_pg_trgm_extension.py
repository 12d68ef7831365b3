"""pg_trgm on PostgreSQL, for the catalogue search's typo correction (procedures/selectors.py:
trigram similarity to the catalogue's words). The officer queue's search (dossiers) creates it
too; whichever runs first wins, and neither drops it. SQLite corrects typos with difflib."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("procedures", "0007_agency_desk_contact_and_english_names"),
    ]

    operations = [migrations.RunPython(create, migrations.RunPython.noop, elidable=False)]

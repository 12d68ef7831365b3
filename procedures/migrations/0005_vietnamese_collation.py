"""The "vi" collation (ICU) that portal.collation.vietnamese() orders by on PostgreSQL; SQLite
registers its own on each connection (portal/apps.py)."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE COLLATION IF NOT EXISTS vi (provider = icu, locale = 'vi-VN')")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP COLLATION IF EXISTS vi")


class Migration(migrations.Migration):
    dependencies = [
        ("procedures", "0004_seed_search_synonyms"),
    ]

    operations = [migrations.RunPython(create, drop)]

"""A partial index for "in progress, on time": the year's open dossiers by reception date, with
the columns the count reads (PostgreSQL: INCLUDE, so an index-only scan; SQLite: the plain index)."""

from django.db import migrations

IN_PROGRESS = ("received", "in_processing", "consulting", "awaiting_approval", "approved", "supplement_requested",
               "awaiting_payment", "withdrawal_requested")


def create(apps, schema_editor):
    statuses = ", ".join(f"'{s}'" for s in IN_PROGRESS)
    include = (" INCLUDE (due_at, competent_agency_id, procedure_version_id)"
               if schema_editor.connection.vendor == "postgresql" else "")
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS ind_dossier_open_idx ON dossiers_dossier (received_at)"
                          f"{include} WHERE status IN ({statuses})")


def drop(apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS ind_dossier_open_idx")


class Migration(migrations.Migration):
    dependencies = [("indicators", "0002_dossier_period_indexes")]
    operations = [migrations.RunPython(create, drop)]

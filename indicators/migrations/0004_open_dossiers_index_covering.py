"""The open-dossiers index also carries the id, so PostgreSQL counts from the index alone."""

from django.db import migrations


IN_PROGRESS = ("received", "in_processing", "consulting", "awaiting_approval", "approved", "supplement_requested",
               "awaiting_payment", "withdrawal_requested")


def recreate(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    statuses = ", ".join(f"'{s}'" for s in IN_PROGRESS)
    schema_editor.execute("DROP INDEX IF EXISTS ind_dossier_open_idx")
    schema_editor.execute("CREATE INDEX ind_dossier_open_idx ON dossiers_dossier (received_at) "
                          f"INCLUDE (id, due_at, competent_agency_id, procedure_version_id) WHERE status IN ({statuses})")


class Migration(migrations.Migration):
    dependencies = [("indicators", "0003_open_dossiers_index")]
    operations = [migrations.RunPython(recreate, migrations.RunPython.noop)]

"""Indexes on the dossiers table for the indicators' live part (days the snapshot does not hold
yet, today always): a period's received and ended dossiers are found by these two columns.

Plain SQL (understood by PostgreSQL and SQLite) rather than AddIndex, because the Dossier model
belongs to the dossiers app; they change no model state.
"""

from django.db import migrations

TABLE = "dossiers_dossier"


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0001_initial"),
        ("dossiers", "0004_fee_waived_event"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS ind_dossier_received_idx ON {TABLE} (received_at, competent_agency_id)",
            "DROP INDEX IF EXISTS ind_dossier_received_idx",
        ),
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS ind_dossier_finished_idx ON {TABLE} (finished_at, competent_agency_id)",
            "DROP INDEX IF EXISTS ind_dossier_finished_idx",
        ),
    ]

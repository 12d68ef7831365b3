from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from procedures.catalogue_io import CatalogueError, import_catalogue


class Command(BaseCommand):
    help = "Import a procedure catalogue JSON file (all or nothing; running it twice changes nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"cannot read {file}: {error}") from None
        try:
            report = import_catalogue(text)
        except CatalogueError as error:
            raise CommandError(
                f"{file} was rejected, nothing was imported ({len(error.problems)} problems):\n  "
                + "\n  ".join(error.problems)
            ) from None
        self.stdout.write(
            f"fields: {report.fields_created} new, {report.fields_updated} updated; "
            f"agencies: {report.agencies_created} new, {report.agencies_updated} updated; "
            f"procedures: {report.procedures_created} new, {report.procedures_updated} new versions, "
            f"{report.procedures_unchanged} unchanged"
        )

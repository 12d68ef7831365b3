import json

from django.core.management.base import BaseCommand

from procedures.catalogue_io import export_catalogue


class Command(BaseCommand):
    help = "Print the published catalogue as JSON in the import format."

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(export_catalogue(), ensure_ascii=False, indent=1))

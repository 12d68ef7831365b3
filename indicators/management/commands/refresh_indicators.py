from datetime import date

from django.core.management.base import BaseCommand

from indicators.services import snapshot_refresh


class Command(BaseCommand):
    help = "Recount the indicators snapshot (DailyCounts) from a date up to yesterday."

    def add_arguments(self, parser):
        parser.add_argument("--since", type=date.fromisoformat, required=True, help="First day, YYYY-MM-DD.")

    def handle(self, *args, since, **options):
        self.stdout.write(f"{snapshot_refresh(start=since)} rows written")

from django.core.management.base import BaseCommand, CommandError

from archive.models import ArchivePackage, PackageState
from archive.package import ARCHIVED_STATES
from archive.services import package_build
from dossiers.models import Dossier


class Command(BaseCommand):
    help = "Build the archive package of ended dossiers that have none yet (backfill)."

    def add_arguments(self, parser):
        parser.add_argument("codes", nargs="*", help="dossier codes")
        parser.add_argument("--all-ended", action="store_true", help="every ended dossier without a built package")

    def handle(self, *args, codes, all_ended, **options):
        if not codes and not all_ended:
            raise CommandError("Give dossier codes or --all-ended.")
        dossiers = Dossier.objects.filter(status__in=ARCHIVED_STATES).exclude(code=None)
        if codes:
            dossiers = dossiers.filter(code__in=codes)
            missing = set(codes) - set(dossiers.values_list("code", flat=True))
            if missing:
                raise CommandError(f"Not an ended dossier: {', '.join(sorted(missing))}")
        built_ids = ArchivePackage.objects.filter(state=PackageState.BUILT).values("dossier_id")
        failures = built = 0
        for dossier in dossiers.exclude(pk__in=built_ids).order_by("pk").iterator():
            try:
                package = package_build(dossier=dossier)
            except Exception as error:  # noqa: BLE001 - one dossier's failure must not stop the backfill
                failures += 1
                self.stderr.write(f"{dossier.code} FAILED {error}")
                continue
            built += 1
            self.stdout.write(f"{dossier.code} {package.sha256} {package.size}")
        self.stdout.write(f"{built} built, {failures} failed")
        if failures:
            raise CommandError(f"{failures} package(s) failed")

from django.core.management.base import BaseCommand, CommandError

from archive.models import ArchivePackage, PackageState
from archive.services import package_verify


class Command(BaseCommand):
    help = "Re-check archive packages (every manifest, the seal, the zip's SHA-256); exit 1 on any problem."

    def add_arguments(self, parser):
        parser.add_argument("codes", nargs="*", help="dossier codes")
        parser.add_argument("--all", action="store_true", help="every built package")

    def handle(self, *args, codes, all, **options):
        if not codes and not all:
            raise CommandError("Give dossier codes or --all.")
        packages = ArchivePackage.objects.select_related("dossier").order_by("dossier__code")
        if codes:
            packages = packages.filter(dossier__code__in=codes)
            found = set(packages.values_list("dossier__code", flat=True))
            for code in sorted(set(codes) - found):
                self.stdout.write(f"{code} NO PACKAGE")
            failed = len(set(codes) - found)
        else:
            packages = packages.filter(state=PackageState.BUILT)
            failed = 0
        checked = 0
        for package in packages.iterator():
            checked += 1
            result = package_verify(package=package)
            if result.ok:
                self.stdout.write(f"{result.code} OK {package.sha256}")
                continue
            failed += 1
            for problem in result.problems:
                self.stdout.write(f"{result.code} FAILED {problem}")
        self.stdout.write(f"{checked} checked, {failed} failed")
        if failed:
            raise CommandError(f"{failed} package(s) failed verification")

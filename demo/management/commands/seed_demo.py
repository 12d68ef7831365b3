from django.conf import settings
from django.core.management.base import BaseCommand

from demo.seed import DEMO_AGENCY, DEMO_TOTP_SECRET, demo_totp_uri, seed_demo


class Command(BaseCommand):
    help = "Load the demo catalogue and one account per role, and print the logins (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo-second-factor",
            action="store_true",
            help="Enrol the demo staff accounts with the public demo TOTP secret even with DEBUG off "
            "(never on a real portal: anyone can read the secret).",
        )

    def handle(self, *args, **options):
        # A published secret is a second factor nobody should rely on: only where DEBUG is on
        # (make run) or when asked for by name.
        demo_second_factor = settings.DEBUG or options["demo_second_factor"]
        rows = seed_demo(demo_second_factor=demo_second_factor)
        self.stdout.write(self.style.SUCCESS("Demo logins (email or phone, password):"))
        for role, login, password in rows:
            self.stdout.write(f"  {role:<13} {login:<28} {password}")
        agency = DEMO_AGENCY
        self.stdout.write(
            f"Queue tickets: kiosk /quay/lay-so/{agency}/  hall display /quay/man-hinh/{agency}/  "
            "caller /can-bo/goi-so/ (desk officer)"
        )
        if demo_second_factor:
            self._print_demo_second_factor()
        else:
            self.stdout.write(
                self.style.WARNING(
                    "No demo second factor (DEBUG is off; --demo-second-factor adds it): the staff accounts set up "
                    "their own authenticator app at their first sign-in."
                )
            )

    def _print_demo_second_factor(self):
        import io

        import segno

        uri = demo_totp_uri()
        self.stdout.write(self.style.SUCCESS("Staff second factor (demo only): add this to any authenticator app"))
        self.stdout.write(f"  secret  {DEMO_TOTP_SECRET}")
        self.stdout.write(f"  URI     {uri}")
        drawn = io.StringIO()
        segno.make(uri, error="l").terminal(out=drawn, compact=True)
        self.stdout.write(drawn.getvalue().rstrip("\n"))

from django.core.management.base import BaseCommand

from portal.demo import seed_demo


class Command(BaseCommand):
    help = "Load the demo catalogue and one account per role, and print the logins (idempotent)."

    def handle(self, *args, **options):
        rows = seed_demo()
        self.stdout.write(self.style.SUCCESS("Demo logins (email or phone, password):"))
        for role, login, password in rows:
            self.stdout.write(f"  {role:<13} {login:<28} {password}")

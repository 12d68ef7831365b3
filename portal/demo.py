"""Demo data for `make run`: the bundled catalogue and one account per role."""

from pathlib import Path

from django.db import transaction

from procedures.catalogue_io import import_catalogue
from procedures.models import Agency

from .constants import StaffRole
from .models import AgencyMembership, User

DEMO_CATALOGUE = Path(__file__).resolve().parent.parent / "procedures" / "fixtures" / "catalogue.json"
DEMO_PASSWORD = "MotCua@2026"
# The commune that performs most demo procedures, and its one-stop desk.
DEMO_AGENCY = "000.20.00.H99"

DEMO_ACCOUNTS = [
    # (email, phone, full name, role at DEMO_AGENCY or None, admin?)
    ("congdan@demo.motcua.vn", "0912000001", "Nguyễn Văn An", None, False),
    ("tiepnhan@demo.motcua.vn", "0912000002", "Trần Thị Bình", StaffRole.RECEPTIONIST, False),
    ("chuyenvien@demo.motcua.vn", "0912000003", "Lê Văn Cường", StaffRole.SPECIALIST, False),
    ("lanhdao@demo.motcua.vn", "0912000004", "Phạm Thị Dung", StaffRole.LEADER, False),
    ("quantri@demo.motcua.vn", "0912000005", "Hoàng Văn Em", None, True),
]


@transaction.atomic
def seed_demo() -> list[tuple[str, str, str]]:
    """Load the demo catalogue and accounts (idempotent); return (role, login, password) rows."""
    import_catalogue(DEMO_CATALOGUE.read_text(encoding="utf-8"))
    agency = Agency.objects.get(code=DEMO_AGENCY)
    rows = []
    for email, phone, name, role, is_admin in DEMO_ACCOUNTS:
        user = User.objects.filter(email=email).first()
        if user is None:
            create = User.objects.create_superuser if is_admin else User.objects.create_user
            user = create(email=email, phone=phone, password=DEMO_PASSWORD, full_name=name)
        if role:
            AgencyMembership.objects.get_or_create(user=user, agency=agency, role=role)
        label = "admin" if is_admin else (role or "citizen")
        rows.append((str(label), email, DEMO_PASSWORD))
    return rows

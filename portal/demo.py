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
    _seed_dossiers()
    return rows


def _demo_pdf(title: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=f"<h1 style='font-family: DejaVu Serif'>{title}</h1><p>Tệp minh họa.</p>").write_pdf()


def _seed_dossiers() -> None:
    """A few dossiers of the demo citizen at different steps, so the pages show a living journey."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dossiers import services
    from dossiers.models import Dossier
    from procedures.selectors import procedure_detail

    citizen = User.objects.get(email=DEMO_ACCOUNTS[0][0])
    if Dossier.objects.filter(applicant=citizen).exists():
        return
    if not citizen.personal_id:
        citizen.personal_id, citizen.address = "001085001234", "Số 12, đường Lê Lợi, phường Trung Tâm"
        citizen.save(update_fields=["personal_id", "address"])
    desk = User.objects.get(email=DEMO_ACCOUNTS[1][0])
    answers = {
        "1.004884": {"full_name": citizen.full_name, "date_of_birth": "1985-03-12", "id_number": citizen.personal_id,
                     "address": citizen.address},
        "1.001193": {"child_name": "Nguyễn Minh Khang", "child_sex": "Nam", "child_dob": "2026-11-02",
                     "birth_place": "Bệnh viện tỉnh Thái An", "mother_name": "Trần Thị Lan",
                     "father_name": citizen.full_name},
    }
    made = []
    for code, form_data in answers.items():
        version = procedure_detail(code=code)
        draft = services.dossier_draft_start(applicant=citizen, version=version)
        services.dossier_draft_update(
            dossier=draft, form_data=form_data, delivery="online", delivery_address="",
            applicant_data={"applicant_name": citizen.full_name, "applicant_id_number": citizen.personal_id,
                            "applicant_phone": citizen.phone, "applicant_email": citizen.email,
                            "applicant_address": citizen.address},
        )
        for document in version.documents.filter(required=True):
            upload = SimpleUploadedFile(f"{document.name[:40]}.pdf", _demo_pdf(document.name))
            services.dossier_attach(dossier=draft, requirement_id=document.pk, upload=upload)
        made.append(services.dossier_submit(dossier=draft, actor=citizen))
    # The birth registration was received at the desk: Form 01 is ready to download.
    services.dossier_receive(dossier=made[1], actor=desk)

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.models import User
from procedures.models import DocumentRequirement
from tests.procedures.factories import AgencyFactory, VersionFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class CitizenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"citizen{n}@example.vn")
    phone = factory.Sequence(lambda n: f"09{n:08d}")
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    personal_id = factory.Sequence(lambda n: f"001{n:09d}")
    address = "Số 1, phường Trung Tâm"
    password = factory.PostGenerationMethodCall("set_password", "Mat-khau-2026")

    @factory.post_generation
    def saved(self, create, extracted, **kwargs):
        if create:
            self.save()


FORM_SCHEMA = [
    {"name": "child_name", "label": "Họ tên trẻ", "type": "text", "required": True, "max_length": 100},
    {"name": "child_dob", "label": "Ngày sinh", "type": "date", "required": True},
    {"name": "copies", "label": "Số bản sao", "type": "integer", "required": False, "min": 0, "max": 10},
]


def birth_procedure(**overrides):
    """A published procedure with a form, two required documents and one optional one."""
    agency = AgencyFactory(code="000.20.00.H99", name="UBND phường Trung Tâm")
    version = VersionFactory(agency=agency, form_schema=FORM_SCHEMA, processing_days=3, **overrides)
    DocumentRequirement.objects.create(version=version, name="Giấy chứng sinh", position=1)
    DocumentRequirement.objects.create(version=version, name="Ảnh chân dung", position=2, required=False)
    from procedures.services import procedure_version_publish

    return procedure_version_publish(version=version)


def pdf_upload(name="giay-to.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def png_upload(name="anh.png"):
    return SimpleUploadedFile(name, PNG_BYTES, content_type="image/png")


def big_upload(size, name="lon.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES + b"0" * (size - len(PDF_BYTES)), content_type="application/pdf")


def filled_draft(applicant, version):
    """A draft with valid form data and every required document attached."""
    from dossiers import services

    draft = services.dossier_draft_start(applicant=applicant, version=version)
    draft = services.dossier_draft_update(
        dossier=draft,
        applicant_data={"applicant_name": applicant.full_name, "applicant_id_number": applicant.personal_id,
                        "applicant_phone": applicant.phone, "applicant_email": applicant.email,
                        "applicant_address": applicant.address},
        form_data={"child_name": "Nguyễn Văn Bé", "child_dob": "2026-11-01", "copies": "2"},
        delivery="online", delivery_address="",
    )
    for doc in version.documents.filter(required=True):
        services.dossier_attach(dossier=draft, requirement_id=doc.pk, upload=pdf_upload())
    return draft


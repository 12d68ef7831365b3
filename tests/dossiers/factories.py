import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from dossiers.constants import DossierStatus
from dossiers.models import Dossier
from portal.constants import StaffRole
from portal.models import AgencyMembership, User
from procedures.models import DocumentRequirement, StepTemplate
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


class StaffFactory(CitizenFactory):
    """A member of staff: one role at one agency, e.g. StaffFactory(agency=a, role=StaffRole.LEADER)."""

    @classmethod
    def _create(cls, model_class, *args, agency=None, role=StaffRole.RECEPTIONIST, **kwargs):
        user = super()._create(model_class, *args, **kwargs)
        AgencyMembership.objects.create(user=user, agency=agency or AgencyFactory(), role=role)
        return user


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
        applicant_data={
            "applicant_name": applicant.full_name,
            "applicant_id_number": applicant.personal_id,
            "applicant_phone": applicant.phone,
            "applicant_email": applicant.email,
            "applicant_address": applicant.address,
        },
        form_data={"child_name": "Nguyễn Văn Bé", "child_dob": "2026-11-01", "copies": "2"},
        delivery="online",
        delivery_address="",
    )
    for doc in version.documents.filter(required=True):
        services.dossier_attach(dossier=draft, requirement_id=doc.pk, upload=pdf_upload())
    return draft


def with_steps(version):
    """Give a version the usual three steps: desk, specialist, leader (one working day each)."""
    StepTemplate.objects.bulk_create(
        [
            StepTemplate(version=version, position=0, name="Tiếp nhận", role="receptionist", working_days=1),
            StepTemplate(version=version, position=1, name="Thẩm định", role="specialist", working_days=1),
            StepTemplate(version=version, position=2, name="Phê duyệt", role="leader", working_days=1),
        ]
    )
    return version


def receive_data(dossier) -> dict:
    """The reception checklist with every document of the procedure ticked."""
    return {"documents": list(dossier.procedure_version.documents.values_list("pk", flat=True))}


_ROLES = {"desk": StaffRole.RECEPTIONIST, "specialist": StaffRole.SPECIALIST, "leader": StaffRole.LEADER}
# The happy path, one transition per state reached: (state, transition, who, data).
_PATH = [
    (DossierStatus.RECEIVED, "receive", "desk", {}),
    (DossierStatus.IN_PROCESSING, "assign", "desk", {"specialist": "specialist"}),
    (DossierStatus.AWAITING_APPROVAL, "submit_for_approval", "specialist", {"comment": "Đủ điều kiện"}),
    (DossierStatus.APPROVED, "approve", "leader", {}),
    (DossierStatus.FINISHED, "issue_result", "leader", {}),
    (DossierStatus.RETURNED, "return_result", "desk", {"collected_by": ""}),
]


class DossierFactory(factory.django.DjangoModelFactory):
    """A dossier brought to `state` through the real services and officer transitions, e.g.
    DossierFactory(state="in_processing", applicant=citizen, version=version, people=office).
    `people` gives the desk, specialist and leader to act (made at the version's agency when
    missing); states off the happy path are reached by the tests themselves."""

    class Meta:
        model = Dossier

    @classmethod
    def _create(cls, model_class, *, state=DossierStatus.SUBMITTED, applicant=None, version=None, people=None):
        from dossiers import services
        from dossiers.actions import dossier_act

        version = version or birth_procedure()
        applicant = applicant or CitizenFactory()
        dossier = filled_draft(applicant, version)
        if state == DossierStatus.DRAFT:
            return dossier
        if state not in (DossierStatus.SUBMITTED, *(reached for reached, *_ in _PATH)):
            raise ValueError(f"{state} is not on the happy path")
        dossier = services.dossier_submit(dossier=dossier, actor=applicant)
        people = dict(people or {})

        def person(key):
            if key not in people:
                people[key] = StaffFactory(agency=version.agency, role=_ROLES[key])
            return people[key]

        for _reached, name, who, data in _PATH:
            if dossier.status == state:
                break
            data = {k: person(v).pk if k == "specialist" else v for k, v in data.items()}
            if name == "receive":
                data = receive_data(dossier)
            dossier = dossier_act(dossier=Dossier.objects.get(pk=dossier.pk), name=name, actor=person(who), data=data)
        return Dossier.objects.get(pk=dossier.pk)

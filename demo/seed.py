"""Demo data for `make run`: the bundled catalogue and one account per role."""

from base64 import b32decode
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from django_otp.plugins.otp_totp.models import TOTPDevice

from appointments.models import Appointment, DeskSchedule
from appointments.services import appointment_book, appointment_slots
from archive.models import ArchivePackage, PackageState
from archive.package import ARCHIVED_STATES
from archive.services import package_build
from assistant import services as assistant_services
from assistant.models import CitizenQuestion, FaqEntry
from dossiers import services
from dossiers.access import What, dossier_access_record
from dossiers.actions import dossier_act
from dossiers.codes import next_dossier_code
from dossiers.constants import DossierStatus
from dossiers.deadlines import classify
from dossiers.messaging import dossier_message_send
from dossiers.models import Dossier, DossierAccess, DossierCodeSequence, DossierMessage
from portal.consent import consent_record
from portal.constants import StaffRole
from portal.models import AgencyMembership, ConsentRecord, PrivacyNotice, User
from portal.second_factor.services import demo_totp_device_ensure, totp_uri
from portal.signing import ensure_demo_pki
from postal.models import SandboxOrder, Shipment
from procedures.calendar import WorkingCalendar, due_date, office_time
from procedures.catalogue_io import import_catalogue
from procedures.models import Agency, DocumentRequirement, Procedure
from procedures.selectors import procedure_detail
from retention.models import DestructionCase
from retention.services import destruction_hold, retention_list_due
from tickets.models import Counter, CounterGroup, Ticket
from tickets.services import ticket_call_next, ticket_finish, ticket_issue

DEMO_CATALOGUE = Path(__file__).resolve().parent.parent / "procedures" / "fixtures" / "catalogue.json"
DEMO_PASSWORD = "Dich-vu-cong-2026"  # passes the password policy (AUTH_PASSWORD_VALIDATORS)
# The commune that performs most demo procedures, and its one-stop desk.
DEMO_AGENCY = "000.20.00.H99"

# The demo staff accounts' second factor: ONE shared TOTP secret (base32, 20 bytes), added once to
# any authenticator app. Demo only: seed_demo creates these devices only with DEBUG on or when
# asked explicitly (--demo-second-factor); never put it in production settings.
DEMO_TOTP_SECRET = "MOTCUADEMOMOTCUADEMOMOTCUADEMO22"
DEMO_TOTP_LABEL = "demo"

DEMO_ACCOUNTS = [
    # (email, phone, full name, role at DEMO_AGENCY or None, admin?)
    ("congdan@demo.motcua.vn", "0912000001", "Nguyễn Văn An", None, False),
    ("tiepnhan@demo.motcua.vn", "0912000002", "Trần Thị Bình", StaffRole.RECEPTIONIST, False),
    ("chuyenvien@demo.motcua.vn", "0912000003", "Lê Văn Cường", StaffRole.SPECIALIST, False),
    ("lanhdao@demo.motcua.vn", "0912000004", "Phạm Thị Dung", StaffRole.LEADER, False),
    ("quantri@demo.motcua.vn", "0912000005", "Hoàng Văn Em", None, True),
    # The ward police, whose opinion the demo's consulting dossier awaits: it answers in its own queue.
    ("congan@demo.motcua.vn", "0912000006", "Vũ Thị Giang", StaffRole.SPECIALIST, False),
]
# The agency consulted in the demo (DEMO_JOURNEYS' "consult"), and the accounts that work there
# instead of at DEMO_AGENCY.
DEMO_CONSULTED_AGENCY = "000.20.19.H99"
DEMO_AGENCY_OF = {"congan@demo.motcua.vn": DEMO_CONSULTED_AGENCY}


def demo_totp_uri() -> str:
    """The otpauth:// URI of the demo secret (the same for every demo staff account)."""
    return totp_uri(TOTPDevice(key=b32decode(DEMO_TOTP_SECRET).hex()), label=DEMO_TOTP_LABEL)


@transaction.atomic
def seed_demo(*, demo_second_factor: bool = False) -> list[tuple[str, str, str]]:
    """Load the demo catalogue and accounts (idempotent); return (role, login, password) rows.

    With demo_second_factor, the staff accounts are enrolled with DEMO_TOTP_SECRET; without it
    they set up their own second factor at their first sign-in."""
    import_catalogue(DEMO_CATALOGUE.read_text(encoding="utf-8"))
    # The demo CA and one certificate per agency (CN = its name), which signs what that agency
    # decides; keys encrypted when a passphrase is configured (production).
    ensure_demo_pki(
        settings.PKI_DIR,
        passphrase=settings.RESULT_SIGNING_KEY_PASSPHRASE,
        agencies=dict(Agency.objects.values_list("code", "name")),
    )
    agency = Agency.objects.get(code=DEMO_AGENCY)
    rows = []
    for email, phone, name, role, is_admin in DEMO_ACCOUNTS:
        user = User.objects.filter(email=email).first()
        if user is None:
            create = User.objects.create_superuser if is_admin else User.objects.create_user
            user = create(email=email, phone=phone, password=DEMO_PASSWORD, full_name=name)
        if role:
            at = Agency.objects.get(code=DEMO_AGENCY_OF[email]) if email in DEMO_AGENCY_OF else agency
            AgencyMembership.objects.get_or_create(user=user, agency=at, role=role)
        if demo_second_factor and (role or is_admin):
            demo_totp_device_ensure(user=user, secret=DEMO_TOTP_SECRET)
        label = "admin" if is_admin else str(role or "citizen")
        if email in DEMO_AGENCY_OF:
            label += " (consulted)"
        rows.append((label, email, DEMO_PASSWORD))
    _seed_blank_forms()
    _seed_dossiers()
    _seed_messages()
    _seed_indicator_history()
    _seed_post()
    _seed_appointments()
    _seed_tickets()
    _seed_assistant()
    _seed_citizen_questions()
    _seed_retention()
    _seed_privacy()
    _seed_archive()
    return rows


DEMO_NOTICE = """Thông báo xử lý dữ liệu cá nhân (bản minh họa)

Cổng dịch vụ công của tỉnh xử lý dữ liệu cá nhân của bạn để tiếp nhận, giải quyết và trả kết quả thủ tục hành chính, theo Nghị định 13/2023/NĐ-CP và Luật Bảo vệ dữ liệu cá nhân (có hiệu lực từ ngày 01/01/2026).

Dữ liệu được xử lý: họ tên, số định danh cá nhân, số điện thoại, thư điện tử, địa chỉ, nội dung tờ khai và giấy tờ bạn nộp.

Bạn có quyền biết, truy cập, tải về, yêu cầu xóa tài khoản và xem cán bộ nào đã xem hồ sơ của mình tại trang "Dữ liệu của tôi". Hồ sơ đã nộp được lưu theo thời hạn lưu trữ của từng thủ tục."""
DEMO_NOTICE_EN = """Personal data notice (demo)

The province's public services portal processes your personal data to receive, handle and return the result of administrative procedures, under Decree 13/2023/ND-CP and the Personal Data Protection Law (in force since 1 January 2026).

Data processed: full name, personal ID number, phone number, email, address, the forms and documents you submit.

You may know, access and download your data, ask for your account to be deleted, and see which officers read your dossiers on the "My data" page. Submitted dossiers are kept for each procedure's archive period."""


def _seed_privacy() -> None:
    """Privacy notice v1 (accepted by the demo citizen at registration) and a few reads of the
    citizen's dossiers by the demo officers, so "Dữ liệu của tôi" shows its access log."""
    notice, _ = PrivacyNotice.objects.get_or_create(
        version=1, defaults={"text": DEMO_NOTICE, "text_en": DEMO_NOTICE_EN}
    )
    citizen = User.objects.get(email=DEMO_ACCOUNTS[0][0])
    if not ConsentRecord.objects.filter(user=citizen).exists():
        consent_record(user=citizen, notice=notice, ip="127.0.0.1", channel=ConsentRecord.Channel.REGISTRATION)
    if DossierAccess.objects.filter(dossier__applicant=citizen).exists():
        return
    desk, specialist, leader = (User.objects.get(email=row[0]) for row in DEMO_ACCOUNTS[1:4])
    for dossier in Dossier.objects.filter(applicant=citizen).exclude(code=None).order_by("pk")[:4]:
        dossier_access_record(user=desk, dossier=dossier, what=What.PAGE)
        first = dossier.attachments.first()
        if first is not None:
            dossier_access_record(user=desk, dossier=dossier, what=What.ATTACHMENT, attachment=first)
        if dossier.assigned_to_id == specialist.pk:
            dossier_access_record(user=specialist, dossier=dossier, what=What.PAGE)
        dossier_access_record(user=leader, dossier=dossier, what=What.API)


# FAQ entries the assistant answers with (admin: Catalogue assistant > FAQ entries).
DEMO_FAQ = [
    (
        "Giờ làm việc của bộ phận một cửa",
        "Bộ phận một cửa làm việc từ Thứ Hai đến Thứ Sáu, sáng 7:30 – 11:30, chiều 13:30 – 17:00.",
        None,
    ),
    (
        "Khai sinh quá hạn có mất tiền phạt không",
        "Đăng ký khai sinh không mất lệ phí, kể cả khi quá hạn 60 ngày; Ông/Bà mang theo giấy chứng sinh.",
        "1.001193",
    ),
]


def _seed_assistant() -> None:
    for question, answer, code in DEMO_FAQ:
        procedure = Procedure.objects.filter(code=code).first() if code else None
        FaqEntry.objects.get_or_create(question=question, defaults={"answer": answer, "procedure": procedure})


# Questions the assistant declined, asked of an officer (/can-bo/cau-hoi/): (question, email or
# None for the demo citizen's account, answer or None while open).
DEMO_QUESTIONS = [
    ("bảo hiểm xã hội một lần nhận ở đâu", "khach@demo.motcua.vn", None),
    ("tôi muốn hỏi về chế độ cho người khuyết tật", None, None),
    (
        "trung tâm có chỗ gửi xe máy không",
        "khach2@demo.motcua.vn",
        "Có, bãi gửi xe miễn phí ở cổng phía sau Trung tâm Phục vụ hành chính công.",
    ),
]


def _seed_citizen_questions() -> None:
    """Open questions in the officers' queue, one answered; some thumbs for the statistics page."""
    if CitizenQuestion.objects.exists():
        return
    citizen = User.objects.get(email=DEMO_ACCOUNTS[0][0])
    desk = User.objects.get(email=DEMO_ACCOUNTS[1][0])
    for text, email, answer in DEMO_QUESTIONS:
        turn = assistant_services.ask(message=text)
        question = assistant_services.question_ask(
            text=text,
            user=None if email else citizen,
            email=email or "",
            # Only a declined answer hands off; otherwise the question stands alone (no agency).
            conversation_id=turn["conversation"] if turn["handoff"] else None,
            turn_id=turn["turn"] if turn["handoff"] else None,
        )
        if answer:
            assistant_services.question_answer(question_id=question.pk, staff=desk, answer=answer)
    for text, helpful in [("làm giấy khai sinh ở đâu", True), ("lam passport", True), ("lệ phí kết hôn", False)]:
        turn = assistant_services.ask(message=text)
        assistant_services.rate_turn(conversation_id=turn["conversation"], turn_id=turn["turn"], helpful=helpful)


# Blank forms citizens download from the procedure page: (procedure, document, file, title, lines).
DEMO_BLANK_FORMS = [
    (
        "1.001193",
        "Tờ khai đăng ký khai sinh (theo mẫu)",
        "to-khai-dang-ky-khai-sinh.pdf",
        "TỜ KHAI ĐĂNG KÝ KHAI SINH",
        [
            "Kính gửi: Ủy ban nhân dân phường Trung Tâm",
            "Họ, chữ đệm, tên người yêu cầu:",
            "Nơi cư trú:",
            "Giấy tờ tùy thân:",
            "Quan hệ với người được khai sinh:",
            "Đề nghị cơ quan đăng ký khai sinh cho người dưới đây:",
            "Họ, chữ đệm, tên:",
            "Ngày, tháng, năm sinh:",
            "Giới tính:          Dân tộc:          Quốc tịch:",
            "Nơi sinh:",
            "Họ, chữ đệm, tên người mẹ:",
            "Họ, chữ đệm, tên người cha:",
        ],
    ),
    (
        "1.000894",
        "Tờ khai đăng ký kết hôn (theo mẫu)",
        "to-khai-dang-ky-ket-hon.pdf",
        "TỜ KHAI ĐĂNG KÝ KẾT HÔN",
        [
            "Kính gửi: Ủy ban nhân dân phường Trung Tâm",
            "Thông tin bên nữ — Họ, chữ đệm, tên:",
            "Ngày, tháng, năm sinh:          Nơi cư trú:",
            "Thông tin bên nam — Họ, chữ đệm, tên:",
            "Ngày, tháng, năm sinh:          Nơi cư trú:",
            "Chúng tôi cam đoan những lời khai trên đây là đúng sự thật, việc kết hôn của chúng tôi là tự nguyện.",
        ],
    ),
]


def _seed_blank_forms():
    """Give the demo's birth and marriage registration their blank forms, made here as PDFs.

    A blank form is an aid beside the version's content (the import compares none, a new draft or
    imported version carries it over), so it is attached to the published document directly."""
    field = DocumentRequirement._meta.get_field("template")
    for code, name, filename, title, lines in DEMO_BLANK_FORMS:
        document = DocumentRequirement.objects.filter(
            version__procedure__code=code, version__status="published", name=name
        ).first()
        if document is None or document.template:
            continue
        rows = "".join(f"<p>{escape(line)} ……………………………………</p>" for line in lines)
        html = (
            "<div style='font-family: DejaVu Serif; font-size: 12pt'>"
            "<p style='text-align:center'><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br>Độc lập - Tự do - Hạnh phúc</p>"
            f"<h1 style='text-align:center; font-size: 15pt'>{escape(title)}</h1>{rows}"
            "<p style='text-align:right'>……, ngày …… tháng …… năm ……<br><b>Người yêu cầu</b><br>(Ký, ghi rõ họ tên)</p>"
            "</div>"
        )
        stored = field.storage.save(f"{field.upload_to}{filename}", ContentFile(_html_pdf(html)))
        DocumentRequirement.objects.filter(pk=document.pk).update(template=stored)


def _html_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


def _demo_pdf(title: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=f"<h1 style='font-family: DejaVu Serif'>{title}</h1><p>Tệp minh họa.</p>").write_pdf()


# Where each demo dossier is taken: (procedure code, transitions in order, by whom).
DEMO_JOURNEYS = [
    ("1.004884", []),  # submitted, awaiting the desk
    ("1.001193", ["receive"]),  # received, awaiting assignment
    ("1.000894", ["receive", "assign"]),  # with the specialist
    ("1.000656", ["receive", "assign", "submit_for_approval"]),  # awaiting the leader
    ("1.001022", ["receive", "request_supplement"]),  # supplement requested
    ("1.004873", ["receive", "assign", "request_payment"]),  # awaiting payment
    ("2.000884", ["receive", "assign", "consult"]),  # consulting another agency
    ("2.000720", ["receive", "assign", "submit_for_approval", "approve", "issue_result"]),  # result ready
    ("1.001776", ["receive", "assign", "submit_for_approval", "approve", "issue_result", "return_result"]),
    ("2.000815", ["refuse_reception"]),  # not received
    ("1.009994", ["receive", "assign", "submit_for_approval", "send_back"]),  # back with the specialist
    ("1.004884", ["receive", "assign", "submit_for_approval", "approve"]),  # approved, result to issue
    ("1.001193", ["receive", "assign", "refuse"]),  # refused after appraisal
    ("1.000656", ["receive", "stop"]),  # processing stopped
    ("1.001022", ["receive", "withdraw"]),  # the citizen asks to withdraw
    ("1.000894", ["withdraw", "confirm_withdrawal"]),  # withdrawn
]
WHO = {
    "receive": 1,
    "refuse_reception": 1,
    "request_supplement": 1,
    "assign": 1,
    "return_result": 1,
    "submit_for_approval": 2,
    "request_payment": 2,
    "consult": 2,
    "approve": 3,
    "issue_result": 3,
    "send_back": 3,
    "refuse": 2,
    "stop": 3,
    "confirm_withdrawal": 1,
}


def _answers(version, citizen) -> dict:
    """Plausible answers to any procedure's form, from the citizen's profile where it fits."""
    answers = {}
    for spec in version.form_schema:
        kind, name = spec["type"], spec["name"]
        if spec.get("pattern") == "^[0-9]{12}$":
            answers[name] = citizen.personal_id
        elif kind == "date":
            answers[name] = "1985-03-12"
        elif kind == "integer":
            answers[name] = str(
                max(spec.get("min", 1), 1) * 100_000_000 if "capital" in name else max(spec.get("min", 1), 1)
            )
        elif kind == "choice":
            answers[name] = spec["choices"][0]
        elif kind == "boolean":
            answers[name] = "on"
        elif "name" in name:
            answers[name] = citizen.full_name
        else:
            answers[name] = spec["label"][:40] + " (minh họa)"
    return answers


def _submitted(citizen, version, pdf: bytes, *, delivery: str = "online", delivery_address: str = ""):
    """A dossier the demo citizen filled in and submitted online, like anyone would."""
    draft = services.dossier_draft_start(applicant=citizen, version=version)
    services.dossier_draft_update(
        dossier=draft,
        form_data=_answers(version, citizen),
        delivery=delivery,
        delivery_address=delivery_address,
        applicant_data={
            "applicant_name": citizen.full_name,
            "applicant_id_number": citizen.personal_id,
            "applicant_phone": citizen.phone,
            "applicant_email": citizen.email,
            "applicant_address": citizen.address,
        },
    )
    for document in version.documents.filter(required=True):
        services.dossier_attach(
            dossier=draft, requirement_id=document.pk, upload=SimpleUploadedFile(f"{document.name[:40]}.pdf", pdf)
        )
    return services.dossier_submit(dossier=draft, actor=citizen)


def _seed_dossiers() -> None:
    """Dossiers of the demo citizen in every state, some due today and some overdue, so the
    citizen's pages and the officers' queues show a living journey."""
    citizen = User.objects.get(email=DEMO_ACCOUNTS[0][0])
    if Dossier.objects.filter(applicant=citizen).exists():
        return
    # As if the citizen had signed in once with the national e-identity: the ID number is verified.
    citizen.personal_id, citizen.personal_id_verified = "001085001234", True
    citizen.address = "Số 12, đường Lê Lợi, phường Trung Tâm"
    citizen.save(update_fields=["personal_id", "personal_id_verified", "address"])
    staff = [User.objects.get(email=row[0]) for row in DEMO_ACCOUNTS]
    pdf = _demo_pdf("Giấy tờ minh họa")
    made = []
    for code, journey in DEMO_JOURNEYS:
        version = procedure_detail(code=code)
        dossier = _submitted(citizen, version, pdf)
        for name in journey:
            if name == "withdraw":
                services.dossier_request_withdrawal(dossier=dossier, actor=citizen, reason="Tôi đã nộp nhầm thủ tục.")
                continue
            data = {
                "assign": {"specialist": staff[2].pk},
                "request_supplement": {"items": "Ảnh chân dung 4x6 — ảnh đã nộp bị mờ"},
                "request_payment": {"amount": 8000},
                "consult": {
                    "agency": Agency.objects.get(code=DEMO_CONSULTED_AGENCY).pk,
                    "working_days": 2,
                    "question": "Đề nghị xác minh nơi cư trú của người nộp.",
                },
                "refuse_reception": {"reasons": "Thủ tục thuộc thẩm quyền cấp tỉnh."},
                "send_back": {"comment": "Bổ sung biên bản kiểm tra thực địa."},
                "refuse": {"reasons": "Người yêu cầu không đủ điều kiện theo quy định."},
                "stop": {"reasons": "Người nộp đề nghị dừng để bổ sung hồ sơ gốc."},
                "receive": _every_document(dossier),
            }.get(name, {})
            dossier_act(dossier=Dossier.objects.get(pk=dossier.pk), name=name, actor=staff[WHO[name]], data=data)
        made.append(dossier)
    # Make the queue tell its story: one due today, two overdue.
    now = timezone.localtime()
    Dossier.objects.filter(pk=made[1].pk).update(due_at=now.replace(hour=17, minute=0, second=0, microsecond=0))
    # Overdue by two days at the office's closing time (a due time is always the closing time).
    closing = now.replace(hour=17, minute=0, second=0, microsecond=0)
    Dossier.objects.filter(pk__in=[made[2].pk, made[3].pk]).update(due_at=closing - timedelta(days=2))


def _seed_messages() -> None:
    """A short exchange on one dossier being processed: the citizen asks, the specialist answers,
    the citizen thanks (left unread, so the queue row and the desk show an unread message)."""
    citizen = User.objects.get(email=DEMO_ACCOUNTS[0][0])
    dossier = (
        Dossier.objects.filter(applicant=citizen, status=DossierStatus.IN_PROCESSING, assigned_to__isnull=False)
        .order_by("pk")
        .first()
    )
    if dossier is None or DossierMessage.objects.filter(dossier=dossier).exists():
        return
    officer = dossier.assigned_to
    dossier_message_send(
        dossier=dossier,
        author=citizen,
        body="Cho tôi hỏi hồ sơ của tôi khi nào có kết quả? Tôi có cần bổ sung gì không?",
    )
    DossierMessage.objects.filter(dossier=dossier).update(read_at=timezone.now())
    dossier_message_send(
        dossier=dossier,
        author=officer,
        body="Kính gửi Ông/Bà, hồ sơ đang được thẩm định, đầy đủ giấy tờ; kết quả dự kiến đúng hẹn trên phiếu tiếp nhận.",
    )
    DossierMessage.objects.filter(dossier=dossier, from_applicant=False).update(read_at=timezone.now())
    dossier_message_send(dossier=dossier, author=citizen, body="Cảm ơn cán bộ, tôi sẽ chờ thông báo.")


def _seed_post() -> None:
    """One dossier of the demo citizen whose result went by post: issued, with its tracking code
    (the order as the sandbox carrier took it: the portal is not serving while it is seeded)."""
    citizen = User.objects.get(email=DEMO_ACCOUNTS[0][0])
    if Shipment.objects.filter(dossier__applicant=citizen).exists():
        return
    staff = [User.objects.get(email=row[0]) for row in DEMO_ACCOUNTS]
    dossier = _submitted(
        citizen,
        procedure_detail(code="1.001193"),
        _demo_pdf("Giấy tờ minh họa"),
        delivery="post",
        delivery_address=citizen.address or "Số 12, đường Lê Lợi, phường Trung Tâm",
    )
    for name in ("receive", "assign", "submit_for_approval", "approve"):
        data = {"receive": _every_document(dossier), "assign": {"specialist": staff[2].pk}}.get(name, {})
        dossier_act(dossier=Dossier.objects.get(pk=dossier.pk), name=name, actor=staff[WHO[name]], data=data)
    order = SandboxOrder.objects.create(reference=dossier.code, tracking_code="EB000000001VN", body={})
    Shipment.objects.create(dossier=dossier, tracking_code=order.tracking_code, address=dossier.delivery_address)
    dossier_act(
        dossier=Dossier.objects.get(pk=dossier.pk), name="issue_result", actor=staff[WHO["issue_result"]], data={}
    )


def _seed_archive() -> None:
    """The archive package of every ended demo dossier (the worker builds them after each end; under
    `make run` the tasks of the seed may not have run yet). Built ones are left alone."""
    built = ArchivePackage.objects.filter(state=PackageState.BUILT).values("dossier_id")
    for dossier in Dossier.objects.filter(status__in=ARCHIVED_STATES).exclude(pk__in=built).exclude(code=None):
        package_build(dossier=dossier)


def _every_document(dossier) -> dict:
    """The demo desk ticks every document of the reception checklist (they are all attached)."""
    return {"documents": list(dossier.procedure_version.documents.values_list("pk", flat=True))}


# A few months of ended dossiers for the indicators pages: (procedure, journey, months ago,
# working days before (-) or after (+) the due date it ended, channel). Taken through the real
# transitions, then dated back.
HISTORY = [
    ("1.001193", "returned", 5, -1, "online"),
    ("1.000894", "returned", 5, 1, "counter"),
    ("1.000656", "returned", 4, 0, "online"),
    ("1.001022", "returned", 4, -2, "online"),
    ("1.004884", "stopped", 3, 0, "counter"),
    ("1.001193", "returned", 3, -1, "online"),
    ("1.000894", "refused", 2, -1, "online"),
    ("1.000656", "returned", 2, 2, "online"),
    ("1.001776", "returned", 1, 0, "counter"),
    ("1.001193", "returned", 1, -1, "online"),
]
HISTORY_JOURNEYS = {
    "returned": ["receive", "assign", "submit_for_approval", "approve", "issue_result", "return_result"],
    "stopped": ["receive", "stop"],
    "refused": ["receive", "assign", "refuse"],
}


def _dated_back(dossier: Dossier, *, submitted_at) -> Dossier:
    """A history dossier, submitted today, dated back before its journey: the code of the day it
    is dated to, from the code generator (that day's sequence), so its code and its submission
    agree. Today's number goes back to today's sequence while it is still the last one given
    (nobody else submits while the demo is seeded): the demo's own dossiers of today stay 0001, 0002..."""
    today = timezone.localtime(dossier.submitted_at).date()
    given = int(dossier.code.rsplit("-", 1)[1])
    dossier.code = next_dossier_code(agency=dossier.receiving_agency, at=submitted_at)
    dossier.submitted_at = submitted_at
    dossier.save(update_fields=["code", "submitted_at"])
    DossierCodeSequence.objects.filter(agency=dossier.receiving_agency, day=today, last=given).update(last=given - 1)
    return dossier


def _seed_indicator_history() -> None:
    """Ended dossiers spread over the last months (idempotent: skipped once any ended before this month)."""
    now = timezone.localtime()
    first_of_month = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    citizen = User.objects.get(email=DEMO_ACCOUNTS[0][0])
    if Dossier.objects.filter(applicant=citizen, finished_at__lt=first_of_month).exists():
        return
    staff = [User.objects.get(email=row[0]) for row in DEMO_ACCOUNTS]
    reasons = {
        "refuse": {"reasons": "Không đủ điều kiện theo quy định."},
        "stop": {"reasons": "Người nộp đề nghị dừng."},
        "assign": {"specialist": staff[2].pk},
    }
    pdf = _demo_pdf("Giấy tờ minh họa")
    for number, (code, journey, months_ago, delta, channel) in enumerate(HISTORY):
        version = procedure_detail(code=code)
        # Received on a weekday `months_ago` months back, ended around its due date.
        received = (now - timedelta(days=30 * months_ago + number)).replace(hour=9, minute=30, second=0, microsecond=0)
        while received.weekday() >= 5:
            received -= timedelta(days=1)
        dossier = _dated_back(_submitted(citizen, version, pdf), submitted_at=received)
        for name in HISTORY_JOURNEYS[journey]:
            dossier_act(
                dossier=Dossier.objects.get(pk=dossier.pk),
                name=name,
                actor=staff[WHO[name]],
                data=_every_document(dossier) if name == "receive" else reasons.get(name, {}),
            )
        deadline = due_date(received, version.processing_days)
        calendar = WorkingCalendar.around(deadline.counting_from.date())
        took = max(version.processing_days + delta, 0)
        ended = office_time(calendar.add_working_days(deadline.counting_from.date(), took), "16:00")
        dossier = Dossier.objects.get(pk=dossier.pk)
        Dossier.objects.filter(pk=dossier.pk).update(
            channel=channel,
            submitted_at=received,
            received_at=received,
            counting_from=deadline.counting_from,
            due_at=deadline.due_at,
            finished_at=ended,
            returned_at=ended if journey == "returned" else None,
            timeliness=classify(ended_at=ended, due_at=deadline.due_at),
        )
        if journey == "returned":
            dossier = Dossier.objects.get(pk=dossier.pk)
            low = 0 if number % 4 == 3 else 2
            services.dossier_rate(
                dossier=dossier,
                actor=citizen,
                scores={
                    "time_to_result": low,
                    "contacts": 2,
                    "published_information": 2,
                    "staff_attitude": 2,
                    "online_service": 1,
                },
            )


# Dossiers closed long ago, whose retention (RETENTION_DEFAULT_YEARS, 10) has ended: the demo
# leader's destruction list (/can-bo/luu-tru/huy/). (procedure, journey, years ago.)
RETENTION_DEMO = [
    ("1.000894", "returned", 12),
    ("1.000656", "returned", 11),
    ("1.004884", "stopped", 11),
    ("1.000894", "refused", 12),
]


def _seed_retention() -> None:
    """Four dossiers closed 11–12 years ago on the demo leader's destruction list, one of them
    on legal hold (idempotent: skipped once the list has any entry)."""
    if DestructionCase.objects.exists():
        return
    citizen = User.objects.get(email=DEMO_ACCOUNTS[0][0])
    staff = [User.objects.get(email=row[0]) for row in DEMO_ACCOUNTS]
    reasons = {
        "refuse": {"reasons": "Không đủ điều kiện theo quy định."},
        "stop": {"reasons": "Người nộp đề nghị dừng."},
        "assign": {"specialist": staff[2].pk},
    }
    pdf = _demo_pdf("Giấy tờ minh họa")
    now = timezone.localtime()
    for number, (code, journey, years_ago) in enumerate(RETENTION_DEMO):
        version = procedure_detail(code=code)
        received = (now - timedelta(days=365 * years_ago + 20 * number)).replace(
            hour=9, minute=0, second=0, microsecond=0
        )
        while received.weekday() >= 5:
            received -= timedelta(days=1)
        dossier = _dated_back(_submitted(citizen, version, pdf), submitted_at=received)
        for name in HISTORY_JOURNEYS[journey]:
            dossier_act(
                dossier=Dossier.objects.get(pk=dossier.pk),
                name=name,
                actor=staff[WHO[name]],
                data=_every_document(dossier) if name == "receive" else reasons.get(name, {}),
            )
        deadline = due_date(received, version.processing_days)
        ended = received + timedelta(days=3)
        Dossier.objects.filter(pk=dossier.pk).update(
            received_at=received,
            counting_from=deadline.counting_from,
            due_at=deadline.due_at,
            finished_at=ended,
            returned_at=ended if journey == "returned" else None,
            timeliness=classify(ended_at=ended, due_at=deadline.due_at),
        )
    retention_list_due()
    held = DestructionCase.objects.order_by("pk").last()
    if held is not None:
        destruction_hold(case=held, actor=staff[3], reason="Đang có khiếu nại liên quan, chờ kết luận thanh tra.")


def _seed_appointments() -> None:
    """The demo desk takes appointments (30-minute slots, 2 places each) and the demo citizen has
    one booked on the next working day, so "My appointments" and the desk's day view show it."""
    agency = Agency.objects.get(code=DEMO_AGENCY)
    DeskSchedule.objects.get_or_create(agency=agency, defaults={"slot_minutes": 30, "capacity": 2})
    citizen = User.objects.get(email=DEMO_ACCOUNTS[0][0])
    if Appointment.objects.filter(citizen=citizen).exists():
        return
    day = WorkingCalendar.around(timezone.localdate(), days_ahead=30).next_working_day(timezone.localdate())
    free = [slot for slot in appointment_slots(agency, day) if slot.available]
    if free:
        appointment_book(
            citizen=citizen,
            agency=agency,
            procedure=Procedure.objects.get(code="1.001193"),
            start=free[1 if len(free) > 1 else 0].start,
        )


def _seed_tickets() -> None:
    """The demo desk's queues (A: civil status and certification, B: land, construction and the
    rest) and three counters; today a few tickets are waiting and three were called, so the kiosk
    (/quay/lay-so/<agency>/), the hall display (/quay/man-hinh/<agency>/) and the caller
    (/can-bo/goi-so/) show something."""
    agency = Agency.objects.get(code=DEMO_AGENCY)
    civil, _ = CounterGroup.objects.get_or_create(
        agency=agency, code="ho-tich", defaults={"name": "Hộ tịch, chứng thực", "letter": "A", "position": 1}
    )
    land, _ = CounterGroup.objects.get_or_create(
        agency=agency,
        code="dat-dai",
        defaults={"name": "Đất đai, xây dựng và thủ tục khác", "letter": "B", "position": 2},
    )
    birth = procedure_detail(code="1.001193")
    if birth.agency_id == agency.pk:
        civil.fields.add(birth.field)
    counters = {}
    for number, groups in ((1, [civil]), (2, [civil, land]), (3, [land])):
        counters[number], created = Counter.objects.get_or_create(agency=agency, number=number)
        if created:
            counters[number].groups.set(groups)
    if Ticket.objects.filter(agency=agency, day=timezone.localdate()).exists():
        return
    officer = User.objects.get(email="tiepnhan@demo.motcua.vn")
    for group, count in ((civil, 6), (land, 4)):
        for _ in range(count):
            ticket_issue(group=group)
    finished = ticket_call_next(officer=officer, counter=counters[1])
    ticket_finish(officer=officer, counter=counters[1], ticket=finished)
    ticket_call_next(officer=officer, counter=counters[1])
    ticket_call_next(officer=officer, counter=counters[3])

"""Form 06, "Sổ theo dõi hồ sơ": the yearly register of an agency's dossiers, as CSV or XLSX."""

from django.db.models import Q
from django.http import HttpResponse
from django.utils import timezone

from portal.exports import spreadsheet_response
from portal.masking import mask_phone
from procedures.models import Agency

from .models import Dossier

HEADERS = [
    "STT",
    "Mã hồ sơ",
    "Tên TTHC",
    "Người nộp",
    "Số điện thoại",  # masked: the last digits only (portal.masking)
    "Kênh nộp",
    "Ngày tiếp nhận",
    "Ngày hẹn trả",
    "Ngày có kết quả",
    "Ngày trả kết quả",
    "Trạng thái",
    "Kết quả xử lý",
    "Ghi chú",
]


def register_rows(*, agency_id: int, year: int):
    """One row per dossier received by, or handled at, the agency in that year, in reception order."""
    dossiers = (
        Dossier.objects.filter(
            Q(receiving_agency_id=agency_id) | Q(competent_agency_id=agency_id), received_at__year=year
        )
        .select_related("procedure_version")
        .order_by("received_at", "pk")
        .only(
            "code",
            "applicant_name",
            "applicant_phone",
            "channel",
            "received_at",
            "due_at",
            "finished_at",
            "returned_at",
            "status",
            "timeliness",
            "extended_at",
            "procedure_version__name",
        )
    )
    local = timezone.localtime
    for number, d in enumerate(dossiers.iterator(chunk_size=2000), start=1):
        yield [
            number,
            d.code,
            d.procedure_version.name,
            d.applicant_name,
            mask_phone(d.applicant_phone),
            d.get_channel_display(),
            local(d.received_at).strftime("%d/%m/%Y %H:%M"),
            local(d.due_at).strftime("%d/%m/%Y %H:%M") if d.due_at else "",
            local(d.finished_at).strftime("%d/%m/%Y %H:%M") if d.finished_at else "",
            local(d.returned_at).strftime("%d/%m/%Y %H:%M") if d.returned_at else "",
            d.get_status_display(),
            d.get_timeliness_display() if d.timeliness else "",
            "Đã hẹn lại ngày trả" if d.extended_at else "",
        ]


def register_response(*, agency_id: int, year: int, fmt: str) -> HttpResponse:
    agency = Agency.objects.get(pk=agency_id)
    return spreadsheet_response(
        name=f"so-theo-doi-ho-so-{agency.code}-{year}",
        fmt=fmt,
        headers=HEADERS,
        rows=register_rows(agency_id=agency_id, year=year),
        sheet=f"Sổ {year}",
        title=f"SỔ THEO DÕI HỒ SƠ — {agency.name} — năm {year}" if fmt == "xlsx" else "",
    )

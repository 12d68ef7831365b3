"""The daily collection report of an agency: paid, refunded and outstanding, CSV or XLSX."""

from datetime import date, datetime, time

from django.db.models import Q, Sum
from django.http import HttpResponse
from django.utils import timezone

from portal.exports import spreadsheet_response
from procedures.models import Agency

from .constants import PaymentStatus
from .models import Payment

HEADERS = ["Mã thanh toán", "Mã hồ sơ", "Người nộp", "Hình thức", "Trạng thái", "Số tiền", "Đã hoàn", "Thời điểm"]


def daily_payments(*, agency_id: int, day: date):
    """Payments of the agency's dossiers that were paid, refunded or still pending that day."""
    start = timezone.make_aware(datetime.combine(day, time.min))
    end = timezone.make_aware(datetime.combine(day, time.max))
    return (
        Payment.objects.filter(Q(dossier__receiving_agency_id=agency_id) | Q(dossier__competent_agency_id=agency_id))
        .filter(Q(paid_at__range=(start, end)) | Q(status=PaymentStatus.PENDING, created_at__lte=end))
        .select_related("dossier")
        .order_by("paid_at", "created_at")
    )


def totals(payments) -> dict:
    paid = payments.filter(status__in=[PaymentStatus.PAID, PaymentStatus.REFUNDED])
    return {
        "paid": paid.aggregate(s=Sum("amount"))["s"] or 0,
        "refunded": payments.aggregate(s=Sum("refunded_amount"))["s"] or 0,
        "outstanding": payments.filter(status=PaymentStatus.PENDING).aggregate(s=Sum("amount"))["s"] or 0,
    }


def report_response(*, agency_id: int, day: date, fmt: str) -> HttpResponse:
    agency = Agency.objects.get(pk=agency_id)
    payments = daily_payments(agency_id=agency_id, day=day)
    summary = totals(payments)
    rows = [
        [
            p.reference,
            p.dossier.code,
            p.dossier.applicant_name,
            p.get_method_display(),
            p.get_status_display(),
            p.amount,
            p.refunded_amount,
            timezone.localtime(p.paid_at or p.created_at).strftime("%d/%m/%Y %H:%M"),
        ]
        for p in payments
    ]
    footer = [
        ["Tổng đã thu", summary["paid"]],
        ["Tổng đã hoàn", summary["refunded"]],
        ["Còn phải thu", summary["outstanding"]],
    ]
    return spreadsheet_response(
        name=f"bao-cao-thu-{agency.code}-{day:%Y%m%d}",
        fmt=fmt,
        headers=HEADERS,
        rows=[*rows, [], *footer],
        sheet=f"{day:%d-%m-%Y}",
        title=f"BÁO CÁO THU PHÍ, LỆ PHÍ — {agency.name} — ngày {day:%d/%m/%Y}" if fmt == "xlsx" else "",
    )

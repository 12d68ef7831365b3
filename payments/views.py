"""Paying a dossier: start, the built-in sandbox gateway, gateway return and IPN, VietQR and
the bank's notification, the receipt. Thin: the services do the work."""

import hashlib
import hmac
import io
import json
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from dossiers import selectors as dossier_selectors
from dossiers.documents import DOCUMENT_LATER
from dossiers.selectors import officer_scope
from portal.client import client_address
from portal.errors import bad_request
from portal.memberships import memberships
from portal.pdf import qr_svg
from portal.replica import replica_reads
from portal.signing import TimestampUnavailable

from . import services, vnpay
from .constants import PaymentMethod, PaymentStatus
from .models import Overpayment, Payment, SandboxTransaction
from .vietqr import bank_name, vietqr_payload

logger = logging.getLogger("payments")


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path)


def _gateway_url(request) -> str:
    return settings.VNPAY_URL or _absolute(request, reverse("payments:sandbox"))


@login_required
@require_POST
def start(request, code: str):
    """The citizen chooses how to pay: redirect to the gateway, or show the bank QR."""
    try:
        dossier = dossier_selectors.dossier_for(request.user, code=code)
    except Exception:  # noqa: BLE001 - not theirs or unknown: not found
        raise Http404 from None
    method = request.POST.get("method", PaymentMethod.SANDBOX)
    if method not in (PaymentMethod.VNPAY, PaymentMethod.SANDBOX, PaymentMethod.VIETQR):
        return bad_request(request, reason=_("Unknown payment method."))
    try:
        payment = services.payment_start(dossier=dossier, method=method, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("dossiers:detail", code=code)
    if method == PaymentMethod.VIETQR:
        return redirect("payments:vietqr", reference=payment.reference)
    return redirect(
        services.payment_gateway_url(
            payment=payment,
            gateway_url=_gateway_url(request),
            return_url=_absolute(request, reverse("payments:vnpay_return")),
            ip_addr=client_address(request),
        )
    )


def ipn_handle(params) -> dict:
    """The gateway's server-to-server notification (VNPAY IPN protocol): verify, then confirm."""
    result = vnpay.verify_callback(params, settings.VNPAY_HASH_SECRET)
    if not result.valid_signature:
        logger.warning("payment IPN with an invalid signature: %s", dict(params).get("vnp_TxnRef"))
        return vnpay.ipn_response(vnpay.IPN_INVALID_SIGNATURE, "Invalid signature")
    payment = Payment.objects.filter(reference=result.txn_ref).first()
    if payment is None:
        return vnpay.ipn_response(vnpay.IPN_ORDER_NOT_FOUND, "Order not found")
    if payment.status == PaymentStatus.PAID and (
        not result.paid or result.transaction_no == payment.gateway_transaction
    ):
        return vnpay.ipn_response(vnpay.IPN_ALREADY_CONFIRMED, "Order already confirmed")
    if result.amount != payment.amount:
        return vnpay.ipn_response(vnpay.IPN_INVALID_AMOUNT, "Invalid amount")
    try:
        # Money for a voided payment or a paid dossier is kept as an over-payment: "00" too, as
        # the gateway retries any other answer.
        if result.paid:
            services.payment_confirm(
                reference=result.txn_ref, amount=result.amount, gateway_transaction=result.transaction_no, source="ipn"
            )
        else:
            services.payment_close(
                payment=payment, outcome="cancelled" if result.response_code == "24" else "failed", source="ipn"
            )
    except services.CallbackRejected as rejected:
        return vnpay.ipn_response(rejected.code if rejected.code in vnpay.IPN_MESSAGES else "99", str(rejected))
    return vnpay.ipn_response(vnpay.IPN_SUCCESS, "Confirm Success")


@require_GET
def vnpay_ipn(request):
    return JsonResponse(ipn_handle(request.GET))


@require_GET
def vnpay_return(request):
    """Where the browser comes back: shows what the portal knows (the IPN decides, not this)."""
    result = vnpay.verify_callback(request.GET, settings.VNPAY_HASH_SECRET)
    if not result.valid_signature:
        logger.warning("payment return with an invalid signature: %s", request.GET.get("vnp_TxnRef"))
        return render(request, "payments/return.html", {"invalid": True}, status=400)
    payment = Payment.objects.select_related("dossier").filter(reference=result.txn_ref).first()
    if payment is None:
        raise Http404
    return render(request, "payments/return.html", {"payment": payment, "dossier": payment.dossier})


def sandbox(request):
    """The built-in test gateway: a page that acts like a real one (pay, fail, cancel, pay late)."""
    if not settings.PAYMENT_SANDBOX_ENABLED:
        raise Http404
    params = request.GET if request.method == "GET" else request.POST
    request_check = vnpay.verify_callback(params, settings.VNPAY_HASH_SECRET)
    if not request_check.valid_signature:
        return HttpResponseBadRequest("invalid signature")
    voided = (
        Payment.objects.select_related("dossier")
        .filter(reference=request_check.txn_ref, status=PaymentStatus.VOIDED)
        .first()
    )
    if voided is not None:  # like a real gateway told the order is cancelled: nothing to pay
        return render(request, "payments/voided.html", {"payment": voided, "dossier": voided.dossier}, status=410)
    if request.method == "GET":
        return render(
            request,
            "payments/sandbox.html",
            {
                "params": {k: v for k, v in params.items()},
                "amount": request_check.amount,
                "reference": request_check.txn_ref,
            },
        )
    outcome = request.POST.get("outcome", "pay")
    code = {"pay": "00", "late": "00", "lost": "00", "fail": "51", "cancel": "24"}.get(outcome, "99")
    reply = {
        "vnp_TmnCode": params.get("vnp_TmnCode"),
        "vnp_Amount": params.get("vnp_Amount"),
        "vnp_TxnRef": params.get("vnp_TxnRef"),
        "vnp_OrderInfo": params.get("vnp_OrderInfo"),
        "vnp_ResponseCode": code,
        "vnp_TransactionStatus": code,
        "vnp_BankCode": "NCB",
        "vnp_TransactionNo": f"SB{timezone.now():%H%M%S%f}",
        "vnp_PayDate": f"{timezone.localtime():%Y%m%d%H%M%S}",
    }
    reply["vnp_SecureHash"] = vnpay.sign(reply, settings.VNPAY_HASH_SECRET)
    SandboxTransaction.objects.update_or_create(
        txn_ref=reply["vnp_TxnRef"],
        defaults={
            "amount": request_check.amount,
            "order_info": reply["vnp_OrderInfo"] or "",
            "response_code": code,
            "transaction_no": reply["vnp_TransactionNo"],
            "paid_at": timezone.now(),
        },
    )
    if outcome == "late":
        Payment.objects.filter(reference=reply["vnp_TxnRef"], status=PaymentStatus.PENDING).update(
            expires_at=timezone.now()
        )
        services.payments_expire_overdue()
    if outcome != "lost":  # "lost": the notification never arrives; reconciliation finds the payment
        ipn_handle(reply)  # the gateway's server-to-server notification comes first
    return redirect(
        params.get("vnp_ReturnUrl") + "?" + vnpay.canonical_query(reply) + "&vnp_SecureHash=" + reply["vnp_SecureHash"]
    )


@csrf_exempt
@require_POST
def sandbox_query(request):
    """The test gateway's transaction query API (VNPAY querydr): JSON in, signed JSON out."""
    if not settings.PAYMENT_SANDBOX_ENABLED:
        raise Http404
    try:
        body = json.loads(request.body)
    except ValueError:
        body = None
    if not isinstance(body, dict) or not vnpay.verify_query_request(body, settings.VNPAY_HASH_SECRET):
        return JsonResponse({"vnp_ResponseCode": "97", "vnp_Message": "Invalid Checksum"})
    answer = {
        "vnp_ResponseId": body.get("vnp_RequestId", ""),
        "vnp_Command": vnpay.COMMAND_QUERY,
        "vnp_TmnCode": body.get("vnp_TmnCode", ""),
        "vnp_TxnRef": body.get("vnp_TxnRef", ""),
    }
    found = SandboxTransaction.objects.filter(txn_ref=answer["vnp_TxnRef"]).first()
    if found is None:
        answer.update(vnp_ResponseCode=vnpay.QUERY_NOT_FOUND, vnp_Message="Transaction not found")
    else:
        answer.update(
            vnp_ResponseCode=vnpay.SUCCESS_CODE,
            vnp_Message="QueryDR Success",
            vnp_Amount=str(found.amount * 100),
            vnp_BankCode="NCB",
            vnp_PayDate=vnpay.format_vnpay_datetime(found.paid_at),
            vnp_TransactionNo=found.transaction_no,
            vnp_TransactionType="01",
            vnp_TransactionStatus=found.response_code if found.response_code == "00" else "02",
            vnp_OrderInfo=found.order_info,
            vnp_PromotionCode="",
            vnp_PromotionAmount="",
        )
    return JsonResponse(vnpay.sign_query_response(answer, settings.VNPAY_HASH_SECRET))


def _own_vietqr_payment(request, reference: str) -> Payment:
    """The VietQR payment `reference` of a dossier the signed-in user applied for; 404 otherwise
    (someone else's payment and an unknown one look the same)."""
    payment = Payment.objects.select_related("dossier").filter(reference=reference, method=PaymentMethod.VIETQR).first()
    if payment is None or not request.user.is_authenticated or payment.dossier.applicant_id != request.user.pk:
        raise Http404
    return payment


def _vietqr_payload(payment: Payment) -> str:
    return vietqr_payload(
        bank_bin=settings.VIETQR_BANK_BIN,
        account=settings.VIETQR_ACCOUNT,
        amount=payment.amount,
        reference=payment.reference,
    )


def _awaiting_transfer(payment: Payment) -> bool:
    return payment.status == PaymentStatus.PENDING and payment.expires_at > timezone.now()


@login_required
def vietqr(request, reference: str):
    payment = _own_vietqr_payment(request, reference)
    if payment.status == PaymentStatus.VOIDED:
        return render(request, "payments/voided.html", {"payment": payment, "dossier": payment.dossier}, status=410)
    if payment.status == PaymentStatus.PAID:
        messages.success(request, _("Payment received. Thank you."))
        return redirect("dossiers:detail", code=payment.dossier.code)
    if payment.status != PaymentStatus.PENDING:
        messages.info(request, _("This payment is no longer awaiting a transfer."))
        return redirect("dossiers:detail", code=payment.dossier.code)
    if not _awaiting_transfer(payment):  # past its deadline, before the expiry task closed it
        messages.info(request, _("This QR code has expired. Go back to the dossier to pay again."))
        return redirect("dossiers:detail", code=payment.dossier.code)
    payload = _vietqr_payload(payment)
    return render(
        request,
        "payments/vietqr.html",
        {
            "payment": payment,
            "qr": qr_svg(payload, scale=5),
            "payload": payload,
            "account": settings.VIETQR_ACCOUNT,
            "account_name": settings.VIETQR_ACCOUNT_NAME,
            "bank_name": bank_name(settings.VIETQR_BANK_BIN),
            "bank_bin": settings.VIETQR_BANK_BIN,
            "checked": "checked" in request.GET,  # "I have paid — check now" and it is not there yet
        },
    )


@login_required
@require_GET
def vietqr_png(request, reference: str):
    """The same QR as a PNG file, for "Save QR image": the payer opens it later in the banking app
    ("scan from a picture"). Only while the payment awaits the transfer."""
    import segno

    payment = _own_vietqr_payment(request, reference)
    if not _awaiting_transfer(payment):
        raise Http404
    buffer = io.BytesIO()
    segno.make(_vietqr_payload(payment), error="m", micro=False).save(buffer, kind="png", scale=10, border=4)
    response = HttpResponse(buffer.getvalue(), content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="VietQR-{payment.reference}.png"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def vietqr_status(request, reference: str):
    """What the VietQR page polls: {"status": pending | paid | expired | failed | cancelled |
    refunded | voided, "next": the dossier page}. JSON errors, never a sign-in redirect; someone
    else's payment is a 404 like an unknown one."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": "authentication required"}, status=401)
    try:
        payment = _own_vietqr_payment(request, reference)
    except Http404:
        return JsonResponse({"error": "not found"}, status=404)
    status = payment.status
    if status == PaymentStatus.PENDING and payment.expires_at <= timezone.now():
        status = PaymentStatus.EXPIRED  # the expiry task has not run yet: the code can no longer be paid
    response = JsonResponse(
        {"status": str(status), "next": reverse("dossiers:detail", kwargs={"code": payment.dossier.code})}
    )
    response["Cache-Control"] = "private, no-store"
    return response


@csrf_exempt
@require_POST
def bank_webhook(request):
    """The bank's notification of an incoming transfer (HMAC-SHA256 over the body)."""
    signature = request.headers.get("X-Signature", "")
    expected = hmac.new(settings.BANK_WEBHOOK_SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(signature, expected):
        logger.warning("bank webhook with an invalid signature")
        return JsonResponse({"error": "invalid signature"}, status=400)
    try:
        data = json.loads(request.body)
        reference, amount, txn = str(data["reference"]), int(data["amount"]), str(data["transaction_id"])
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": "malformed notification"}, status=400)
    try:
        services.payment_confirm(reference=reference, amount=amount, gateway_transaction=txn, source="bank")
    except services.CallbackRejected as rejected:
        status = 404 if rejected.code == "01" else 409
        return JsonResponse({"error": str(rejected)}, status=status)
    return JsonResponse({"status": "ok"})


@login_required
def receipt(request, reference: str):
    payment = Payment.objects.select_related("dossier").filter(reference=reference, status=PaymentStatus.PAID).first()
    if payment is None:
        raise Http404
    try:
        dossier_selectors.dossier_for(request.user, code=payment.dossier.code)
    except Exception:  # noqa: BLE001
        raise Http404 from None
    from .receipts import receipt_for

    try:
        document = receipt_for(payment.pk)
    except TimestampUnavailable as error:  # the outbox renders it again; no error page meanwhile
        logger.warning("receipt of payment %s not signed now: %s", payment.reference, error)
        messages.warning(request, DOCUMENT_LATER)
        return redirect("dossiers:detail", code=payment.dossier.code)
    if not document.file:  # destroyed at the end of the dossier's retention (retention app)
        raise Http404
    return FileResponse(document.file.open("rb"), filename=f"{document.number}.pdf", content_type="application/pdf")


@login_required
@require_POST
def record_at_counter(request, code: str):
    """The desk records a fee paid in cash or by a transfer it has seen arrive."""
    dossier = officer_scope(request.user).filter(code=code).first()
    if dossier is None:
        raise Http404
    try:
        payment = services.payment_record_at_counter(dossier=dossier, actor=request.user)
    except (ValidationError, services.CallbackRejected) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(
            request, _("Payment %(ref)s recorded; the receipt is being issued.") % {"ref": payment.reference}
        )
    return redirect("dossiers:desk", code=code)


@login_required
@require_POST
def exempt(request, code: str):
    """An officer waives the fee of a dossier, with the legal ground."""
    dossier = officer_scope(request.user).filter(code=code).first()
    if dossier is None:
        raise Http404
    try:
        services.fee_exempt(
            dossier=dossier,
            actor=request.user,
            ground=request.POST.get("ground", ""),
            note=request.POST.get("note", "")[:500],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The fee was waived."))
    return redirect("dossiers:desk", code=code)


@login_required
@require_POST
def refund(request, reference: str):
    """The desk or a leader pays back all or part of a paid fee, with the reason."""

    payment = Payment.objects.filter(reference=reference, dossier__in=officer_scope(request.user)).first()
    if payment is None:
        raise Http404
    try:
        amount = int(request.POST.get("amount", "").strip().replace(".", ""))
    except ValueError:
        messages.error(request, _("Give the amount to refund as a whole number of đồng."))
        return redirect("dossiers:desk", code=payment.dossier.code)
    try:
        services.payment_refund(
            payment=payment, amount=amount, actor=request.user, reason=request.POST.get("reason", "")[:500]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The refund was recorded."))
    return redirect("dossiers:desk", code=payment.dossier.code)


@login_required
@require_POST
def overpayment_refund(request, pk: int):
    """The desk or a leader records that an over-payment was paid back."""

    overpayment = (
        Overpayment.objects.filter(pk=pk, dossier__in=officer_scope(request.user)).select_related("dossier").first()
    )
    if overpayment is None:
        raise Http404
    try:
        services.overpayment_refund(
            overpayment=overpayment, actor=request.user, note=request.POST.get("note", "")[:500]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The over-payment was marked as refunded."))
    return redirect("dossiers:desk", code=overpayment.dossier.code)


@login_required
@replica_reads
def daily_report(request):
    """The agency's collection report for a day (CSV or XLSX)."""
    from datetime import date

    from .report import report_response

    held = {agency for agency, _ in memberships(request.user)}
    if not held:
        raise Http404
    try:
        agency_id = int(request.GET.get("agency") or min(held))
        day = date.fromisoformat(request.GET.get("date") or timezone.localdate().isoformat())
    except ValueError:
        return bad_request(request, reason=_("Give the date as YYYY-MM-DD."))
    if agency_id not in held:
        raise Http404
    return report_response(agency_id=agency_id, day=day, fmt=request.GET.get("format", "xlsx"))

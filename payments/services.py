"""Payments: start, confirm (idempotent, amount checked, never trusting the browser alone),
fail, expire, refund; each change through the payment state machine with an audit event."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dossiers.actions import dossier_act_as_system
from dossiers.constants import PAYABLE, EventKind
from dossiers.models import Dossier
from dossiers.permissions import is_receiving_desk
from dossiers.services import fee_quantity, postal_fee, record_event
from portal.constants import StaffRole
from portal.memberships import memberships
from portal.outbox import outbox_write

from .constants import OverpaymentReason, OverpaymentStatus, PaymentMethod, PaymentStatus
from .models import Overpayment, Payment, PaymentEvent

logger = logging.getLogger("payments")
P = PaymentStatus
PAYABLE_STATES = PAYABLE  # defined with the dossier's states, which the pages read too


class CallbackRejected(Exception):
    """A gateway or bank notification that must change nothing (logged; 4xx to the sender)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def _event(payment, kind, *, from_status="", actor=None, source="", data=None):
    return PaymentEvent.objects.create(
        payment=payment,
        kind=kind,
        from_status=from_status,
        to_status=payment.status,
        actor=actor,
        source=source,
        data=data or {},
    )


def fee_lines(dossier) -> list[dict]:
    """What is owed, line by line: the catalogue's fees for the quantities asked, when they make
    up the amount due; otherwise (an officer set the amount) one line."""
    lines = []
    for fee in dossier.procedure_version.fees.all():
        quantity = fee_quantity(dossier.fee_quantities, fee) if fee.unit != "dossier" else 1
        amount = fee.amount_for(quantity, online=True)
        if amount:
            lines.append(
                {
                    "name": fee.name,
                    "quantity": quantity,
                    "unit_price": fee.online_amount or fee.amount,
                    "amount": amount,
                }
            )
    postage = postal_fee(dossier)
    if postage:
        lines.append(
            {"name": _("Postal delivery of the result"), "quantity": 1, "unit_price": postage, "amount": postage}
        )
    if sum(line["amount"] for line in lines) == dossier.fee_due:
        return lines
    return [{"name": _("Fees"), "quantity": 1, "unit_price": dossier.fee_due, "amount": dossier.fee_due}]


@transaction.atomic
def payment_start(*, dossier, method: str, actor=None) -> Payment:
    """Open a payment for what the dossier owes (the pending one of this method if it exists)."""
    dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if dossier.fee_due <= 0:
        raise ValidationError(_("This dossier has no fee to pay."))
    if dossier.payments.filter(status=P.PAID).exists():
        raise ValidationError(_("This dossier is already paid."))
    if dossier.status not in PAYABLE:
        raise ValidationError(_("This dossier cannot be paid in its current state."))
    accepted = getattr(dossier.receiving_agency, "payment_settings", None)
    if accepted is not None and (
        (method == PaymentMethod.VNPAY and not accepted.online_gateway)
        or (method == PaymentMethod.VIETQR and not accepted.bank_qr)
    ):
        raise ValidationError(_("This agency does not accept this way of paying."))
    if method == PaymentMethod.SANDBOX and not settings.PAYMENT_SANDBOX_ENABLED:
        raise ValidationError(_("The test payment gateway is not available."))
    if method == PaymentMethod.VNPAY and not (
        settings.VNPAY_ENABLED
        and settings.VNPAY_HASH_SECRET
        and (settings.VNPAY_URL or settings.PAYMENT_SANDBOX_ENABLED)
    ):
        raise ValidationError(_("Online payment is not available; pay by bank transfer instead."))
    pending = dossier.payments.filter(
        status=P.PENDING, method=method, amount=dossier.fee_due, expires_at__gt=timezone.now()
    ).first()
    if pending:
        return pending
    items = fee_lines(dossier)
    payment = Payment.objects.create(
        dossier=dossier,
        method=method,
        amount=dossier.fee_due,
        items=items,
        expires_at=timezone.now() + timedelta(hours=settings.PAYMENT_DEADLINE_HOURS),
    )
    _event(payment, "started", actor=actor, data={"amount": payment.amount, "method": method})
    return payment


def payment_confirm(*, reference: str, amount: int, gateway_transaction: str, source: str, actor=None) -> Payment:
    """A payment is confirmed by the gateway (IPN), the bank, or an officer. Idempotent: the same
    notification twice, or return URL and IPN racing, give one paid payment and one receipt.

    It settles the dossier only when it pays what the dossier owes now. Money for a voided
    payment, a dossier already paid or a fee since changed is kept as an over-payment for the
    desk to refund (the returned payment is then not paid): the sender is told it was received."""
    rejection = None
    gateway_transaction = str(gateway_transaction)[:64]
    with transaction.atomic():
        dossier_id = Payment.objects.filter(reference=reference).values_list("dossier_id", flat=True).first()
        if dossier_id is None:
            logger.warning("payment callback for unknown reference %s (%s)", reference, source)
            raise CallbackRejected("01", "unknown reference")
        # The dossier first, then the payment: the order a new fee request locks them in.
        dossier = Dossier.objects.select_for_update().get(pk=dossier_id)
        payment = Payment.objects.select_for_update().get(reference=reference)
        if payment.status == P.PAID:
            if (
                gateway_transaction
                and payment.gateway_transaction
                and gateway_transaction != payment.gateway_transaction
            ):
                _overpayment(
                    payment,
                    OverpaymentReason.DUPLICATE,
                    amount=amount,
                    source=source,
                    actor=actor,
                    gateway_transaction=gateway_transaction,
                )
            return payment  # already confirmed: nothing more happens
        if payment.status == P.VOIDED:
            _overpayment(
                payment,
                OverpaymentReason.SUPERSEDED,
                amount=amount,
                source=source,
                actor=actor,
                gateway_transaction=gateway_transaction,
            )
            return payment
        if payment.status != P.PENDING:
            logger.warning("payment %s is %s; callback from %s ignored", reference, payment.status, source)
            rejection = ("callback_ignored", CallbackRejected("02", f"payment is {payment.status}"))
        elif int(amount) != payment.amount:
            logger.warning("payment %s: amount %s does not match %s", reference, amount, payment.amount)
            rejection = ("amount_mismatch", CallbackRejected("04", "invalid amount"))
        elif dossier.payments.filter(status=P.PAID).exists() or payment.amount != dossier.fee_due:
            reason = (
                OverpaymentReason.ALREADY_PAID
                if dossier.payments.filter(status=P.PAID).exists()
                else OverpaymentReason.SUPERSEDED
            )
            _void(payment, reason=reason, actor=actor, source=source)
            _overpayment(
                payment, reason, amount=amount, source=source, actor=actor, gateway_transaction=gateway_transaction
            )
            return payment
        else:
            payment.pay()
            payment.paid_at, payment.gateway_transaction = timezone.now(), gateway_transaction
            payment.save(update_fields=["status", "paid_at", "gateway_transaction"])
            _event(
                payment,
                "paid",
                from_status=P.PENDING,
                actor=actor,
                source=source,
                data={"gateway_transaction": gateway_transaction},
            )
            dossier_act_as_system(
                dossier=dossier,
                name="confirm_payment",
                data={"comment": _("Paid online: %(ref)s") % {"ref": reference}},
            )
            outbox_write("payment.paid", {"payment_id": payment.pk})  # the receipt, after commit
            return payment
    # Recorded outside the refused change, so the trail keeps what was tried.
    _event(payment, rejection[0], source=source, data={"amount": amount, "gateway_transaction": gateway_transaction})
    raise rejection[1]


def _void(payment: Payment, *, reason: str, actor=None, source: str = "", data=None) -> None:
    """Under the caller's lock: a pending payment can no longer be paid (its link and QR stop)."""
    payment.void()
    payment.save(update_fields=["status"])
    _event(
        payment,
        "voided",
        from_status=P.PENDING,
        actor=actor,
        source=source,
        data={"reason": str(reason), **(data or {})},
    )


def _overpayment(payment: Payment, reason: str, *, amount, source: str, gateway_transaction: str, actor=None):
    """Keep money that settles nothing, once per transaction, with its audit event."""
    overpayment, created = Overpayment.objects.get_or_create(
        payment=payment,
        gateway_transaction=gateway_transaction,
        defaults={
            "dossier_id": payment.dossier_id,
            "amount": max(int(amount), 0),
            "reason": reason,
            "source": source[:32],
        },
    )
    if created:
        logger.warning("payment %s: %s đ received but not owed (%s); refund queued", payment.reference, amount, reason)
        _event(
            payment,
            "overpaid",
            from_status=payment.status,
            actor=actor,
            source=source,
            data={
                "amount": int(amount),
                "reason": str(reason),
                "gateway_transaction": gateway_transaction,
                "overpayment": overpayment.pk,
            },
        )
    return overpayment


def payments_void_pending(*, dossier, actor=None) -> int:
    """A new amount was requested: the dossier's pending payments for another amount stop working.
    Runs in the fee request's transaction, under its lock of the dossier."""
    count = 0
    for payment in Payment.objects.select_for_update().filter(dossier=dossier, status=P.PENDING).order_by("pk"):
        if payment.amount != dossier.fee_due:
            _void(payment, reason="fee_changed", actor=actor, source="officer", data={"new_amount": dossier.fee_due})
            count += 1
    return count


def refund_allowed(*, actor, dossier) -> bool:
    """Who pays money back, a fee or an over-payment: the one-stop desk of the receiving agency,
    a leader of the receiving or the competent agency, or an administrator (the admin action)."""
    if actor.is_superuser:
        return True
    held = memberships(actor)
    return (dossier.receiving_agency_id, StaffRole.RECEPTIONIST) in held or any(
        (agency, StaffRole.LEADER) in held for agency in (dossier.receiving_agency_id, dossier.competent_agency_id)
    )


@transaction.atomic
def overpayment_refund(*, overpayment, actor, note: str = "") -> Overpayment:
    """The desk paid an over-payment back (at the counter or by transfer)."""
    overpayment = Overpayment.objects.select_for_update().select_related("dossier", "payment").get(pk=overpayment.pk)
    if not refund_allowed(actor=actor, dossier=overpayment.dossier):
        raise ValidationError(_("Only the one-stop desk or a leader of the agency refunds money."))
    if overpayment.status == OverpaymentStatus.REFUNDED:
        return overpayment
    overpayment.status, overpayment.refunded_at, overpayment.refunded_by = (
        OverpaymentStatus.REFUNDED,
        timezone.now(),
        actor,
    )
    overpayment.save(update_fields=["status", "refunded_at", "refunded_by"])
    _event(
        overpayment.payment,
        "overpayment_refunded",
        from_status=overpayment.payment.status,
        actor=actor,
        source="officer",
        data={"overpayment": overpayment.pk, "amount": overpayment.amount, "note": note[:500]},
    )
    return overpayment


@transaction.atomic
def payment_close(*, payment: Payment, outcome: str, source: str, actor=None) -> Payment:
    """Fail, cancel or expire a pending payment (a later success is refused: pay again)."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status != P.PENDING:
        return payment
    {"failed": payment.fail, "cancelled": payment.cancel, "expired": payment.expire}[outcome]()
    payment.save(update_fields=["status"])
    _event(payment, outcome, from_status=P.PENDING, actor=actor, source=source)
    return payment


def payment_gateway_url(*, payment: Payment, gateway_url: str, return_url: str, ip_addr: str, send: bool = True) -> str:
    """The signed address that sends the citizen to the gateway. Sending remembers when, because
    the gateway's query API finds a transaction by its reference and that time; ``send=False``
    (reading a payment's status) gives the address last sent, unchanged, when there is one."""
    from . import vnpay

    if send or payment.requested_at is None:
        payment.requested_at = timezone.now()
        Payment.objects.filter(pk=payment.pk).update(requested_at=payment.requested_at)
    now = payment.requested_at
    return vnpay.build_payment_url(
        base_url=gateway_url,
        tmn_code=settings.VNPAY_TMN_CODE,
        hash_secret=settings.VNPAY_HASH_SECRET,
        amount=payment.amount,
        txn_ref=payment.reference,
        order_info=f"Thanh toan ho so {payment.dossier.code}",
        return_url=return_url,
        ip_addr=ip_addr,
        created_at=now,
        locale="vn",
        expire_minutes=settings.PAYMENT_GATEWAY_EXPIRE_MINUTES,
    )


def gateway_query(payment: Payment, *, transport):
    """Ask the gateway what became of a payment (VNPAY querydr). ``transport(url, body)``
    returns the decoded JSON answer; None when the gateway cannot be reached."""
    import secrets

    from . import vnpay

    body = vnpay.build_query_request(
        tmn_code=settings.VNPAY_TMN_CODE,
        hash_secret=settings.VNPAY_HASH_SECRET,
        request_id=secrets.token_hex(16),
        txn_ref=payment.reference,
        transaction_date=payment.requested_at or payment.created_at,
        created_at=timezone.now(),
        ip_addr=settings.VNPAY_SERVER_IP,
        order_info=f"Truy van {payment.reference}",
    )
    try:
        answer = transport(
            settings.VNPAY_QUERY_URL or settings.PORTAL_BASE_URL + reverse("payments:sandbox_query"), body
        )
    except Exception as error:  # noqa: BLE001 - the network, the gateway: try again next round
        logger.warning("gateway query for %s failed: %s", payment.reference, error)
        return None
    return vnpay.verify_query_response(answer or {}, settings.VNPAY_HASH_SECRET)


def http_transport(url: str, body: dict) -> dict:
    import requests

    response = requests.post(url, json=body, timeout=settings.VNPAY_QUERY_TIMEOUT)
    response.raise_for_status()
    return response.json()


def payments_reconcile(*, transport=http_transport) -> dict:
    """Reconciliation: ask the gateway about payments pending longer than
    PAYMENT_QUERY_AFTER_MINUTES (a lost notification must not leave a paid dossier waiting),
    then expire those past their deadline. Safe to run twice: confirm and close are idempotent."""
    cutoff = timezone.now() - timedelta(minutes=settings.PAYMENT_QUERY_AFTER_MINUTES)
    counts = {"queried": 0, "paid": 0, "failed": 0, "unanswered": 0}
    # A voided payment's gateway link still worked until it expired: ask about those sent lately
    # too, so money paid through one and notified to no one still becomes an over-payment.
    link_alive_since = timezone.now() - timedelta(minutes=settings.PAYMENT_GATEWAY_EXPIRE_MINUTES + 60)
    pending = Payment.objects.filter(
        Q(status=P.PENDING, expires_at__gte=timezone.now())
        | Q(status=P.VOIDED, requested_at__gte=link_alive_since, overpayments__isnull=True),
        method__in=(PaymentMethod.VNPAY, PaymentMethod.SANDBOX),
        requested_at__lt=cutoff,
    )
    if not (settings.VNPAY_QUERY_URL or settings.PAYMENT_SANDBOX_ENABLED):
        pending = pending.none()  # no gateway to ask: only expiry
    for payment in pending.order_by("requested_at")[: settings.PAYMENT_QUERY_BATCH]:
        counts["queried"] += 1
        result = gateway_query(payment, transport=transport)
        if result is None or not result.valid_signature:
            if result is not None:
                logger.warning("gateway answer for %s has an invalid checksum", payment.reference)
            counts["unanswered"] += 1
            continue
        if result.txn_ref != payment.reference or not result.settled:
            continue  # not found or still being paid: ask again next round
        if result.paid:
            try:
                confirmed = payment_confirm(
                    reference=payment.reference,
                    amount=result.amount,
                    gateway_transaction=result.transaction_no,
                    source="reconciliation",
                )
                counts["paid"] += confirmed.status == P.PAID  # else kept as an over-payment
            except CallbackRejected as rejected:
                logger.warning("reconciliation of %s refused: %s", payment.reference, rejected)
        else:
            payment_close(payment=payment, outcome="failed", source="reconciliation")
            counts["failed"] += 1
    counts["expired"] = payments_expire_overdue()
    return counts


def payments_expire_overdue() -> int:
    """Reconciliation: pending payments past their deadline expire."""
    count = 0
    for payment in Payment.objects.filter(status=P.PENDING, expires_at__lt=timezone.now()):
        payment_close(payment=payment, outcome="expired", source="reconciliation")
        count += 1
    return count


@transaction.atomic
def payment_refund(*, payment: Payment, amount: int, actor, reason: str) -> Payment:
    """Refund all or part of a paid payment (a refused or withdrawn dossier, where rules say so).
    `actor` None is the portal itself; an officer needs refund_allowed."""
    payment = Payment.objects.select_for_update().select_related("dossier").get(pk=payment.pk)
    if actor is not None and not refund_allowed(actor=actor, dossier=payment.dossier):
        raise ValidationError(_("Only the one-stop desk or a leader of the agency refunds money."))
    if payment.status != P.PAID:
        raise ValidationError(_("Only a paid payment can be refunded."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for the refund.")]})
    if amount <= 0 or amount > payment.amount:
        raise ValidationError({"amount": [_("The refund must be between 1 đồng and the amount paid.")]})
    payment.refund()
    payment.refunded_amount = amount
    payment.save(update_fields=["status", "refunded_amount"])
    _event(
        payment,
        "refunded",
        from_status=P.PAID,
        actor=actor,
        source="officer",
        data={"amount": amount, "reason": reason},
    )
    return payment


def payment_record_at_counter(*, dossier, actor) -> Payment:
    """The desk took the fee in cash (or saw the transfer arrive): record and confirm it."""
    if not is_receiving_desk(actor, dossier):
        raise ValidationError(_("Only the one-stop desk of the receiving agency records payments."))
    with transaction.atomic():
        pending = dossier.payments.filter(status=P.PENDING, amount=dossier.fee_due).order_by("-created_at").first()
        payment = pending or payment_start(dossier=dossier, method=PaymentMethod.COUNTER, actor=actor)
    return payment_confirm(
        reference=payment.reference,
        amount=payment.amount,
        gateway_transaction=f"counter:{actor.pk}",
        source="officer",
        actor=actor,
    )


@transaction.atomic
def fee_exempt(*, dossier, actor, ground: str, note: str = ""):
    """An officer waives the fee on a ground the law lists; recorded in the dossier's trail."""
    from .models import FeeExemption

    if ground not in FeeExemption.values:
        raise ValidationError({"ground": [_("Choose the ground for the exemption.")]})
    dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
    agencies = {agency for agency, _role in memberships(actor)}
    if not agencies & {dossier.receiving_agency_id, dossier.competent_agency_id}:
        raise ValidationError(_("Only the agencies handling this dossier can waive its fee."))
    if dossier.payments.filter(status=P.PAID).exists():
        raise ValidationError(_("This dossier is already paid; refund it instead."))
    waived = dossier.fee_due
    dossier.fee_due = 0
    dossier.save(update_fields=["fee_due", "updated_at"])
    dossier.payments.filter(status=P.PENDING).update(expires_at=timezone.now())
    record_event(
        dossier,
        kind=EventKind.FEE_EXEMPTED,
        actor=actor,
        from_status=dossier.status,
        comment=f"{FeeExemption(ground).label}. {note}".strip(),
        data={"waived": waived, "ground": ground},
    )
    return dossier

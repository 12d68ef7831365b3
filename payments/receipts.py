"""The electronic receipt of a paid payment: rendered once, stored, put in the citizen's store."""

import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from dossiers.constants import DocumentSource
from dossiers.models import StoredDocument
from portal.pdf import qr_svg, render_to_pdf
from portal.signing import sign_pdf

from .models import Payment, Receipt
from .words import amount_in_words


def receipt_number(payment: Payment) -> str:
    return f"BL{timezone.localtime(payment.paid_at).year}-{payment.pk:07d}"


def receipt_for(payment_id: int) -> Receipt:
    payment = Payment.objects.select_related("dossier__procedure_version", "dossier__receiving_agency").get(
        pk=payment_id
    )
    existing = Receipt.objects.filter(payment=payment).first()
    if existing is not None:
        return existing
    dossier = payment.dossier
    base_url = settings.PORTAL_BASE_URL.rstrip("/")
    lookup_url = base_url + reverse("dossiers:lookup_short", kwargs={"code": dossier.code})
    number = receipt_number(payment)
    agency = dossier.receiving_agency  # the desk's agency collects the fee and issues the receipt
    with translation.override("vi"):
        pdf = render_to_pdf(
            "payments/receipt.html",
            {
                "receipt": {"number": number, "issued_at": timezone.localtime()},
                "payment": payment,
                "dossier": dossier,
                "items": payment.items,
                "amount_words": amount_in_words(payment.amount),
                "qr": qr_svg(lookup_url),
                "lookup_url": lookup_url,
                "verify_url": base_url + reverse("dossiers:verify"),
            },
        )
    # "Ký điện tử" must be true: signed (PAdES) with the collecting agency's certificate.
    pdf = sign_pdf(
        pdf,
        reason=f"Biên lai điện tử {number}",
        location=agency.name,
        field_name="BienLai",
        agency_code=agency.code,
        agency_name=agency.name,
    )
    receipt = Receipt(payment=payment, number=number, sha256=hashlib.sha256(pdf).hexdigest())
    receipt.file.save(f"{number}.pdf", ContentFile(pdf), save=False)
    try:
        with transaction.atomic():
            receipt.save()
    except IntegrityError:
        receipt.file.delete(save=False)
        return Receipt.objects.get(payment=payment)
    if dossier.applicant_id:
        StoredDocument.objects.get_or_create(
            owner_id=dossier.applicant_id,
            sha256=receipt.sha256,
            document_type=f"Biên lai: {dossier.code}",
            defaults={
                "name": f"{number}.pdf",
                "file": receipt.file.name,
                "content_type": "application/pdf",
                "size": len(pdf),
                "source": DocumentSource.RECEIPT,
                "source_dossier": dossier,
            },
        )
    return receipt

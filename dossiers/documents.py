"""The paper forms of a dossier (Circular 01/2018), rendered through portal.pdf."""

import hashlib

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from portal.pdf import qr_svg, render_to_pdf

from .models import Dossier, DossierDocument

FORM_TEMPLATES = {DossierDocument.Kind.FORM01: "dossiers/forms/form01.html"}


def lookup_url(dossier: Dossier, base_url: str) -> str:
    return base_url.rstrip("/") + reverse("dossiers:lookup_short", kwargs={"code": dossier.code})


def form_context(dossier: Dossier, base_url: str) -> dict:
    url = lookup_url(dossier, base_url)
    return {
        "dossier": dossier,
        "version": dossier.procedure_version,
        "attachments": dossier.attachments.select_related("requirement"),
        "documents": dossier.procedure_version.documents.all(),
        "lookup_url": url,
        "qr": qr_svg(url),
        "printed_at": timezone.localtime(),
    }


def dossier_document(dossier: Dossier, kind: str, *, base_url: str) -> DossierDocument:
    """The stored PDF of a form, rendered the first time it is needed and never again."""
    existing = DossierDocument.objects.filter(dossier=dossier, kind=kind).first()
    if existing is not None:
        return existing
    pdf = render_to_pdf(FORM_TEMPLATES[kind], form_context(dossier, base_url))
    document = DossierDocument(dossier=dossier, kind=kind, sha256=hashlib.sha256(pdf).hexdigest())
    document.file.save(f"{dossier.code}-{kind}.pdf", ContentFile(pdf), save=False)
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:  # another worker stored it first: keep theirs
        document.file.delete(save=False)
        return DossierDocument.objects.get(dossier=dossier, kind=kind)
    return document

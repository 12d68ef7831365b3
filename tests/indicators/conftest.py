"""A hand-computed fixture: a handful of dossiers whose every indicator was counted by hand.

Period: 1 February – 31 March 2026. Agency A (000.20.00.H99) with a sub-agency C; a sibling
agency B; all under the province P. Procedure P1 (birth, full-process online, no fee, 3 working
days) at A; P2 (partial online, a 20,000 đ fee) at A. Tết 2026: 16–20 February are days off.

| dossier | channel | received            | ended               | status      | notes                           |
|---------|---------|---------------------|---------------------|-------------|---------------------------------|
| D1      | online  | Mon 02/02 09:00     | Tue 03/02 10:00     | returned    | early; signed result; paid by   |
|         |         |                     |                     |             | gateway; reuses a stored doc;   |
|         |         |                     |                     |             | rated all 2; synced nationally  |
| D2      | counter | Wed 04/02 09:00     | Mon 09/02 16:00     | finished    | on time (due 09/02 17:00); paid |
|         |         |                     |                     |             | at the counter; no e-result     |
| D3      | online  | Thu 12/02 10:00     | Thu 26/02 16:00     | returned    | late across Tết: due 24/02;     |
|         |         |                     |                     |             | signed result; rated with a 0   |
| D4      | online  | Thu 05/02 09:00     | Fri 06/02 10:00     | returned    | early but 2 supplement requests |
|         |         |                     |                     |             | → late; no e-result             |
| D5      | online  | Mon 02/03 09:00     | Tue 03/03 (withdrawn)| withdrawn  | excluded from on-time figures   |
| D6      | online  | Tue 10/03 09:00     | —                   | in_processing | at C; due 2099 → on time      |
| D7      | counter | Wed 11/03 09:00     | —                   | in_processing | due 16/03/2026 → overdue      |
| D8      | online  | 10/01 (outside)     | 12/01               | returned    | outside the period              |
| DB      | online  | Thu 05/02 09:00     | Fri 06/02 10:00     | returned    | at agency B                     |
"""

from datetime import datetime

import pytest
from django.utils import timezone

from dossiers import services
from dossiers.constants import DossierStatus, Timeliness
from dossiers.models import Dossier, DossierDocument, Rating, StoredDocument, SupplementRequest
from payments.models import Payment
from procedures.constants import ServiceLevel
from procedures.models import FeeRule
from procedures.services import procedure_version_publish
from tests.dossiers.factories import CitizenFactory, birth_procedure, filled_draft
from tests.procedures.factories import AgencyFactory, VersionFactory

S = DossierStatus


def at(day: str, clock: str = "09:00") -> datetime:
    return timezone.make_aware(datetime.fromisoformat(f"{day}T{clock}"))


def _dossier(
    citizen, version, *, channel, received, ended=None, due, status, timeliness="", agency=None, reuse_from=None
):
    draft = filled_draft(citizen, version)
    if reuse_from is not None:
        requirement = version.documents.get(name=reuse_from.document_type)
        services.dossier_attach_stored(dossier=draft, requirement_id=requirement.pk, stored_id=reuse_from.public_id)
    dossier = services.dossier_submit(dossier=draft, actor=citizen)
    fields = {
        "channel": channel,
        "received_at": received,
        "counting_from": received,
        "due_at": due,
        "finished_at": ended,
        "status": status,
        "timeliness": timeliness,
    }
    if agency is not None:
        fields["competent_agency"] = agency
    Dossier.objects.filter(pk=dossier.pk).update(**fields)
    return Dossier.objects.get(pk=dossier.pk)


def _paid(dossier, method):
    return Payment.objects.create(
        dossier=dossier,
        method=method,
        amount=20000,
        status="paid",
        expires_at=timezone.now(),
        paid_at=dossier.received_at,
    )


def _rate(dossier, low=2):
    return Rating.objects.create(
        dossier=dossier, time_to_result=low, contacts=2, published_information=2, staff_attitude=2, online_service=2
    )


def _synced(dossier):
    """One status change of the dossier delivered to the national portal (and one still pending
    for D2, which does not count)."""
    from sync.models import NATIONAL_TARGET, Delivery, DeliveryStatus

    event = dossier.events.create(kind="received", to_status="received")
    Delivery.objects.create(
        event=event, target_key=NATIONAL_TARGET, target_url="https://dvc.example/api", status=DeliveryStatus.DELIVERED
    )


def _result(dossier):
    return DossierDocument.objects.create(
        dossier=dossier, kind=DossierDocument.Kind.RESULT, file="documents/result.pdf", sha256="0" * 64
    )


@pytest.fixture
def world(db):
    province = AgencyFactory(code="000.00.00.H99", name="UBND tỉnh", level="province")
    p1 = birth_procedure()  # at 000.20.00.H99, full-process, 3 working days, no fee
    agency_a = p1.agency
    agency_a.parent = province
    agency_a.save()
    agency_c = AgencyFactory(code="000.20.19.H99", name="Công an phường", parent=agency_a)
    agency_b = AgencyFactory(code="000.30.00.H99", name="UBND xã B", parent=province)
    p2 = VersionFactory(agency=agency_a, service_level=ServiceLevel.PARTIAL, partial_reason="Cần đối chiếu bản gốc")
    FeeRule.objects.create(version=p2, name="Lệ phí", amount=20000)
    p2 = procedure_version_publish(version=p2)
    citizen = CitizenFactory()

    d8 = _dossier(
        citizen,
        p1,
        channel="online",
        received=at("2026-01-10"),
        ended=at("2026-01-12", "10:00"),
        due=at("2026-01-14", "17:00"),
        status=S.RETURNED,
        timeliness=Timeliness.EARLY,
    )
    stored = StoredDocument.objects.get(owner=citizen, document_type="Giấy chứng sinh")
    d1 = _dossier(
        citizen,
        p1,
        channel="online",
        received=at("2026-02-02"),
        ended=at("2026-02-03", "10:00"),
        due=at("2026-02-05", "17:00"),
        status=S.RETURNED,
        timeliness=Timeliness.EARLY,
        reuse_from=stored,
    )
    d2 = _dossier(
        citizen,
        p1,
        channel="counter",
        received=at("2026-02-04"),
        ended=at("2026-02-09", "16:00"),
        due=at("2026-02-09", "17:00"),
        status=S.FINISHED,
        timeliness=Timeliness.ON_TIME,
    )
    d3 = _dossier(
        citizen,
        p1,
        channel="online",
        received=at("2026-02-12", "10:00"),
        ended=at("2026-02-26", "16:00"),
        due=at("2026-02-24", "17:00"),
        status=S.RETURNED,
        timeliness=Timeliness.LATE,
    )
    d4 = _dossier(
        citizen,
        p1,
        channel="online",
        received=at("2026-02-05"),
        ended=at("2026-02-06", "10:00"),
        due=at("2026-02-10", "17:00"),
        status=S.RETURNED,
        timeliness=Timeliness.EARLY,
    )
    d5 = _dossier(
        citizen,
        p1,
        channel="online",
        received=at("2026-03-02"),
        ended=at("2026-03-03", "10:00"),
        due=at("2026-03-05", "17:00"),
        status=S.WITHDRAWN,
    )
    d6 = _dossier(
        citizen,
        p1,
        channel="online",
        received=at("2026-03-10"),
        due=at("2099-01-01", "17:00"),
        status=S.IN_PROCESSING,
        agency=agency_c,
    )
    d7 = _dossier(
        citizen, p1, channel="counter", received=at("2026-03-11"), due=at("2026-03-16", "17:00"), status=S.IN_PROCESSING
    )
    db_ = _dossier(
        citizen,
        p1,
        channel="online",
        received=at("2026-02-05"),
        ended=at("2026-02-06", "10:00"),
        due=at("2026-02-10", "17:00"),
        status=S.RETURNED,
        timeliness=Timeliness.EARLY,
        agency=agency_b,
    )
    for round_ in (1, 2):
        SupplementRequest.objects.create(dossier=d4, round=round_, items=[{"what": "Ảnh", "why": "mờ"}])
    _paid(d1, "vnpay")
    _synced(d1)
    _paid(d2, "counter")
    _result(d1)
    _result(d3)
    _rate(d1)
    _rate(d3, low=0)
    return {
        "province": province,
        "a": agency_a,
        "b": agency_b,
        "c": agency_c,
        "p1": p1,
        "p2": p2,
        "dossiers": {"d1": d1, "d2": d2, "d3": d3, "d4": d4, "d5": d5, "d6": d6, "d7": d7, "d8": d8, "db": db_},
    }

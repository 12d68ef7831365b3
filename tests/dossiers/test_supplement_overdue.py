"""A supplement request not answered by its answer_by: nothing happens by itself; the desk's queue
shows it under "Supplement overdue", the desk (asked at reception) or the competent agency (asked
during appraisal) may refuse it, and the citizen is told the deadline passed but may still answer."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dossiers import services
from dossiers.actions import available_transitions, dossier_act
from dossiers.constants import DossierStatus, EventKind
from dossiers.exceptions import DossierConflict
from dossiers.models import Dossier, SupplementRequest
from dossiers.selectors import officer_queue
from tests.second_factor import staff_login

from .factories import DossierFactory, pdf_upload

pytestmark = pytest.mark.django_db
S = DossierStatus


def _asked_at_reception(submitted, desk):
    return dossier_act(
        dossier=submitted, name="request_supplement", actor=desk, data={"items": "Tờ khai — thiếu chữ ký"}
    )


def _deadline_passed(dossier):
    SupplementRequest.objects.filter(dossier=dossier).update(answer_by=timezone.now() - timedelta(hours=1))
    return Dossier.objects.get(pk=dossier.pk)


def test_before_its_deadline_the_desk_cannot_refuse_a_dossier_awaiting_a_supplement(office, submitted):
    dossier = _asked_at_reception(submitted, office["desk"])
    assert "refuse_reception" not in available_transitions(office["desk"], dossier)
    with pytest.raises(DossierConflict, match="refuse only once its deadline|chỉ từ chối"):
        dossier_act(dossier=dossier, name="refuse_reception", actor=office["desk"], data={"reasons": "Quá hạn"})
    _, counts = officer_queue(office["desk"], view="supplement_overdue")
    assert counts["supplement_overdue"] == 0


def test_after_its_deadline_the_queue_shows_it_and_the_desk_may_refuse_it(office, submitted, client):
    dossier = _deadline_passed(_asked_at_reception(submitted, office["desk"]))
    assert dossier.status == S.SUPPLEMENT_REQUESTED  # nothing happened by itself
    queue, counts = officer_queue(office["desk"], view="supplement_overdue")
    assert counts["supplement_overdue"] == 1 and [d.code for d in queue] == [dossier.code]
    staff_login(client, office["desk"])
    client.cookies["django_language"] = "en"
    page = client.get("/can-bo/ho-so/", {"view": "supplement_overdue"}).content.decode()
    assert "Supplement overdue" in page and dossier.code in page
    desk = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert 'id="supplement-overdue-1"' in desk and 'id="action-refuse_reception"' in desk
    response = client.post(
        f"/can-bo/ho-so/{dossier.code}/refuse_reception/",
        {"expected_status": S.SUPPLEMENT_REQUESTED, "reasons": "Không bổ sung trong thời hạn"},
    )
    assert response.status_code == 302
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert dossier.status == S.NOT_RECEIVED and dossier.finished_at
    event = dossier.events.get(kind=EventKind.RECEPTION_REFUSED)
    assert event.from_status == S.SUPPLEMENT_REQUESTED
    # Closed: the citizen can no longer answer.
    client.force_login(office["citizen"])
    assert client.get(f"/ho-so/{dossier.code}/bo-sung/").status_code == 404


def test_the_citizen_is_told_the_deadline_passed_and_may_still_answer(office, submitted, client):
    dossier = _deadline_passed(_asked_at_reception(submitted, office["desk"]))
    client.force_login(office["citizen"])
    client.cookies["django_language"] = "en"
    detail = client.get(f"/ho-so/{dossier.code}/").content.decode()
    assert 'id="supplement-overdue"' in detail and "deadline for the supplement has passed" in detail
    assert f"/ho-so/{dossier.code}/bo-sung/" in detail
    form = client.get(f"/ho-so/{dossier.code}/bo-sung/").content.decode()
    assert 'id="supplement-overdue"' in form
    response = client.post(f"/ho-so/{dossier.code}/bo-sung/", {"answer": "Gửi muộn", "files-item-0": pdf_upload()})
    assert response.status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).status == S.SUBMITTED  # back to the desk, late but taken


def test_asked_during_appraisal_the_competent_agency_refuses_it_not_the_desk(office):
    dossier = DossierFactory(
        state=S.IN_PROCESSING, applicant=office["citizen"], version=office["version"], people=office
    )
    services.dossier_request_supplement(
        dossier=dossier, actor=office["specialist"], items=[{"what": "Ảnh", "why": "mờ"}], role="specialist"
    )
    dossier = _deadline_passed(dossier)
    assert "refuse_reception" not in available_transitions(office["desk"], dossier)
    assert "refuse" in available_transitions(office["specialist"], dossier)
    dossier = dossier_act(dossier=dossier, name="refuse", actor=office["specialist"], data={"reasons": "Quá hạn"})
    assert dossier.status == S.REFUSED

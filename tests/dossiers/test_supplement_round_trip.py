"""A supplement requested at reception (#13): the answer goes back to the desk, which receives
it (Form 01) or asks again; the page has one slot per requested item and the date to answer by;
Form 02 and /tc/<code> lead to that page."""

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from dossiers import services
from dossiers.actions import available_transitions, dossier_act
from dossiers.constants import DossierStatus, EventKind
from dossiers.documents import form_context
from dossiers.models import Dossier, DossierDocument
from tests.api.conftest import api_for
from tests.second_factor import staff_login

from .factories import pdf_upload, receive_data

pytestmark = pytest.mark.django_db
S = DossierStatus
ITEMS = "Bản sao giấy chứng sinh — bản đã nộp bị mờ\nXác nhận cư trú — thiếu trong hồ sơ"


def _ask_at_reception(submitted, desk, items=ITEMS):
    return dossier_act(dossier=submitted, name="request_supplement", actor=desk, data={"items": items})


def test_an_answer_to_a_supplement_asked_at_reception_goes_back_to_the_desk(office, submitted, client):
    dossier = _ask_at_reception(submitted, office["desk"])
    request = dossier.supplement_requests.get()
    services.dossier_resubmit(
        dossier=dossier, actor=office["citizen"], uploads=[("item-0", pdf_upload()), ("item-1", pdf_upload())]
    )
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert (dossier.status, dossier.received_at, dossier.due_at) == (S.SUBMITTED, None, None)
    assert {"receive", "request_supplement", "refuse_reception"} <= set(available_transitions(office["desk"], dossier))
    request.refresh_from_db()
    assert [len(item["files"]) for item in request.items] == [1, 1]  # which file answers which item
    # The desk receives it: the legal clock starts, the reception event and Form 01 exist.
    dossier = dossier_act(dossier=dossier, name="receive", actor=office["desk"], data=receive_data(dossier))
    assert dossier.status == S.RECEIVED and dossier.due_at is not None
    assert dossier.events.filter(kind=EventKind.RECEIVED).exists()
    assert "form01" in {d["kind"] for d in services.available_documents(dossier, staff=False)}
    client.force_login(office["citizen"])
    assert client.get(f"/ho-so/{dossier.code}/phieu-tiep-nhan.pdf").status_code == 200
    assert DossierDocument.objects.filter(dossier=dossier, kind="form01").exists()


def test_the_desk_may_ask_again_after_an_answer_at_reception(office, submitted):
    dossier = _ask_at_reception(submitted, office["desk"])
    services.dossier_resubmit(dossier=dossier, actor=office["citizen"], uploads=[], answer="Đã nộp bản rõ")
    dossier = _ask_at_reception(Dossier.objects.get(pk=dossier.pk), office["desk"], "Ảnh — thiếu")
    assert dossier.status == S.SUPPLEMENT_REQUESTED
    assert list(dossier.supplement_requests.values_list("round", flat=True)) == [1, 2]


def test_the_supplement_page_has_a_slot_per_requested_item_and_the_answer_by_date(office, submitted, client):
    dossier = _ask_at_reception(submitted, office["desk"])
    request = dossier.supplement_requests.get()
    assert request.answer_by is not None and request.answer_by > timezone.now()
    client.force_login(office["citizen"])
    page = client.get(f"/ho-so/{dossier.code}/bo-sung/").content.decode()
    assert 'name="files-item-0"' in page and 'name="files-item-1"' in page
    assert "Bản sao giấy chứng sinh" in page and "thiếu trong hồ sơ" in page
    for requirement in dossier.procedure_version.documents.all():  # not the procedure's own slots
        assert f'name="files-{requirement.pk}"' not in page
    assert timezone.localtime(request.answer_by).strftime("%d/%m/%Y") in page
    response = client.post(
        f"/ho-so/{dossier.code}/bo-sung/", {"files-item-1": pdf_upload(), "answer": "Gửi xác nhận cư trú"}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert "files" not in request.items[0] and len(request.items[1]["files"]) == 1


def test_an_unknown_item_slot_is_refused_and_changes_nothing(office, submitted, client):
    dossier = _ask_at_reception(submitted, office["desk"])
    client.force_login(office["citizen"])
    response = client.post(f"/ho-so/{dossier.code}/bo-sung/", {"files-item-7": pdf_upload()})
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    assert Dossier.objects.get(pk=dossier.pk).status == S.SUPPLEMENT_REQUESTED
    assert not dossier.attachments.filter(supplement_round=1).exists()


def test_form02_points_at_the_supplement_page_and_lookup_offers_the_way_to_answer(office, submitted, client):
    dossier = _ask_at_reception(submitted, office["desk"])
    context = form_context(dossier, "https://dvc.example.vn")
    form02 = render_to_string("dossiers/forms/form02.html", context)
    assert f"https://dvc.example.vn/ho-so/{dossier.code}/bo-sung/" in form02
    assert f"/tc/{dossier.code}" not in form02.split("Ông/Bà bổ sung", 1)[1].split("</p>", 1)[0]
    assert "Thời hạn bổ sung" in form02
    page = client.get(f"/tc/{dossier.code}").content.decode()
    assert f'href="/ho-so/{dossier.code}/bo-sung/"' in page


def test_the_answered_dossier_is_in_the_desks_to_receive_queue(office, submitted, client):
    dossier = _ask_at_reception(submitted, office["desk"])
    services.dossier_resubmit(dossier=dossier, actor=office["citizen"], uploads=[("item-0", pdf_upload())])
    staff_login(client, office["desk"])
    page = client.get("/can-bo/ho-so/", {"view": "to_receive"}).content.decode()
    assert dossier.code in page
    desk_page = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert f"/can-bo/ho-so/{dossier.code}/receive/" in desk_page


def test_the_api_takes_the_answer_per_item_and_hands_it_back_to_the_desk(office, submitted):
    dossier = _ask_at_reception(submitted, office["desk"])
    response = api_for(office["citizen"]).post(
        f"/api/v1/dossiers/{dossier.code}/supplement-response/",
        {"answer": "Đã bổ sung", "files-item-1": pdf_upload()},
        format="multipart",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted"
    assert len(dossier.supplement_requests.get().items[1]["files"]) == 1

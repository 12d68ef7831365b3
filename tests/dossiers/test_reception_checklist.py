"""The reception checklist: the desk ticks each document of the procedure; a required one left
unticked refuses reception (and proposes it for a supplement request); Form 01 prints what was
ticked, Form 02 what is missing with its originals and copies."""

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import translation

from dossiers.actions import dossier_act
from dossiers.constants import DossierStatus, EventKind
from dossiers.documents import form_context
from dossiers.models import Dossier
from tests.api.conftest import api_for
from tests.second_factor import staff_login

pytestmark = pytest.mark.django_db
S = DossierStatus


def _documents(dossier):
    return {d.name: d for d in dossier.procedure_version.documents.all()}


def test_receiving_is_refused_while_a_required_document_is_unticked(office, submitted):
    docs = _documents(submitted)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        dossier_act(
            dossier=submitted,
            name="receive",
            actor=office["desk"],
            data={"documents": [docs["Giấy chứng sinh"].pk]},  # "Tờ khai" (required) left unticked
        )
    assert "Tờ khai" in str(refused.value) and "request a supplement" in str(refused.value)
    dossier = Dossier.objects.get(pk=submitted.pk)
    assert dossier.status == S.SUBMITTED and dossier.received_at is None
    assert not dossier.events.filter(kind=EventKind.RECEIVED).exists()


def test_the_ticked_checklist_is_stored_and_printed_on_form01(office, submitted):
    docs = _documents(submitted)
    required = [docs["Tờ khai"].pk, docs["Giấy chứng sinh"].pk]  # the optional portrait is not ticked
    dossier = dossier_act(dossier=submitted, name="receive", actor=office["desk"], data={"documents": required})
    assert dossier.status == S.RECEIVED
    checklist = dossier.events.get(kind=EventKind.RECEIVED).data["checklist"]
    assert {row["name"]: row["received"] for row in checklist} == {
        "Tờ khai": True,
        "Giấy chứng sinh": True,
        "Ảnh chân dung": False,
    }
    assert all({"originals", "copies", "required"} <= set(row) for row in checklist)
    html = render_to_string("dossiers/forms/form01.html", form_context(dossier, "https://dvc.example.vn"))
    assert "<th>Đã nhận</th>" in html
    rows = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("</tr>")
    ticks = {name: next(r for r in rows if f"<td>{name}</td>" in r) for name in docs}
    assert '<td class="tick">✓</td>' in ticks["Giấy chứng sinh"]
    assert '<td class="tick">—</td>' in ticks["Ảnh chân dung"]


def test_a_document_of_another_procedure_is_refused(office, submitted):
    from tests.procedures.factories import VersionFactory

    foreign = VersionFactory(published=True).documents.first()
    ticked = [*_documents(submitted).values(), foreign]
    with pytest.raises(ValidationError):
        dossier_act(dossier=submitted, name="receive", actor=office["desk"], data={"documents": [d.pk for d in ticked]})
    assert Dossier.objects.get(pk=submitted.pk).status == S.SUBMITTED


def test_the_desk_page_ticks_one_by_one_and_proposes_the_unticked_for_a_supplement(office, submitted, client):
    staff_login(client, office["desk"])
    client.cookies["django_language"] = "en"
    docs = _documents(submitted)
    page = client.get(f"/can-bo/ho-so/{submitted.code}/").content.decode()
    receive = page.split('id="action-receive"', 1)[1].split("</form>", 1)[0]
    assert receive.count('name="documents"') == 3 and "<legend" in receive
    assert f'value="{docs["Tờ khai"].pk}"' in receive
    # Ticking only the birth certificate: refused, nothing changed, the supplement form proposes the rest.
    response = client.post(
        f"/can-bo/ho-so/{submitted.code}/receive/",
        {"expected_status": "submitted", "documents": [docs["Giấy chứng sinh"].pk]},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "these required documents are not ticked: Tờ khai" in body
    assert 'id="details-request_supplement" open>' in body
    supplement = body.split('id="details-request_supplement"', 1)[1]
    textarea = supplement.split("<textarea", 1)[1].split("</textarea>", 1)[0]
    assert "Tờ khai —" in textarea and "Giấy chứng sinh" not in textarea
    assert Dossier.objects.get(pk=submitted.pk).status == S.SUBMITTED


def test_asking_for_the_proposed_documents_links_each_item_to_its_document_on_form02(office, submitted):
    docs = _documents(submitted)
    dossier = dossier_act(
        dossier=submitted,
        name="request_supplement",
        actor=office["desk"],
        data={"items": "Tờ khai — thiếu trong hồ sơ\nẢnh rõ nét — ảnh mờ"},
    )
    items = dossier.supplement_requests.get().items
    assert items[0]["requirement"] == docs["Tờ khai"].pk and "requirement" not in items[1]
    html = render_to_string("dossiers/forms/form02.html", form_context(dossier, "https://dvc.example.vn"))
    assert "<th>Số lượng</th>" in html and "1 bản chính" in html


def test_the_api_lists_the_checklist_and_receives_with_it(office, submitted):
    api = api_for(office["desk"])
    listed = api.get(f"/api/v1/dossiers/{submitted.code}/transitions/").json()
    receive = next(t for t in listed if t["name"] == "receive")
    (parameter,) = receive["parameters"]
    assert parameter["name"] == "documents" and len(parameter["choices"]) == 3
    url = f"/api/v1/dossiers/{submitted.code}/transitions/receive/"
    assert api.post(url, {}, format="json").status_code == 400  # nothing ticked: refused, with the reason
    ids = [c["value"] for c in parameter["choices"]]
    assert api.post(url, {"documents": ids}, format="json").json()["status"] == S.RECEIVED

"""One answer to "what may this person do now" (dossiers.actions.dossier_actions): the pages and the
API say the same, a state that does not allow a use case is a 409 raised by the use case itself,
and the desk's fee work and bulk assignment follow the transition rules."""

import pytest
from django.core.exceptions import ValidationError

from dossiers import services
from dossiers.actions import dossier_actions, dossier_counter_submit
from dossiers.constants import DossierStatus as S
from dossiers.exceptions import DossierConflict
from dossiers.models import Dossier
from payments.services import payment_confirm, payment_record_at_counter, payment_start
from tests.dossiers.factories import pdf_upload
from tests.second_factor import staff_login

from .conftest import api_for, assert_problem

pytestmark = pytest.mark.django_db


def owing(dossier, amount=20000):
    Dossier.objects.filter(pk=dossier.pk).update(fee_due=amount)
    return Dossier.objects.get(pk=dossier.pk)


def offered_on_the_page(client, dossier) -> bool:
    return 'id="pay-vnpay"' in client.get(f"/ho-so/{dossier.code}/").content.decode()


def offered_by_the_api(citizen, dossier) -> bool:
    return "pay" in api_for(citizen).get(f"/api/v1/dossiers/{dossier.code}/").json()["applicant_actions"]


def test_after_paying_the_page_and_the_api_agree_there_is_nothing_to_pay(office, submitted, client):
    citizen, dossier = office["citizen"], owing(submitted)
    client.force_login(citizen)
    assert offered_on_the_page(client, dossier) and offered_by_the_api(citizen, dossier)
    payment = payment_start(dossier=dossier, method="vietqr")
    payment_confirm(reference=payment.reference, amount=payment.amount, gateway_transaction="ft-1", source="bank")
    assert not offered_on_the_page(client, dossier)
    assert not offered_by_the_api(citizen, dossier)


def test_a_state_that_does_not_allow_a_use_case_is_a_conflict_from_the_use_case(office, submitted):
    citizen = office["citizen"]
    with pytest.raises(DossierConflict):
        services.dossier_rate(dossier=submitted, actor=citizen, scores=dict.fromkeys(services.RATING_CRITERIA, 2))
    with pytest.raises(DossierConflict):
        services.dossier_resubmit(dossier=submitted, actor=citizen, uploads=[], answer="x")
    services.dossier_request_withdrawal(dossier=submitted, actor=citizen, reason="Nộp nhầm")
    with pytest.raises(DossierConflict):
        services.dossier_request_withdrawal(dossier=submitted, actor=citizen, reason="Lần hai")
    assert issubclass(DossierConflict, ValidationError)  # pages show it like any refused input


def test_the_api_answers_a_use_cases_conflict_with_409(office, submitted):
    api = api_for(office["citizen"])
    scores = {"time_to_result": 2, "contacts": 2, "published_information": 2, "staff_attitude": 2, "online_service": 2}
    body = assert_problem(api.post(f"/api/v1/dossiers/{submitted.code}/rating/", scores, format="json"), 409)
    assert body["detail"] and not body["detail"].startswith("[")  # the message, not a list's repr


def test_the_desks_right_to_record_a_payment_is_one_rule(office, submitted):
    dossier = owing(submitted)
    specialist, desk = office["specialist"], office["desk"]
    assert not dossier_actions(dossier=dossier, user=specialist).record_payment
    with pytest.raises(ValidationError):
        payment_record_at_counter(dossier=dossier, actor=specialist)
    assert dossier_actions(dossier=dossier, user=desk).record_payment
    payment_record_at_counter(dossier=dossier, actor=desk)
    assert not dossier_actions(dossier=Dossier.objects.get(pk=dossier.pk), user=desk).record_payment


@pytest.mark.parametrize(("who", "may_assign"), [("desk", True), ("leader", True), ("specialist", False)])
def test_bulk_assignment_is_offered_to_the_roles_the_assign_rule_names(office, submitted, client, who, may_assign):
    staff_login(client, office[who])
    page = client.get("/can-bo/ho-so/?view=all").content.decode()  # a leader starts on their approvals
    assert ("queue-table__select" in page) == may_assign


def test_counter_intake_submits_and_receives_in_one_use_case(office):
    desk, version = office["desk"], office["version"]
    draft = services.dossier_counter_draft(officer=desk, version=version)
    services.dossier_draft_update(
        dossier=draft,
        applicant_data={
            "applicant_name": "Bà Ba",
            "applicant_id_number": "079203004567",
            "applicant_phone": "0987654321",
            "applicant_address": "Xóm 3",
        },
        form_data={"child_name": "Bé Tư", "child_dob": "2026-10-01"},
        delivery="counter",
        delivery_address="",
    )
    for doc in version.documents.filter(required=True):
        services.dossier_attach(dossier=draft, requirement_id=doc.pk, upload=pdf_upload())
    dossier = dossier_counter_submit(dossier=Dossier.objects.get(pk=draft.pk), actor=desk)
    assert dossier.status == S.RECEIVED and dossier.due_at is not None
    assert Dossier.objects.get(pk=draft.pk).status == S.RECEIVED

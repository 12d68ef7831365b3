"""The leader's destruction list page: who sees it, the decisions and bulk approval through it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dossiers.erasure import ANONYMISED
from dossiers.models import Dossier
from portal.constants import StaffRole
from retention.constants import CaseState
from retention.models import DestructionCase, DestructionRecord
from retention.services import retention_list_due
from tests.dossiers.factories import StaffFactory
from tests.retention.test_destruction import _returned
from tests.second_factor import staff_login

pytestmark = pytest.mark.django_db
LIST = reverse("retention:list")
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def listed(office):
    dossiers = [_returned(office) for _ in range(3)]
    retention_list_due()
    return [DestructionCase.objects.get(dossier=d) for d in dossiers]


def _decide(case, action):
    return reverse("retention:decide", args=[case.pk, action])


def test_only_the_agency_s_leaders_see_the_list(client, office, listed):
    assert client.get(LIST).status_code == 302  # to the login
    client.force_login(office["citizen"])
    assert client.get(LIST).status_code == 404
    for person in ("desk", "specialist", "stranger"):
        assert staff_login(client, office[person]).get(LIST).status_code == 404
    other_leader = StaffFactory(agency=office["other_agency"], role=StaffRole.LEADER)
    page = staff_login(client, other_leader).get(LIST, **EN)
    assert page.status_code == 200 and listed[0].dossier.code not in page.content.decode()
    assert client.post(_decide(listed[0], "approve")).status_code == 404
    assert client.post(reverse("retention:bulk_approve"), {"case": [listed[0].pk]}).status_code == 302
    assert DestructionCase.objects.get(pk=listed[0].pk).state == CaseState.LISTED


def test_the_leader_s_list_with_filters(client, office, listed, django_assert_max_num_queries):
    staff_login(client, office["leader"])
    with django_assert_max_num_queries(14):
        page = client.get(LIST, **EN)
    html = page.content.decode()
    assert page.status_code == 200
    assert all(case.dossier.code in html for case in listed)
    assert "Destruction list" in html and 'href="/can-bo/luu-tru/huy/"' in html  # in the menu too
    one = listed[0].dossier.code
    filtered = client.get(LIST, {"q": one}, **EN).content.decode()
    assert one in filtered and listed[1].dossier.code not in filtered
    assert listed[0].dossier.code not in client.get(LIST, {"state": "on_hold"}, **EN).content.decode()


def test_approve_through_the_page_destroys(client, office, listed, django_capture_on_commit_callbacks):
    staff_login(client, office["leader"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_decide(listed[0], "approve"), **EN)
    assert response.status_code == 302
    assert DestructionCase.objects.get(pk=listed[0].pk).state == CaseState.DESTROYED
    assert Dossier.objects.get(pk=listed[0].dossier_id).applicant_name == ANONYMISED
    page = client.get(LIST, {"state": "destroyed"}, **EN).content.decode()
    assert "Destruction records" in page and listed[0].dossier.code in page


def test_postpone_and_hold_need_their_reason(client, office, listed):
    staff_login(client, office["leader"])
    case = listed[0]
    response = client.post(_decide(case, "postpone"), {"until": "", "reason": "Thanh tra"}, follow=True, **EN)
    assert "Give the day until which the dossier is kept." in response.content.decode()
    response = client.post(_decide(case, "hold"), {"reason": ""}, follow=True, **EN)
    assert "Give the reason." in response.content.decode()
    response = client.post(_decide(case, "postpone"), {"until": "not a date", "reason": "x"}, follow=True, **EN)
    assert response.status_code == 200 and "Enter a valid date." in response.content.decode()
    assert DestructionCase.objects.get(pk=case.pk).state == CaseState.LISTED

    later = (timezone.localdate() + timedelta(days=90)).isoformat()
    client.post(_decide(case, "postpone"), {"until": later, "reason": "Thanh tra"})
    assert DestructionCase.objects.get(pk=case.pk).state == CaseState.POSTPONED
    client.post(_decide(case, "hold"), {"reason": "Tòa án yêu cầu"})
    assert DestructionCase.objects.get(pk=case.pk).state == CaseState.ON_HOLD
    response = client.post(_decide(case, "approve"), follow=True, **EN)
    assert "on legal hold" in response.content.decode()
    client.post(_decide(case, "release"))
    assert DestructionCase.objects.get(pk=case.pk).state == CaseState.LISTED
    assert client.post(_decide(case, "explode")).status_code == 404
    assert client.get(_decide(case, "approve")).status_code == 405


def test_bulk_approve_reports_each_refusal(client, office, listed, django_capture_on_commit_callbacks):
    staff_login(client, office["leader"])
    client.post(_decide(listed[2], "hold"), {"reason": "Khiếu nại"})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("retention:bulk_approve"), {"case": [c.pk for c in listed]}, follow=True, **EN)
    html = response.content.decode()
    assert "2 destruction(s) approved." in html and "on legal hold" in html
    states = dict(DestructionCase.objects.values_list("pk", "state"))
    assert [states[c.pk] for c in listed] == [CaseState.DESTROYED, CaseState.DESTROYED, CaseState.ON_HOLD]
    assert DestructionRecord.objects.count() == 2
    response = client.post(reverse("retention:bulk_approve"), {}, follow=True, **EN)
    assert "Tick the dossiers to approve first." in response.content.decode()


def test_a_destroyed_dossier_s_pages_show_no_personal_data_and_no_file(
    client, office, listed, django_capture_on_commit_callbacks
):
    from tests.retention.test_destruction import SECRET_ID, SECRET_NAME

    case = listed[0]
    dossier = case.dossier
    attachment = dossier.attachments.first()
    officer_file = dossier.officer_files.first()
    staff_login(client, office["leader"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_decide(case, "approve"))
    desk = staff_login(client, office["desk"]).get(reverse("dossiers:desk", args=[dossier.code]), **EN)
    html = desk.content.decode()
    assert desk.status_code == 200 and dossier.code in html
    assert SECRET_NAME not in html and SECRET_ID not in html and ANONYMISED in html
    assert "Retention ended: files destroyed, personal data anonymised" in html  # the timeline
    assert client.get(reverse("dossiers:attachment", args=[attachment.public_id])).status_code == 404
    officer = reverse("dossiers:officer_file", args=[dossier.code, officer_file.public_id])
    assert client.get(officer).status_code == 404
    form05 = client.get(reverse("dossiers:document", args=[dossier.code, "form05"]))
    assert form05.status_code in (404, 200)  # never a 500: re-rendered from the anonymised rows, or refused
    # The applicant's own pages no longer list it.
    client.force_login(office["citizen"])
    assert dossier.code not in client.get(reverse("dossiers:list"), **EN).content.decode()
    assert client.get(reverse("dossiers:detail", args=[dossier.code])).status_code == 404

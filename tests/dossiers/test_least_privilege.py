"""Least privilege for reads (issue #11): a specialist reads the dossiers assigned to them and those
awaiting their agency's opinion; the one-stop desk and leaders read all of their agency's. One rule
(dossiers.selectors.staff_read_scope) behind the officer pages, the downloads and the API; every
denied read is a 404."""

import pytest
from rest_framework.test import APIClient

from dossiers.actions import dossier_act
from dossiers.models import Dossier
from portal.constants import StaffRole
from tests.procedures.factories import AgencyFactory
from tests.second_factor import staff_login

from .factories import StaffFactory, receive_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(office, submitted):
    """The shared commune's dossier, received and assigned to its specialist; a colleague of theirs
    is not on it."""
    people = {
        "desk": office["desk"],
        "leader": office["leader"],
        "assigned": office["specialist"],
        "colleague": StaffFactory(agency=office["agency"], role=StaffRole.SPECIALIST),
    }
    dossier_act(dossier=submitted, name="receive", actor=people["desk"], data=receive_data(submitted))
    dossier_act(
        dossier=Dossier.objects.get(pk=submitted.pk),
        name="assign",
        actor=people["desk"],
        data={"specialist": people["assigned"].pk},
    )
    return people, Dossier.objects.get(pk=submitted.pk)


def reads(user, dossier):
    """What this user gets from each way of reading the dossier: the officer page, the citizen-side
    page, an attachment, Form 01, and the API's dossier, timeline and documents."""
    from django.test import Client

    client = Client()
    staff_login(client, user)
    api = APIClient()
    api.force_authenticate(user)
    attachment = dossier.attachments.first()
    return {
        "desk page": client.get(f"/can-bo/ho-so/{dossier.code}/").status_code,
        "detail page": client.get(f"/ho-so/{dossier.code}/").status_code,
        "attachment": client.get(f"/ho-so/tep/{attachment.public_id}/").status_code,
        "form 01": client.get(f"/ho-so/{dossier.code}/phieu-tiep-nhan.pdf").status_code,
        "api dossier": api.get(f"/api/v1/dossiers/{dossier.code}/").status_code,
        "api timeline": api.get(f"/api/v1/dossiers/{dossier.code}/timeline/").status_code,
        "api documents": api.get(f"/api/v1/dossiers/{dossier.code}/documents/").status_code,
        "api form 01": api.get(f"/api/v1/dossiers/{dossier.code}/documents/form01/").status_code,
        "api transitions": api.get(f"/api/v1/dossiers/{dossier.code}/transitions/").status_code,
    }


def in_queues(user, dossier):
    from django.test import Client

    client = Client()
    staff_login(client, user)
    page = client.get("/can-bo/ho-so/?view=all").content.decode()  # a leader starts on their approvals
    api = APIClient()
    api.force_authenticate(user)
    listed = [row["code"] for row in api.get("/api/v1/queue/").json()["results"]]
    return dossier.code in page, dossier.code in listed


def test_least_privilege_an_unassigned_specialist_reads_nothing_of_the_dossier(office):
    people, dossier = office
    assert set(reads(people["colleague"], dossier).values()) == {404}
    assert in_queues(people["colleague"], dossier) == (False, False)


@pytest.mark.parametrize("who", ["assigned", "leader", "desk"])
def test_least_privilege_the_assigned_specialist_the_leader_and_the_desk_read_it(office, who):
    people, dossier = office
    assert set(reads(people[who], dossier).values()) == {200}, reads(people[who], dossier)
    assert in_queues(people[who], dossier) == (True, True)


def test_least_privilege_a_consulted_agencys_specialist_reads_it_while_the_opinion_is_awaited(office):
    people, dossier = office
    consulted = AgencyFactory()
    expert = StaffFactory(agency=consulted, role=StaffRole.SPECIALIST)
    assert reads(expert, dossier)["desk page"] == 404
    dossier_act(
        dossier=dossier,
        name="consult",
        actor=people["assigned"],
        data={"agency": consulted.pk, "working_days": 3, "question": "Ý kiến về hộ tịch?"},
    )
    assert reads(expert, Dossier.objects.get(pk=dossier.pk))["desk page"] == 200
    assert in_queues(expert, dossier) == (True, True)
    assert reads(people["colleague"], dossier)["desk page"] == 404  # still not the colleague's
    dossier_act(
        dossier=Dossier.objects.get(pk=dossier.pk), name="record_consultation", actor=expert, data={"answer": "Đồng ý."}
    )
    assert set(reads(expert, Dossier.objects.get(pk=dossier.pk)).values()) == {404}  # answered: no longer theirs


def test_least_privilege_the_specialists_queue_costs_no_more_queries(office, django_assert_max_num_queries):
    from django.test import Client

    people, _ = office
    counts = {}
    for who in ("leader", "assigned"):
        client = Client()
        staff_login(client, people[who])
        with django_assert_max_num_queries(40) as captured:
            assert client.get("/can-bo/ho-so/?view=all").status_code == 200  # the same view for both
        counts[who] = len(captured.captured_queries)
    assert counts["assigned"] <= counts["leader"]

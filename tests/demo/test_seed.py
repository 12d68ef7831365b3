"""The demo data tells a believable story: what `make run` shows a new user."""

import pytest
from django.utils import timezone

from demo.seed import seed_demo
from dossiers.models import Dossier


@pytest.mark.django_db
def test_every_demo_due_time_is_the_offices_closing_time():
    """Due times are 17:00 (OFFICE_CLOSES_AT), never the hour the demo happened to be seeded."""
    seed_demo()
    due = [timezone.localtime(d) for d in Dossier.objects.exclude(due_at=None).values_list("due_at", flat=True)]
    assert due, "the demo has dossiers with a due date"
    assert {(d.hour, d.minute) for d in due} == {(17, 0)}


@pytest.mark.django_db
def test_every_demo_code_is_dated_the_day_its_dossier_was_submitted():
    """Codes read <unit>-YYMMDD-NNNN: a history dossier submitted months ago has that day in its
    code, not the day the demo was seeded; today's dossiers are numbered 1, 2, ... without gaps."""
    from collections import defaultdict
    from datetime import datetime

    from django.conf import settings

    seed_demo()
    dossiers = list(Dossier.objects.exclude(code="").values("code", "submitted_at", "receiving_agency__code", "due_at"))
    assert len(dossiers) > 10, "the demo has dossiers of today and of past months"
    today = timezone.localdate()
    numbers = defaultdict(list)
    for row in dossiers:
        unit, day, number = row["code"].rsplit("-", 2)
        submitted = timezone.localtime(row["submitted_at"]).date()
        assert (unit, datetime.strptime(day, "%y%m%d").date()) == (row["receiving_agency__code"], submitted), row
        numbers[(unit, submitted)].append(int(number))
    assert any(day < today for _unit, day in numbers), "some dossiers are dated back"
    for (_unit, day), issued in numbers.items():
        assert sorted(issued) == list(range(1, len(issued) + 1)), (day, issued)
    closing = datetime.strptime(settings.OFFICE_CLOSES_AT, "%H:%M").time()
    assert {timezone.localtime(row["due_at"]).time() for row in dossiers if row["due_at"]} == {closing}


@pytest.mark.django_db
def test_the_demo_has_an_officer_of_the_consulted_agency_who_sees_the_question_in_their_queue():
    from demo.seed import DEMO_CONSULTED_AGENCY
    from dossiers.actions import available_transitions
    from dossiers.constants import DossierStatus
    from dossiers.selectors import officer_queue
    from portal.models import User

    seed_demo()
    police = User.objects.get(email="congan@demo.motcua.vn")
    assert police.memberships.get().agency.code == DEMO_CONSULTED_AGENCY
    qs, counts = officer_queue(police, view="consulted")
    consulting = Dossier.objects.get(status=DossierStatus.CONSULTING)
    assert counts["consulted"] == 1 and [d.code for d in qs] == [consulting.code]
    assert available_transitions(police, consulting) == ["record_consultation"]


@pytest.mark.django_db
def test_demo_birth_and_marriage_registration_have_a_blank_form(client):
    from procedures.models import DocumentRequirement

    seed_demo()
    forms = DocumentRequirement.objects.filter(version__status="published").exclude(template="")
    assert {d.version.procedure.code for d in forms} == {"1.001193", "1.000894"}
    response = client.get(f"/thu-tuc/mau-don/{forms.get(version__procedure__code='1.001193').pk}/")
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    seed_demo()  # again: nothing doubled
    assert DocumentRequirement.objects.filter(version__status="published").exclude(template="").count() == 2


@pytest.mark.django_db
def test_the_demo_has_a_dossier_with_a_short_message_exchange():
    from dossiers.models import DossierMessage

    seed_demo()
    thread = list(DossierMessage.objects.order_by("created_at", "pk"))
    assert [m.from_applicant for m in thread] == [True, False, True]
    assert len({m.dossier_id for m in thread}) == 1
    assert thread[-1].read_at is None  # the citizen's thanks: unread in the officer's queue


@pytest.mark.django_db
def test_the_demo_has_a_result_sent_by_post_with_its_tracking_code(client):
    from postal.models import Shipment

    seed_demo()
    shipment = Shipment.objects.select_related("dossier").get()
    assert shipment.dossier.status == "finished" and shipment.dossier.delivery == "post"
    assert shipment.dossier.fee_due >= 30000  # the postal fee is part of what the dossier owes
    client.force_login(shipment.dossier.applicant)
    page = client.get(f"/ho-so/{shipment.dossier.code}/")
    assert f'data-postal-tracking="{shipment.tracking_code}"'.encode() in page.content


@pytest.mark.django_db
def test_the_demo_has_open_citizen_questions_and_an_answered_one():
    from assistant.models import CitizenQuestion, QuestionState

    seed_demo()
    seed_demo()  # idempotent
    states = sorted(CitizenQuestion.objects.values_list("state", flat=True))
    assert states == [QuestionState.ANSWERED, QuestionState.OPEN, QuestionState.OPEN]


@pytest.mark.django_db
def test_the_demo_desk_has_queues_and_the_display_shows_called_tickets(client):
    from tickets.models import Ticket

    seed_demo()
    seed_demo()  # idempotent: no second batch of tickets
    assert Ticket.objects.filter(state="waiting").count() == 7
    feed = client.get("/quay/man-hinh/000.20.00.H99/du-lieu/").json()
    assert [call["number"] for call in feed["called"]] == ["B-001", "A-002", "A-001"]
    assert client.get("/quay/lay-so/000.20.00.H99/").status_code == 200


@pytest.mark.django_db
def test_the_demo_results_carry_a_time_stamp_and_long_term_validation_data(django_capture_on_commit_callbacks):
    """What `make run` shows on /xac-thuc/: results signed PAdES B-LT by the demo TSA."""
    from dossiers.models import DossierDocument
    from portal.signing import verify_pdf

    with django_capture_on_commit_callbacks(execute=True):
        seed_demo()
    results = DossierDocument.objects.filter(kind=DossierDocument.Kind.RESULT)
    assert results.exists()
    for result in results:
        check = verify_pdf(result.file.read())
        assert check.trusted and check.ltv and check.timestamped_at is not None, check.summary

"""The handoff round trip: a question the assistant declines goes to the officers' queue, the
answer reaches the asker (inbox, email, SMS) and, saved as an FAQ entry, the assistant answers it."""

import pytest
from django.core import mail
from django.core.cache import cache

from assistant.models import CitizenQuestion, FaqEntry, QuestionState
from assistant.services import question_ask
from portal.models import Notification, NotificationChannel
from procedures.catalogue_io import import_catalogue
from tests.second_factor import staff_login

from .test_accuracy import DEMO_CATALOGUE

ASK = "/api/v1/assistant/"
QUESTIONS = "/api/v1/assistant/questions/"
QUEUE = "/can-bo/cau-hoi/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
UNKNOWN = "bảo hiểm xã hội một lần"


@pytest.fixture
def catalogue(db):
    cache.clear()
    import_catalogue(DEMO_CATALOGUE.read_text(encoding="utf-8"))


def _ask(client, message, conversation=None):
    body = {"message": message, **({"conversation": conversation} if conversation else {})}
    return client.post(ASK, body, content_type="application/json", **EN).json()


def _question(client, **body):
    return client.post(QUESTIONS, body, content_type="application/json", **EN)


def _answer(client, question, text, faq=False, capture=None):
    data = {"answer": text, **({"save_as_faq": "on"} if faq else {})}
    return client.post(f"{QUEUE}{question.pk}/tra-loi/", data, **EN)


def test_round_trip_anonymous_email_then_faq(client, office, catalogue, django_capture_on_commit_callbacks):
    declined = _ask(client, UNKNOWN)
    assert declined["handoff"] is True
    created = _question(
        client, message=UNKNOWN, conversation=declined["conversation"], turn=declined["turn"], email="an@example.vn"
    )
    assert created.status_code == 201, created.content
    question = CitizenQuestion.objects.get(pk=created.json()["question"])
    assert (question.state, question.contact_email, question.asker, question.turn_id) == (
        QuestionState.OPEN,
        "an@example.vn",
        None,
        declined["turn"],
    )

    staff_login(client, office["desk"])
    page = client.get(QUEUE, **EN)
    assert page.status_code == 200 and UNKNOWN in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = _answer(client, question, "Trung tâm dịch vụ việc làm tỉnh, 12 Trần Phú.", faq=True)
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.state == QuestionState.ANSWERED and question.answered_by == office["desk"]
    assert [m.to for m in mail.outbox] == [["an@example.vn"]]
    assert "12 Trần Phú" in mail.outbox[0].body and UNKNOWN in mail.outbox[0].body
    assert UNKNOWN not in client.get(QUEUE, **EN).content.decode()  # no longer open

    faq = FaqEntry.objects.get()
    assert question.faq == faq and faq.answer == question.answer
    client.logout()
    again = _ask(client, UNKNOWN)
    assert again["handoff"] is False
    assert again["answer"] == "Trung tâm dịch vụ việc làm tỉnh, 12 Trần Phú."


def test_signed_in_citizen_is_answered_in_the_inbox(client, office, catalogue, django_capture_on_commit_callbacks):
    client.force_login(office["citizen"])
    declined = _ask(client, UNKNOWN)
    created = _question(client, message=UNKNOWN, conversation=declined["conversation"])
    assert created.status_code == 201
    question = CitizenQuestion.objects.get()
    assert question.asker == office["citizen"] and question.contact_email == ""
    staff_login(client, office["leader"])
    with django_capture_on_commit_callbacks(execute=True):
        _answer(client, question, "Xin mời liên hệ phòng Lao động.")
    inbox = Notification.objects.get(recipient=office["citizen"], channel=NotificationChannel.INBOX)
    assert "Xin mời liên hệ phòng Lao động." in inbox.body
    assert not FaqEntry.objects.exists()
    client.force_login(office["citizen"])
    assert "Xin mời liên hệ phòng Lao động." in client.get("/thong-bao/", **EN).content.decode()


def test_anonymous_phone_gets_an_sms(client, office, catalogue, django_capture_on_commit_callbacks, settings):
    created = _question(client, message=UNKNOWN, phone="0912 345 678")
    assert created.status_code == 201
    question = CitizenQuestion.objects.get()
    assert question.contact_phone == "0912345678"
    staff_login(client, office["desk"])
    with django_capture_on_commit_callbacks(execute=True):
        _answer(client, question, "Gọi 0203 3820 100.")
    sms = Notification.objects.get(channel=NotificationChannel.SMS)
    assert sms.address == "0912345678" and "Gọi 0203 3820 100." in sms.body and sms.status == "sent"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"message": UNKNOWN}, "email"),  # anonymous without a way to answer
        ({"message": UNKNOWN, "email": "not-an-email"}, "email"),
        ({"message": UNKNOWN, "phone": "12345"}, "phone"),
        ({"message": "   ", "email": "an@example.vn"}, "message"),
        (
            {"message": UNKNOWN, "email": "an@example.vn", "conversation": "8d1c3b7e-0000-4000-8000-000000000000"},
            "conversation",
        ),
        ({"message": "a\x00b", "email": "an@example.vn"}, "message"),
    ],
)
def test_bad_input_is_a_400_and_nothing_is_stored(client, db, body, field):
    response = _question(client, **body)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not CitizenQuestion.objects.exists()


def test_bad_input_message_is_vietnamese_by_default(client, db):
    response = client.post(QUESTIONS, {"message": UNKNOWN}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"]["email"]  # a message, in the default language (vi)


@pytest.fixture
def agency_question(office):
    question = question_ask(text="Hỏi về giấy khai sinh bản sao", email="an@example.vn")
    CitizenQuestion.objects.filter(pk=question.pk).update(agency=office["agency"])
    return CitizenQuestion.objects.get(pk=question.pk)


def test_only_desk_and_leaders_of_the_agency_answer(client, office, agency_question):
    for who in ("stranger", "specialist"):
        staff_login(client, office[who])
        assert "bản sao" not in client.get(QUEUE, **EN).content.decode()
        assert _answer(client, agency_question, "x").status_code == 404
    agency_question.refresh_from_db()
    assert agency_question.state == QuestionState.OPEN
    staff_login(client, office["desk"])
    assert "bản sao" in client.get(QUEUE, **EN).content.decode()
    assert _answer(client, agency_question, "Được.").status_code == 302
    agency_question.refresh_from_db()
    assert agency_question.state == QuestionState.ANSWERED
    # Answered once: a second answer is refused with a message, nothing changes.
    response = _answer(client, agency_question, "Lần hai.")
    assert response.status_code == 302
    agency_question.refresh_from_db()
    assert agency_question.answer == "Được."


def test_any_staff_answers_a_question_without_agency(client, office):
    question = question_ask(text="Câu hỏi chung", email="an@example.vn")
    staff_login(client, office["stranger"])
    assert "Câu hỏi chung" in client.get(QUEUE, **EN).content.decode()
    assert _answer(client, question, "Trả lời.").status_code == 302


def test_citizens_and_visitors_do_not_see_the_queue(client, office):
    assert client.get(QUEUE).status_code == 302  # to the sign-in page
    client.force_login(office["citizen"])
    assert client.get(QUEUE).status_code == 404
    question = question_ask(text="Câu hỏi chung", email="an@example.vn")
    assert _answer(client, question, "x").status_code == 404


def test_empty_answer_is_refused(client, office):
    question = question_ask(text="Câu hỏi chung", email="an@example.vn")
    staff_login(client, office["desk"])
    response = client.post(f"{QUEUE}{question.pk}/tra-loi/", {"answer": "  "}, follow=True, **EN)
    assert response.status_code == 200 and "Please type an answer." in response.content.decode()
    question.refresh_from_db()
    assert question.state == QuestionState.OPEN


def test_queue_oldest_first_and_query_bound(client, office, django_assert_max_num_queries):
    for n in range(12):
        question_ask(text=f"Câu hỏi số {n:02d}", email=f"p{n}@example.vn")
    staff_login(client, office["desk"])
    with django_assert_max_num_queries(14):
        page = client.get(QUEUE, **EN).content.decode()
    positions = [page.index(f"Câu hỏi số {n:02d}") for n in range(12)]
    assert positions == sorted(positions)
    assert client.get(QUEUE + "?agency=" + office["agency"].code, **EN).status_code == 200


def test_stats_page(client, office, catalogue, django_assert_max_num_queries):
    for _ in range(3):
        _ask(client, UNKNOWN)
    first = _ask(client, "con tôi mới sinh, làm giấy khai sinh ở đâu")
    client.post(
        "/api/v1/assistant/feedback/",
        {"conversation": first["conversation"], "turn": first["turn"], "helpful": True},
        content_type="application/json",
    )
    url = "/can-bo/cau-hoi/thong-ke/"
    staff_login(client, office["desk"])
    assert client.get(url).status_code == 404  # desk officers: the queue, not the statistics
    staff_login(client, office["leader"])
    with django_assert_max_num_queries(16):  # constant: the counts are aggregated
        response = client.get(url, **EN)
    assert response.status_code == 200
    top = response.context["top"]
    assert top[0]["text"] == UNKNOWN and top[0]["count"] == 3
    assert response.context["handoff_count"] == 3
    assert response.context["thumbs"] == [{"code": "1.001193", "name": "Đăng ký khai sinh", "up": 1, "down": 0}]
    assert "chart-top" in response.content.decode()
    assert client.get(url + "?since=2020-01-01&until=2020-01-31", **EN).context["turns"] == 0
    assert client.get(url + "?since=nonsense", **EN).status_code == 200

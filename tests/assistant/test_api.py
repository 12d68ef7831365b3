"""POST /api/v1/assistant/: answers, follow-up in context, status by code, bad input, handoff."""

import pytest
from django.core.cache import cache

from assistant.models import AssistantTurn, Conversation
from procedures.catalogue_io import import_catalogue

from .test_accuracy import DEMO_CATALOGUE

URL = "/api/v1/assistant/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def catalogue(db):
    cache.clear()
    import_catalogue(DEMO_CATALOGUE.read_text(encoding="utf-8"))


def ask(client, message, conversation=None, **extra):
    body = {"message": message}
    if conversation:
        body["conversation"] = conversation
    return client.post(URL, body, content_type="application/json", **{**EN, **extra})


def test_answers_with_the_procedure_anonymously(client, catalogue):
    response = ask(client, "con tôi mới sinh, làm giấy khai sinh ở đâu")
    assert response.status_code == 200
    data = response.json()
    assert data["procedures"][0] == {
        "code": "1.001193",
        "name": "Birth registration",
        "url": "/thu-tuc/1.001193/",
    }
    assert data["handoff"] is False
    assert "Birth registration" in data["answer"]
    turn = AssistantTurn.objects.get()
    assert str(turn.conversation_id) == data["conversation"]
    assert turn.procedures == ["1.001193"]


def test_follow_up_answers_for_the_last_procedure(client, catalogue):
    first = ask(client, "lam passport").json()
    assert first["procedures"][0]["code"] == "2.002136"
    follow = ask(client, "lệ phí bao nhiêu?", conversation=first["conversation"]).json()
    assert follow["conversation"] == first["conversation"]
    assert [p["code"] for p in follow["procedures"]] == ["2.002136"]
    assert "đ" in follow["answer"] or "no fee" in follow["answer"]
    docs = ask(client, "cần mang gì?", conversation=first["conversation"]).json()
    assert "please bring" in docs["answer"]
    place = ask(client, "làm ở đâu?", conversation=first["conversation"]).json()
    assert "submit at" in place["answer"]
    # Without the conversation, the same follow-up is not understood: declined.
    assert ask(client, "lệ phí bao nhiêu?").json()["handoff"] is True


def test_off_topic_is_declined_with_the_hotline(client, catalogue, settings):
    settings.ASSISTANT_HOTLINE = "0203 3820 100"
    data = ask(client, "giá vàng hôm nay bao nhiêu").json()
    assert data["handoff"] is True and data["procedures"] == []
    assert "0203 3820 100" in data["answer"]
    assert AssistantTurn.objects.get().handoff is True


def test_status_by_code_without_personal_data(client, submitted):
    cache.clear()
    data = ask(client, f"hồ sơ {submitted.code} đến đâu rồi").json()
    assert submitted.code in data["answer"]
    assert submitted.applicant_name not in data["answer"]
    assert data["handoff"] is False


@pytest.mark.parametrize(
    "message",
    ["", "   ", "x" * 2001, "abc\x00def", "\x07\x08"],
    ids=["empty", "blank", "too-long", "nul", "control"],
)
def test_bad_input_is_refused_and_nothing_stored(client, catalogue, message):
    response = ask(client, message)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert "message" in response.json()["errors"]
    assert not Conversation.objects.exists() and not AssistantTurn.objects.exists()


def test_unknown_conversation_is_refused(client, catalogue):
    response = ask(client, "lam passport", conversation="6f1c1c9e-0000-4000-8000-000000000000")
    assert response.status_code == 400
    assert not AssistantTurn.objects.exists()


def test_binary_body_is_refused(client, catalogue):
    response = client.post(URL, b"\xff\xfe\x00\x01", content_type="application/json")
    assert response.status_code == 400


def test_throttled_with_a_scope_of_its_own(client, catalogue, settings):
    from rest_framework.settings import api_settings

    from assistant.api.views import AssistantThrottle

    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "assistant": "2/minute"}
    AssistantThrottle.THROTTLE_RATES = rates
    try:
        assert ask(client, "lam passport").status_code == 200
        assert ask(client, "lam passport").status_code == 200
        assert ask(client, "lam passport").status_code == 429
    finally:
        AssistantThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES


def test_answers_in_vietnamese_by_default(client, catalogue):
    data = client.post(URL, {"message": "lam passport"}, content_type="application/json").json()
    assert data["procedures"][0]["name"] == "Cấp hộ chiếu phổ thông trong nước"


def test_faq_entry_answers_as_soon_as_saved(client, catalogue):
    from assistant.models import FaqEntry
    from procedures.models import Procedure

    ask(client, "lam passport")  # the index is built and cached
    FaqEntry.objects.create(
        question="Giờ làm việc của bộ phận một cửa",
        answer="Thứ Hai đến Thứ Sáu, 7:30 – 17:00.",
        procedure=Procedure.objects.get(code="1.001193"),
    )
    data = ask(client, "gio lam viec bo phan mot cua").json()
    assert data["answer"] == "Thứ Hai đến Thứ Sáu, 7:30 – 17:00."
    assert [p["code"] for p in data["procedures"]] == ["1.001193"]
    assert data["handoff"] is False


def test_demo_seed_has_faq_entries_the_assistant_finds(client, db):
    from demo.seed import _seed_assistant

    cache.clear()
    import_catalogue(DEMO_CATALOGUE.read_text(encoding="utf-8"))
    _seed_assistant()
    _seed_assistant()  # idempotent
    from assistant.models import FaqEntry

    assert FaqEntry.objects.count() == 2
    assert "7:30" in ask(client, "giờ làm việc bộ phận một cửa").json()["answer"]


def test_thumbs_up_and_down_on_an_answer(client, catalogue):
    data = ask(client, "lam passport").json()
    feedback = {"conversation": data["conversation"], "turn": data["turn"], "helpful": False}
    assert client.post(URL + "feedback/", feedback, content_type="application/json").status_code == 204
    assert AssistantTurn.objects.get(pk=data["turn"]).thumbs_up is False
    feedback["helpful"] = True
    assert client.post(URL + "feedback/", feedback, content_type="application/json").status_code == 204
    assert AssistantTurn.objects.get(pk=data["turn"]).thumbs_up is True


def test_thumbs_need_the_answers_conversation(client, catalogue):
    data = ask(client, "lam passport").json()
    other = ask(client, "lam passport").json()
    feedback = {"conversation": other["conversation"], "turn": data["turn"], "helpful": False}
    response = client.post(URL + "feedback/", feedback, content_type="application/json", **EN)
    assert response.status_code == 400 and "turn" in response.json()["errors"]
    assert AssistantTurn.objects.get(pk=data["turn"]).thumbs_up is None

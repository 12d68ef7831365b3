"""The assistant on the Zalo OA: signed webhook → the assistant's answer sent through the OA's send
API (the built-in sandbox), follow-ups in context, forged or stale events refused, replays once."""

import json
import time

import pytest
import requests
from django.core.cache import cache
from django.test import Client

from assistant.models import AssistantTurn, Conversation, ZaloMessage, ZaloSandboxMessage
from assistant.zalo import zalo_mac
from portal import channels
from procedures.catalogue_io import import_catalogue
from tests.postal.test_postal import fresh_publisher  # noqa: F401 - the fixture, for the live server test

from .test_accuracy import DEMO_CATALOGUE

WEBHOOK = "/zalo/webhook/"
USER = "2512523625412515"  # Zalo user ids are long digit strings


def event(text, msg_id, *, user=USER, app_id=None, timestamp=None, name="user_send_text"):
    from django.conf import settings

    return {
        "app_id": app_id or settings.ZALO_OA_APP_ID,
        "user_id_by_app": "552177279252837934",
        "event_name": name,
        "timestamp": str(timestamp if timestamp is not None else int(time.time() * 1000)),
        "sender": {"id": user},
        "recipient": {"id": "579745863508352884"},
        "message": {"text": text, "msg_id": msg_id},
    }


def signed(payload, *, mac=None):
    body = json.dumps(payload, ensure_ascii=False).encode()
    return body, {"X-ZEvent-Signature": f"mac={mac or zalo_mac(body, payload['timestamp'])}"}


def post(client, payload, *, mac=None, headers=None):
    body, signature = signed(payload, mac=mac)
    return client.post(
        WEBHOOK, body, content_type="application/json", headers=signature if headers is None else headers
    )


@pytest.fixture
def catalogue(db):
    cache.clear()
    import_catalogue(DEMO_CATALOGUE.read_text(encoding="utf-8"))


@pytest.fixture
def sandbox(monkeypatch, settings):
    """The OA adapter's requests go to the sandbox view through Django's test client."""
    settings.ZALO_OA_API_URL = "http://zalo.test"
    inner = Client()
    state = {"token": None}  # another access token than the one configured, to see a refusal

    def fake_post(url, json=None, headers=None, timeout=None):
        assert url == "http://zalo.test/v3.0/oa/message/cs" and timeout
        if state["token"]:
            headers = {**headers, "access_token": state["token"]}
        answer = inner.post(
            "/zalo/thu-nghiem/v3.0/oa/message/cs", json, content_type="application/json", headers=headers
        )
        response = requests.Response()
        response.status_code = answer.status_code
        response._content = answer.content
        return response

    monkeypatch.setattr(channels.requests, "post", fake_post)
    return state


def test_signed_text_is_answered_through_the_oa(client, catalogue, sandbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, event("con tôi mới sinh, làm giấy khai sinh ở đâu", "m1"))
    assert response.status_code == 200 and response.json() == {"status": "answered"}
    sent = ZaloSandboxMessage.objects.get()
    assert sent.user_id == USER
    assert "Đăng ký khai sinh" in sent.text and "/thu-tuc/1.001193/" in sent.text
    message = ZaloMessage.objects.get()
    assert message.sent_at is not None and message.answer == sent.text
    assert message.conversation.zalo_user_id == USER


def test_follow_up_stays_in_the_conversation(client, catalogue, sandbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post(client, event("lam passport", "m1"))
        post(client, event("lệ phí bao nhiêu?", "m2"))
        post(client, event("xin chao", "m3", user="999"))  # someone else: a conversation of their own
    assert Conversation.objects.filter(zalo_user_id=USER).count() == 1
    turns = list(AssistantTurn.objects.filter(conversation__zalo_user_id=USER).order_by("pk"))
    assert [t.procedures for t in turns] == [["2.002136"], ["2.002136"]]
    replies = list(ZaloSandboxMessage.objects.filter(user_id=USER).values_list("text", flat=True))
    assert len(replies) == 2 and ("đ" in replies[1] or "lệ phí" in replies[1].lower())
    assert Conversation.objects.filter(zalo_user_id="999").count() == 1


@pytest.mark.parametrize(
    "forge",
    [
        {"mac": "0" * 64},
        {"headers": {}},  # no signature at all
        {"headers": {"X-ZEvent-Signature": "mac="}},
    ],
)
def test_forged_signature_is_refused_and_nothing_sent(client, catalogue, sandbox, forge, caplog):
    response = post(client, event("làm giấy khai sinh", "m1"), **forge)
    assert response.status_code == 403
    assert "invalid signature" in caplog.text
    assert not ZaloMessage.objects.exists() and not ZaloSandboxMessage.objects.exists()
    assert not AssistantTurn.objects.exists()


def test_body_changed_after_signing_is_refused(client, catalogue, sandbox):
    payload = event("làm giấy khai sinh", "m1")
    body, headers = signed(payload)
    tampered = body.replace(b"khai sinh", "khai tử".encode())
    response = client.post(WEBHOOK, tampered, content_type="application/json", headers=headers)
    assert response.status_code == 403 and not ZaloMessage.objects.exists()


def test_stale_timestamp_and_other_app_are_refused(client, catalogue, sandbox):
    stale = event("làm giấy khai sinh", "m1", timestamp=int((time.time() - 3600) * 1000))
    assert post(client, stale).status_code == 403
    other = event("làm giấy khai sinh", "m2", app_id="another-app")
    assert post(client, other).status_code == 403
    assert not ZaloMessage.objects.exists()


def test_replay_is_answered_once(client, catalogue, sandbox, django_capture_on_commit_callbacks):
    payload = event("làm giấy khai sinh", "m1")
    with django_capture_on_commit_callbacks(execute=True):
        first = post(client, payload)
        again = post(client, payload)
    assert first.json() == {"status": "answered"} and again.json() == {"status": "duplicate"}
    assert again.status_code == 200  # Zalo stops re-sending only on a 200
    assert ZaloSandboxMessage.objects.count() == 1 and AssistantTurn.objects.count() == 1


def test_other_events_and_malformed_bodies(client, catalogue, sandbox):
    assert post(client, event("x", "m1", name="follow")).json() == {"status": "ignored"}
    assert client.post(WEBHOOK, b"not json", content_type="application/json").status_code == 400
    assert not ZaloMessage.objects.exists()


def test_refused_send_is_kept_for_a_retry(client, catalogue, sandbox, django_capture_on_commit_callbacks):
    from assistant.zalo import zalo_reply_send

    sandbox["token"] = "expired-token"  # Zalo answers -216 to an expired access token
    with django_capture_on_commit_callbacks(execute=False):  # the worker runs the send below
        post(client, event("làm giấy khai sinh", "m1"))
    message = ZaloMessage.objects.get()
    with pytest.raises(channels.ChannelError, match="-216"):
        zalo_reply_send(message_id=message.pk)
    message.refresh_from_db()
    assert message.sent_at is None and message.attempts == 1 and "-216" in message.last_error
    assert not ZaloSandboxMessage.objects.exists()
    sandbox["token"] = None
    assert zalo_reply_send(message_id=message.pk) == "sent"
    assert zalo_reply_send(message_id=message.pk) == "done"  # never twice
    assert ZaloSandboxMessage.objects.count() == 1


def test_sandbox_and_webhook_are_off_when_disabled(client, db, settings):
    settings.ZALO_OA_SANDBOX_ENABLED = False
    assert client.get("/zalo/thu-nghiem/").status_code == 404
    settings.ZALO_OA_ENABLED = False
    assert post(client, event("x", "m1")).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_over_real_http_to_the_live_server(live_server, settings, fresh_publisher):  # noqa: F811
    cache.clear()
    import_catalogue(DEMO_CATALOGUE.read_text(encoding="utf-8"))
    settings.PORTAL_BASE_URL = live_server.url
    settings.ZALO_OA_API_URL = ""  # the built-in sandbox, over HTTP
    payload = event("đăng ký kết hôn cần giấy tờ gì", "m-http")
    body, headers = signed(payload)
    response = requests.post(
        live_server.url + WEBHOOK, data=body, headers={**headers, "Content-Type": "application/json"}, timeout=30
    )
    assert response.status_code == 200 and response.json() == {"status": "answered"}
    sent = ZaloSandboxMessage.objects.get()
    assert sent.user_id == USER and "kết hôn" in sent.text.lower()
    listed = requests.get(live_server.url + "/zalo/thu-nghiem/", timeout=10).json()
    assert listed["sent"][-1]["text"] == sent.text


def test_ask_an_officer_on_zalo_and_the_answer_comes_back_there(
    client, catalogue, sandbox, office, django_capture_on_commit_callbacks
):
    from assistant.models import CitizenQuestion
    from tests.second_factor import staff_login

    with django_capture_on_commit_callbacks(execute=True):
        post(client, event("bảo hiểm xã hội một lần", "m1"))
        post(client, event("Hỏi cán bộ", "m2"))
    declined, passed_on = ZaloSandboxMessage.objects.order_by("pk")
    assert "hỏi cán bộ" in declined.text
    assert "officers" in passed_on.text or "cán bộ" in passed_on.text
    question = CitizenQuestion.objects.get()
    assert (question.text, question.contact_zalo_user_id, question.asker) == ("bảo hiểm xã hội một lần", USER, None)
    staff_login(client, office["desk"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/can-bo/cau-hoi/{question.pk}/tra-loi/", {"answer": "Nộp tại Bảo hiểm xã hội huyện."})
    answer = ZaloSandboxMessage.objects.order_by("pk").last()
    assert answer.user_id == USER and "Nộp tại Bảo hiểm xã hội huyện." in answer.text
    assert ZaloSandboxMessage.objects.count() == 3


def test_ask_an_officer_on_zalo_before_any_question(client, catalogue, sandbox, django_capture_on_commit_callbacks):
    from assistant.models import CitizenQuestion

    with django_capture_on_commit_callbacks(execute=True):
        post(client, event("hỏi cán bộ", "m1"))
    assert not CitizenQuestion.objects.exists()
    assert ZaloSandboxMessage.objects.count() == 1

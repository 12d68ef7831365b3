"""The citizen's profile: details that fill the next dossier, what they hear about on which
channel, and a mobile number verified by a one-time code."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from dossiers import services as dossier_services
from dossiers.actions import dossier_act
from portal import services
from portal.models import Notification, PhoneVerification, User
from portal.notifications import Recipient, notify
from tests.dossiers.factories import CitizenFactory, DossierFactory, filled_draft, receive_data

# Messages in English: the Vietnamese ones arrive with the merged translations.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
URL = "/tai-khoan/thong-tin/"


def _en(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _sent_code(caplog) -> str:
    return re.findall(r"sms to=\S+ subject='' body='[^']*?\b(\d{6})\b", caplog.text)[-1]


def test_the_profile_page_is_in_the_account_menu_and_shows_the_details(client):
    user = CitizenFactory(email="an@example.vn", address="Số 9, phường Cũ")
    page = _en(client, user).get("/").content.decode()
    assert f'href="{URL}"' in page and reverse("profile") == URL

    page = client.get(URL).content.decode()
    assert "an@example.vn" in page and 'value="Số 9, phường Cũ"' in page
    assert 'data-phone-verified="false"' in page and "not verified" in page


def test_the_saved_address_fills_the_next_draft(client, office):
    citizen = office["citizen"]
    response = _en(client, citizen).post(
        URL,
        {"action": "details", "full_name": "Trần Thị Hoa", "date_of_birth": "1990-05-04", "address": "Số 5, phố Mới"},
    )
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert (citizen.full_name, str(citizen.date_of_birth), citizen.address) == (
        "Trần Thị Hoa",
        "1990-05-04",
        "Số 5, phố Mới",
    )
    draft = dossier_services.dossier_draft_start(applicant=citizen, version=office["version"])
    assert draft.applicant_address == "Số 5, phố Mới" and draft.applicant_name == "Trần Thị Hoa"


def test_a_future_birth_date_is_refused_and_nothing_changes(client):
    user = CitizenFactory(address="Cũ")
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    response = _en(client, user).post(
        URL, {"action": "details", "full_name": "X", "date_of_birth": future, "address": "Mới"}
    )
    assert response.status_code == 400 and "cannot be in the future" in response.content.decode()
    user.refresh_from_db()
    assert user.address == "Cũ" and user.full_name != "X"


def test_a_name_the_e_identity_verified_is_not_changed_here(client):
    user = CitizenFactory(full_name="Lê Văn Thật", personal_id_verified=True)
    _en(client, user).post(URL, {"action": "details", "full_name": "Tên Khác", "address": "A"})
    user.refresh_from_db()
    assert user.full_name == "Lê Văn Thật" and user.address == "A"


def test_an_unknown_action_is_a_clear_400(client):
    assert _en(client, CitizenFactory()).post(URL, {"action": "drop"}).status_code == 400


# --- Notification preferences ------------------------------------------------------------------


def _choose(client, user, **topics):
    data = {"action": "preferences"}
    for topic, channels in topics.items():
        data.update({f"pref-{topic}-{channel}": "1" for channel in channels})
    return _en(client, user).post(URL, data)


def test_email_off_for_a_topic_sends_no_email_for_its_events(client, office, django_capture_on_commit_callbacks):
    citizen = office["citizen"]
    assert _choose(client, citizen, received=["inbox"], supplement=["inbox", "email"]).status_code == 302
    citizen.refresh_from_db()
    assert citizen.notification_preferences["received"] == ["inbox"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        dossier = dossier_services.dossier_submit(dossier=filled_draft(citizen, office["version"]), actor=citizen)
    mine = Notification.objects.filter(recipient=citizen, event="submitted")
    assert list(mine.values_list("channel", flat=True)) == ["inbox"]
    assert not [m for m in mail.outbox if dossier.code in m.subject]


def test_in_app_off_makes_no_inbox_item_but_a_supplement_request_always_reaches_it(client, office):
    citizen = office["citizen"]
    _choose(client, citizen, received=["email"], supplement=[])
    citizen.refresh_from_db()
    dossier = DossierFactory(applicant=citizen, version=office["version"])

    def made(event):
        return notify(key=f"t:{event}", event=event, recipient=Recipient(user=citizen), context={"dossier": dossier})

    assert [n.channel for n in made("received")] == ["email"]
    assert [n.channel for n in made("supplement_requested")] == ["inbox"]


def test_the_page_marks_what_cannot_be_turned_off(client):
    page = _en(client, CitizenFactory()).get(URL).content.decode()
    box = re.search(r'<input[^>]*id="pref-supplement-inbox"[^>]*>', page).group(0)
    assert "checked" in box and "disabled" in box
    assert 'data-topic="work"' not in page  # officers' topics are for officers


def test_unknown_choices_are_refused():
    with pytest.raises(ValidationError):
        services.user_notification_preferences_update(user=CitizenFactory(), choices={"received": ["fax"]})


def test_no_sms_to_an_unverified_number():
    user = CitizenFactory(notification_preferences={"default": ["inbox", "sms"]})
    assert [channel for channel, _ in Recipient(user=user).channels("received")] == ["inbox"]
    user.phone_verified = True
    assert [channel for channel, _ in Recipient(user=user).channels("received")] == ["inbox", "sms"]


# --- Phone verification ------------------------------------------------------------------------


def test_the_right_code_verifies_the_number(client, caplog):
    user = CitizenFactory(phone="0912000111")
    caplog.set_level("INFO", logger="portal.channels")
    response = _en(client, user).post(URL, {"action": "send_code", "phone": "0912 000 111"})
    assert response.status_code == 302
    code = _sent_code(caplog)
    verification = PhoneVerification.objects.get(user=user)
    assert len(verification.code_hash) == 64 and verification.code_hash != code  # a keyed hash, not the code
    assert "Enter the code sent to 0912000111" in client.get(URL).content.decode()

    assert client.post(URL, {"action": "check_code", "code": code}).status_code == 302
    user.refresh_from_db()
    assert user.phone_verified
    assert 'data-phone-verified="true"' in client.get(URL).content.decode()


def test_a_new_number_replaces_the_old_only_with_its_code(caplog):
    user = CitizenFactory(phone="0912000111", phone_verified=True)
    caplog.set_level("INFO", logger="portal.channels")
    services.phone_verification_start(user=user, phone="0987654321")
    user.refresh_from_db()
    assert (user.phone, user.phone_verified) == ("0912000111", True)

    services.phone_verification_check(user=user, code=_sent_code(caplog))
    user.refresh_from_db()
    assert (user.phone, user.phone_verified) == ("0987654321", True)


def test_wrong_codes_count_and_five_tries_end_the_code(caplog):
    user = CitizenFactory()
    caplog.set_level("INFO", logger="portal.channels")
    services.phone_verification_start(user=user, phone=user.phone)
    code = _sent_code(caplog)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for left in (4, 3, 2, 1):
        with pytest.raises(ValidationError, match=f"{left} tries left"):
            services.phone_verification_check(user=user, code=wrong)
    with pytest.raises(ValidationError, match="no tries are left"):
        services.phone_verification_check(user=user, code=wrong)
    with pytest.raises(ValidationError, match="no longer valid"):
        services.phone_verification_check(user=user, code=code)  # even the right one, now
    user.refresh_from_db()
    assert not user.phone_verified and PhoneVerification.objects.get().attempts == 5


def test_a_code_is_valid_ten_minutes(caplog):
    user = CitizenFactory()
    caplog.set_level("INFO", logger="portal.channels")
    verification = services.phone_verification_start(user=user, phone=user.phone)
    PhoneVerification.objects.filter(pk=verification.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ValidationError, match="no longer valid"):
        services.phone_verification_check(user=user, code=_sent_code(caplog))
    assert abs(verification.expires_at - verification.created_at - timedelta(minutes=10)) < timedelta(seconds=1)


def test_resending_is_rate_limited(caplog):
    user = CitizenFactory()
    caplog.set_level("INFO", logger="portal.channels")
    services.phone_verification_start(user=user, phone=user.phone)
    with pytest.raises(ValidationError, match="Ask for a new one in"):
        services.phone_verification_start(user=user, phone=user.phone)
    # A minute later another code may go, up to five an hour.
    for _ in range(4):
        PhoneVerification.objects.update(created_at=timezone.now() - timedelta(minutes=2))
        services.phone_verification_start(user=user, phone=user.phone)
    PhoneVerification.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    with pytest.raises(ValidationError, match="Too many codes"):
        services.phone_verification_start(user=user, phone=user.phone)
    assert len({record.getMessage() for record in caplog.records if "sms to=" in record.getMessage()}) == 5


def test_a_bad_number_is_refused_with_a_message(client):
    response = _en(client, CitizenFactory()).post(URL, {"action": "send_code", "phone": "12ab"})
    assert response.status_code == 400 and "Vietnamese mobile number" in response.content.decode()
    assert not PhoneVerification.objects.exists()


def test_a_number_of_another_account_is_refused_after_the_code(caplog):
    CitizenFactory(phone="0988000222")
    user = CitizenFactory()
    caplog.set_level("INFO", logger="portal.channels")
    services.phone_verification_start(user=user, phone="0988000222")
    with pytest.raises(ValidationError, match="another account"):
        services.phone_verification_check(user=user, code=_sent_code(caplog))
    assert User.objects.filter(phone="0988000222").count() == 1


def test_changing_the_number_anywhere_resets_verification():
    user = CitizenFactory(phone_verified=True)
    user = User.objects.get(pk=user.pk)
    user.full_name = "Tên mới"
    user.save(update_fields=["full_name"])
    assert User.objects.get(pk=user.pk).phone_verified  # the number did not change
    user.phone = "0977111222"
    user.save(update_fields=["phone"])
    assert not User.objects.get(pk=user.pk).phone_verified


def test_an_activation_link_sent_by_sms_verifies_the_number(client):
    from tests.portal.test_accounts import register_and_open

    user = register_and_open(client, phone="0912345678")
    user.refresh_from_db()
    assert user.phone_verified and user.notification_preferences == {"default": ["inbox", "sms"]}


def test_officer_notification_topics_are_honoured(office):
    desk = office["desk"]
    desk.notification_preferences = {"work": []}
    desk.save(update_fields=["notification_preferences"])
    dossier = DossierFactory(applicant=office["citizen"], version=office["version"])
    dossier_act(dossier=dossier, name="receive", actor=desk, data=receive_data(dossier))
    made = notify(key="t:work", event="assigned", recipient=Recipient(user=desk), context={"dossier": dossier})
    assert made == []


@pytest.mark.parametrize("ticked", [True, False])
def test_the_address_of_a_submitted_dossier_is_remembered_only_when_ticked(client, office, ticked):
    from dossiers.models import Dossier

    citizen = office["citizen"]
    draft = filled_draft(citizen, office["version"])
    Dossier.objects.filter(pk=draft.pk).update(applicant_address="Số 7, đường Mới")
    url = reverse("dossiers:review", kwargs={"public_id": draft.public_id})
    assert 'id="remember-address"' in _en(client, citizen).get(url).content.decode()

    response = client.post(url, {"remember_address": "1"} if ticked else {})

    assert response.status_code == 302 and Dossier.objects.get(pk=draft.pk).code
    citizen.refresh_from_db()
    assert (citizen.address == "Số 7, đường Mới") is ticked

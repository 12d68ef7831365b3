"""The in-app inbox: grouped by dossier, each message opens its dossier and is then read."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from portal.models import Notification, NotificationChannel
from tests.dossiers.factories import CitizenFactory

pytestmark = pytest.mark.django_db


def _message(user, code, subject, *, minutes_ago=0, read=False):
    n = Notification.objects.create(
        key=f"t:{code}:{subject}",
        recipient=user,
        channel=NotificationChannel.INBOX,
        address=f"user:{user.pk}",
        event="received",
        dossier_code=code,
        subject=subject,
        body="…",
        read_at=timezone.now() if read else None,
    )
    Notification.objects.filter(pk=n.pk).update(created_at=timezone.now() - timedelta(minutes=minutes_ago))
    return n


def _en(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_messages_are_grouped_by_dossier_newest_group_first_with_unread_counts(client):
    user = CitizenFactory()
    _message(user, "H99-261101-0001", "old A", minutes_ago=50)
    _message(user, "H99-261101-0002", "B1", minutes_ago=40, read=True)
    _message(user, "H99-261101-0001", "new A", minutes_ago=5)
    _message(user, "H99-261101-0002", "B2", minutes_ago=20)
    _message(CitizenFactory(), "H99-261101-0003", "not mine")

    page = _en(client, user).get(reverse("inbox")).content.decode()

    assert re.findall(r'data-dossier="([^"]*)"', page) == ["H99-261101-0001", "H99-261101-0002"]
    assert re.findall(r'data-unread="(\d+)"', page) == ["2", "1"]
    assert page.index("new A") < page.index("old A") and "not mine" not in page
    # Looking at the inbox reads nothing: opening a message does.
    assert Notification.objects.filter(recipient=user, read_at__isnull=True).count() == 3


def test_opening_a_message_marks_it_read_and_leads_to_its_dossier(client):
    user = CitizenFactory()
    message = _message(user, "H99-261101-0001", "A")
    link = reverse("inbox_open", kwargs={"pk": message.pk})
    assert f'href="{link}"' in _en(client, user).get(reverse("inbox")).content.decode()

    response = client.get(link)

    assert response.status_code == 302
    assert response["Location"] == reverse("dossiers:detail", kwargs={"code": "H99-261101-0001"})
    message.refresh_from_db()
    assert message.read_at is not None


def test_another_persons_message_is_not_found(client):
    message = _message(CitizenFactory(), "H99-261101-0001", "A")
    response = _en(client, CitizenFactory()).get(reverse("inbox_open", kwargs={"pk": message.pk}))
    assert response.status_code == 404
    message.refresh_from_db()
    assert message.read_at is None


def test_mark_all_as_read_is_a_post_that_reads_only_mine(client):
    user, other = CitizenFactory(), CitizenFactory()
    for i in range(3):
        _message(user, f"H99-261101-000{i}", "A")
    theirs = _message(other, "H99-261101-0009", "B")
    _en(client, user)
    assert 'id="mark-all-read"' in client.get(reverse("inbox")).content.decode()
    assert client.get(reverse("inbox_mark_all_read")).status_code == 405

    response = client.post(reverse("inbox_mark_all_read"))

    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_needs_the_csrf_token():
    from django.test import Client

    user = CitizenFactory()
    _message(user, "H99-261101-0001", "A")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(reverse("inbox_mark_all_read")).status_code == 403
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


def test_the_inbox_reads_in_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    user = CitizenFactory()
    _en(client, user).get(reverse("inbox"))
    for i in range(8):
        for j in range(3):
            _message(user, f"H99-261101-00{i:02d}", f"m{j}", minutes_ago=i * 10 + j)
    with django_assert_max_num_queries(7):
        response = client.get(reverse("inbox"))
    assert response.status_code == 200 and response.content.decode().count('class="inbox-group"') == 8

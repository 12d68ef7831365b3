"""The citizen's appointment pages and the desk officers' day view."""

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from appointments import services
from appointments.models import Appointment, AppointmentStatus
from portal.models import Notification
from portal.outbox import outbox_dispatch

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def at(day: date, clock: str) -> datetime:
    hours, minutes = map(int, clock.split(":"))
    return timezone.make_aware(datetime.combine(day, time(hours, minutes)))


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


def test_the_procedure_page_links_to_booking(en, desk):
    page = en.get(f"/thu-tuc/{desk['procedure'].code}/").content.decode()
    assert f'href="/lich-hen/dat/{desk["procedure"].code}/"' in page and 'id="book-appointment"' in page


def test_booking_page_shows_days_slots_and_the_checklist(en, desk):
    en.force_login(desk["citizen"])
    page = en.get(f"/lich-hen/dat/{desk['procedure'].code}/?date=2027-02-11").content.decode()
    assert 'data-start="2027-02-11T07:30:00+07:00"' in page
    assert 'id="checklist"' in page and "Giấy chứng sinh" in page
    holiday = en.get(f"/lich-hen/dat/{desk['procedure'].code}/?date=2027-02-08").content.decode()
    assert 'name="start"' not in holiday and "No appointment slots" in holiday


def test_booking_confirms_with_a_qr_and_sends_the_checklist(en, desk, django_capture_on_commit_callbacks):
    en.force_login(desk["citizen"])
    with django_capture_on_commit_callbacks(execute=True):
        response = en.post(f"/lich-hen/dat/{desk['procedure'].code}/", {"start": "2027-02-11T08:00:00+07:00"})
    appointment = Appointment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/lich-hen/{appointment.code}/"
    page = en.get(response["Location"]).content.decode()
    assert "<svg" in page and appointment.code in page and "Giấy chứng sinh" in page
    with django_capture_on_commit_callbacks(execute=True):
        outbox_dispatch()
    sent = Notification.objects.filter(recipient=desk["citizen"], event="appointment_booked")
    assert sent.exists()
    assert any("Giấy chứng sinh" in n.body for n in sent)


def test_a_refused_booking_says_why_and_books_nothing(en, desk):
    en.force_login(desk["citizen"])
    response = en.post(f"/lich-hen/dat/{desk['procedure'].code}/", {"start": "2027-02-08T08:00:00+07:00"})
    assert response.status_code == 400 and 'id="appointment-error"' in response.content.decode()
    assert en.post(f"/lich-hen/dat/{desk['procedure'].code}/", {"start": "nope"}).status_code == 400
    assert Appointment.objects.count() == 0


def test_my_appointments_cancel_and_move(en, desk):
    appointment = services.appointment_book(
        citizen=desk["citizen"],
        agency=desk["agency"],
        procedure=desk["procedure"],
        start=at(date(2027, 2, 11), "08:00"),
    )
    en.force_login(desk["citizen"])
    assert f'data-code="{appointment.code}"' in en.get("/lich-hen/").content.decode()
    response = en.post(f"/lich-hen/{appointment.code}/doi/", {"start": "2027-02-12T09:00:00+07:00"})
    moved = Appointment.objects.get(status=AppointmentStatus.BOOKED)
    assert response["Location"] == f"/lich-hen/{moved.code}/" and moved.pk != appointment.pk
    en.post(f"/lich-hen/{moved.code}/huy/")
    moved.refresh_from_db()
    assert moved.status == AppointmentStatus.CANCELLED


def test_other_citizens_see_and_change_nothing(en, desk):
    appointment = services.appointment_book(
        citizen=desk["citizen"],
        agency=desk["agency"],
        procedure=desk["procedure"],
        start=at(date(2027, 2, 11), "08:00"),
    )
    en.force_login(desk["other_citizen"])
    assert en.get(f"/lich-hen/{appointment.code}/").status_code == 404
    assert en.post(f"/lich-hen/{appointment.code}/huy/").status_code == 404
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    assert en.get("/can-bo/lich-hen/").status_code == 404  # not staff


def test_the_desk_day_view_marks_no_shows(en, desk, office):
    from portal.constants import StaffRole
    from tests.dossiers.factories import StaffFactory
    from tests.second_factor import staff_login

    start = timezone.now() - timedelta(hours=1)
    appointment = Appointment.objects.create(
        citizen=desk["citizen"],
        agency=desk["agency"],
        procedure=desk["procedure"],
        start=start,
        end=start + timedelta(minutes=30),
        seat_number=1,
    )
    staff_login(en, office["stranger"])
    assert en.post(f"/can-bo/lich-hen/{appointment.code}/danh-dau/", {"status": "no_show"}).status_code == 404
    officer = StaffFactory(agency=desk["agency"], role=StaffRole.RECEPTIONIST)
    staff_login(en, officer)
    day = timezone.localtime(start).date().isoformat()
    page = en.get(f"/can-bo/lich-hen/?agency={desk['agency'].code}&date={day}").content.decode()
    assert f'data-code="{appointment.code}"' in page
    response = en.post(f"/can-bo/lich-hen/{appointment.code}/danh-dau/", {"status": "no_show"})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.NO_SHOW


def test_the_reminder_goes_the_day_before_once(desk):
    from appointments.notifications import appointment_reminders_send

    tomorrow = timezone.localdate() + timedelta(days=1)
    start = at(tomorrow, "09:00")
    Appointment.objects.create(
        citizen=desk["citizen"],
        agency=desk["agency"],
        procedure=desk["procedure"],
        start=start,
        end=start + timedelta(minutes=30),
        seat_number=1,
    )
    assert appointment_reminders_send() == 1
    appointment_reminders_send()
    reminders = Notification.objects.filter(event="appointment_reminder")
    assert reminders.count() == len({n.channel for n in reminders}) >= 1


def test_the_menu_links_citizens_to_their_appointments(en, desk, office):
    en.force_login(desk["citizen"])
    assert 'href="/lich-hen/"' in en.get("/").content.decode()
    from tests.second_factor import staff_login

    staff_login(en, office["desk"])
    assert 'href="/lich-hen/"' not in en.get("/").content.decode()  # officers' menu stays one row


def test_the_reminder_is_a_beat_task_and_the_confirmation_an_outbox_topic(settings):
    from portal import outbox_handlers
    from portal.celery import app

    app.loader.import_default_modules()
    assert settings.CELERY_BEAT_SCHEDULE["appointments-remind"]["task"] in app.tasks
    assert "appointment.booked" in outbox_handlers.outbox_topics()

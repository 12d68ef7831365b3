"""Messages about an appointment, through the notification fan-out (portal/notifications.py):
the confirmation with the documents checklist (an outbox handler, after commit) and the reminder
the day before (a beat task)."""

from datetime import timedelta

from django.utils import timezone

from portal.notifications import Recipient, notify
from procedures.constants import VersionStatus
from procedures.models import DocumentRequirement

from .models import Appointment, AppointmentStatus

BOOKED, REMINDER = "appointment_booked", "appointment_reminder"


def checklist(appointment: Appointment) -> list[DocumentRequirement]:
    """The documents of the procedure's published version at this agency, to bring to the desk."""
    return list(
        DocumentRequirement.objects.filter(
            version__procedure=appointment.procedure,
            version__agency=appointment.agency,
            version__status=VersionStatus.PUBLISHED,
        ).order_by("position")
    )


def _send(appointment: Appointment, event: str) -> None:
    citizen = appointment.citizen
    procedure_version = (
        appointment.procedure.versions.filter(status=VersionStatus.PUBLISHED).order_by("-number").first()
    )
    notify(
        key=f"{event}:{appointment.code}:{appointment.start.isoformat()}",
        event=event,
        recipient=Recipient(user=citizen),
        context={
            "appointment": appointment,
            "name": citizen.full_name,
            "start": timezone.localtime(appointment.start),
            "agency": appointment.agency,
            "procedure_name": procedure_version.name if procedure_version else appointment.procedure.code,
            "documents": checklist(appointment),
        },
    )


def appointment_confirmation_send(*, appointment_id: int) -> None:
    """Outbox handler of `appointment.booked` (idempotent: notify keys by appointment)."""
    appointment = Appointment.objects.select_related("citizen", "agency", "procedure").filter(pk=appointment_id).first()
    if appointment is not None and appointment.status == AppointmentStatus.BOOKED:
        _send(appointment, BOOKED)


def appointment_reminders_send() -> int:
    """Remind everyone booked for tomorrow (local date); once each (notify keys by appointment)."""
    tomorrow = timezone.localdate() + timedelta(days=1)
    due = Appointment.objects.filter(status=AppointmentStatus.BOOKED, start__date=tomorrow).select_related(
        "citizen", "agency", "procedure"
    )
    count = 0
    for appointment in due:
        _send(appointment, REMINDER)
        count += 1
    return count

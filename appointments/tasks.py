from celery import shared_task

from .notifications import appointment_reminders_send


@shared_task
def send_appointment_reminders() -> int:
    """The day-before reminder (beat: hourly; each appointment is reminded once)."""
    return appointment_reminders_send()

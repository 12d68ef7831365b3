"""One service to notify a person of an event on every channel they chose.

Texts come from NotificationTemplate rows (admins edit them) or, failing that, from the
templates under templates/notifications/. Each message is a Notification row, keyed so the
same thing is never sent twice; email, SMS and Zalo go out through a Celery task after commit,
with retries; the in-app inbox needs no delivery.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.template import Context, Template
from django.template.loader import select_template
from django.utils import translation

from .models import DeliveryStatus, Notification, NotificationChannel, NotificationTemplate, User


@dataclass(frozen=True)
class Recipient:
    user: User | None = None
    email: str = ""
    phone: str = ""
    language: str = "vi"

    def channels(self) -> list[tuple[str, str]]:
        """(channel, address) pairs this person receives messages on."""
        user = self.user
        found = []
        if user is not None:
            found.append((NotificationChannel.INBOX, f"user:{user.pk}"))
        email = self.email or (user.email if user else "")
        phone = self.phone or (user.phone if user else "")
        if email and (user is None or user.notify_email):
            found.append((NotificationChannel.EMAIL, email))
        if phone and user is not None and user.notify_sms:
            found.append((NotificationChannel.SMS, phone))
        if phone and user is not None and user.notify_zalo:
            found.append((NotificationChannel.ZALO, phone))
        return found


def render(event: str, channel: str, language: str, context: dict) -> tuple[str, str]:
    """Subject and text of a message: the admin's template if there is one, else the default."""
    with translation.override(language):
        custom = NotificationTemplate.objects.filter(event=event, channel=channel, language=language).first()
        if custom is not None:
            ctx = Context(context)
            return Template(custom.subject).render(ctx).strip(), Template(custom.body).render(ctx).strip()
        short = channel in (NotificationChannel.SMS, NotificationChannel.ZALO)
        full = {**context, "event": event, "short": short}
        # Events about an account, not a dossier, have their own texts in notifications/<event>/.
        subject = select_template([f"notifications/{event}/subject.txt", "notifications/subject.txt"]).render(full)
        body = select_template([f"notifications/{event}/body.txt", "notifications/body.txt"]).render(full)
        return subject.strip(), body.strip()


def notify(*, key: str, event: str, recipient: Recipient, context: dict, dossier_code: str = "") -> list[Notification]:
    """Record the messages for one event to one person and send them after commit (idempotent)."""
    from .tasks import send_notification

    made = []
    for channel, address in recipient.channels():
        subject, body = render(event, channel, recipient.language, context)
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    key=key, recipient=recipient.user, channel=channel, address=address, event=event,
                    dossier_code=dossier_code, subject=subject[:255], body=body,
                    status=DeliveryStatus.SENT if channel == NotificationChannel.INBOX else DeliveryStatus.PENDING,
                )
        except IntegrityError:
            continue  # already recorded for this key: never twice
        made.append(notification)
        if channel != NotificationChannel.INBOX:
            transaction.on_commit(lambda pk=notification.pk: send_notification.delay(pk))
    return made


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, channel=NotificationChannel.INBOX, read_at__isnull=True).count()

"""One service to notify a person of an event on every channel they chose.

Texts come from NotificationTemplate rows (admins edit them) or, failing that, from the
templates under templates/notifications/. Each message is a Notification row, keyed so the
same thing is never sent twice; email, SMS and Zalo go out through a Celery task after commit,
with retries; the in-app inbox needs no delivery.
"""

import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.template.loader import select_template
from django.utils import translation

from .message_templates import render_message, template_problems
from .models import DeliveryStatus, Notification, NotificationChannel, NotificationTemplate, User
from .notification_prefs import CHANNELS, EMAIL, INBOX, SMS, ZALO, wanted_channels

logger = logging.getLogger("portal.notifications")


@dataclass(frozen=True)
class Recipient:
    user: User | None = None
    email: str = ""
    phone: str = ""
    language: str = "vi"

    # An account message sent to the addresses given, whatever the preferences: the activation
    # link of a phone-only sign-up goes by SMS to the number it then proves.
    direct: bool = False

    def channels(self, event: str = "") -> list[tuple[str, str]]:
        """(channel, address) pairs this person receives this event on: what they chose for its
        topic (portal/notification_prefs.py); SMS and Zalo only to the account's verified number."""
        user = self.user
        wanted = set(CHANNELS) if user is None or self.direct else wanted_channels(user, event)
        found = []
        if user is not None and INBOX in wanted:
            found.append((NotificationChannel.INBOX, f"user:{user.pk}"))
        email = self.email or (user.email if user else "")
        if email and EMAIL in wanted:
            found.append((NotificationChannel.EMAIL, email))
        if user is not None:
            if self.direct:
                phone = self.phone or user.phone
                wanted = {SMS} if phone and not email else set()
            else:
                phone = user.phone if user.phone_verified else ""
            if phone and SMS in wanted:
                found.append((NotificationChannel.SMS, phone))
            if phone and ZALO in wanted:
                found.append((NotificationChannel.ZALO, phone))
        elif self.direct and self.phone and not email:
            # No account, only the number the person gave for this answer (a question to an officer).
            found.append((NotificationChannel.SMS, self.phone))
        return found


def render(
    event: str, channel: str, language: str, context: dict, placeholders: dict[str, str] | None = None
) -> tuple[str, str]:
    """Subject and text of a message: the admin's template if there is one, else the default.

    The admin's template sees only `placeholders` (plain strings); the default templates are
    code and get the full context."""
    with translation.override(language):
        custom = NotificationTemplate.objects.filter(event=event, channel=channel, language=language).first()
        if custom is not None:
            if not template_problems(custom.subject) and not template_problems(custom.body):
                values = placeholders or {}
                return render_message(custom.subject, values).strip(), render_message(custom.body, values).strip()
            # Saved before placeholders were enforced: never render it, send the default text.
            logger.warning("notification template %s breaks the placeholder rule; default text used", custom.pk)
        short = channel in (NotificationChannel.SMS, NotificationChannel.ZALO)
        full = {**context, "event": event, "short": short}
        # Events about an account, not a dossier, have their own texts in notifications/<event>/.
        subject = select_template([f"notifications/{event}/subject.txt", "notifications/subject.txt"]).render(full)
        body = select_template([f"notifications/{event}/body.txt", "notifications/body.txt"]).render(full)
        return subject.strip(), body.strip()


def notify(
    *,
    key: str,
    event: str,
    recipient: Recipient,
    context: dict,
    dossier_code: str = "",
    placeholders: dict[str, str] | None = None,
) -> list[Notification]:
    """Record the messages for one event to one person and send them after commit (idempotent).

    `placeholders` are the values admins' templates may use (portal/message_templates.py)."""
    from .tasks import send_notification

    made = []
    for channel, address in recipient.channels(event):
        subject, body = render(event, channel, recipient.language, context, placeholders)
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    key=key,
                    recipient=recipient.user,
                    channel=channel,
                    address=address,
                    event=event,
                    dossier_code=dossier_code,
                    subject=subject[:255],
                    body=body,
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


def inbox_messages(user):
    return Notification.objects.filter(recipient=user, channel=NotificationChannel.INBOX)


def inbox_groups(user):
    """The inbox by dossier, the group with the newest message first: dossier code, newest time,
    unread and total counts (messages about the account have an empty code)."""
    from django.db.models import Count, Max, Q

    return (
        inbox_messages(user)
        .order_by()
        .values("dossier_code")
        .annotate(latest=Max("created_at"), unread=Count("pk", filter=Q(read_at__isnull=True)), total=Count("pk"))
        .order_by("-latest", "dossier_code")
    )


def notification_open(*, user, notification_id: int) -> Notification | None:
    """Mark one of the person's inbox messages read (twice changes nothing); None if not theirs."""
    from django.utils import timezone

    notification = inbox_messages(user).filter(pk=notification_id).only("dossier_code", "read_at").first()
    if notification is not None and notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user) -> int:
    """Mark every unread inbox message of the person read; how many were."""
    from django.utils import timezone

    return inbox_messages(user).filter(read_at__isnull=True).update(read_at=timezone.now())

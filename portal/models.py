from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .constants import StaffRole
from .memberships import memberships
from .notification_prefs import default_preferences
from .validators import normalize_phone, validate_personal_id, validate_phone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email, phone, password, **extra):
        email = self.normalize_email(email).lower() if email else None
        phone = normalize_phone(phone) if phone else None
        user = self.model(email=email, phone=phone, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, *, phone=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, phone, password, **extra)

    def create_superuser(self, email=None, password=None, *, phone=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, phone, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: a citizen, or staff of one or more agencies.

    Signs in with an email address or a mobile number; either may be empty, not both.
    """

    email = models.EmailField(_("email address"), unique=True, null=True, blank=True)
    phone = models.CharField(
        _("mobile number"), max_length=15, unique=True, null=True, blank=True, validators=[validate_phone]
    )
    full_name = models.CharField(_("full name"), max_length=150)
    # Typed by the person it is only a claim (several accounts may claim one number); the national
    # e-identity verifying it makes it this account's, and then no other account may hold it.
    personal_id = models.CharField(
        _("personal ID number"),
        max_length=12,
        null=True,
        blank=True,
        db_index=True,
        validators=[validate_personal_id],
        help_text=_("12 digits, as on the chip-based citizen ID card."),
    )
    personal_id_verified = models.BooleanField(
        _("personal ID verified"),
        default=False,
        help_text=_("Confirmed by the national e-identity; only then does e-identity sign-in use this account."),
    )
    # Tokens made before this moment stop working (a password change or reset ends them).
    password_changed_at = models.DateTimeField(_("password changed"), null=True, blank=True, editable=False)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    is_staff = models.BooleanField(
        _("admin site access"), default=False, help_text=_("Can sign in to the administration site.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Confirmed by a one-time code sent to it (or by the activation link sent to it by SMS);
    # changing the number clears it. SMS and Zalo messages go only to a verified number.
    phone_verified = models.BooleanField(_("mobile number verified"), default=False)
    # {"<topic>": ["inbox", "email", "sms", "zalo"], "default": [...]}: portal/notification_prefs.py
    notification_preferences = models.JSONField(_("notification preferences"), default=default_preferences, blank=True)
    agencies = models.ManyToManyField("procedures.Agency", through="AgencyMembership", related_name="staff", blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(email__isnull=False) | models.Q(phone__isnull=False),
                name="user_has_email_or_phone",
            ),
            models.UniqueConstraint(
                fields=["personal_id"],
                condition=models.Q(personal_id_verified=True),
                name="user_verified_personal_id_once",
            ),
        ]

    def __str__(self):
        return f"{self.full_name} <{self.email or self.phone}>"

    def clean(self):
        super().clean()
        self.email = self.email.lower() if self.email else None
        self.phone = normalize_phone(self.phone) if self.phone else None

    @classmethod
    def from_db(cls, db, field_names, values):
        user = super().from_db(db, field_names, values)
        user._loaded_phone = user.__dict__.get("phone")
        return user

    def save(self, *args, **kwargs):
        # A new number is not verified, whoever changes it (the profile, the admin, the e-identity).
        if self.phone_verified and self.phone != getattr(self, "_loaded_phone", self.phone):
            self.phone_verified = False
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "phone_verified"}
        super().save(*args, **kwargs)
        self._loaded_phone = self.phone

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    @property
    def is_staff_member(self) -> bool:
        """Admin-site access or a staff role at any agency: the shorter session rules apply."""
        if self.is_staff:
            return True
        # memberships() is read once per request: officers' pages read it anyway.
        return bool(memberships(self))

    @property
    def is_citizen(self) -> bool:
        """A citizen is anyone who holds no staff role at any agency."""
        return not self.memberships.exists()


class PhoneVerification(models.Model):
    """A one-time code sent by SMS to prove a mobile number: only its keyed hash is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="phone_verifications")
    phone = models.CharField(_("mobile number"), max_length=15)
    code_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True, db_index=True)
    expires_at = models.DateTimeField(_("expires"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("phone verification")
        verbose_name_plural = _("phone verifications")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.phone} @ {self.created_at:%Y-%m-%d %H:%M}"


class AgencyMembership(models.Model):
    """One staff role a user holds at one agency (a person may hold several)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey("procedures.Agency", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=StaffRole.choices)

    class Meta:
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "agency", "role"], name="membership_unique"),
        ]

    def __str__(self):
        return f"{self.user.full_name}: {self.get_role_display()} @ {self.agency.code}"


class NotificationChannel(models.TextChoices):
    INBOX = "inbox", _("In-app inbox")
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    ZALO = "zalo", _("Zalo OA")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboxMessage(models.Model):
    """Work to do after a change, written in the change's own transaction (transactional outbox).

    A dispatcher publishes unpublished rows to Celery after commit; a beat sweep publishes what
    is left (the broker was down, the process died). Consumers are idempotent, so a row that is
    published twice after a crash does its work once.
    """

    topic = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    published_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            models.Index(
                fields=["created_at"], condition=models.Q(published_at__isnull=True), name="outbox_unpublished_idx"
            )
        ]

    def __str__(self):
        return f"{self.topic} #{self.pk}"


class NotificationTemplate(models.Model):
    """An admin-edited text for one event, channel and language, with `{{ placeholder }}`s only."""

    event = models.CharField(_("event"), max_length=48)
    channel = models.CharField(_("channel"), max_length=8, choices=NotificationChannel.choices)
    language = models.CharField(_("language"), max_length=8, default="vi")
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("text"))

    class Meta:
        verbose_name = _("notification template")
        verbose_name_plural = _("notification templates")
        constraints = [models.UniqueConstraint(fields=["event", "channel", "language"], name="template_once")]

    def __str__(self):
        return f"{self.event} / {self.channel} / {self.language}"

    def clean(self):
        from django.core.exceptions import ValidationError

        from .message_templates import allowed_placeholders_text, template_problems

        errors = {}
        for field in ("subject", "body"):
            problems = template_problems(getattr(self, field))
            if problems:
                errors[field] = [
                    _("Not allowed here: %(found)s. Use only these placeholders: %(allowed)s.")
                    % {"found": ", ".join(dict.fromkeys(problems)), "allowed": allowed_placeholders_text()}
                ]
        if errors:
            raise ValidationError(errors)


class Notification(models.Model):
    """One message to one person on one channel, with its delivery status and attempts."""

    key = models.CharField(max_length=160, help_text="What it is about; the same key is never sent twice.")
    recipient = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications")
    channel = models.CharField(_("channel"), max_length=8, choices=NotificationChannel.choices)
    address = models.CharField(_("sent to"), max_length=254, blank=True)
    event = models.CharField(_("event"), max_length=48)
    dossier_code = models.CharField(_("dossier code"), max_length=48, blank=True, db_index=True)
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("text"))
    status = models.CharField(_("status"), max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["key", "channel", "address"], name="notification_once")]
        indexes = [models.Index(fields=["recipient", "channel", "read_at"], name="inbox_idx")]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.address or self.recipient}: {self.subject}"


# --- API clients and idempotency (portal/api/) ------------------------------------------------


def _token_hash(raw: str) -> str:
    import hashlib

    return hashlib.sha256(raw.encode()).hexdigest()


class ApiClient(models.Model):
    """An integrator (the national portal, a mobile app, another agency's system) acting as one user,
    optionally narrowed to some agencies; it holds revocable tokens."""

    name = models.CharField(_("name"), max_length=150)
    user = models.ForeignKey(User, verbose_name=_("acts as"), on_delete=models.CASCADE, related_name="api_clients")
    agencies = models.ManyToManyField(
        "procedures.Agency",
        verbose_name=_("agencies"),
        blank=True,
        related_name="+",
        help_text=_("Only dossiers of these agencies. Empty: everything the user may see."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    throttle_rate = models.CharField(
        _("request limit"),
        max_length=20,
        blank=True,
        help_text=_("E.g. 1000/hour. Empty: the default limit."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.throttle_rate:
            count, _sep, period = self.throttle_rate.partition("/")
            if not (count.isdigit() and int(count) > 0 and period[:1] in ("s", "m", "h", "d")):
                raise ValidationError(
                    {"throttle_rate": _("Write it as a number per second, minute, hour or day, e.g. 1000/hour.")}
                )

    def issue_token(self) -> tuple["ApiToken", str]:
        """Make a new token valid for API_TOKEN_DAYS; the raw value is returned once and never stored."""
        import secrets
        from datetime import timedelta

        from django.conf import settings

        raw = "mc_" + secrets.token_urlsafe(32)
        token = ApiToken.objects.create(
            client=self,
            prefix=raw[:10],
            token_hash=_token_hash(raw),
            expires_at=timezone.now() + timedelta(days=settings.API_TOKEN_DAYS),
        )
        return token, raw

    def revoke(self) -> None:
        now = timezone.now()
        self.is_active, self.revoked_at = False, now
        self.save(update_fields=["is_active", "revoked_at"])
        self.tokens.filter(revoked_at__isnull=True).update(revoked_at=now)


class ApiToken(models.Model):
    """A bearer token of an API client: only its SHA-256 is kept."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="tokens")
    prefix = models.CharField(_("starts with"), max_length=12)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    expires_at = models.DateTimeField(
        _("expires"), null=True, blank=True, help_text=_("Empty: API_TOKEN_DAYS after it was made.")
    )

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.prefix}…"

    @staticmethod
    def hash(raw: str) -> str:
        return _token_hash(raw)

    def is_valid(self, *, now=None) -> bool:
        """Not revoked, not expired, and made after the user's last password change."""
        from datetime import timedelta

        from django.conf import settings

        now = now or timezone.now()
        expires_at = self.expires_at or self.created_at + timedelta(days=settings.API_TOKEN_DAYS)
        changed = self.client.user.password_changed_at
        return self.revoked_at is None and now < expires_at and (changed is None or self.created_at > changed)


class IdempotencyRecord(models.Model):
    """The outcome of one POST sent with an Idempotency-Key, replayed when the key comes again."""

    owner = models.CharField(max_length=40, help_text="client:<id> or user:<id>")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Empty while in progress.")
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="idempotency_key_once")]

    def __str__(self):
        return f"{self.owner} {self.key}"


class PrivacyNotice(models.Model):
    """A version of the privacy notice (Decree 13/2023/NĐ-CP Art. 11, the Personal Data Protection
    Law 2025): what the portal collects, why, for how long, and the person's rights. The newest
    published one is the current notice; a citizen whose last acceptance is of an older version is
    asked again at their next page."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    published_at = models.DateTimeField(_("published"), default=timezone.now)
    text = models.TextField(_("text (Vietnamese)"))
    text_en = models.TextField(_("text (English)"), blank=True)

    class Meta:
        verbose_name = _("privacy notice")
        verbose_name_plural = _("privacy notices")
        ordering = ["-version"]

    def __str__(self):
        return f"v{self.version}"


class ConsentRecord(models.Model):
    """One acceptance of one version of the privacy notice, as evidence (kept with the account)."""

    class Channel(models.TextChoices):
        REGISTRATION = "registration", _("registration")
        EID = "eid", _("e-identity sign-in")
        SIGN_IN = "signin", _("sign-in")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consents")
    notice = models.ForeignKey(PrivacyNotice, verbose_name=_("notice"), on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(_("version"))
    accepted_at = models.DateTimeField(_("accepted"), default=timezone.now)
    ip = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-accepted_at", "-pk"]
        indexes = [models.Index(fields=["user", "-version"], name="consent_user_version_idx")]

    def __str__(self):
        return f"{self.user_id} v{self.version} {self.accepted_at:%Y-%m-%d}"

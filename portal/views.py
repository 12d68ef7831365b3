from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import consent, services
from .client import client_address
from .forms import RegistrationForm
from .models import ConsentRecord, NotificationChannel
from .notification_prefs import CHANNELS, chosen_channels, topics

CHANNEL_LABELS = dict(NotificationChannel.choices)


@require_http_methods(["GET", "POST"])
def register(request):
    """Citizen sign-up: the account opens from the link we send (the same answer for a taken address)."""
    notice = consent.current_notice()
    form = RegistrationForm(request.POST or None, notice=notice)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = services.citizen_register(
            full_name=data["full_name"],
            password=data["password1"],
            email=data["email"],
            phone=data["phone"],
            personal_id=data["personal_id"],
            language=get_language() or "vi",
        )
        if user is not None and notice is not None:
            consent.consent_record(
                user=user, notice=notice, ip=client_address(request) or None, channel=ConsentRecord.Channel.REGISTRATION
            )
        return render(request, "registration/register_sent.html", {"by_email": bool(data["email"])})
    return render(request, "registration/register.html", {"form": form})


def privacy_notice(request):
    """The current privacy notice, for anyone."""
    notice = consent.current_notice()
    if notice is None:
        raise Http404
    return render(request, "portal/privacy_notice.html", {"notice": notice, "text": _notice_text(notice)})


def _notice_text(notice) -> str:
    return notice.text_en if (get_language() or "vi").startswith("en") and notice.text_en else notice.text


@login_required
@require_http_methods(["GET", "POST"])
def privacy_consent(request):
    """Accept the current privacy notice (asked at the first sign-in and after every new version)."""
    notice = consent.current_notice()
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = ""
    if notice is None:
        return redirect(target or "home")
    if request.method == "POST":
        if request.POST.get("accept") != "yes":
            return render(
                request,
                "portal/privacy_consent.html",
                {
                    "notice": notice,
                    "text": _notice_text(notice),
                    "next": target,
                    "error": _("Tick the box to accept the privacy notice, or sign out."),
                },
                status=400,
            )
        consent.consent_accept(request, notice)
        messages.success(request, _("Thank you: your acceptance of the privacy notice is recorded."))
        return redirect(target or "home")
    previous = consent.accepted_version(request.user)
    return render(
        request,
        "portal/privacy_consent.html",
        {"notice": notice, "text": _notice_text(notice), "next": target, "previous": previous},
    )


def account_activate(request, uidb64: str, token: str):
    """The registration link: opens the account and signs the citizen in."""
    user = services.account_activate(uidb64=uidb64, token=token)
    if user is None:
        return render(request, "registration/activation_invalid.html", status=400)
    login(request, user, backend="portal.backends.EmailOrPhoneBackend")
    messages.success(request, _("Welcome, %(name)s. Your account is ready.") % {"name": user.full_name})
    return redirect("home")


@require_http_methods(["GET", "POST"])
def eidentity_link_page(request):
    """After an e-identity sign-in that matches an account we cannot vouch for: the person signs in to
    that account to link it, or takes a new account of their own."""
    from .forms import LoginForm
    from .oidc import PENDING, pending_identity

    identity = pending_identity(request)
    if identity is None:
        return redirect(settings.LOGIN_REDIRECT_URL_FAILURE)
    form = LoginForm(request, data=request.POST if "link" in request.POST else None)
    if request.method == "POST" and "new" in request.POST:
        user = services.eidentity_account_create(identity=identity)
        request.session.pop(PENDING, None)
        login(request, user, backend="portal.oidc.EIdentityBackend")
        messages.success(request, _("Welcome, %(name)s. Your account is ready.") % {"name": user.full_name})
        return redirect("home")
    if request.method == "POST" and form.is_valid():
        try:
            user = services.eidentity_link(user=form.get_user(), identity=identity)
        except ValidationError as error:
            form.add_error(None, error)
            return render(request, "registration/eidentity_link.html", {"form": form, "identity": identity})
        request.session.pop(PENDING, None)
        login(request, user, backend="portal.backends.EmailOrPhoneBackend")
        messages.success(request, _("Your account is now linked to your national e-identity."))
        return redirect("home")
    return render(request, "registration/eidentity_link.html", {"form": form, "identity": identity})


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    """The person's details, their mobile number (verified by a code) and what they hear about."""
    from .forms import PhoneCodeForm, PhoneForm, ProfileForm
    from .models import PhoneVerification

    user = request.user
    action = request.POST.get("action") if request.method == "POST" else None
    initial = {"full_name": user.full_name, "date_of_birth": user.date_of_birth, "address": user.address}
    details = ProfileForm(
        request.POST if action == "details" else None, initial=initial, name_locked=user.personal_id_verified
    )
    phone_form = PhoneForm(request.POST if action == "send_code" else None, initial={"phone": user.phone})
    code_form = PhoneCodeForm(request.POST if action == "check_code" else None)
    status = 200
    if action == "details":
        if details.is_valid():
            data = details.cleaned_data
            services.user_profile_update(
                user=user, full_name=data["full_name"], date_of_birth=data["date_of_birth"], address=data["address"]
            )
            messages.success(request, _("Your details were saved."))
            return redirect("profile")
        status = 400
    elif action == "send_code":
        if phone_form.is_valid():
            try:
                services.phone_verification_start(
                    user=user, phone=phone_form.cleaned_data["phone"], language=get_language() or "vi"
                )
                messages.success(request, _("We sent a 6-digit code by SMS. Enter it below within 10 minutes."))
                return redirect(reverse("profile") + "#phone")
            except ValidationError as error:
                phone_form.add_error(None, error)
        status = 400
    elif action == "check_code":
        if code_form.is_valid():
            try:
                services.phone_verification_check(user=user, code=code_form.cleaned_data["code"])
                messages.success(request, _("Your mobile number is verified."))
                return redirect(reverse("profile") + "#phone")
            except ValidationError as error:
                code_form.add_error("code", error)
        status = 400
    elif action == "preferences":
        choices = {
            topic.key: [channel for channel in CHANNELS if request.POST.get(f"pref-{topic.key}-{channel}")]
            for topic in topics(staff=user.is_staff_member)
        }
        services.user_notification_preferences_update(user=user, choices=choices)
        messages.success(request, _("Your notification choices were saved."))
        return redirect(reverse("profile") + "#notifications")
    elif action is not None:
        status = 400
    pending = (
        PhoneVerification.objects.filter(user=user, used_at__isnull=True, expires_at__gt=timezone.now())
        .only("phone", "expires_at")
        .first()
    )
    rows = [
        {
            "topic": topic,
            "cells": [
                {
                    "channel": channel,
                    "label": CHANNEL_LABELS[channel],
                    "on": channel in chosen,
                    "locked": channel in topic.always,
                }
                for channel in CHANNELS
                for chosen in [chosen_channels(user.notification_preferences, topic)]
            ],
        }
        for topic in topics(staff=user.is_staff_member)
    ]
    return render(
        request,
        "portal/profile.html",
        {
            "details": details,
            "phone_form": phone_form,
            "code_form": code_form,
            "pending": pending,
            "rows": rows,
        },
        status=status,
    )


QUEUES = ("default", "notifications", "documents")


def healthz_live(request):
    """Liveness: the process answers. Nothing else, so a database outage never restarts the pods."""
    return JsonResponse({"status": "ok"})


def healthz_ready(request):
    """Readiness: this process can serve requests: the database, Redis and the private file storage
    answer. 503 takes the pod out of the load balancer until they do."""
    checks = {"database": _database_check()}
    if settings.REDIS_URL:
        checks["redis"] = _redis_check()[0]
    checks["storage"] = _storage_check()
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks}, status=200 if healthy else 503
    )


def _database_check() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except DatabaseError as error:
        return f"error: {error.__class__.__name__}"


def _redis_check():
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
        return "ok", client
    except redis.RedisError as error:
        return f"error: {error.__class__.__name__}", None


def _storage_check() -> str:
    """A cheap question the storage must answer (a HEAD on object storage, a stat on disk)."""
    from django.core.files.storage import storages

    try:
        storages["private"].exists("healthz-probe")
        return "ok"
    except Exception as error:  # any backend's failure means not ready  # noqa: BLE001
        return f"error: {error.__class__.__name__}"


def favicon(request):
    """/favicon.ico, which browsers and feed readers ask for without reading any page's <link>."""
    return redirect(static("img/favicon.ico"), permanent=True)


def healthz(request):
    """For load balancers and compose: the database, Redis, the outbox's oldest undelivered row and
    the queue lengths; 503 when a dependency is down."""
    checks = {"database": _database_check()}
    healthy = checks["database"] == "ok"
    if settings.REDIS_URL:
        checks["redis"], client = _redis_check()
        if client is not None:
            checks["queues"] = {name: client.llen(name) for name in QUEUES}
        else:
            healthy = False
    else:
        checks["redis"] = "not used (filesystem broker)"
    if checks["database"] == "ok":
        from .outbox import oldest_unpublished_age

        age = oldest_unpublished_age()
        checks["outbox_oldest_unpublished_seconds"] = round(age, 1) if age is not None else None
    # Shown, never a 503: the primary answers the reads the replica would have.
    from .replica import replica_status

    replica = replica_status(fresh=True)
    checks["replica"] = (
        replica["state"] if replica["lag"] is None else f"{replica['state']} (lag {replica['lag']:.1f} s)"
    )
    # Shown, never a 503: while clamd is down uploads wait as pending and the worker scans them later.
    from .scanner import scanner_configured, scanner_ping

    checks["virus_scanner"] = (
        ("ok" if scanner_ping() else "not answering") if scanner_configured() else "not configured"
    )
    status = 200 if healthy else 503
    return JsonResponse({"status": "ok" if healthy else "unavailable", "checks": checks}, status=status)


@login_required
def inbox(request):
    """The in-app inbox by dossier, newest group first, with each group's unread count; a message
    is marked read when it is opened (its link leads to its dossier)."""
    from django.core.paginator import Paginator

    from .notifications import inbox_groups, inbox_messages

    page = Paginator(inbox_groups(request.user), 10).get_page(request.GET.get("page"))
    codes = [group["dossier_code"] for group in page]
    items: dict[str, list] = {code: [] for code in codes}
    for message in (
        inbox_messages(request.user)
        .filter(dossier_code__in=codes)
        .only("subject", "body", "created_at", "read_at", "dossier_code")
    ):
        items[message.dossier_code].append(message)
    groups = [{**group, "messages": items[group["dossier_code"]]} for group in page]
    return render(request, "notifications/inbox.html", {"page_obj": page, "groups": groups})


@login_required
def inbox_open(request, pk: int):
    """Open one message: it is read from now on, and its dossier's page shows what happened."""
    from .notifications import notification_open

    notification = notification_open(user=request.user, notification_id=pk)
    if notification is None:
        raise Http404
    if notification.dossier_code:
        return redirect("dossiers:detail", code=notification.dossier_code)
    return redirect(reverse("inbox") + f"#message-{pk}")


@login_required
@require_http_methods(["POST"])
def inbox_mark_all_read(request):
    from .notifications import notifications_mark_all_read

    count = notifications_mark_all_read(user=request.user)
    messages.success(request, _("All notifications are marked as read.") if count else _("Nothing was unread."))
    return redirect("inbox")


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    """The person's own API tokens: make one (shown once), see when each was used, revoke."""
    from .models import ApiClient

    new_token = None
    if request.method == "POST":
        try:
            if "revoke" in request.POST:
                services.api_client_revoke(user=request.user, client_id=_int(request.POST.get("revoke")))
                messages.success(request, _("The token was revoked."))
                return redirect("api_tokens")
            _client, new_token = services.api_client_create(user=request.user, name=request.POST.get("name", ""))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    clients = ApiClient.objects.filter(user=request.user).prefetch_related("tokens", "agencies").order_by("-created_at")
    return render(
        request,
        "portal/api_tokens.html",
        {"clients": clients, "new_token": new_token},
        status=201 if new_token else 200,
    )


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0

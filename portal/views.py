from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import services
from .forms import RegistrationForm


@require_http_methods(["GET", "POST"])
def register(request):
    """Citizen sign-up: the account opens from the link we send (the same answer for a taken address)."""
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.citizen_register(
            full_name=data["full_name"],
            password=data["password1"],
            email=data["email"],
            phone=data["phone"],
            personal_id=data["personal_id"],
            language=get_language() or "vi",
        )
        return render(request, "registration/register_sent.html", {"by_email": bool(data["email"])})
    return render(request, "registration/register.html", {"form": form})


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


QUEUES = ("default", "notifications", "documents")


def favicon(request):
    """/favicon.ico, which browsers and feed readers ask for without reading any page's <link>."""
    return redirect(static("img/favicon.ico"), permanent=True)


def healthz(request):
    """For load balancers and compose: the database, Redis, the outbox's oldest undelivered row and
    the queue lengths; 503 when a dependency is down."""
    checks, healthy = {}, True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except DatabaseError as error:
        checks["database"], healthy = f"error: {error.__class__.__name__}", False
    if settings.REDIS_URL:
        import redis

        try:
            client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
            client.ping()
            checks["redis"] = "ok"
            checks["queues"] = {name: client.llen(name) for name in QUEUES}
        except redis.RedisError as error:
            checks["redis"], healthy = f"error: {error.__class__.__name__}", False
    else:
        checks["redis"] = "not used (filesystem broker)"
    if checks["database"] == "ok":
        from .outbox import oldest_unpublished_age

        age = oldest_unpublished_age()
        checks["outbox_oldest_unpublished_seconds"] = round(age, 1) if age is not None else None
    # Shown, never a 503: while clamd is down uploads wait as pending and the worker scans them later.
    from .scanner import scanner_configured, scanner_ping

    checks["virus_scanner"] = (
        ("ok" if scanner_ping() else "not answering") if scanner_configured() else "not configured"
    )
    status = 200 if healthy else 503
    return JsonResponse({"status": "ok" if healthy else "unavailable", "checks": checks}, status=status)


@login_required
def inbox(request):
    """The in-app inbox: newest first; opening it marks everything read."""
    from django.core.paginator import Paginator
    from django.utils import timezone

    from .models import Notification, NotificationChannel

    messages_qs = Notification.objects.filter(recipient=request.user, channel=NotificationChannel.INBOX)
    page = Paginator(messages_qs.only("subject", "body", "created_at", "read_at", "dossier_code"), 20).get_page(
        request.GET.get("page")
    )
    unread_ids = [n.pk for n in page if n.read_at is None]
    response = render(request, "notifications/inbox.html", {"page_obj": page, "unread_ids": unread_ids})
    if unread_ids:
        messages_qs.filter(pk__in=unread_ids).update(read_at=timezone.now())
    return response


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

from django.contrib import messages
from django.contrib.auth import login
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from procedures import selectors

from . import services
from .forms import RegistrationForm


def home(request):
    """The portal's front page: search the catalogue, browse by field."""
    return render(request, "home.html", {"fields": selectors.fields_with_counts()})


@require_http_methods(["GET", "POST"])
def register(request):
    """Citizen sign-up; signs the new citizen in."""
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = services.citizen_register(
            full_name=data["full_name"], password=data["password1"], email=data["email"],
            phone=data["phone"], personal_id=data["personal_id"],
        )
        login(request, user, backend="portal.backends.EmailOrPhoneBackend")
        messages.success(request, _("Welcome, %(name)s. Your account is ready.") % {"name": user.full_name})
        return redirect("home")
    return render(request, "registration/register.html", {"form": form})


def healthz(request):
    """Liveness for load balancers and compose: 200 if the database and cache answer, else 503."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except DatabaseError as error:
        checks["database"] = f"error: {error.__class__.__name__}"
    try:
        cache.set("healthz", "ok", 5)
        checks["cache"] = "ok" if cache.get("healthz") == "ok" else "error: no read-back"
    except Exception as error:  # noqa: BLE001 - any cache failure means unhealthy
        checks["cache"] = f"error: {error.__class__.__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "unavailable", "checks": checks}, status=200 if healthy else 503)

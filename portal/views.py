from django.contrib import messages
from django.contrib.auth import login
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

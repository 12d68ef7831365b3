"""Pages of the second factor: enrolment, verification, recovery codes and the account page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import services
from .forms import CodeForm, VerifyForm


def _next_url(request) -> str:
    """Where to go after the step: the page asked for, if it is on this site."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return "/"


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """Enter the code from the app (or a recovery code) after signing in with the password."""
    user = request.user
    if not services.second_factor_pending(user):
        return redirect(_next_url(request))
    if request.method == "GET" and services.totp_device_of(user) is None:
        return redirect("second_factor_enrol")
    form = VerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.second_factor_verify(user=user, code=form.given)
        except ValidationError as error:
            form.add_error("recovery_code" if form.cleaned_data.get("recovery_code") else "code", error)
        else:
            services.second_factor_login(request=request, device=device)
            if device.persistent_id.startswith("otp_static."):
                left = services.recovery_codes_left(user)
                messages.warning(
                    request,
                    _(
                        "You used a recovery code: %(left)d left. Make new ones on the "
                        "two-step verification page if you are running out."
                    )
                    % {"left": left},
                )
            return redirect(_next_url(request))
    return render(
        request,
        "portal/second_factor/verify.html",
        {"form": form, "next": _next_url(request)},
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def enrol(request):
    """First staff sign-in: add the portal to an authenticator app and confirm with a code."""
    user = request.user
    if not services.second_factor_required(user):
        return redirect("home")
    if services.totp_device_of(user) is not None:
        return redirect("second_factor_verify" if services.second_factor_pending(user) else "second_factor_account")
    device = services.second_factor_enrol_start(user=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = services.second_factor_enrol_confirm(user=user, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            services.second_factor_login(request=request, device=device)
            request.session[services.NEW_CODES_SESSION_KEY] = codes
            request.session["second_factor_after_codes"] = _next_url(request)
            messages.success(request, _("Two-step verification is on for your account."))
            return redirect("second_factor_recovery_codes")
    uri = services.totp_uri(device)
    return render(
        request,
        "portal/second_factor/enrol.html",
        {
            "form": form,
            "next": _next_url(request),
            "secret": services.totp_secret(device),
            "uri": uri,
            "qr_svg": _qr_svg(uri),
        },
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
def recovery_codes(request):
    """The recovery codes just made, shown this once (then only their number is kept visible)."""
    codes = request.session.pop(services.NEW_CODES_SESSION_KEY, None)
    if not codes:
        return redirect("second_factor_account")
    after = request.session.pop("second_factor_after_codes", "") or "/"
    return render(request, "portal/second_factor/recovery_codes.html", {"codes": codes, "after": after})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def account(request):
    """The person's device and recovery codes; make new recovery codes."""
    user = request.user
    if request.method == "POST":
        try:
            codes = services.recovery_codes_regenerate(user=user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("second_factor_account")
        request.session[services.NEW_CODES_SESSION_KEY] = codes
        request.session["second_factor_after_codes"] = ""
        return redirect("second_factor_recovery_codes")
    return render(
        request,
        "portal/second_factor/account.html",
        {
            "required": services.second_factor_required(user),
            "device": services.totp_device_of(user),
            "codes_left": services.recovery_codes_left(user),
        },
    )


def _qr_svg(data: str) -> str:
    """The QR code as inline SVG, made here (segno): the secret never goes to another service."""
    import segno

    return segno.make(data, error="m").svg_inline(
        scale=4, border=2, title=_("QR code to scan"), svgclass="qr-code", lineclass=None, dark="#000"
    )

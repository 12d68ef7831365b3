"""The citizen's "Dữ liệu của tôi" page: what the portal holds, the download, the access log and
deleting the account. Thin views over privacy.selectors and privacy.services."""

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from . import selectors, services
from .forms import AccountDeleteForm


def export_response(user) -> FileResponse:
    archive = services.personal_data_export(user=user)
    response = FileResponse(
        archive,
        as_attachment=True,
        filename=f"du-lieu-cua-toi-{timezone.localdate():%Y%m%d}.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def my_data(request):
    page = Paginator(selectors.access_log(request.user), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "privacy/my_data.html",
        {
            "holdings": selectors.holdings(request.user),
            "page_obj": page,
            "entries": [selectors.access_entry(access) for access in page],
        },
    )


@login_required
def my_data_export(request):
    """The zip of everything the portal holds about the signed-in person (only theirs)."""
    return export_response(request.user)


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request):
    """Explain what deleting the account removes and what stays (and until when), then do it."""
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        result = services.account_delete(user=user)
        logout(request)
        return render(request, "privacy/account_deleted.html", {"result": result})
    return render(
        request,
        "privacy/account_delete.html",
        {
            "form": form,
            "holdings": selectors.holdings(request.user),
            "retained": selectors.retained_dossiers(request.user),
        },
        status=400 if form.is_bound else 200,
    )

"""The archive package from the officers' desk page (the same checks as the API)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from dossiers.officer_views import _officer_dossier, staff_required

from .api.views import package_response
from .services import package_download_allowed, package_for_download


@staff_required
def package_download(request, code):
    """The dossier's archive package (zip) for its desk officers and leaders."""
    dossier = _officer_dossier(request, code)
    if not package_download_allowed(dossier=dossier, user=request.user):
        raise PermissionDenied
    package = package_for_download(dossier=dossier)
    if package is None:
        raise Http404
    return package_response(package)

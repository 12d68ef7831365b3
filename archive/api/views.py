"""The archive package of a dossier through the API: the bag as a zip, for the desk and leaders."""

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.views import APIView

from dossiers.api.scope import api_officer_dossier
from portal.api.schema import responses

from ..services import package_download_allowed, package_for_download, package_open


def package_response(package) -> FileResponse:
    response = FileResponse(
        package_open(package),
        as_attachment=True,
        filename=f"{package.dossier.code}-luu-tru.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "private, no-store"
    response["Digest"] = f"sha-256={package.sha256}"
    return response


class ArchivePackageView(APIView):
    @extend_schema(
        tags=["Dossiers"],
        operation_id="dossiers_archive_package",
        parameters=[OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH, description="Dossier code.")],
        responses=responses({(200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY)}, 401, 403, 404),
        description="The archive package of an ended dossier (BagIt, zipped; its SHA-256 in the `Digest` header), "
        "for the one-stop desk and the leaders of the agencies that received or decided it. 404 while it is "
        "not built yet, or for a dossier outside the caller's scope.",
    )
    def get(self, request, code):
        dossier = api_officer_dossier(request, code)
        if not package_download_allowed(dossier=dossier, user=request.user):
            raise PermissionDenied
        package = package_for_download(dossier=dossier)
        if package is None:
            raise NotFound
        return package_response(package)

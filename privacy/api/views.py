"""The person's own data through the API: the export zip and the access log."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.views import APIView

from portal.api.schema import responses
from privacy import selectors
from privacy.views import export_response

from .serializers import AccessEntrySerializer


class ExportView(APIView):
    @extend_schema(
        tags=["Personal data"],
        operation_id="me_export",
        responses=responses({(200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY)}, 401),
        description="Everything the portal holds about the signed-in person, as a zip: `data.json` (account, "
        "notification preferences, consents, dossiers with their forms, public events, messages, payments, "
        "appointments, the personal store, the staff reads of their dossiers) and `files/` (attachments, issued "
        "documents and results, receipts, the personal store's files). Only the requester's own data.",
    )
    def get(self, request):
        return export_response(request.user)


class AccessLogView(ListAPIView):
    """Who of the staff read the signed-in person's dossiers, newest first."""

    serializer_class = AccessEntrySerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.access_log(self.request.user)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(
            self.get_serializer([selectors.access_entry(a) for a in page], many=True).data
        )

    @extend_schema(
        tags=["Personal data"],
        operation_id="me_access_log",
        responses=responses({200: AccessEntrySerializer(many=True)}, 401, 404),
        description="Every read of the person's dossiers by staff (the dossier page, an attached file, an issued "
        "document or PDF, the API): when, who, in which role and agency. Their own reads are not listed.",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

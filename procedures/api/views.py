from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.filters import validated_filters
from portal.api.schema import responses
from procedures import selectors
from procedures.calendar import due_date
from procedures.constants import Level, ServiceLevel
from procedures.models import ProcedureVersion

from .filters import CatalogueFilter
from .serializers import (
    AgencySerializer,
    DueDateQuerySerializer,
    DueDateSerializer,
    ProcedureDetailSerializer,
    ProcedureListSerializer,
)

PUBLIC = {"authentication_classes": [], "permission_classes": []}


class DueDateView(APIView):
    """The legal due time for a dossier received at a moment, with a processing time in working days."""

    authentication_classes = []
    permission_classes = []

    @extend_schema(
        tags=["Catalogue"],
        parameters=[DueDateQuerySerializer],
        responses=responses({200: DueDateSerializer}, 400),
        auth=[],
    )
    def get(self, request: Request) -> Response:
        query = DueDateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        deadline = due_date(query.validated_data["received_at"], query.validated_data["days"])
        return Response(DueDateSerializer(deadline).data)


CATALOGUE_PARAMETERS = [
    OpenApiParameter(
        "q",
        OpenApiTypes.STR,
        description="Search words; diacritics and case are ignored "
        '("giay khai sinh" finds "Giấy khai sinh"). Best matches first.',
    ),
    OpenApiParameter("agency", OpenApiTypes.STR, description="Agency code: its procedures and its sub-agencies'."),
    OpenApiParameter("field", OpenApiTypes.STR, description="Field (sector) code."),
    OpenApiParameter("level", OpenApiTypes.STR, enum=Level.values),
    OpenApiParameter("service_level", OpenApiTypes.STR, enum=ServiceLevel.values),
]


class ProcedureListView(ListAPIView):
    """Search the public catalogue (published procedures), best matches first."""

    authentication_classes = []
    permission_classes = []
    serializer_class = ProcedureListSerializer
    filter_backends = []

    def get_queryset(self):
        filters = validated_filters(self.request, CatalogueFilter)
        return selectors.catalogue_search(
            query=filters.get("q") or "",
            agency=filters.get("agency"),
            field=filters.get("field"),
            level=filters.get("level") or "",
            service_level=filters.get("service_level") or "",
        )

    @extend_schema(
        tags=["Catalogue"],
        parameters=CATALOGUE_PARAMETERS,
        responses=responses({200: ProcedureListSerializer(many=True)}, 400, 404),
        auth=[],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ProcedureDetailView(RetrieveAPIView):
    """One published procedure: required documents, fees, processing steps and the application form."""

    authentication_classes = []
    permission_classes = []
    serializer_class = ProcedureDetailSerializer

    def get_object(self):
        try:
            return selectors.procedure_detail(code=self.kwargs["code"])
        except ProcedureVersion.DoesNotExist:
            raise NotFound from None

    @extend_schema(tags=["Catalogue"], responses=responses({200: ProcedureDetailSerializer}, 404), auth=[])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class AgencyListView(ListAPIView):
    """Active agencies, by code (their codes filter the catalogue)."""

    authentication_classes = []
    permission_classes = []
    serializer_class = AgencySerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.agencies_with_procedures().select_related("parent")

    @extend_schema(tags=["Catalogue"], responses=responses({200: AgencySerializer(many=True)}, 404), auth=[])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

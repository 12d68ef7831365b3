from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from procedures.calendar import due_date

from .serializers import DueDateQuerySerializer, DueDateSerializer


class DueDateView(APIView):
    """The legal due time for a dossier received at a moment, with a processing time in working days."""

    authentication_classes = []
    permission_classes = []

    @extend_schema(parameters=[DueDateQuerySerializer], responses=DueDateSerializer)
    def get(self, request: Request) -> Response:
        query = DueDateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        deadline = due_date(query.validated_data["received_at"], query.validated_data["days"])
        return Response(DueDateSerializer(deadline).data)

"""Queue tickets through the API: an external kiosk machine issues tickets; the hall display's feed."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.errors import Conflict
from portal.api.schema import responses
from procedures.models import Agency
from tickets import selectors, services
from tickets.models import CounterGroup

from .serializers import DisplayFeedSerializer, DisplayQuerySerializer, TicketIssueSerializer, TicketSerializer


def _agency(code: str) -> Agency:
    agency = Agency.objects.filter(code=code, is_active=True).first()
    if agency is None:
        raise ValidationError({"agency": ["No active agency has this code."]})
    return agency


class TicketIssueView(APIView):
    @extend_schema(
        tags=["Queue tickets"],
        request=TicketIssueSerializer,
        responses=responses({201: TicketSerializer}, 400, 401, 403, 409),
        description="Issue a ticket from a kiosk machine signed in as a desk officer of the agency (an API "
        "token): a walk-in ticket of a group, or the check-in of an appointment by its code on its day, "
        "from TICKET_CHECK_IN_BEFORE_MINUTES (30) before its start to TICKET_CHECK_IN_AFTER_MINUTES (15) "
        "after. 400: unknown group or appointment; 409: not today, too early, too late, already checked in.",
    )
    def post(self, request):
        serializer = TicketIssueSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        agency = _agency(data["agency"])
        if agency.pk not in services.desk_agency_ids(request.user):
            raise PermissionDenied("Only a desk officer of this agency issues its tickets.")
        try:
            if data.get("group"):
                group = CounterGroup.objects.filter(agency=agency, code=data["group"], is_active=True).first()
                if group is None:
                    raise ValidationError({"group": ["This desk has no open group with this code."]})
                ticket = services.ticket_issue(group=group)
            else:
                ticket = services.ticket_check_in(agency=agency, code=data["appointment_code"])
        except services.TicketRefused as error:
            message = " ".join(error.messages)
            if error.code == "invalid":
                raise ValidationError({"non_field_errors": [message]}) from None
            raise Conflict(message) from None
        ticket.people_ahead = selectors.people_ahead(ticket)
        return Response(TicketSerializer(ticket).data, status=status.HTTP_201_CREATED)


class DisplayFeedView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["Queue tickets"],
        parameters=[OpenApiParameter("agency", OpenApiTypes.STR, required=True, description="The agency's unit code.")],
        responses=responses({200: DisplayFeedSerializer}, 400),
        description="What the hall display shows: today's last TICKET_DISPLAY_ROWS (8) calls, newest first, "
        "and the tickets waiting per group. Public: no personal data.",
    )
    def get(self, request):
        query = DisplayQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        agency = _agency(query.validated_data["agency"])
        return Response(DisplayFeedSerializer(selectors.display_feed(agency.pk)).data)

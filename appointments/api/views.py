"""Desk appointments through the API: the free slots of a day, booking, cancelling."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from appointments import services
from appointments.models import Appointment
from portal.api.errors import Conflict
from portal.api.schema import responses
from procedures.models import Agency, Procedure

from .serializers import AppointmentBookSerializer, AppointmentSerializer, SlotQuerySerializer, SlotSerializer


def _refusal(error: services.AppointmentRefused):
    message = " ".join(error.messages)
    if error.code == "invalid":
        return ValidationError({"non_field_errors": [message]})
    return Conflict(message)


def _agency(code: str, field: str = "agency") -> Agency:
    agency = Agency.objects.filter(code=code, is_active=True).first()
    if agency is None:
        raise ValidationError({field: ["No active agency has this code."]})
    return agency


class SlotListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["Appointments"],
        parameters=[
            OpenApiParameter("agency", OpenApiTypes.STR, required=True, description="The agency's unit code."),
            OpenApiParameter("date", OpenApiTypes.DATE, required=True, description="The day, YYYY-MM-DD."),
            OpenApiParameter(
                "procedure",
                OpenApiTypes.STR,
                required=False,
                description="A procedure code: the free seats then respect its procedure group's quota per slot.",
            ),
        ],
        responses=responses({200: SlotSerializer(many=True)}, 400, 401),
        description="The desk's appointment slots on one day with their free seats: none on a weekend, a "
        "public holiday (Tết included) or a closure day; swapped working Saturdays have slots.",
    )
    def get(self, request):
        query = SlotQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        agency = _agency(query.validated_data["agency"])
        procedure = None
        if query.validated_data.get("procedure"):
            procedure = Procedure.objects.filter(code=query.validated_data["procedure"]).first()
            if procedure is None:
                raise ValidationError({"procedure": ["No procedure has this code."]})
        slots = services.appointment_slots(agency, query.validated_data["date"], procedure)
        return Response(
            SlotSerializer([{"start": s.start, "end": s.end, "available": s.available} for s in slots], many=True).data
        )


class AppointmentBookView(APIView):
    @extend_schema(
        tags=["Appointments"],
        request=AppointmentBookSerializer,
        responses=responses({201: AppointmentSerializer}, 400, 401, 409),
        description="Book a seat at the desk. 409 when the slot is full, closed (past, a day off, outside "
        "hours), already booked by you at that time, or when booking is paused after missed appointments.",
    )
    def post(self, request):
        serializer = AppointmentBookSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        agency = _agency(serializer.validated_data["agency"])
        procedure = Procedure.objects.filter(code=serializer.validated_data["procedure"]).first()
        if procedure is None:
            raise ValidationError({"procedure": ["No procedure has this code."]})
        try:
            appointment = services.appointment_book(
                citizen=request.user, agency=agency, procedure=procedure, start=serializer.validated_data["start"]
            )
        except services.AppointmentRefused as error:
            raise _refusal(error) from None
        return Response(AppointmentSerializer(appointment).data, status=status.HTTP_201_CREATED)


class AppointmentDetailView(APIView):
    def _mine(self, request, id) -> Appointment:
        appointment = (
            Appointment.objects.select_related("agency", "procedure").filter(pk=id, citizen=request.user).first()
        )
        if appointment is None:
            raise NotFound
        return appointment

    @extend_schema(
        tags=["Appointments"],
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses=responses({200: AppointmentSerializer}, 401, 404),
    )
    def get(self, request, id):
        return Response(AppointmentSerializer(self._mine(request, id)).data)

    @extend_schema(
        tags=["Appointments"],
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses=responses({204: None}, 401, 404, 409),
        description="Cancel your appointment, until APPOINTMENT_CHANGE_HOURS (2) hours before it starts.",
    )
    def delete(self, request, id):
        try:
            services.appointment_cancel(citizen=request.user, appointment=self._mine(request, id))
        except services.AppointmentRefused as error:
            raise _refusal(error) from None
        return Response(status=status.HTTP_204_NO_CONTENT)

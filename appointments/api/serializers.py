from rest_framework import serializers

from appointments.models import Appointment


class SlotQuerySerializer(serializers.Serializer):
    agency = serializers.CharField(max_length=32, help_text="The agency's unit code.")
    date = serializers.DateField()
    procedure = serializers.CharField(
        max_length=64, required=False, help_text="A procedure code: its group's quota per slot counts too."
    )


class SlotSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    available = serializers.IntegerField(help_text="Free seats left in this slot (0: full or past).")


class AppointmentBookSerializer(serializers.Serializer):
    agency = serializers.CharField(max_length=32, help_text="The agency's unit code.")
    procedure = serializers.CharField(max_length=32, help_text="The procedure's code.")
    start = serializers.DateTimeField(help_text="The start of a free slot, as GET /appointments/slots/ gives it.")


class AppointmentSerializer(serializers.ModelSerializer):
    agency = serializers.CharField(source="agency.code", read_only=True)
    procedure = serializers.CharField(source="procedure.code", read_only=True)

    class Meta:
        model = Appointment
        fields = ["id", "code", "agency", "procedure", "start", "end", "status"]
        read_only_fields = fields

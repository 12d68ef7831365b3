from rest_framework import serializers

from tickets.models import Ticket


class TicketIssueSerializer(serializers.Serializer):
    agency = serializers.CharField(max_length=32, help_text="The agency's unit code.")
    group = serializers.CharField(
        max_length=16, required=False, help_text="A counter group's code: a walk-in ticket of that queue."
    )
    appointment_code = serializers.CharField(
        max_length=64, required=False, help_text="Or an appointment's code (LH…), typed or scanned: its check-in."
    )

    def validate(self, attrs):
        if bool(attrs.get("group")) == bool(attrs.get("appointment_code")):
            raise serializers.ValidationError("Give either group or appointment_code.")
        return attrs


class TicketSerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="label", read_only=True)
    agency = serializers.CharField(source="agency.code", read_only=True)
    group = serializers.CharField(source="group.code", read_only=True)
    group_name = serializers.CharField(source="group.name", read_only=True)
    appointment_start = serializers.DateTimeField(source="due_at", read_only=True, allow_null=True)
    people_ahead = serializers.IntegerField(read_only=True, help_text="Waiting in the same queue, issued earlier.")

    class Meta:
        model = Ticket
        fields = [
            "id",
            "number",
            "agency",
            "group",
            "group_name",
            "kind",
            "state",
            "issued_at",
            "appointment_start",
            "people_ahead",
        ]
        read_only_fields = fields


class DisplayCallSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(help_text="e.g. A-012")
    counter = serializers.CharField(help_text="The counter's label, e.g. Quầy 3.")
    announced_at = serializers.DateTimeField(help_text="The last call (a call again moves it).")
    at_counter = serializers.BooleanField(help_text="Still being called or served.")


class DisplayWaitingSerializer(serializers.Serializer):
    letter = serializers.CharField()
    name = serializers.CharField()
    waiting = serializers.IntegerField()


class DisplayFeedSerializer(serializers.Serializer):
    called = DisplayCallSerializer(many=True)
    waiting = DisplayWaitingSerializer(many=True)


class DisplayQuerySerializer(serializers.Serializer):
    agency = serializers.CharField(max_length=32, help_text="The agency's unit code.")

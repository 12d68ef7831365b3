from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from procedures.calendar import MAX_WORKING_DAYS


class DueDateQuerySerializer(serializers.Serializer):
    received_at = serializers.DateTimeField(
        help_text=_("ISO 8601 date and time the dossier was received; without an offset it is taken as local time (+07:00)."),
    )
    days = serializers.IntegerField(
        min_value=0, max_value=MAX_WORKING_DAYS, help_text=_("Processing time in working days; 0 means the same day.")
    )


class DueDateSerializer(serializers.Serializer):
    received_at = serializers.DateTimeField()
    counting_from = serializers.DateTimeField()
    due_at = serializers.DateTimeField()

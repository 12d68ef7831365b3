from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from procedures.calendar import MAX_WORKING_DAYS
from procedures.models import Agency, DocumentRequirement, FeeRule, ProcedureVersion, StepTemplate


class DueDateQuerySerializer(serializers.Serializer):
    received_at = serializers.DateTimeField(
        help_text=_(
            "ISO 8601 date and time the dossier was received; without an offset it is taken as local time (+07:00)."
        ),
    )
    days = serializers.IntegerField(
        min_value=0, max_value=MAX_WORKING_DAYS, help_text=_("Processing time in working days; 0 means the same day.")
    )

    def validate_received_at(self, value):
        if not 2000 <= value.year <= 2100:
            raise serializers.ValidationError(_("Give a date between the years 2000 and 2100."))
        return value


class DueDateSerializer(serializers.Serializer):
    received_at = serializers.DateTimeField()
    counting_from = serializers.DateTimeField()
    due_at = serializers.DateTimeField()


class AgencySerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Agency
        fields = ["id", "code", "name", "name_en", "level", "parent", "address", "opening_hours", "hotline", "email"]


class ProcedureListSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="procedure.code")
    field = serializers.CharField(source="field.code")
    field_name = serializers.CharField(source="field.name")
    field_name_en = serializers.CharField(source="field.name_en")
    agency = serializers.CharField(source="agency.code")
    agency_name = serializers.CharField(source="agency.name")
    agency_name_en = serializers.CharField(source="agency.name_en")

    class Meta:
        model = ProcedureVersion
        fields = [
            "code",
            "number",
            "name",
            "name_en",
            "field",
            "field_name",
            "field_name_en",
            "agency",
            "agency_name",
            "agency_name_en",
            "level",
            "service_level",
            "processing_days",
            "cross_boundary",
        ]


class DocumentRequirementSerializer(serializers.ModelSerializer):
    template_url = serializers.SerializerMethodField(help_text="The blank form to download, if any.")

    class Meta:
        model = DocumentRequirement
        fields = ["id", "name", "name_en", "originals", "copies", "required", "template_url"]

    def get_template_url(self, document) -> str | None:
        if not document.template:
            return None
        url = reverse("procedures:document_template", kwargs={"pk": document.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class FeeSerializer(serializers.ModelSerializer):
    class Meta:
        model = FeeRule
        fields = ["id", "name", "unit", "amount", "online_amount", "tier_after", "tier_amount", "cap"]


class StepSerializer(serializers.ModelSerializer):
    working_days = serializers.FloatField()

    class Meta:
        model = StepTemplate
        fields = ["name", "name_en", "role", "working_days"]


class FormFieldSerializer(serializers.Serializer):
    """One field of the application form; `form_data` keys are these names."""

    name = serializers.CharField()
    label = serializers.CharField()
    label_en = serializers.CharField(required=False)
    type = serializers.CharField(help_text="text, textarea, integer, date, choice, email, phone, checkbox")
    required = serializers.BooleanField(required=False)
    max_length = serializers.IntegerField(required=False)
    pattern = serializers.CharField(required=False)
    min = serializers.IntegerField(required=False)
    max = serializers.IntegerField(required=False)
    choices = serializers.ListField(child=serializers.CharField(), required=False)
    help = serializers.CharField(required=False)


class ProcedureDetailSerializer(ProcedureListSerializer):
    documents = DocumentRequirementSerializer(many=True)
    fees = FeeSerializer(many=True)
    steps = StepSerializer(many=True)
    form_schema = FormFieldSerializer(many=True)

    class Meta(ProcedureListSerializer.Meta):
        fields = [
            *ProcedureListSerializer.Meta.fields,
            "description",
            "partial_reason",
            "result_type",
            "legal_basis",
            "published_at",
            "documents",
            "fees",
            "steps",
            "form_schema",
        ]

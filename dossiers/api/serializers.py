from datetime import datetime

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dossiers.access import sees_whole_numbers
from dossiers.actions import dossier_actions
from dossiers.constants import Channel, Delivery, DossierStatus, EventKind
from dossiers.forms import ApplicantForm
from dossiers.models import Attachment, Dossier, DossierEvent, DossierMessage, Rating
from dossiers.services import MAX_FEE_QUANTITY, RATING_CRITERIA
from portal.masking import mask_id, mask_phone


class ChoiceLabelField(serializers.CharField):
    """A choice's label in the request's language. Django's get_FOO_display translates the whole
    list of choices on every call (16 statuses × 20 rows a page); this translates one."""

    def __init__(self, choices, **kwargs):
        self.choices_class = choices
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):
        try:
            return str(self.choices_class(value).label)
        except ValueError:
            return str(value)


class DossierListSerializer(serializers.ModelSerializer):
    status_label = ChoiceLabelField(DossierStatus, source="status")
    procedure = serializers.CharField(source="procedure_version.procedure.code")
    procedure_name = serializers.CharField(source="procedure_version.name")

    class Meta:
        model = Dossier
        fields = [
            "public_id",
            "code",
            "status",
            "status_label",
            "procedure",
            "procedure_name",
            "created_at",
            "submitted_at",
            "due_at",
        ]


class IsoDateTimeField(serializers.DateTimeField):
    """A datetime the query read as ISO text (from an event's data), written like the others."""

    def to_representation(self, value):
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return super().to_representation(value)


class QueueItemSerializer(serializers.ModelSerializer):
    status_label = ChoiceLabelField(DossierStatus, source="status")
    procedure_name = serializers.CharField(source="procedure_version.name")
    assigned_to = serializers.CharField(source="assigned_to.full_name", allow_null=True, default=None)
    consultation_due_at = IsoDateTimeField(
        read_only=True,
        allow_null=True,
        default=None,
        help_text=_("In the consulted view only: when this agency's opinion is due."),
    )

    class Meta:
        model = Dossier
        fields = [
            "code",
            "status",
            "status_label",
            "applicant_name",
            "procedure_name",
            "assigned_to",
            "submitted_at",
            "received_at",
            "due_at",
            "step_due_at",
            "consultation_due_at",
        ]


class QueuePageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    counts = serializers.DictField(child=serializers.IntegerField(), help_text=_("Open dossiers in each view."))
    results = QueueItemSerializer(many=True)


class AttachmentSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    requirement = serializers.IntegerField(source="requirement_id", allow_null=True)

    class Meta:
        model = Attachment
        fields = [
            "id",
            "requirement",
            "name",
            "content_type",
            "size",
            "sha256",
            "scan_status",
            "supplement_round",
            "uploaded_at",
        ]


class ProblemsSerializer(serializers.Serializer):
    """What still stops a draft from being submitted, all at once."""

    applicant = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    form_data = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    delivery = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    missing_documents = serializers.ListField(child=serializers.DictField())


class DossierDetailSerializer(serializers.ModelSerializer):
    status_label = ChoiceLabelField(DossierStatus, source="status")
    national_status = serializers.IntegerField(allow_null=True)
    procedure = serializers.CharField(source="procedure_version.procedure.code")
    procedure_version = serializers.IntegerField(source="procedure_version.number")
    procedure_name = serializers.CharField(source="procedure_version.name")
    receiving_agency = serializers.CharField(source="receiving_agency.code")
    competent_agency = serializers.CharField(source="competent_agency.code")
    assigned_to = serializers.CharField(source="assigned_to.full_name", allow_null=True, default=None)
    attachments = AttachmentSerializer(many=True, read_only=True)
    problems = serializers.SerializerMethodField()
    transitions = serializers.SerializerMethodField(help_text=_("Officer transitions this user can make now."))
    applicant_actions = serializers.SerializerMethodField(help_text=_("What the applicant can do now."))

    class Meta:
        model = Dossier
        fields = [
            "public_id",
            "code",
            "status",
            "status_label",
            "national_status",
            "procedure",
            "procedure_version",
            "procedure_name",
            "channel",
            "applicant_name",
            "applicant_id_number",
            "applicant_phone",
            "applicant_email",
            "applicant_address",
            "form_data",
            "delivery",
            "delivery_address",
            "fee_quantities",
            "fee_due",
            "receiving_agency",
            "competent_agency",
            "assigned_to",
            "timeliness",
            "created_at",
            "submitted_at",
            "received_at",
            "due_at",
            "finished_at",
            "returned_at",
            "attachments",
            "problems",
            "transitions",
            "applicant_actions",
        ]

    def to_representation(self, dossier):
        data = super().to_representation(dossier)
        request = self.context.get("request")
        if request is not None and not sees_whole_numbers(request.user, dossier):
            data["applicant_id_number"] = mask_id(data["applicant_id_number"])
            data["applicant_phone"] = mask_phone(data["applicant_phone"])
        return data

    @extend_schema_field(ProblemsSerializer(allow_null=True))
    def get_problems(self, dossier):
        if dossier.status != DossierStatus.DRAFT:
            return None
        from dossiers.services import dossier_problems

        found = dossier_problems(dossier)
        return {
            "applicant": found.applicant,
            "form_data": found.form,
            "delivery": found.delivery,
            "missing_documents": [{"id": doc.pk, "name": doc.name} for doc in found.missing_documents],
        }

    def _actions(self, dossier):
        """dossier_actions once per dossier, for both fields."""
        found = self.__dict__.setdefault("_actions_by_dossier", {})
        if dossier.pk not in found:
            found[dossier.pk] = dossier_actions(dossier=dossier, user=self.context["request"].user)
        return found[dossier.pk]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_transitions(self, dossier):
        return list(self._actions(dossier).transitions)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_applicant_actions(self, dossier):
        return list(self._actions(dossier).applicant)


class ApplicantSerializer(serializers.Serializer):
    """Who applies; kept as typed in a draft, checked on submission."""

    applicant_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    applicant_id_number = serializers.CharField(max_length=12, required=False, allow_blank=True)
    applicant_phone = serializers.CharField(max_length=15, required=False, allow_blank=True)
    applicant_email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    applicant_address = serializers.CharField(max_length=255, required=False, allow_blank=True)


assert set(ApplicantSerializer._declared_fields) == set(ApplicantForm.base_fields)  # noqa: S101 - kept in step


class ScalarField(serializers.Field):
    """A form answer: a string, number, boolean or null."""

    def to_internal_value(self, data):
        if data is not None and not isinstance(data, str | int | float | bool):
            raise serializers.ValidationError(_("Give a text, number or true/false."))
        if isinstance(data, str) and len(data) > 4000:
            raise serializers.ValidationError(_("At most 4000 characters."))
        return data

    def to_representation(self, value):
        return value


@extend_schema_field(OpenApiTypes.OBJECT)
class FormDataField(serializers.DictField):
    pass


class DraftWriteSerializer(serializers.Serializer):
    """A draft: everything is kept as sent (a draft loses nothing); `problems` in the answer says what
    still stops submission."""

    applicant = ApplicantSerializer(required=False)
    form_data = FormDataField(
        child=ScalarField(), required=False, help_text=_("Answers to the procedure's application form, by field name.")
    )
    delivery = serializers.ChoiceField(choices=Delivery.choices, required=False)
    delivery_address = serializers.CharField(max_length=255, required=False, allow_blank=True)
    fee_quantities = serializers.DictField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_FEE_QUANTITY),
        required=False,
        help_text=_("Pages or copies per fee charged per unit, by fee id."),
    )


class DraftCreateSerializer(DraftWriteSerializer):
    procedure = serializers.CharField(max_length=32, help_text=_("Procedure code (from the catalogue)."))
    channel = serializers.ChoiceField(
        choices=[Channel.ONLINE, Channel.COUNTER],
        default=Channel.ONLINE,
        help_text=_("counter: a desk officer files for a walk-in applicant; submitting also receives it."),
    )


class AttachmentUploadSerializer(serializers.Serializer):
    requirement = serializers.CharField(max_length=20, help_text=_('Required document id, or "other".'))
    file = serializers.FileField()


class EventSerializer(serializers.ModelSerializer):
    kind_label = ChoiceLabelField(EventKind, source="kind")
    actor = serializers.SerializerMethodField()
    agency = serializers.CharField(source="agency.code", allow_null=True, default=None)

    class Meta:
        model = DossierEvent
        fields = ["at", "kind", "kind_label", "from_status", "to_status", "comment", "role", "agency", "actor", "data"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor(self, event):
        if not self.context.get("staff") or event.actor is None:
            return None
        return event.actor.full_name


class SupplementResponseSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class SupplementResponseSchema(SupplementResponseSerializer):
    """multipart/form-data: `answer` and files as `files-item-<n>` (the n-th requested item, from 0),
    `files-<requirement id>` or `files-other`."""

    files_other = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        help_text=_("Send as files-item-<n>, files-<requirement id> or files-other."),
    )


class WithdrawalSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class RatingSerializer(serializers.ModelSerializer):
    time_to_result = serializers.ChoiceField(choices=Rating.SCALE)
    contacts = serializers.ChoiceField(choices=Rating.SCALE)
    published_information = serializers.ChoiceField(choices=Rating.SCALE)
    staff_attitude = serializers.ChoiceField(choices=Rating.SCALE)
    online_service = serializers.ChoiceField(choices=Rating.SCALE)
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    class Meta:
        model = Rating
        fields = [*RATING_CRITERIA, "comment", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]


class DocumentSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    url = serializers.CharField(help_text=_("The portal page (browser session)."))
    download_url = serializers.CharField(help_text=_("The PDF through the API (token or session)."))


class TransitionParameterSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    type = serializers.CharField(
        help_text="string, text, integer, date (YYYY-MM-DD), choice, file (send the body as multipart/form-data)"
    )
    required = serializers.BooleanField()
    help_text = serializers.CharField(allow_blank=True)
    choices = serializers.ListField(child=serializers.DictField(), required=False)


class TransitionSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    url = serializers.CharField()
    parameters = TransitionParameterSerializer(many=True)


class LookupSerializer(serializers.Serializer):
    code = serializers.CharField()
    status = serializers.ChoiceField(choices=DossierStatus.choices)
    status_label = serializers.CharField()
    procedure = serializers.CharField(source="procedure_version__procedure__code")
    procedure_name = serializers.CharField(source="procedure_version__name")
    receiving_agency = serializers.CharField(source="receiving_agency__name")
    submitted_at = serializers.DateTimeField(allow_null=True)
    received_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    returned_at = serializers.DateTimeField(allow_null=True)


class MessageSerializer(serializers.ModelSerializer):
    """One message of a dossier's thread. The officers' names are shown to staff only."""

    id = serializers.UUIDField(source="public_id")
    sender = serializers.SerializerMethodField(help_text='"applicant" or "staff"')
    author = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = DossierMessage
        fields = ["id", "sender", "author", "body", "created_at", "read_at", "attachments"]

    @extend_schema_field(serializers.ChoiceField(choices=["applicant", "staff"]))
    def get_sender(self, message):
        return "applicant" if message.from_applicant else "staff"

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_author(self, message):
        if message.from_applicant or self.context.get("staff"):
            return message.author.full_name
        return None


class MessageCreateSerializer(serializers.Serializer):
    """multipart/form-data (or JSON without files): the text, and up to 3 files as `files`."""

    body = serializers.CharField(allow_blank=True, trim_whitespace=False, help_text=_("At most 5,000 characters."))
    files = serializers.ListField(child=serializers.FileField(), required=False, default=list)

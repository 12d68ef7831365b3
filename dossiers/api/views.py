"""Dossiers through the API: the applicant's journey and the officers' queue and transitions.

Thin: each view parses input and calls the service the HTML view calls (dossiers.services,
dossiers.actions.dossier_act); the dossiers a request may see come from dossiers.api.scope.
A use case refused by the dossier's state raises DossierConflict, which the error handler
answers with 409 (portal/api/errors.py): no view checks a state itself.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from dossiers import messaging, selectors, services
from dossiers.access import What, dossier_access_record
from dossiers.actions import available_transitions, dossier_act, dossier_counter_submit
from dossiers.constants import Channel, DossierStatus
from dossiers.documents import DOCUMENT_LATER, dossier_document_or_later
from dossiers.files import FileRefused, slot_uploads
from dossiers.forms import ApplicantForm
from dossiers.models import Dossier, DossierDocument, Rating
from dossiers.transitions import TRANSITIONS
from portal.api.errors import Conflict
from portal.api.filters import validated_filters
from portal.api.idempotency import idempotent
from portal.api.schema import IDEMPOTENCY_KEY, responses
from portal.api.scope import scope_agencies
from procedures import selectors as catalogue
from procedures.models import ProcedureVersion

from . import serializers as s
from .filters import MyDossiersFilter, QueueFilter
from .scope import (
    DETAIL_RELATED,
    api_applicant_dossiers,
    api_dossier,
    api_officer_dossier,
    api_officer_queue,
    is_applicant,
    is_staff,
)

S = DossierStatus
DOSSIER_REF = OpenApiParameter(
    "ref",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="Dossier code, or the draft's `public_id` before it has a code.",
)
CODE = OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH, description="Dossier code.")


def _detail(request, dossier, status_code=200) -> Response:
    fresh = Dossier.objects.select_related(*DETAIL_RELATED).prefetch_related("attachments").get(pk=dossier.pk)
    return Response(s.DossierDetailSerializer(fresh, context={"request": request}).data, status=status_code)


def _own_draft(request, ref) -> Dossier:
    """The draft of this user (applicant, or officer filing at the counter); 409 once submitted."""
    dossier = api_dossier(request, ref)
    if request.user.pk not in (dossier.applicant_id, dossier.filed_by_id):
        raise NotFound
    if dossier.status != S.DRAFT:
        raise Conflict(_("This dossier was already submitted."))
    return dossier


def _applicants(request, ref) -> Dossier:
    dossier = api_dossier(request, ref)
    if not is_applicant(request, dossier):
        raise NotFound
    return dossier


def _save_draft(dossier, data: dict) -> Dossier:
    """Merge what was sent over what the draft holds (PATCH semantics) and store it."""
    applicant = {name: getattr(dossier, name) for name in ApplicantForm.base_fields}
    applicant.update(data.get("applicant", {}))
    form_data = {**dossier.form_data, **data.get("form_data", {})}
    quantities = {**dossier.fee_quantities, **data["fee_quantities"]} if "fee_quantities" in data else None
    return services.dossier_draft_update(
        dossier=dossier,
        applicant_data=applicant,
        form_data=form_data,
        delivery=data.get("delivery", dossier.delivery),
        delivery_address=data.get("delivery_address", dossier.delivery_address),
        fee_quantities=quantities,
    )


# --- The applicant ---------------------------------------------------------------------------


class DossierListCreateView(ListAPIView):
    """The signed-in applicant's dossiers, newest first (drafts included)."""

    serializer_class = s.DossierListSerializer
    filter_backends = []

    def get_queryset(self):
        filters = validated_filters(self.request, MyDossiersFilter)
        return api_applicant_dossiers(self.request, status=filters.get("status") or "", code=filters.get("code") or "")

    @extend_schema(
        tags=["Dossiers"],
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=S.values),
            OpenApiParameter("code", OpenApiTypes.STR, description="Part of a dossier code."),
        ],
        responses=responses({200: s.DossierListSerializer(many=True)}, 400, 401, 404),
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["Dossiers"],
        operation_id="dossiers_create",
        request=s.DraftCreateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses=responses({201: s.DossierDetailSerializer, 200: s.DossierDetailSerializer}, 400, 401, 404, 409, 422),
        description="Open a draft for a procedure (the draft in progress for it, if any: 200) with the "
        "applicant's details prefilled from the profile, and store what is sent. Then attach "
        "files and submit. `problems` lists what still stops submission.",
        examples=[
            OpenApiExample(
                "A birth registration",
                request_only=True,
                value={
                    "procedure": "1.001193",
                    "form_data": {"child_name": "Nguyễn Văn An", "child_dob": "2026-11-01"},
                    "delivery": "online",
                },
            )
        ],
    )
    @idempotent
    def post(self, request):
        serializer = s.DraftCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            version = catalogue.procedure_detail(code=data["procedure"])
        except ProcedureVersion.DoesNotExist:
            raise ValidationError({"procedure": [_("No published procedure with this code.")]}) from None
        if data["channel"] == Channel.COUNTER:
            try:
                draft, created = services.dossier_counter_draft(officer=request.user, version=version), True
            except DjangoPermissionDenied as refused:  # not this desk's to take in: nothing created
                raise ValidationError({"channel": [str(refused)]}) from None
        else:
            created = not Dossier.objects.filter(
                applicant=request.user, procedure_version=version, status=S.DRAFT
            ).exists()
            draft = services.dossier_draft_start(applicant=request.user, version=version)
        draft = _save_draft(draft, data)
        return _detail(request, draft, status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class DossierDetailView(APIView):
    """One dossier as this user may see it: the applicant, or the agencies' staff."""

    @extend_schema(
        tags=["Dossiers"], parameters=[DOSSIER_REF], responses=responses({200: s.DossierDetailSerializer}, 401, 404)
    )
    def get(self, request, ref):
        dossier = api_dossier(request, ref)
        dossier_access_record(user=request.user, dossier=dossier, what=What.API)
        return _detail(request, dossier)

    @extend_schema(
        tags=["Dossiers"],
        parameters=[DOSSIER_REF],
        request=s.DraftWriteSerializer,
        responses=responses({200: s.DossierDetailSerializer}, 400, 401, 404, 409),
        description="Change a draft: only the fields sent change.",
    )
    def patch(self, request, ref):
        dossier = _own_draft(request, ref)
        serializer = s.DraftWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return _detail(request, _save_draft(dossier, serializer.validated_data))


class FileUnprocessable(ValidationError):
    """A file refused for its content (virus, type, archive or PDF limits): 422, nothing stored."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY


class AttachmentView(APIView):
    @extend_schema(
        tags=["Dossiers"],
        parameters=[DOSSIER_REF, IDEMPOTENCY_KEY],
        request={"multipart/form-data": s.AttachmentUploadSerializer},
        responses=responses({201: s.AttachmentSerializer}, 400, 401, 404, 409, 422),
        description="Attach one file (PDF, JPEG or PNG; Word and Excel too) to a draft for a required document, or "
        'as "other". It is scanned for viruses: `scan_status` is `pending` until the scanner has '
        "checked it (nobody can open it meanwhile). A file refused for its content (a virus, its type, "
        "an archive that unpacks too large, a PDF with JavaScript or a launch action): 422.",
    )
    @idempotent
    def post(self, request, ref):
        dossier = _own_draft(request, ref)
        serializer = s.AttachmentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            attachment = services.dossier_attach(
                dossier=dossier,
                requirement_id=serializer.validated_data["requirement"],
                upload=serializer.validated_data["file"],
            )
        except FileRefused as error:
            raise FileUnprocessable({"file": error.messages}) from None
        except DjangoValidationError as error:
            raise ValidationError({"file": error.messages}) from None
        return Response(s.AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


class AttachmentDeleteView(APIView):
    @extend_schema(
        tags=["Dossiers"],
        operation_id="dossiers_attachments_destroy",
        parameters=[DOSSIER_REF, OpenApiParameter("attachment", OpenApiTypes.UUID, OpenApiParameter.PATH)],
        responses=responses({204: None}, 401, 404, 409),
    )
    def delete(self, request, ref, attachment):
        dossier = _own_draft(request, ref)
        if not dossier.attachments.filter(public_id=attachment).exists():
            raise NotFound
        services.dossier_detach(dossier=dossier, attachment_id=attachment)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SubmitView(APIView):
    @extend_schema(
        tags=["Dossiers"],
        parameters=[DOSSIER_REF, IDEMPOTENCY_KEY],
        request=None,
        responses=responses({200: s.DossierDetailSerializer}, 400, 401, 404, 422),
        description="Submit a complete draft: it gets its code. Incomplete: 400 with everything missing in "
        "`errors` (`applicant.*`, `form_data.*`, `delivery.*`, `documents`). Submitting twice is "
        "harmless. Filed at the counter: received at once.",
    )
    @idempotent
    def post(self, request, ref):
        dossier = api_dossier(request, ref)
        if request.user.pk not in (dossier.applicant_id, dossier.filed_by_id):
            raise NotFound
        if dossier.status != S.DRAFT:
            return _detail(request, dossier)
        try:
            dossier = dossier_counter_submit(dossier=dossier, actor=request.user)
        except services.DossierIncomplete as incomplete:
            found = incomplete.problems
            errors = {f"applicant.{k}": v for k, v in found.applicant.items()}
            errors.update({f"form_data.{k}": v for k, v in found.form.items()})
            errors.update({f"delivery.{k}": v for k, v in found.delivery.items()})
            if found.missing_documents:
                errors["documents"] = [
                    _("Missing document: %(name)s (id %(id)s)") % {"name": d.name, "id": d.pk}
                    for d in found.missing_documents
                ]
            raise ValidationError(errors) from None
        return _detail(request, dossier)


class TimelineView(APIView):
    @extend_schema(
        tags=["Dossiers"],
        parameters=[DOSSIER_REF],
        responses=responses({200: s.EventSerializer(many=True)}, 401, 404),
        description="What happened to the dossier: the applicant sees the public events, staff all.",
    )
    def get(self, request, ref):
        dossier = api_dossier(request, ref)
        staff = not is_applicant(request, dossier)
        events = dossier.events.select_related("actor", "agency")
        if not staff:
            events = events.filter(public=True)
        return Response(s.EventSerializer(events, many=True, context={"staff": staff}).data)


class MessagesView(APIView):
    @extend_schema(
        tags=["Dossiers"],
        operation_id="dossiers_messages_list",
        parameters=[DOSSIER_REF],
        responses=responses({200: s.MessageSerializer(many=True)}, 401, 404),
        description="The dossier's message thread, oldest first, for the applicant and the officers who can "
        "read the dossier. Reading it marks the other side's messages read (`read_at`).",
    )
    def get(self, request, ref):
        dossier = api_dossier(request, ref)
        side = messaging.message_side(request.user, dossier)
        if side is None:
            raise NotFound
        messaging.dossier_messages_read(dossier=dossier, user=request.user)
        thread = messaging.dossier_messages(dossier)
        return Response(s.MessageSerializer(thread, many=True, context={"staff": side == "staff"}).data)

    @extend_schema(
        tags=["Dossiers"],
        operation_id="dossiers_messages_create",
        parameters=[DOSSIER_REF, IDEMPOTENCY_KEY],
        request={"multipart/form-data": s.MessageCreateSerializer, "application/json": s.MessageCreateSerializer},
        responses=responses({201: s.MessageSerializer}, 400, 401, 404, 422),
        description="Write a message on the thread (the applicant to the officers, an officer to the applicant): "
        "1 to 5,000 characters, up to 3 files checked and scanned like every upload. The other side is "
        "notified. Empty or too long text, or too many files: 400; a file refused for its content (a "
        "virus, its type, its size): 422. Nothing is stored then.",
    )
    @idempotent
    def post(self, request, ref):
        dossier = api_dossier(request, ref)
        side = messaging.message_side(request.user, dossier)
        if side is None:
            raise NotFound
        serializer = s.MessageCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            message = messaging.dossier_message_send(
                dossier=dossier,
                author=request.user,
                body=serializer.validated_data["body"],
                uploads=serializer.validated_data["files"],
            )
        except DjangoPermissionDenied:
            raise NotFound from None
        except messaging.MessageFileRefused as error:
            raise FileUnprocessable(error.message_dict) from None
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages) from None
        context = {"staff": side == "staff"}
        return Response(s.MessageSerializer(message, context=context).data, status=status.HTTP_201_CREATED)


class SupplementResponseView(APIView):
    @extend_schema(
        tags=["Dossiers"],
        parameters=[DOSSIER_REF, IDEMPOTENCY_KEY],
        request={"multipart/form-data": s.SupplementResponseSchema, "application/json": s.SupplementResponseSerializer},
        responses=responses({200: s.DossierDetailSerializer}, 400, 401, 404, 409, 422),
        description="Send what the agency asked for: the files for each requested item as `files-item-<n>` "
        "(n: the item's position in the request, from 0), others as `files-<requirement id>` or "
        "`files-other`, and a note. Asked at reception, the dossier goes back to the desk (`submitted`).",
    )
    @idempotent
    def post(self, request, ref):
        dossier = _applicants(request, ref)
        serializer = s.SupplementResponseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        uploads = slot_uploads(request.FILES)
        try:
            services.dossier_resubmit(
                dossier=dossier, actor=request.user, uploads=uploads, answer=serializer.validated_data["answer"]
            )
        except FileRefused as error:
            raise FileUnprocessable({"files": error.messages}) from None
        return _detail(request, dossier)


class WithdrawalView(APIView):
    @extend_schema(
        tags=["Dossiers"],
        parameters=[DOSSIER_REF, IDEMPOTENCY_KEY],
        request=s.WithdrawalSerializer,
        responses=responses({200: s.DossierDetailSerializer}, 400, 401, 404, 409, 422),
        description="Ask to withdraw the dossier before a decision; the desk confirms it.",
    )
    @idempotent
    def post(self, request, ref):
        dossier = _applicants(request, ref)
        serializer = s.WithdrawalSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.dossier_request_withdrawal(
            dossier=dossier, actor=request.user, reason=serializer.validated_data["reason"]
        )
        return _detail(request, dossier)


class RatingView(APIView):
    @extend_schema(
        tags=["Dossiers"], parameters=[DOSSIER_REF], responses=responses({200: s.RatingSerializer}, 401, 404)
    )
    def get(self, request, ref):
        rating = Rating.objects.filter(dossier=_applicants(request, ref)).first()
        if rating is None:
            raise NotFound
        return Response(s.RatingSerializer(rating).data)

    @extend_schema(
        tags=["Dossiers"],
        parameters=[DOSSIER_REF, IDEMPOTENCY_KEY],
        request=s.RatingSerializer,
        responses=responses({201: s.RatingSerializer}, 400, 401, 404, 409, 422),
        description="Rate the service (each score 0, 1 or 2) once the result is returned; "
        "it can be changed for a few days.",
    )
    @idempotent
    def post(self, request, ref):
        dossier = _applicants(request, ref)
        serializer = s.RatingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        rating = services.dossier_rate(
            dossier=dossier,
            actor=request.user,
            scores={c: data[c] for c in services.RATING_CRITERIA},
            comment=data.get("comment", ""),
        )
        return Response(s.RatingSerializer(rating).data, status=status.HTTP_201_CREATED)


class DocumentListView(APIView):
    @extend_schema(
        tags=["Dossiers"],
        parameters=[DOSSIER_REF],
        operation_id="dossiers_documents_list",
        responses=responses({200: s.DocumentSerializer(many=True)}, 401, 404),
        description="The receipts, forms and result issued so far, with download links.",
    )
    def get(self, request, ref):
        dossier = api_dossier(request, ref)
        if dossier.code is None:
            return Response([])
        documents = services.available_documents(dossier, staff=not is_applicant(request, dossier))
        for document in documents:
            document["url"] = request.build_absolute_uri(document["url"])
            document["download_url"] = request.build_absolute_uri(
                reverse("api-dossier-document", kwargs={"ref": dossier.code, "kind": document["kind"]})
            )
        return Response(s.DocumentSerializer(documents, many=True).data)


class DocumentDownloadView(APIView):
    @extend_schema(
        tags=["Dossiers"],
        operation_id="dossiers_document_download",
        parameters=[
            DOSSIER_REF,
            OpenApiParameter("kind", OpenApiTypes.STR, OpenApiParameter.PATH, enum=DossierDocument.Kind.values),
        ],
        responses=responses(
            {
                (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
                202: OpenApiResponse(
                    description="Not ready: the time-stamp authority did not answer; the worker renders it again. "
                    "Ask again after Retry-After seconds."
                ),
            },
            401,
            404,
        ),
    )
    def get(self, request, ref, kind):
        dossier = api_dossier(request, ref)
        if dossier.code is None or kind not in {
            d["kind"] for d in services.available_documents(dossier, staff=not is_applicant(request, dossier))
        }:
            raise NotFound
        document = dossier_document_or_later(dossier, kind, base_url=settings.PORTAL_BASE_URL)
        if document is None:
            return Response(
                {"detail": str(DOCUMENT_LATER)}, status=status.HTTP_202_ACCEPTED, headers={"Retry-After": "60"}
            )
        if not document.file:  # destroyed at the end of the dossier's retention (retention app)
            raise NotFound
        dossier_access_record(user=request.user, dossier=dossier, what=What.API, document=document)
        return FileResponse(
            document.file.open("rb"), filename=f"{dossier.code}-{kind}.pdf", content_type="application/pdf"
        )


# --- Public lookup ----------------------------------------------------------------------------


class LookupView(APIView):
    """What anyone may know of a dossier from its code: procedure, agency, status, dates. No personal data."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(tags=["Dossiers"], parameters=[CODE], responses=responses({200: s.LookupSerializer}, 404), auth=[])
    def get(self, request, code):
        found = selectors.public_lookup(code=code[:48])
        if found is None:
            raise NotFound
        return Response(s.LookupSerializer(found).data)


# --- Officers ---------------------------------------------------------------------------------


class QueueView(GenericAPIView):
    """The officer's queue, due first, with how many open dossiers each view holds."""

    serializer_class = s.QueueItemSerializer
    filter_backends = []

    @extend_schema(
        tags=["Officer"],
        parameters=[
            OpenApiParameter(
                "view",
                OpenApiTypes.STR,
                enum=selectors.QUEUE_FILTERS,
                description="all (default), due_today, due_soon, overdue, needs_apology, mine, "
                "unassigned, to_receive, to_return, supplement_overdue (a supplement request not answered "
                "by its answer_by: the desk may refuse the dossier; nothing happens by itself)",
            ),
            OpenApiParameter("status", OpenApiTypes.STR, enum=S.values),
            OpenApiParameter("procedure", OpenApiTypes.STR, description="Procedure code."),
            OpenApiParameter("field", OpenApiTypes.STR, description="Field code."),
            OpenApiParameter("q", OpenApiTypes.STR, description="Dossier code, applicant name or personal ID number."),
            OpenApiParameter("page", OpenApiTypes.INT),
            OpenApiParameter("page_size", OpenApiTypes.INT),
        ],
        responses=responses({200: s.QueuePageSerializer}, 400, 401, 404),
    )
    def get(self, request):
        if not is_staff(request):
            raise NotFound
        filters = validated_filters(request, QueueFilter)
        qs, counts = api_officer_queue(request, **{k: v or "" for k, v in filters.items()})
        view = filters.get("view") or "all"
        unfiltered = not any(filters.get(name) for name in ("status", "procedure", "field", "q"))
        if unfiltered and scope_agencies(request) is None and view in counts:
            self.known_count = counts[view]  # the page's total is that view's count: no second COUNT
        page = self.paginate_queryset(qs)
        response = self.get_paginated_response(self.get_serializer(page, many=True).data)
        response.data["counts"] = counts
        return response


class TransitionListView(APIView):
    @extend_schema(
        tags=["Officer"],
        parameters=[CODE],
        responses=responses({200: s.TransitionSerializer(many=True)}, 401, 404),
        description="The transitions this officer can make on the dossier now, with their parameters.",
    )
    def get(self, request, code):
        dossier = api_officer_dossier(request, code)
        found = [
            {
                "name": name,
                "label": str(TRANSITIONS[name].label),
                "url": request.build_absolute_uri(reverse("api-transition", kwargs={"code": code, "name": name})),
                "parameters": TRANSITIONS[name].parameters(dossier),
            }
            for name in available_transitions(request.user, dossier)
        ]
        return Response(s.TransitionSerializer(found, many=True).data)


class TransitionView(APIView):
    @extend_schema(
        tags=["Officer"],
        parameters=[
            CODE,
            IDEMPOTENCY_KEY,
            OpenApiParameter("name", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(TRANSITIONS)),
        ],
        request={"application/json": OpenApiTypes.OBJECT, "multipart/form-data": OpenApiTypes.OBJECT},
        responses=responses({200: s.DossierDetailSerializer}, 400, 401, 403, 404, 409, 422),
        description="Make one transition. The body holds its parameters (see GET …/transitions/; a "
        "parameter of type `file` is sent as multipart/form-data), and "
        "optionally `expected_status`: if the dossier changed meanwhile, 409. Not possible in the "
        "current state: 409; not this officer's role: 403.",
        examples=[
            OpenApiExample("assign", value={"specialist": 12, "comment": "Xử lý trong ngày"}, request_only=True),
            OpenApiExample("return_result", value={"collected_by": ""}, request_only=True),
        ],
    )
    @idempotent
    def post(self, request, code, name):
        if name not in TRANSITIONS:
            raise NotFound
        dossier = api_officer_dossier(request, code)
        data = request.data
        if not hasattr(data, "get"):
            raise ValidationError({"non_field_errors": [_("Send the parameters as a JSON object.")]})
        expected = data.get("expected_status") or None
        if expected is not None and expected not in S.values:
            raise ValidationError({"expected_status": [_("Unknown status.")]})
        try:
            dossier = dossier_act(
                dossier=dossier, name=name, actor=request.user, data=data, files=request.FILES, expected_status=expected
            )
        except DjangoPermissionDenied as denied:  # DRF's own mapping would drop the reason
            raise PermissionDenied(str(denied)) from None
        return _detail(request, dossier)

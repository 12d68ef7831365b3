"""POST /api/v1/assistant/: the catalogue assistant for the chat panel, integrations and tests."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from portal.api.authentication import VerifiedSessionAuthentication
from portal.api.errors import validation_error
from portal.api.schema import responses
from portal.client import client_address

from ..services import ask, question_ask, rate_turn


class AssistantThrottle(SimpleRateThrottle):
    """A limit of its own per address (API_THROTTLE_ASSISTANT), beside the API's."""

    scope = "assistant"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_address(request)}


class QuestionSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=2000, trim_whitespace=False, help_text="The question, as typed.")
    conversation = serializers.UUIDField(required=False, allow_null=True, help_text="From a previous answer.")


class ProcedureRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    url = serializers.CharField()


class AnswerSerializer(serializers.Serializer):
    conversation = serializers.UUIDField()
    turn = serializers.IntegerField(help_text="This answer, for POST /api/v1/assistant/feedback/.")
    answer = serializers.CharField()
    procedures = ProcedureRefSerializer(many=True)
    handoff = serializers.BooleanField(help_text="True when the assistant declined: hotline or ask an officer.")


class AssistantView(APIView):
    """Ask the catalogue assistant. Anonymous; answers in the request's language (vi, en)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [AssistantThrottle]

    @extend_schema(
        tags=["Assistant"],
        request=QuestionSerializer,
        responses=responses({200: AnswerSerializer}, 400),
        auth=[],
        examples=[OpenApiExample("A question", value={"message": "làm giấy khai sinh ở đâu"}, request_only=True)],
    )
    def post(self, request):
        question = QuestionSerializer(data=request.data)
        question.is_valid(raise_exception=True)
        try:
            data = ask(
                message=question.validated_data["message"],
                conversation_id=question.validated_data.get("conversation"),
                language=get_language() or "vi",
            )
        except DjangoValidationError as error:
            raise validation_error(error) from error
        return Response(AnswerSerializer(data).data)


class FeedbackSerializer(serializers.Serializer):
    conversation = serializers.UUIDField()
    turn = serializers.IntegerField()
    helpful = serializers.BooleanField(help_text="Thumbs up (true) or down (false).")


class AssistantFeedbackView(APIView):
    """Thumbs up or down on one of the assistant's answers (admins list them)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [AssistantThrottle]

    @extend_schema(tags=["Assistant"], request=FeedbackSerializer, responses=responses({204: None}, 400), auth=[])
    def post(self, request):
        feedback = FeedbackSerializer(data=request.data)
        feedback.is_valid(raise_exception=True)
        try:
            rate_turn(
                conversation_id=feedback.validated_data["conversation"],
                turn_id=feedback.validated_data["turn"],
                helpful=feedback.validated_data["helpful"],
            )
        except DjangoValidationError as error:
            raise validation_error(error) from error
        return Response(status=204)


class CitizenQuestionSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=2000, trim_whitespace=False, help_text="The question for an officer.")
    conversation = serializers.UUIDField(required=False, allow_null=True, help_text="The assistant's conversation.")
    turn = serializers.IntegerField(required=False, allow_null=True, help_text="The answer that handed off.")
    email = serializers.CharField(
        required=False, allow_blank=True, max_length=254, help_text="Anonymous: an email for the answer."
    )
    phone = serializers.CharField(
        required=False, allow_blank=True, max_length=20, help_text="Anonymous: a mobile number for the answer (SMS)."
    )


class CitizenQuestionCreatedSerializer(serializers.Serializer):
    question = serializers.IntegerField()
    state = serializers.CharField()
    detail = serializers.CharField()


class CitizenQuestionView(APIView):
    """Ask an officer ("hỏi cán bộ") what the assistant could not answer. A signed-in citizen is
    answered in their inbox and channels; anyone else gives an email or a phone number."""

    authentication_classes = [VerifiedSessionAuthentication]
    permission_classes = [AllowAny]
    throttle_classes = [AssistantThrottle]

    @extend_schema(
        tags=["Assistant"],
        request=CitizenQuestionSerializer,
        responses=responses({201: CitizenQuestionCreatedSerializer}, 400),
        examples=[
            OpenApiExample(
                "Anonymous",
                value={"message": "tôi muốn hỏi về chế độ cho người khuyết tật", "email": "an@example.vn"},
                request_only=True,
            )
        ],
    )
    def post(self, request):
        data = CitizenQuestionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            question = question_ask(
                text=data.validated_data["message"],
                user=request.user,
                email=data.validated_data.get("email", ""),
                phone=data.validated_data.get("phone", ""),
                conversation_id=data.validated_data.get("conversation"),
                turn_id=data.validated_data.get("turn"),
                language=get_language() or "vi",
            )
        except DjangoValidationError as error:
            raise validation_error(error) from error
        return Response(
            {
                "question": question.pk,
                "state": question.state,
                "detail": _("Your question is with the officers. You will receive their answer."),
            },
            status=201,
        )

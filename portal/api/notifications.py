"""The in-app notification inbox through the API."""

import django_filters
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.models import Notification, NotificationChannel

from .filters import validated_filters
from .schema import responses


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "event", "subject", "body", "dossier_code", "created_at", "read_at"]


class InboxFilter(django_filters.FilterSet):
    unread = django_filters.TypedChoiceFilter(
        choices=[("true", "true"), ("false", "false")], coerce=lambda value: value == "true"
    )

    class Meta:
        model = Notification
        fields = []


def inbox(user):
    return Notification.objects.filter(recipient=user, channel=NotificationChannel.INBOX)


class NotificationListView(ListAPIView):
    """The signed-in user's inbox, newest first."""

    serializer_class = NotificationSerializer
    filter_backends = []

    def get_queryset(self):
        filters = validated_filters(self.request, InboxFilter)
        qs = inbox(self.request.user).only(*NotificationSerializer.Meta.fields)
        if filters.get("unread") not in (None, ""):
            qs = qs.filter(read_at__isnull=filters["unread"])
        return qs

    @extend_schema(
        tags=["Notifications"],
        parameters=[OpenApiParameter("unread", OpenApiTypes.BOOL)],
        responses=responses({200: NotificationSerializer(many=True)}, 400, 401, 404),
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class NotificationReadView(APIView):
    @extend_schema(
        tags=["Notifications"],
        request=None,
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses=responses({200: NotificationSerializer}, 401, 404),
        description="Mark one message read (reading it twice changes nothing).",
    )
    def post(self, request, id):  # noqa: A002 - the path parameter's name
        notification = inbox(request.user).filter(pk=id).first()
        if notification is None:
            raise NotFound
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
        return Response(NotificationSerializer(notification).data)

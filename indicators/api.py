"""The indicators as JSON: the same selectors as the dashboards (GET /api/v1/indicators/...)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.schema import responses
from portal.api.scope import scope_agencies
from portal.replica import replica_reads

from . import selectors
from .filters import FilterError, officer_agency_ids, parse_filters


class IndicatorSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    group = serializers.CharField()
    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField()
    value = serializers.FloatField(allow_null=True, help_text="Percent, or working days for avg_processing_days.")
    unit = serializers.ChoiceField(choices=["%", "days"])
    target = serializers.IntegerField(allow_null=True, help_text="Percent at which the indicator earns full marks.")
    points = serializers.FloatField(allow_null=True)
    max_points = serializers.IntegerField(allow_null=True)


class GroupSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    points = serializers.FloatField(allow_null=True)
    max_points = serializers.IntegerField(allow_null=True)


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    agency = serializers.CharField(allow_null=True)
    procedure = serializers.CharField(allow_null=True)


class ReportSerializer(serializers.Serializer):
    period = PeriodSerializer()
    indicators = IndicatorSerializer(many=True)
    groups = GroupSerializer(many=True)
    total_points = serializers.FloatField(allow_null=True)
    total_max_points = serializers.IntegerField(allow_null=True)


class BreakdownRowSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    indicators = IndicatorSerializer(many=True)


class BreakdownSerializer(serializers.Serializer):
    period = PeriodSerializer()
    rows = BreakdownRowSerializer(many=True)


class TrendRowSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    received = serializers.IntegerField()
    received_online = serializers.IntegerField()
    online_share = serializers.FloatField(allow_null=True)
    ended = serializers.IntegerField()
    ended_on_time = serializers.IntegerField()
    on_time_share = serializers.FloatField(allow_null=True)


class TrendSerializer(serializers.Serializer):
    period = PeriodSerializer()
    rows = TrendRowSerializer(many=True)


class PublicSerializer(ReportSerializer):
    agencies = BreakdownRowSerializer(many=True)
    trend = TrendRowSerializer(many=True)


PERIOD_PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="First day (default: 1 January this year)."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (default: today); at most 5 years after `from`."),
]
SCOPE_PARAMETERS = [
    *PERIOD_PARAMETERS,
    OpenApiParameter("agency", str, description="Agency code: that agency with its sub-agencies."),
    OpenApiParameter("procedure", str, description="Procedure code."),
]


def _period(filters) -> dict:
    return {
        "start": filters.start,
        "end": filters.end,
        "agency": filters.agency.code if filters.agency else None,
        "procedure": filters.procedure.code if filters.procedure else None,
    }


def _rows(rows: list[dict]) -> list[dict]:
    return [{"code": r["code"], "name": r["name"], "indicators": list(r["indicators"].values())} for r in rows]


class _IndicatorsBase(APIView):
    permission_classes = [IsAuthenticated]
    public = False

    def dispatch(self, request, *args, **kwargs):
        return replica_reads(super().dispatch)(request, *args, **kwargs)

    def filters(self, request):
        allowed = None if self.public else officer_agency_ids(request.user, scope=scope_agencies(request))
        params = {k: v for k, v in request.query_params.items() if k in ("from", "to", "agency", "procedure")}
        try:
            return parse_filters(params, allowed_agency_ids=allowed, public=self.public)
        except FilterError as error:
            raise ValidationError({error.param: [error.message]}) from None


class IndicatorsView(_IndicatorsBase):
    @extend_schema(
        operation_id="indicators_report",
        parameters=SCOPE_PARAMETERS,
        responses=responses({200: ReportSerializer}, 400, 401, 403),
        summary="Decision 766 indicators of the officer's agencies (numerators, denominators, points)",
    )
    def get(self, request):
        filters = self.filters(request)
        return Response({"period": _period(filters), **selectors.indicator_report(filters.scope)})


class AgencyBreakdownView(_IndicatorsBase):
    @extend_schema(
        operation_id="indicators_agencies",
        parameters=SCOPE_PARAMETERS,
        responses=responses({200: BreakdownSerializer}, 400, 401, 403),
        summary="The indicators per sub-agency (each with its own sub-agencies)",
    )
    def get(self, request):
        filters = self.filters(request)
        rows = selectors.breakdown_by_agency(filters.scope, parent_id=filters.agency.pk if filters.agency else None)
        return Response({"period": _period(filters), "rows": _rows(rows)})


class ProcedureBreakdownView(_IndicatorsBase):
    @extend_schema(
        operation_id="indicators_procedures",
        parameters=SCOPE_PARAMETERS,
        responses=responses({200: BreakdownSerializer}, 400, 401, 403),
        summary="The indicators per procedure that had dossiers in the period",
    )
    def get(self, request):
        filters = self.filters(request)
        return Response({"period": _period(filters), "rows": _rows(selectors.breakdown_by_procedure(filters.scope))})


class TrendView(_IndicatorsBase):
    @extend_schema(
        operation_id="indicators_trend",
        parameters=SCOPE_PARAMETERS,
        responses=responses({200: TrendSerializer}, 400, 401, 403),
        summary="Month by month: dossiers received, online share, finished, on-time share",
    )
    def get(self, request):
        filters = self.filters(request)
        return Response({"period": _period(filters), "rows": selectors.monthly_trend(filters.scope)})


class PublicIndicatorsView(_IndicatorsBase):
    permission_classes = [AllowAny]
    public = True

    @extend_schema(
        operation_id="indicators_public",
        parameters=SCOPE_PARAMETERS,
        responses=responses({200: PublicSerializer}, 400),
        summary="The province's public figures: indicators, per agency, month by month (no personal data)",
    )
    def get(self, request):
        filters = self.filters(request)
        scope = filters.scope
        parent_id = filters.agency.pk if filters.agency else None
        return Response(
            {
                "period": _period(filters),
                **selectors.indicator_report(scope),
                "agencies": _rows(selectors.breakdown_by_agency(scope, parent_id=parent_id)),
                "trend": selectors.monthly_trend(scope),
            }
        )

"""Leaders' dashboard, the dossiers behind a number, and the public transparency page (thin views)."""

import hashlib

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from portal.memberships import memberships
from portal.replica import replica_reads
from procedures.models import Agency
from tickets.selectors import ticket_stats

from . import definitions, exports, selectors
from .filters import FilterError, officer_agency_ids, parse_drilldown, parse_filters

PUBLIC_CACHE_SECONDS = 300


def _error(request, error: FilterError, *, agency_choices=None, with_form: bool = True):
    """A 400 naming the field by its label; the filter form stays, with what was typed in it."""
    entered = {name: (request.GET.get(name) or "").strip() for name in ("from", "to", "agency", "procedure")}
    context = {"error": error, "entered": entered, "with_form": with_form, "agency_choices": agency_choices}
    return render(request, "indicators/error.html", context, status=400)


def _groups() -> dict:
    return {key: str(label) for key, label in definitions.GROUPS}


def _export(filters, *, parent_id, title: str, public: bool):
    scope, table = filters.scope, filters.table
    if table == "indicators":
        report = selectors.indicator_report(scope)
        headers, rows = exports.indicator_rows(report["indicators"], _groups())
    elif table == "agencies":
        headers, rows = exports.breakdown_rows(selectors.breakdown_by_agency(scope, parent_id=parent_id), _("Agency"))
    elif table == "procedures":
        headers, rows = exports.breakdown_rows(selectors.breakdown_by_procedure(scope), _("Procedure"))
    else:
        headers, rows = exports.trend_rows(selectors.monthly_trend(scope))
    prefix = "minh-bach" if public else "chi-so"
    name = f"{prefix}-{table}-{filters.start:%Y%m%d}-{filters.end:%Y%m%d}"
    return exports.table_response(
        name=name,
        title=f"{title} {filters.start:%d/%m/%Y}–{filters.end:%d/%m/%Y}",
        headers=headers,
        rows=rows,
        fmt=filters.format,
    )


def month_label(month: str) -> str:
    """ "2026-07" as people read it: "Tháng 7/2026" (English "Month 7/2026"); the API keeps the ISO form."""
    year, number = month.split("-")
    return _("Month %(month)s/%(year)s") % {"month": int(number), "year": year}


def _chart_data(report, trend) -> dict:
    return {
        "months": [month_label(t["month"]) for t in trend],
        "received": [t["received"] for t in trend],
        "online_share": [t["online_share"] for t in trend],
        "on_time_share": [t["on_time_share"] for t in trend],
        "groups": [g["label"] for g in report["groups"] if g["max_points"]],
        "points": [g["points"] or 0 for g in report["groups"] if g["max_points"]],
        "max_points": [g["max_points"] for g in report["groups"] if g["max_points"]],
        "labels": {
            "received": _("Dossiers received"),
            "online_share": _("Received online (%)"),
            "on_time_share": _("Finished on time (%)"),
            "points": _("Points"),
            "max_points": _("Max points"),
        },
    }


def _context(filters, *, parent_id, with_procedures: bool) -> dict:
    scope = filters.scope
    report = selectors.indicator_report(scope)
    trend = [{**t, "label": month_label(t["month"])} for t in selectors.monthly_trend(scope)]
    return {
        "filters": filters,
        "report": report,
        "trend": trend,
        "agencies": selectors.breakdown_by_agency(scope, parent_id=parent_id),
        "procedures": selectors.breakdown_by_procedure(scope) if with_procedures else None,
        "summary_columns": exports.SUMMARY_COLUMNS,
        "labels": {i["key"]: i["label"] for i in report["indicators"]},
        "chart_data": _chart_data(report, trend),
        "drillable": definitions.DOSSIER_INDICATORS,
    }


def _single_top_agency(user, allowed) -> int | None:
    """An officer of one agency (with its subtree) sees that agency's sub-agencies by default."""
    if allowed is None:
        return None
    own = {agency for agency, _role in memberships(user)}
    tops = [pk for pk in own if not any(pk != other and pk in selectors.subtree_ids([other]) for other in own)]
    return tops[0] if len(tops) == 1 else None


@login_required
@replica_reads
def dashboard(request):
    """Indicators of the officer's agencies (all for staff), with drill-down, charts and exports."""
    allowed = officer_agency_ids(request.user)
    choices = Agency.objects.order_by("code").only("code", "name", "name_en")
    if allowed is not None:
        choices = choices.filter(pk__in=allowed)
    try:
        filters = parse_filters(request.GET, allowed_agency_ids=allowed)
    except FilterError as error:
        return _error(request, error, agency_choices=choices)
    parent_id = filters.agency.pk if filters.agency else _single_top_agency(request.user, allowed)
    if filters.format != "html":
        return _export(filters, parent_id=parent_id, title=_("Indicators"), public=False)
    context = _context(filters, parent_id=parent_id, with_procedures=True)
    context.update({"agency_choices": choices, "public": False, "queue": _queue(filters)})
    return render(request, "indicators/dashboard.html", context)


def _queue(filters) -> dict:
    """The desks' queue tickets in the period (tickets.selectors; two queries)."""
    scope = filters.scope
    return ticket_stats(agency_ids=scope.agency_ids, start=scope.start, end=scope.end)


@login_required
@replica_reads
def drilldown(request):
    """The dossiers behind one count of the dashboard, only within the officer's agencies."""
    allowed = officer_agency_ids(request.user)
    try:
        filters = parse_filters(request.GET, allowed_agency_ids=allowed)
        key, part = parse_drilldown(request.GET)
    except FilterError as error:
        return _error(request, error, with_form=False)
    qs = (
        selectors.drilldown(filters.scope, key=key, part=part)
        .select_related("procedure_version", "competent_agency")
        .only(
            "code",
            "status",
            "channel",
            "received_at",
            "finished_at",
            "due_at",
            "timeliness",
            "procedure_version__name",
            "procedure_version__name_en",
            "competent_agency__name",
            "competent_agency__name_en",
        )
        .order_by("-received_at", "-pk")
    )
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    labels = {row[0]: row[2] for row in definitions.INDICATORS}
    return render(
        request,
        "indicators/drilldown.html",
        {
            "filters": filters,
            "page_obj": page,
            "indicator": labels[key],
            "key": key,
            "part": part,
        },
    )


@replica_reads
def public(request):
    """The province's figures for everyone: no names, no dossier codes; cached briefly."""
    try:
        filters = parse_filters(request.GET, public=True)
    except FilterError as error:
        return _error(request, error)
    parent_id = filters.agency.pk if filters.agency else None
    if filters.format != "html":
        return _export(filters, parent_id=parent_id, title=_("Transparency"), public=True)
    key = "indicators:public:" + hashlib.sha256(f"{get_language()}:{filters.scope}:{parent_id}".encode()).hexdigest()
    context = cache.get(key)
    if context is None:
        context = _context(filters, parent_id=parent_id, with_procedures=False)
        context.pop("filters")
        cache.set(key, context, PUBLIC_CACHE_SECONDS)
    return render(
        request, "indicators/public.html", {**context, "filters": filters, "public": True, "agency_choices": None}
    )

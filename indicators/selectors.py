"""Decision 766 indicators: the reads (aggregate SQL over dossiers, the catalogue and the nightly
snapshot). What each figure counts is in definitions.py; the snapshot is written by services.py."""

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.db.models import Count, DateField, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from dossiers.constants import Channel
from dossiers.models import Dossier
from procedures.constants import ServiceLevel, VersionStatus
from procedures.models import Agency, FeeRule, Procedure, ProcedureVersion

from .calendar_table import ensure_calendar
from .definitions import (
    COUNTS,
    DOSSIER_INDICATORS,
    ENDED_FOR_STATS,
    GROUPS,
    IN_PROGRESS,
    INDICATORS,
    SCORING,
    Scope,
    ended_conditions,
    period_bounds,
    received_conditions,
    working_days_taken,
)
from .models import DailyCounts, SnapshotState

# --- The agency tree ---------------------------------------------------------------------------


def agency_tree() -> dict[int | None, list[int]]:
    """Children of every agency (None: the roots), from one query over the small agencies table."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent in Agency.objects.order_by("code").values_list("pk", "parent_id"):
        children[parent].append(pk)
    return children


def subtree_ids(agency_ids, tree=None) -> tuple[int, ...]:
    """These agencies and all their descendants."""
    tree = tree if tree is not None else agency_tree()
    seen, stack = [], list(agency_ids)
    while stack:
        pk = stack.pop()
        if pk not in seen:
            seen.append(pk)
            stack.extend(tree.get(pk, []))
    return tuple(sorted(seen))


# --- The dossiers in scope ---------------------------------------------------------------------


def _dossiers(scope: Scope):
    qs = Dossier.objects.all()
    if scope.agency_ids is not None:
        qs = qs.filter(competent_agency_id__in=scope.agency_ids)
    if scope.procedure_id is not None:
        qs = qs.filter(procedure_version__procedure_id=scope.procedure_id)
    return qs


def received_in(scope: Scope):
    low, high = period_bounds(scope.start, scope.end)
    return _dossiers(scope).filter(received_at__gte=low, received_at__lt=high)


def ended_in(scope: Scope):
    low, high = period_bounds(scope.start, scope.end)
    return _dossiers(scope).filter(finished_at__gte=low, finished_at__lt=high, status__in=ENDED_FOR_STATS)


# --- Grouping -----------------------------------------------------------------------------------


def _bucket_of(buckets) -> dict[int, int]:
    """{agency id: its bucket (a sub-agency with its subtree)}. Rows are grouped by the plain
    agency column and folded into buckets here: far cheaper than a CASE per row in SQL."""
    return {agency: key for key, ids in (buckets or {}).items() for agency in ids}


def _live_group(date_column: str, group: str, buckets):
    if group == "day":
        return TruncDate(date_column)
    if group == "month":
        return TruncMonth(date_column, output_field=DateField())
    if group == "agency":
        return F("competent_agency_id")
    if group == "procedure":
        return F("procedure_version__procedure_id")
    raise ValueError(group)


def _normalize_key(value):
    """Group keys as dates: a truncated timestamp becomes its local day."""
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def live_counts(scope: Scope, group: str | None, buckets=None) -> dict:
    """Counts straight from the dossiers: two aggregate queries (reception side, end side)."""
    results: dict = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    sides = [
        (received_in(scope), "received_at", {k: Count("pk", filter=q) for k, q in received_conditions().items()}),
        (
            ended_in(scope),
            "finished_at",
            {
                **{k: Count("pk", filter=q) for k, q in ended_conditions().items()},
                "working_days": Sum(working_days_taken()),
            },
        ),
    ]
    for qs, column, aggregates in sides:
        if group is None:
            rows = [{"_g": None, **qs.aggregate(**aggregates)}]
        elif group == "day_agency_procedure":
            rows = (
                qs.annotate(_d=TruncDate(column))
                .values("_d", "competent_agency_id", "procedure_version__procedure_id")
                .annotate(**aggregates)
                .order_by()
            )
            rows = [
                {"_g": (r.pop("_d"), r.pop("competent_agency_id"), r.pop("procedure_version__procedure_id")), **r}
                for r in rows
            ]
        else:
            rows = qs.annotate(_g=_live_group(column, group, buckets)).values("_g").annotate(**aggregates).order_by()
        fold = _bucket_of(buckets) if group == "agency" else None
        for row in rows:
            key = _normalize_key(row.pop("_g"))
            if fold is not None:
                key = fold.get(key)
            target = results[key]
            for name, value in row.items():
                target[name] += value or 0
    return results


def _snapshot_counts(scope: Scope, group: str | None, buckets=None) -> dict:
    qs = DailyCounts.objects.filter(day__gte=scope.start, day__lte=scope.end)
    if scope.agency_ids is not None:
        qs = qs.filter(agency_id__in=scope.agency_ids)
    if scope.procedure_id is not None:
        qs = qs.filter(procedure_id=scope.procedure_id)
    sums = {name: Sum(name) for name in COUNTS}
    if group is None:
        rows = [{"_g": None, **qs.aggregate(**sums)}]
    else:
        expression = {
            "month": TruncMonth("day", output_field=DateField()),
            "day": F("day"),
            "procedure": F("procedure_id"),
            "agency": F("agency_id"),
        }[group]
        rows = qs.annotate(_g=expression).values("_g").annotate(**sums).order_by()
    results: dict = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    fold = _bucket_of(buckets) if group == "agency" else None
    for row in rows:
        key = _normalize_key(row.pop("_g"))
        if fold is not None:
            key = fold.get(key)
        for name, value in row.items():
            results[key][name] += value or 0
    return results


def dossier_counts(scope: Scope, *, group: str | None = None, buckets=None) -> dict:
    """The period's counts, from the snapshot for the days it holds and live for the others
    (today always live); {group key: counts}."""
    ensure_calendar(scope.start, scope.end)
    state = SnapshotState.objects.only("since", "through").first()
    ranges = [(scope.start, scope.end, False)]
    if state is not None:
        through = min(state.through, timezone.localdate() - timedelta(days=1))
        low, high = max(scope.start, state.since), min(scope.end, through)
        if low <= high:
            ranges = [
                (scope.start, low - timedelta(days=1), False),
                (low, high, True),
                (high + timedelta(days=1), scope.end, False),
            ]
    merged: dict = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    for start, end, from_snapshot in ranges:
        if start > end:
            continue
        part_scope = Scope(start, end, scope.agency_ids, scope.procedure_id)
        part = (_snapshot_counts if from_snapshot else live_counts)(part_scope, group, buckets)
        for key, counts in part.items():
            for name, value in counts.items():
                merged[key][name] += value
    if group is None and None not in merged:
        merged[None] = dict.fromkeys(COUNTS, 0)
    return merged


def in_progress_counts(scope: Scope, *, group: str | None = None, buckets=None) -> dict:
    """Dossiers received in the period and still in progress, and how many are not yet overdue."""
    low, high = period_bounds(scope.start, scope.end)
    qs = _dossiers(scope).filter(status__in=IN_PROGRESS, received_at__gte=low, received_at__lt=high)
    aggregates = {
        "in_progress": Count("pk"),
        "in_progress_on_time": Count("pk", filter=Q(due_at__isnull=True) | Q(due_at__gte=timezone.now())),
    }
    if group is None:
        return {None: qs.aggregate(**aggregates)}
    expression = {
        "agency": F("competent_agency_id"),
        "procedure": F("procedure_version__procedure_id"),
        "month": TruncMonth("received_at", output_field=DateField()),
    }[group]
    fold = _bucket_of(buckets) if group == "agency" else None
    results: dict = defaultdict(lambda: dict.fromkeys(aggregates, 0))
    for row in qs.annotate(_g=expression).values("_g").annotate(**aggregates).order_by():
        key = _normalize_key(row.pop("_g"))
        if fold is not None:
            key = fold.get(key)
        for name, value in row.items():
            results[key][name] += value or 0
    return dict(results)


def catalogue_counts(scope: Scope) -> dict:
    """Published procedures in scope: online levels, use in the period, online payment."""
    low, high = period_bounds(scope.start, scope.end)
    versions = ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED)
    if scope.agency_ids is not None:
        versions = versions.filter(agency_id__in=scope.agency_ids)
    if scope.procedure_id is not None:
        versions = versions.filter(procedure_id=scope.procedure_id)
    full = Q(service_level=ServiceLevel.FULL)
    used_online = Exists(
        Dossier.objects.filter(
            procedure_version__procedure_id=OuterRef("procedure_id"),
            channel=Channel.ONLINE,
            received_at__gte=low,
            received_at__lt=high,
        )
    )
    fee_bearing = Exists(FeeRule.objects.filter(Q(amount__gt=0) | Q(online_amount__gt=0), version=OuterRef("pk")))
    pays_online = (
        Q(agency__payment_settings__isnull=True)
        | Q(agency__payment_settings__online_gateway=True)
        | Q(agency__payment_settings__bank_qr=True)
    )
    return versions.aggregate(
        procedures=Count("pk"),
        procedures_full=Count("pk", filter=full),
        procedures_partial=Count("pk", filter=Q(service_level=ServiceLevel.PARTIAL)),
        full_used_online=Count("pk", filter=full & Q(used_online)),
        fee_bearing=Count("pk", filter=Q(fee_bearing)),
        fee_bearing_online=Count("pk", filter=Q(fee_bearing) & pays_online),
    )


# --- From counts to indicators ------------------------------------------------------------------


def _derived(counts: dict) -> dict:
    c = dict(counts)
    c.setdefault("in_progress", 0)
    c.setdefault("in_progress_on_time", 0)
    c["ended_on_time"] = c["ended"] - c["ended_late"]
    c["rated_satisfied"] = c["rated"] - c["disliked"]
    c["satisfied"] = max(c["ended"] - c["ended_late"] - c["disliked"], 0)
    return c


def indicators_from(counts: dict) -> list[dict]:
    """Each indicator with its numerator, denominator, value, target and points."""
    c = _derived(counts)
    rows = []
    for key, group, label, num_name, den_name, unit in INDICATORS:
        if num_name not in c or den_name not in c:
            continue
        numerator, denominator = c[num_name], c[den_name]
        if denominator:
            value = round(numerator / denominator, 1) if unit == "days" else round(100 * numerator / denominator, 1)
        else:
            value = None
        rule = SCORING.get(key)
        points = None
        if rule and value is not None:
            points = round(rule["max_points"] * min(value / rule["full_at"], 1), 2)
        rows.append(
            {
                "key": key,
                "label": str(label),
                "group": group,
                "numerator": numerator,
                "denominator": denominator,
                "value": value,
                "unit": unit,
                "target": rule["full_at"] if rule else None,
                "points": points,
                "max_points": rule["max_points"] if rule else None,
            }
        )
    return rows


def group_scores(indicators: list[dict]) -> list[dict]:
    """Points per group, over the indicators whose rule is known."""
    out = []
    for key, label in GROUPS:
        scored = [i for i in indicators if i["group"] == key and i["max_points"] is not None]
        points = [i["points"] for i in scored if i["points"] is not None]
        out.append(
            {
                "key": key,
                "label": str(label),
                "points": round(sum(points), 2) if points else None,
                "max_points": sum(i["max_points"] for i in scored) or None,
                "indicators": sum(1 for i in indicators if i["group"] == key),
            }
        )
    return out


def indicator_report(scope: Scope) -> dict:
    """All indicators for a scope, with the group scores and the total."""
    counts = dossier_counts(scope)[None]
    counts.update(in_progress_counts(scope)[None])
    counts.update(catalogue_counts(scope))
    indicators = indicators_from(counts)
    groups = group_scores(indicators)
    scored = [g for g in groups if g["points"] is not None]
    return {
        "indicators": indicators,
        "groups": groups,
        "total_points": round(sum(g["points"] for g in scored), 2) if scored else None,
        "total_max_points": sum(g["max_points"] for g in groups if g["max_points"]) or None,
    }


def _breakdown_parent(parent_id: int | None, tree) -> int | None:
    """The agency whose sub-agencies the breakdown lists (None: the roots, when several)."""
    if parent_id is None and len(tree.get(None, [])) == 1:
        return tree[None][0]
    return parent_id


def breakdown_by_agency(scope: Scope, *, parent_id: int | None) -> list[dict]:
    """One row for the agency's own dossiers and one per sub-agency with its subtree (one GROUP BY)."""
    tree = agency_tree()
    parent = _breakdown_parent(parent_id, tree)
    buckets = {pk: subtree_ids([pk], tree) for pk in tree.get(parent, [])}
    if parent is not None:
        buckets[parent] = (parent,)  # what the agency decides itself
    if scope.agency_ids is not None:
        allowed = set(scope.agency_ids)
        buckets = {k: tuple(i for i in v if i in allowed) for k, v in buckets.items()}
    buckets = {k: v for k, v in buckets.items() if v}
    if not buckets:
        return []
    counts = dossier_counts(scope, group="agency", buckets=buckets)
    progress = in_progress_counts(scope, group="agency", buckets=buckets)
    agencies = sorted(Agency.objects.filter(pk__in=buckets), key=lambda a: (a.pk != parent, a.code))
    rows = []
    for agency in agencies:
        merged = {**dict.fromkeys(COUNTS, 0), **counts.get(agency.pk, {}), **progress.get(agency.pk, {})}
        rows.append(
            {
                "agency": agency,
                "code": agency.code,
                "name": agency.display_name,
                "own": agency.pk == parent,
                "has_children": bool(tree.get(agency.pk)),
                "indicators": _by_key(indicators_from(merged)),
            }
        )
    return rows


def breakdown_by_procedure(scope: Scope) -> list[dict]:
    """One row per procedure that had dossiers in the period."""
    counts = dossier_counts(scope, group="procedure")
    progress = in_progress_counts(scope, group="procedure")
    ids = [k for k in set(counts) | set(progress) if k is not None]
    names = {}
    for version in ProcedureVersion.objects.filter(procedure_id__in=ids, status=VersionStatus.PUBLISHED).only(
        "procedure_id", "name", "name_en"
    ):
        names[version.procedure_id] = version.display_name
    codes = dict(Procedure.objects.filter(pk__in=ids).values_list("pk", "code"))
    rows = []
    for pk in sorted(ids, key=lambda i: codes.get(i, "")):
        merged = {**dict.fromkeys(COUNTS, 0), **counts.get(pk, {}), **progress.get(pk, {})}
        rows.append(
            {
                "code": codes.get(pk, ""),
                "name": names.get(pk, codes.get(pk, "")),
                "indicators": _by_key(indicators_from(merged)),
            }
        )
    return rows


def monthly_trend(scope: Scope) -> list[dict]:
    """Month by month: received, online share, ended, on-time share (GROUP BY month)."""
    counts = dossier_counts(scope, group="month")
    months, month = [], date(scope.start.year, scope.start.month, 1)
    while month <= scope.end:
        months.append(month)
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    rows = []
    for month in months:
        c = _derived({**dict.fromkeys(COUNTS, 0), **counts.get(month, {})})
        rows.append(
            {
                "month": month.strftime("%Y-%m"),
                "received": c["received"],
                "received_online": c["received_online"],
                "ended": c["ended"],
                "ended_on_time": c["ended_on_time"],
                "online_share": round(100 * c["received_online"] / c["received"], 1) if c["received"] else None,
                "on_time_share": round(100 * c["ended_on_time"] / c["ended"], 1) if c["ended"] else None,
            }
        )
    return rows


def _by_key(indicators: list[dict]) -> dict:
    return {i["key"]: i for i in indicators}


# --- Drill-down: the dossiers behind a number ---------------------------------------------------


def drilldown(scope: Scope, *, key: str, part: str):
    """The dossiers counted in an indicator's numerator or denominator (live, not the snapshot)."""
    if key not in DOSSIER_INDICATORS:
        raise ValueError(key)
    received, ended = received_conditions(), ended_conditions()
    if key == "in_progress_on_time":
        low, high = period_bounds(scope.start, scope.end)
        qs = _dossiers(scope).filter(status__in=IN_PROGRESS, received_at__gte=low, received_at__lt=high)
        return qs.filter(Q(due_at__isnull=True) | Q(due_at__gte=timezone.now())) if part == "numerator" else qs
    reception_side = {
        "received_online": ("received_online", "received"),
        "paid_online": ("paid_online", "paid"),
        "digitized": ("digitized", "received"),
        "reused": ("reused", "received"),
        "synced_national": ("synced", "received"),
    }
    if key in reception_side:
        num, den = reception_side[key]
        return received_in(scope).filter(received[num] if part == "numerator" else received[den])
    qs = ended_in(scope)
    if part == "denominator":
        return qs.filter({"electronic_result": ended["with_result"], "ratings_satisfied": ended["rated"]}.get(key, Q()))
    return qs.filter(
        {
            "ended_on_time": ~ended["ended_late"],
            "avg_processing_days": Q(),
            "electronic_result": ended["electronic_result"],
            "ratings_satisfied": ended["rated"] & ~ended["disliked"],
            "satisfaction": ~ended["ended_late"] & ~ended["disliked"],
        }[key]
    )

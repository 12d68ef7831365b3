"""Decision 766 indicators: aggregate SQL over dossiers, the catalogue and a nightly snapshot.

What each figure counts (a period is [start, end], dates in Asia/Ho_Chi_Minh; the scope is the
competent agency's subtree, optionally one procedure):

Reception side — dossiers *received* in the period (received_at in the period; drafts and
dossiers refused at the desk are never received):
- received_online: channel "online" / all received.
- paid_online: paid with an online method (gateway, sandbox gateway, VietQR) / received dossiers
  with a paid (or later refunded) payment.
- digitized: files stored electronically (at least one attachment) and, once the result is
  issued, the result stored electronically too / all received.
- reused: at least one attachment taken from the citizen's document store / all received.
- synced_national: at least one status change delivered to the national portal (sync app) /
  all received. No points: DOMAIN.md gives no threshold.

End side — dossiers that *ended* in the period (finished_at in the period) with status refused,
stopped, finished or returned. Withdrawn dossiers and dossiers refused at the desk are left out
of these denominators: the agency never decided them.
- ended_on_time: not late / ended. Late = classified late when it ended, or more than one
  supplement request (DOMAIN.md: counts as late for statistics; a 2nd round exists).
- avg_processing_days: working days from reception to the day it ended (0 = the same working
  day), from the working-day table (indicators.models.WorkingDay), less the working days spent
  waiting for supplements asked after reception (Decision 766 guidance; the legal deadline
  instead restarts, Decree 61 Art. 19.4, and is what `timeliness` judges).
- electronic_result: a signed result document stored / ended with a result (finished, returned).
- ratings_satisfied: ratings with no criterion "not satisfied" / rated dossiers.
- satisfaction: 100% − (late share + share rated "not satisfied" on any criterion), over the
  ended dossiers (there is no complaint register yet: dislikes stand for both).

Now — dossiers received in the period and still in progress:
- in_progress_on_time: due date not passed yet / in progress.

Catalogue — published procedures of the agencies in scope:
- procedures_online: full-process online / all; procedures_partial: partial online / all.
- online_procedures_used: full-process procedures that received an online dossier in the period /
  full-process procedures.
- fee_procedures_online_payment: fee-bearing procedures (a fee above 0) whose agency accepts an
  online way of paying / fee-bearing procedures.

Days up to SnapshotState.through are summed from DailyCounts (refreshed nightly by
`snapshot_refresh`); later days, today included, are counted live from the dossiers with the
same expressions, so both give the same figures.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import (
    Count,
    DateField,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Greatest, TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dossiers.constants import Channel, DossierStatus, Timeliness
from dossiers.models import Attachment, Dossier, DossierDocument, Rating, SupplementRequest
from payments.constants import PaymentMethod, PaymentStatus
from payments.models import Payment
from procedures.constants import ServiceLevel, VersionStatus
from procedures.models import Agency, FeeRule, ProcedureVersion
from sync.models import NATIONAL_TARGET, Delivery, DeliveryStatus

from .calendar_table import ensure_calendar
from .models import DailyCounts, SnapshotState, WorkingDay

S = DossierStatus
ENDED_FOR_STATS = [S.REFUSED, S.STOPPED, S.FINISHED, S.RETURNED]
WITH_RESULT = [S.FINISHED, S.RETURNED]
IN_PROGRESS = [S.RECEIVED, S.IN_PROCESSING, S.CONSULTING, S.AWAITING_APPROVAL, S.APPROVED,
               S.SUPPLEMENT_REQUESTED, S.AWAITING_PAYMENT, S.WITHDRAWAL_REQUESTED]
ONLINE_METHODS = [PaymentMethod.VNPAY, PaymentMethod.SANDBOX, PaymentMethod.VIETQR]
PAID = [PaymentStatus.PAID, PaymentStatus.REFUNDED]
CRITERIA = Rating.CRITERIA

RECEIVED_COUNTS = ["received", "received_online", "paid", "paid_online", "digitized", "reused", "synced"]
ENDED_COUNTS = ["ended", "ended_late", "working_days", "with_result", "electronic_result", "rated", "disliked"]
COUNTS = RECEIVED_COUNTS + ENDED_COUNTS

GROUPS = [
    ("transparency", _("Transparency")),
    ("progress", _("Progress")),
    ("online", _("Online services")),
    ("digitization", _("Digitization")),
    ("satisfaction", _("Satisfaction")),
]

# Decision 766/QĐ-TTg (2022) scores an agency out of 100 points in the five groups above. Full
# marks at the thresholds DOMAIN.md gives (online procedures ≥ 80%, dossiers online ≥ 50%,
# digitized ≥ 80%, satisfaction ≥ 90%), linear below. The split of points between indicators is
# ours until the province confirms it: change it here. Indicators not listed get no points.
SCORING = {
    "procedures_online": {"max_points": 6, "full_at": 80},
    "received_online": {"max_points": 6, "full_at": 50},
    "digitized": {"max_points": 8, "full_at": 80},
    "satisfaction": {"max_points": 18, "full_at": 90},
}


@dataclass(frozen=True)
class Scope:
    """A period and a set of agencies (None: the whole province), optionally one procedure."""

    start: date
    end: date
    agency_ids: tuple[int, ...] | None = None
    procedure_id: int | None = None


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


# --- Conditions shared by the live counts, the snapshot and the drill-down ----------------------

def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_default_timezone()
    return (timezone.make_aware(datetime.combine(start, time.min), tz),
            timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), tz))


def _has_result():
    return Exists(DossierDocument.objects.filter(dossier=OuterRef("pk"), kind=DossierDocument.Kind.RESULT))


def _late():
    second_round = Exists(SupplementRequest.objects.filter(dossier=OuterRef("pk"), round__gte=2))
    return Q(timeliness=Timeliness.LATE) | Q(second_round)


def _disliked():
    any_zero = Q()
    for name in CRITERIA:
        any_zero |= Q(**{name: 0})
    return Q(Exists(Rating.objects.filter(any_zero, dossier=OuterRef("pk"))))


def received_conditions() -> dict[str, Q]:
    """Conditions over dossiers received in the period, one per count."""
    paid = Payment.objects.filter(dossier=OuterRef("pk"), status__in=PAID)
    files = Exists(Attachment.objects.filter(dossier=OuterRef("pk")))
    return {
        "received": Q(),
        "received_online": Q(channel=Channel.ONLINE),
        "paid": Q(Exists(paid)),
        "paid_online": Q(Exists(paid.filter(method__in=ONLINE_METHODS))),
        "digitized": Q(files) & (~Q(status__in=WITH_RESULT) | Q(_has_result())),
        "reused": Q(Exists(Attachment.objects.filter(dossier=OuterRef("pk"), reused_from__isnull=False))),
        # Transparency: at least one status change of the dossier reached the national portal.
        "synced": Q(Exists(Delivery.objects.filter(event__dossier=OuterRef("pk"), target_key=NATIONAL_TARGET,
                                                   status=DeliveryStatus.DELIVERED))),
    }


def ended_conditions() -> dict[str, Q]:
    """Conditions over dossiers that ended in the period (withdrawn ones are not among them)."""
    return {
        "ended": Q(),
        "ended_late": _late(),
        "with_result": Q(status__in=WITH_RESULT),
        "electronic_result": Q(status__in=WITH_RESULT) & Q(_has_result()),
        "rated": Q(Exists(Rating.objects.filter(dossier=OuterRef("pk")))),
        "disliked": _disliked(),
    }


def _ordinal(column):
    """The working-day number of the day of ``column`` (an OuterRef), from the calendar table."""
    day = TruncDate(Cast(column, output_field=DateTimeField()))
    return Subquery(WorkingDay.objects.filter(date=day).values("ordinal")[:1], output_field=IntegerField())


def _working_days_taken():
    """Working days from reception to the day the dossier ended, less the working days spent
    waiting for the applicant's supplements asked after reception (Decision 766 guidance; the
    legal deadline instead counts again from the supplement: both are kept). 0 = the same day."""
    waited = Subquery(
        SupplementRequest.objects.filter(dossier=OuterRef("pk"), answered_at__isnull=False,
                                         requested_at__gte=OuterRef("received_at"))
        .values("dossier")
        .annotate(days=Sum(_ordinal(OuterRef("answered_at")) - _ordinal(OuterRef("requested_at"))))
        .values("days")[:1],
        output_field=IntegerField(),
    )
    started = Coalesce(OuterRef("received_at"), OuterRef("counting_from"), output_field=DateTimeField())
    return Greatest(_ordinal(OuterRef("finished_at")) - _ordinal(started) - Coalesce(waited, Value(0)), Value(0),
                    output_field=IntegerField())


def _dossiers(scope: Scope):
    qs = Dossier.objects.all()
    if scope.agency_ids is not None:
        qs = qs.filter(competent_agency_id__in=scope.agency_ids)
    if scope.procedure_id is not None:
        qs = qs.filter(procedure_version__procedure_id=scope.procedure_id)
    return qs


def received_in(scope: Scope):
    low, high = _bounds(scope.start, scope.end)
    return _dossiers(scope).filter(received_at__gte=low, received_at__lt=high)


def ended_in(scope: Scope):
    low, high = _bounds(scope.start, scope.end)
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


def _live_counts(scope: Scope, group: str | None, buckets=None) -> dict:
    """Counts straight from the dossiers: two aggregate queries (reception side, end side)."""
    results: dict = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    sides = [
        (received_in(scope), "received_at", {k: Count("pk", filter=q) for k, q in received_conditions().items()}),
        (ended_in(scope), "finished_at", {**{k: Count("pk", filter=q) for k, q in ended_conditions().items()},
                                          "working_days": Sum(_working_days_taken())}),
    ]
    for qs, column, aggregates in sides:
        if group is None:
            rows = [{"_g": None, **qs.aggregate(**aggregates)}]
        elif group == "day_agency_procedure":
            rows = (qs.annotate(_d=TruncDate(column)).values("_d", "competent_agency_id", "procedure_version__procedure_id")
                    .annotate(**aggregates).order_by())
            rows = [{"_g": (r.pop("_d"), r.pop("competent_agency_id"), r.pop("procedure_version__procedure_id")), **r}
                    for r in rows]
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
        expression = {"month": TruncMonth("day", output_field=DateField()), "day": F("day"), "procedure": F("procedure_id"),
                      "agency": F("agency_id")}[group]
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
            ranges = [(scope.start, low - timedelta(days=1), False), (low, high, True),
                      (high + timedelta(days=1), scope.end, False)]
    merged: dict = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    for start, end, from_snapshot in ranges:
        if start > end:
            continue
        part_scope = Scope(start, end, scope.agency_ids, scope.procedure_id)
        part = (_snapshot_counts if from_snapshot else _live_counts)(part_scope, group, buckets)
        for key, counts in part.items():
            for name, value in counts.items():
                merged[key][name] += value
    if group is None and None not in merged:
        merged[None] = dict.fromkeys(COUNTS, 0)
    return merged


def in_progress_counts(scope: Scope, *, group: str | None = None, buckets=None) -> dict:
    """Dossiers received in the period and still in progress, and how many are not yet overdue."""
    low, high = _bounds(scope.start, scope.end)
    qs = _dossiers(scope).filter(status__in=IN_PROGRESS, received_at__gte=low, received_at__lt=high)
    aggregates = {"in_progress": Count("pk"),
                  "in_progress_on_time": Count("pk", filter=Q(due_at__isnull=True) | Q(due_at__gte=timezone.now()))}
    if group is None:
        return {None: qs.aggregate(**aggregates)}
    expression = {"agency": F("competent_agency_id"), "procedure": F("procedure_version__procedure_id"),
                  "month": TruncMonth("received_at", output_field=DateField())}[group]
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
    low, high = _bounds(scope.start, scope.end)
    versions = ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED)
    if scope.agency_ids is not None:
        versions = versions.filter(agency_id__in=scope.agency_ids)
    if scope.procedure_id is not None:
        versions = versions.filter(procedure_id=scope.procedure_id)
    full = Q(service_level=ServiceLevel.FULL)
    used_online = Exists(Dossier.objects.filter(procedure_version__procedure_id=OuterRef("procedure_id"),
                                                channel=Channel.ONLINE, received_at__gte=low, received_at__lt=high))
    fee_bearing = Exists(FeeRule.objects.filter(Q(amount__gt=0) | Q(online_amount__gt=0), version=OuterRef("pk")))
    pays_online = (Q(agency__payment_settings__isnull=True) | Q(agency__payment_settings__online_gateway=True)
                   | Q(agency__payment_settings__bank_qr=True))
    return versions.aggregate(
        procedures=Count("pk"),
        procedures_full=Count("pk", filter=full),
        procedures_partial=Count("pk", filter=Q(service_level=ServiceLevel.PARTIAL)),
        full_used_online=Count("pk", filter=full & Q(used_online)),
        fee_bearing=Count("pk", filter=Q(fee_bearing)),
        fee_bearing_online=Count("pk", filter=Q(fee_bearing) & pays_online),
    )


# --- From counts to indicators ------------------------------------------------------------------

INDICATORS = [
    # key, group, label, numerator, denominator (names of counts), unit
    ("synced_national", "transparency", _("Dossiers synced to the national portal"), "synced", "received", "%"),
    ("received_online", "online", _("Dossiers received online"), "received_online", "received", "%"),
    ("ended_on_time", "progress", _("Dossiers finished on time"), "ended_on_time", "ended", "%"),
    ("in_progress_on_time", "progress", _("Dossiers in progress, on time"), "in_progress_on_time", "in_progress", "%"),
    ("avg_processing_days", "progress", _("Average processing time (working days)"), "working_days", "ended", "days"),
    ("procedures_online", "online", _("Procedures offered full-process online"), "procedures_full", "procedures", "%"),
    ("procedures_partial", "online", _("Procedures offered partially online"), "procedures_partial", "procedures", "%"),
    ("online_procedures_used", "online", _("Full-process procedures that received online dossiers"),
     "full_used_online", "procedures_full", "%"),
    ("fee_procedures_online_payment", "online", _("Fee-bearing procedures payable online"), "fee_bearing_online",
     "fee_bearing", "%"),
    ("paid_online", "online", _("Paid dossiers paid online"), "paid_online", "paid", "%"),
    ("electronic_result", "digitization", _("Results issued electronically"), "electronic_result", "with_result", "%"),
    ("digitized", "digitization", _("Dossiers digitized (files and result)"), "digitized", "received", "%"),
    ("reused", "digitization", _("Dossiers reusing a stored document"), "reused", "received", "%"),
    ("ratings_satisfied", "satisfaction", _("Ratings without “not satisfied”"), "rated_satisfied", "rated", "%"),
    ("satisfaction", "satisfaction", _("Satisfaction (100% − late − dissatisfied)"), "satisfied", "ended", "%"),
]
INDICATOR_KEYS = [row[0] for row in INDICATORS]
# Which indicators are counts of dossiers (and so can be drilled down to the dossiers behind them).
DOSSIER_INDICATORS = {"synced_national", "received_online", "ended_on_time", "in_progress_on_time",
                      "avg_processing_days", "paid_online", "electronic_result", "digitized", "reused", "ratings_satisfied", "satisfaction"}


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
        rows.append({"key": key, "label": str(label), "group": group, "numerator": numerator,
                     "denominator": denominator, "value": value, "unit": unit,
                     "target": rule["full_at"] if rule else None, "points": points,
                     "max_points": rule["max_points"] if rule else None})
    return rows


def group_scores(indicators: list[dict]) -> list[dict]:
    """Points per group, over the indicators whose rule is known."""
    out = []
    for key, label in GROUPS:
        scored = [i for i in indicators if i["group"] == key and i["max_points"] is not None]
        points = [i["points"] for i in scored if i["points"] is not None]
        out.append({"key": key, "label": str(label),
                    "points": round(sum(points), 2) if points else None,
                    "max_points": sum(i["max_points"] for i in scored) or None,
                    "indicators": sum(1 for i in indicators if i["group"] == key)})
    return out


def indicator_report(scope: Scope) -> dict:
    """All indicators for a scope, with the group scores and the total."""
    counts = dossier_counts(scope)[None]
    counts.update(in_progress_counts(scope)[None])
    counts.update(catalogue_counts(scope))
    indicators = indicators_from(counts)
    groups = group_scores(indicators)
    scored = [g for g in groups if g["points"] is not None]
    return {"indicators": indicators, "groups": groups,
            "total_points": round(sum(g["points"] for g in scored), 2) if scored else None,
            "total_max_points": sum(g["max_points"] for g in groups if g["max_points"]) or None}


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
        rows.append({"agency": agency, "code": agency.code, "name": agency.display_name, "own": agency.pk == parent,
                     "has_children": bool(tree.get(agency.pk)), "indicators": _by_key(indicators_from(merged))})
    return rows


def breakdown_by_procedure(scope: Scope) -> list[dict]:
    """One row per procedure that had dossiers in the period."""
    from procedures.models import Procedure

    counts = dossier_counts(scope, group="procedure")
    progress = in_progress_counts(scope, group="procedure")
    ids = [k for k in set(counts) | set(progress) if k is not None]
    names = {}
    for version in (ProcedureVersion.objects.filter(procedure_id__in=ids, status=VersionStatus.PUBLISHED)
                    .only("procedure_id", "name", "name_en")):
        names[version.procedure_id] = version.display_name
    codes = dict(Procedure.objects.filter(pk__in=ids).values_list("pk", "code"))
    rows = []
    for pk in sorted(ids, key=lambda i: codes.get(i, "")):
        merged = {**dict.fromkeys(COUNTS, 0), **counts.get(pk, {}), **progress.get(pk, {})}
        rows.append({"code": codes.get(pk, ""), "name": names.get(pk, codes.get(pk, "")),
                     "indicators": _by_key(indicators_from(merged))})
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
        rows.append({"month": month.strftime("%Y-%m"), "received": c["received"],
                     "received_online": c["received_online"], "ended": c["ended"],
                     "ended_on_time": c["ended_on_time"],
                     "online_share": round(100 * c["received_online"] / c["received"], 1) if c["received"] else None,
                     "on_time_share": round(100 * c["ended_on_time"] / c["ended"], 1) if c["ended"] else None})
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
        low, high = _bounds(scope.start, scope.end)
        qs = _dossiers(scope).filter(status__in=IN_PROGRESS, received_at__gte=low, received_at__lt=high)
        return qs.filter(Q(due_at__isnull=True) | Q(due_at__gte=timezone.now())) if part == "numerator" else qs
    reception_side = {"received_online": ("received_online", "received"), "paid_online": ("paid_online", "paid"),
                      "digitized": ("digitized", "received"), "reused": ("reused", "received"),
                      "synced_national": ("synced", "received")}
    if key in reception_side:
        num, den = reception_side[key]
        return received_in(scope).filter(received[num] if part == "numerator" else received[den])
    qs = ended_in(scope)
    if part == "denominator":
        return qs.filter({"electronic_result": ended["with_result"], "ratings_satisfied": ended["rated"]}.get(key, Q()))
    return qs.filter({
        "ended_on_time": ~ended["ended_late"],
        "avg_processing_days": Q(),
        "electronic_result": ended["electronic_result"],
        "ratings_satisfied": ended["rated"] & ~ended["disliked"],
        "satisfaction": ~ended["ended_late"] & ~ended["disliked"],
    }[key])


# --- The nightly snapshot -----------------------------------------------------------------------

@transaction.atomic
def snapshot_refresh(*, start: date, end: date | None = None) -> int:
    """Recount days [start, end] (default: up to yesterday) into DailyCounts; return the rows written."""
    yesterday = timezone.localdate() - timedelta(days=1)
    end = min(end or yesterday, yesterday)
    if end < start:
        return 0
    ensure_calendar(start, end)
    counts = _live_counts(Scope(start, end), "day_agency_procedure")
    DailyCounts.objects.filter(day__gte=start, day__lte=end).delete()
    rows = [DailyCounts(day=day, agency_id=agency_id, procedure_id=procedure_id, **values)
            for (day, agency_id, procedure_id), values in counts.items() if any(values.values())]
    DailyCounts.objects.bulk_create(rows, batch_size=5000)
    state = SnapshotState.objects.first()
    if state is None:
        SnapshotState.objects.create(since=start, through=end)
    else:
        if start > state.through + timedelta(days=1) or end < state.since - timedelta(days=1):
            raise ValueError("The refreshed days must touch the days the snapshot already holds.")
        state.since, state.through = min(state.since, start), max(state.through, end)
        state.save()
    return len(rows)

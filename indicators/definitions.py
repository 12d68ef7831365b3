"""Decision 766 indicators: what each figure counts, as constants and SQL conditions.

The reads are in selectors.py, the nightly snapshot (the one write) in services.py.

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

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import DateTimeField, Exists, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Cast, Coalesce, Greatest, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dossiers.constants import Channel, DossierStatus, Timeliness
from dossiers.models import Attachment, DossierDocument, Rating, SupplementRequest
from payments.constants import PaymentMethod, PaymentStatus
from payments.models import Payment
from sync.models import NATIONAL_TARGET, Delivery, DeliveryStatus

from .models import WorkingDay

S = DossierStatus
ENDED_FOR_STATS = [S.REFUSED, S.STOPPED, S.FINISHED, S.RETURNED]
WITH_RESULT = [S.FINISHED, S.RETURNED]
IN_PROGRESS = [
    S.RECEIVED,
    S.IN_PROCESSING,
    S.CONSULTING,
    S.AWAITING_APPROVAL,
    S.APPROVED,
    S.SUPPLEMENT_REQUESTED,
    S.AWAITING_PAYMENT,
    S.WITHDRAWAL_REQUESTED,
]
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


# --- The indicators ----------------------------------------------------------------------------

INDICATORS = [
    # key, group, label, numerator, denominator (names of counts), unit
    ("synced_national", "transparency", _("Dossiers synced to the national portal"), "synced", "received", "%"),
    ("received_online", "online", _("Dossiers received online"), "received_online", "received", "%"),
    ("ended_on_time", "progress", _("Dossiers finished on time"), "ended_on_time", "ended", "%"),
    ("in_progress_on_time", "progress", _("Dossiers in progress, on time"), "in_progress_on_time", "in_progress", "%"),
    ("avg_processing_days", "progress", _("Average processing time (working days)"), "working_days", "ended", "days"),
    ("procedures_online", "online", _("Procedures offered full-process online"), "procedures_full", "procedures", "%"),
    ("procedures_partial", "online", _("Procedures offered partially online"), "procedures_partial", "procedures", "%"),
    (
        "online_procedures_used",
        "online",
        _("Full-process procedures that received online dossiers"),
        "full_used_online",
        "procedures_full",
        "%",
    ),
    (
        "fee_procedures_online_payment",
        "online",
        _("Fee-bearing procedures payable online"),
        "fee_bearing_online",
        "fee_bearing",
        "%",
    ),
    ("paid_online", "online", _("Paid dossiers paid online"), "paid_online", "paid", "%"),
    ("electronic_result", "digitization", _("Results issued electronically"), "electronic_result", "with_result", "%"),
    ("digitized", "digitization", _("Dossiers digitized (files and result)"), "digitized", "received", "%"),
    ("reused", "digitization", _("Dossiers reusing a stored document"), "reused", "received", "%"),
    ("ratings_satisfied", "satisfaction", _("Ratings without “not satisfied”"), "rated_satisfied", "rated", "%"),
    ("satisfaction", "satisfaction", _("Satisfaction (100% − late − dissatisfied)"), "satisfied", "ended", "%"),
]
INDICATOR_KEYS = [row[0] for row in INDICATORS]
# Which indicators are counts of dossiers (and so can be drilled down to the dossiers behind them).
DOSSIER_INDICATORS = {
    "synced_national",
    "received_online",
    "ended_on_time",
    "in_progress_on_time",
    "avg_processing_days",
    "paid_online",
    "electronic_result",
    "digitized",
    "reused",
    "ratings_satisfied",
    "satisfaction",
}


# --- Conditions shared by the live counts, the snapshot and the drill-down ----------------------


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_default_timezone()
    return (
        timezone.make_aware(datetime.combine(start, time.min), tz),
        timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), tz),
    )


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
        "synced": Q(
            Exists(
                Delivery.objects.filter(
                    event__dossier=OuterRef("pk"), target_key=NATIONAL_TARGET, status=DeliveryStatus.DELIVERED
                )
            )
        ),
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


def working_days_taken():
    """Working days from reception to the day the dossier ended, less the working days spent
    waiting for the applicant's supplements asked after reception (Decision 766 guidance; the
    legal deadline instead counts again from the supplement: both are kept). 0 = the same day."""
    waited = Subquery(
        SupplementRequest.objects.filter(
            dossier=OuterRef("pk"), answered_at__isnull=False, requested_at__gte=OuterRef("received_at")
        )
        .values("dossier")
        .annotate(days=Sum(_ordinal(OuterRef("answered_at")) - _ordinal(OuterRef("requested_at"))))
        .values("days")[:1],
        output_field=IntegerField(),
    )
    started = Coalesce(OuterRef("received_at"), OuterRef("counting_from"), output_field=DateTimeField())
    return Greatest(
        _ordinal(OuterRef("finished_at")) - _ordinal(started) - Coalesce(waited, Value(0)),
        Value(0),
        output_field=IntegerField(),
    )

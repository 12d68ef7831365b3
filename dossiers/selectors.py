"""Reads of dossiers shared by the citizen pages, the officer pages and the API."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from portal.collation import vietnamese
from portal.constants import StaffRole
from portal.memberships import memberships
from portal.models import User
from procedures.calendar import due_soon_boundary
from procedures.constants import VersionStatus
from procedures.models import DocumentRequirement
from procedures.selectors import catalogue_search

from .constants import DossierStatus
from .models import Attachment, Dossier, StoredDocument, SupplementRequest
from .search import queue_search_filter


def staff_read_scope(user) -> Q | None:
    """What a member of staff may read — the one rule behind the officer pages, the downloads and
    the API (None: no staff role). The one-stop desk and leaders read every dossier their agency
    receives, handles or is consulted on (the desk also cross-boundary ones awaiting any desk); a
    specialist reads only what their work needs: the dossiers assigned to them at their agency and
    those waiting for their agency's opinion."""
    held = memberships(user)
    if not held:
        return None
    whole = {agency for agency, role in held if role in (StaffRole.RECEPTIONIST, StaffRole.LEADER)}
    specialist = {agency for agency, role in held if role == StaffRole.SPECIALIST}
    parts = []
    if whole:
        parts += [Q(receiving_agency_id__in=whole), Q(competent_agency_id__in=whole), Q(consulted_agency_id__in=whole)]
    if specialist:
        parts += [
            Q(assigned_to=user, competent_agency_id__in=specialist),
            Q(consulted_agency_id__in=specialist, status=DossierStatus.CONSULTING),
        ]
    if any(role == StaffRole.RECEPTIONIST for _, role in held):
        parts.append(Q(status=DossierStatus.SUBMITTED, cross_boundary=True))
    scope = parts[0]
    for part in parts[1:]:
        scope |= part
    return scope & ~Q(status=DossierStatus.DRAFT)


def visible_dossiers(user) -> QuerySet[Dossier]:
    """Dossiers this user may open: their own, or what their staff roles may read."""
    if not user.is_authenticated:
        return Dossier.objects.none()
    scope = Q(applicant=user)
    staff = staff_read_scope(user)
    if staff is not None:
        scope |= staff
    return Dossier.objects.filter(scope)


def dossier_for(user, *, code: str) -> Dossier:
    """One dossier by code, if this user may see it (else DoesNotExist: a 404, never a 403)."""
    return (
        visible_dossiers(user)
        .select_related("procedure_version__procedure", "procedure_version__agency", "receiving_agency")
        .get(code=code)
    )


def draft_for(user, *, public_id) -> Dossier:
    """A draft of this user's own, or one they are filing at the counter for a walk-in applicant."""
    return Dossier.objects.select_related("procedure_version__procedure").get(
        Q(applicant=user) | Q(filed_by=user), public_id=public_id, status=DossierStatus.DRAFT
    )


def unread_messages(*, from_applicant: bool):
    """How many of one side's messages on the dossier the other side has not read (a subquery)."""
    from django.db.models import Count, IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    from .models import DossierMessage

    counted = (
        DossierMessage.objects.filter(dossier=OuterRef("pk"), from_applicant=from_applicant, read_at__isnull=True)
        .order_by()
        .values("dossier")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def applicant_dossiers(user, *, status: str = "", code: str = "") -> QuerySet[Dossier]:
    """The applicant's dossiers, newest first."""
    qs = (
        Dossier.objects.filter(applicant=user)
        .select_related("procedure_version__procedure")
        .only(
            "public_id",
            "code",
            "status",
            "created_at",
            "submitted_at",
            "due_at",
            "procedure_version__name",
            "procedure_version__name_en",
            "procedure_version__procedure__code",
        )
        .annotate(unread_messages=unread_messages(from_applicant=False))
        .order_by("-created_at", "-pk")
    )
    if status:
        qs = qs.filter(status=status)
    if code:
        qs = qs.filter(code__icontains=code.strip())
    return qs


def attachment_for(user, *, public_id) -> Attachment:
    return Attachment.objects.select_related("dossier").get(public_id=public_id, dossier__in=visible_dossiers(user))


def stored_documents(user) -> QuerySet[StoredDocument]:
    return StoredDocument.objects.filter(owner=user)


def document_type_names(user, *, limit: int = 300) -> list[str]:
    """Names a stored document can be filed under: the person's own types and the documents
    published procedures ask for (a dossier picks from the store by this name)."""
    own = set(StoredDocument.objects.filter(owner=user).values_list("document_type", flat=True))
    asked = DocumentRequirement.objects.filter(version__status=VersionStatus.PUBLISHED).values_list("name", flat=True)
    return sorted(own | set(asked.distinct()[:limit]))


# The citizen's five-stage path (templates/dossiers/includes/stepper.html) for each status on it.
_STAGE = {
    DossierStatus.SUBMITTED: 1,
    DossierStatus.RECEIVED: 2,
    DossierStatus.IN_PROCESSING: 3,
    DossierStatus.CONSULTING: 3,
    DossierStatus.AWAITING_APPROVAL: 3,
    DossierStatus.APPROVED: 3,
    DossierStatus.SUPPLEMENT_REQUESTED: 3,
    DossierStatus.AWAITING_PAYMENT: 3,
    DossierStatus.FINISHED: 4,
    DossierStatus.RETURNED: 5,
}


def public_stage(*, status: str, received_at) -> int | None:
    """Which stage of the path a status is at; None off the path (withdrawn, refused ...)."""
    if status == DossierStatus.SUPPLEMENT_REQUESTED and not received_at:
        return 1  # asked at reception: not received yet
    return _STAGE.get(status)


def public_lookup(*, code: str) -> dict | None:
    """What anyone may know of a dossier from its code: no personal data. The code is matched
    as typed or upper-cased (codes carry the agency's 'H99'), both on the unique index."""
    typed = (code or "").strip()
    row = (
        Dossier.objects.filter(Q(code=typed) | Q(code=typed.upper()))
        .exclude(status=DossierStatus.DRAFT)
        .values(
            "code",
            "status",
            "submitted_at",
            "received_at",
            "due_at",
            "returned_at",
            "procedure_version__name",
            "procedure_version__name_en",
            "procedure_version__procedure__code",
            "receiving_agency__name",
        )
        .first()
    )
    if row is None:
        return None
    row["status_label"] = DossierStatus(row["status"]).label
    row["stage"] = public_stage(status=row["status"], received_at=row["received_at"])
    return row


# --- Officer queues ---------------------------------------------------------------------------

QUEUE_FILTERS = [
    "all",
    "due_today",
    "due_soon",
    "overdue",
    "needs_apology",
    "mine",
    "unassigned",
    "to_receive",
    "to_return",
    "awaiting_my_approval",  # a leader's: what waits for their signature (shown to leaders only)
    "consulted",  # what other agencies asked this officer's agency's opinion on
    "supplement_overdue",
]
# Views shown only to officers holding one of these roles (the others always count 0 for them).
VIEW_ROLES = {
    "awaiting_my_approval": {StaffRole.LEADER},
    "consulted": {StaffRole.SPECIALIST, StaffRole.LEADER},
}


def queue_views(user) -> list[str]:
    """The queue views this officer is shown: the ones of a role they do not hold are left out."""
    roles = {role for _agency, role in memberships(user)}
    return [name for name in QUEUE_FILTERS if name not in VIEW_ROLES or VIEW_ROLES[name] & roles]


def default_queue_view(user) -> str:
    """A leader and nothing else starts on what waits for their approval."""
    roles = {role for _agency, role in memberships(user)}
    return "awaiting_my_approval" if roles == {StaffRole.LEADER} else "all"


def officer_scope(user) -> QuerySet[Dossier]:
    """The dossiers of this officer's pages and queues (staff_read_scope); none without a role."""
    scope = staff_read_scope(user)
    return Dossier.objects.filter(scope) if scope is not None else Dossier.objects.none()


def _queue_conditions(user, now, soon):
    from .constants import IN_QUEUE

    open_ = Q(status__in=IN_QUEUE)
    held = memberships(user)
    leading = {agency for agency, role in held if role == StaffRole.LEADER}
    consulted = {agency for agency, role in held if role in VIEW_ROLES["consulted"]}
    nothing = Q(pk__isnull=True)  # never true: a view of a role this officer does not hold
    return {
        "all": open_,
        "to_receive": Q(status=DossierStatus.SUBMITTED),
        "due_today": open_ & Q(due_at__date=now.date(), due_at__gte=now),
        "due_soon": open_ & Q(due_at__gte=now, due_at__lte=soon),
        "overdue": open_ & Q(due_at__lt=now),
        "mine": open_ & Q(assigned_to=user),
        "unassigned": Q(status=DossierStatus.RECEIVED, assigned_to__isnull=True),
        "to_return": Q(status=DossierStatus.FINISHED),
        # The applicant did not answer a supplement request by its answer_by: the desk decides
        # (refuse, or wait; a late answer is still taken). Nothing happens by itself.
        "supplement_overdue": Q(status=DossierStatus.SUPPLEMENT_REQUESTED)
        & Q(
            Exists(
                SupplementRequest.objects.filter(dossier=OuterRef("pk"), answered_at__isnull=True, answer_by__lt=now)
            )
        ),
        # Late, or about to be, and not rescheduled: an apology with a new date (Form 04) is due.
        "needs_apology": open_ & ~Q(status=DossierStatus.FINISHED) & Q(due_at__lte=soon, extended_at__isnull=True),
        "awaiting_my_approval": Q(status=DossierStatus.AWAITING_APPROVAL, competent_agency_id__in=leading)
        if leading
        else nothing,
        "consulted": Q(status=DossierStatus.CONSULTING, consulted_agency_id__in=consulted) if consulted else nothing,
    }


def officer_queue(
    user, *, view: str = "all", status: str = "", procedure: str = "", field: str = "", q: str = ""
) -> tuple[QuerySet[Dossier], dict[str, int]]:
    """An officer's queue, due first, and how many dossiers each view holds (one aggregate query)."""
    from django.db.models import Count, F
    from django.utils import timezone

    from .constants import IN_QUEUE

    now = timezone.localtime()
    soon = due_soon_boundary(now)
    conditions = _queue_conditions(user, now, soon)
    scope = officer_scope(user)
    # Every view counts open dossiers only: aggregate over those (the partial indexes), not the
    # agency's whole history.
    counts = scope.filter(status__in=IN_QUEUE).aggregate(
        **{name: Count("pk", filter=condition) for name, condition in conditions.items()}
    )
    qs = scope.filter(conditions.get(view, conditions["all"]))
    if status in DossierStatus.values:  # a status of its own, or narrowing the chosen view
        qs = scope.filter(status=status) if view == "all" else qs.filter(status=status)
    if procedure:
        qs = qs.filter(procedure_version__procedure__code=procedure)
    if field:
        qs = qs.filter(procedure_version__field__code=field)
    if q.strip():
        condition = queue_search_filter(q)
        qs = qs.filter(condition) if condition is not None else qs.none()
    if view == "consulted":  # when the opinion is due: the question's event says (services.dossier_consult)
        qs = qs.annotate(consultation_due_at=_consultation_due())
    qs = (
        qs.select_related("procedure_version", "assigned_to")
        .only(
            "code",
            "status",
            "applicant_name",
            "due_at",
            "step_due_at",
            "submitted_at",
            "received_at",
            "procedure_version__name",
            "procedure_version__name_en",
            "assigned_to__full_name",
        )
        .annotate(unread_messages=unread_messages(from_applicant=True))
        .order_by(F("due_at").asc(nulls_last=True), "submitted_at", "pk")
    )
    return qs, counts


def _consultation_due():
    """The answer's due date, from the latest consultation question (an ISO datetime string)."""
    from django.db.models import OuterRef, Subquery
    from django.db.models.fields.json import KT

    from .constants import EventKind
    from .models import DossierEvent

    return Subquery(
        DossierEvent.objects.filter(dossier=OuterRef("pk"), kind=EventKind.CONSULTATION_SENT)
        .order_by("-at", "-pk")
        .values(due=KT("data__consultation_due_at"))[:1]
    )


def open_consultation(dossier: Dossier) -> dict | None:
    """The question a consulted agency is asked and when its answer is due (None unless consulting)."""
    import datetime as dt

    from .constants import EventKind

    if dossier.status != DossierStatus.CONSULTING:
        return None
    event = dossier.events.filter(kind=EventKind.CONSULTATION_SENT).order_by("-at", "-pk").first()
    if event is None:
        return None
    due = (event.data or {}).get("consultation_due_at")
    return {"question": event.comment, "due_at": dt.datetime.fromisoformat(due) if due else None}


def specialists_for(user):
    """Specialists of the agencies this officer works for (for assignment)."""
    agencies = {agency for agency, _ in memberships(user)}
    return (
        User.objects.filter(memberships__agency_id__in=agencies, memberships__role=StaffRole.SPECIALIST, is_active=True)
        .distinct()
        .order_by(vietnamese("full_name"), "pk")
        .only("pk", "full_name")
    )


def intake_desks(user) -> set[int]:
    """The agencies at whose one-stop desk this user works: who may take dossiers in at the counter."""
    return {agency for agency, role in memberships(user) if role == StaffRole.RECEPTIONIST}


def intake_procedures(user, *, query: str):
    """The catalogue search, narrowed to what this desk may take in: its agencies' procedures and
    every cross-boundary one (services.intake_desk decides the same for one procedure)."""
    return catalogue_search(query=query).filter(Q(agency_id__in=intake_desks(user)) | Q(cross_boundary=True))

"""Reads of the assistant: the officers' question queue and the admins' statistics."""

from collections import Counter
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from portal.constants import StaffRole
from portal.memberships import memberships
from procedures.models import Agency
from procedures.search import normalize_search
from procedures.selectors import published_versions

from .models import AssistantTurn, CitizenQuestion, QuestionState
from .services import ANSWERING_ROLES

STATS_TURNS = 20000  # the most recent turns of the period that the top questions count


def answering_agency_ids(user) -> set[int]:
    return {agency for agency, role in memberships(user) if role in ANSWERING_ROLES}


def question_queue(*, user, agency: Agency | None = None):
    """The open questions this officer may answer, oldest first (those without agency too)."""
    scope = Q(agency__isnull=True) | Q(agency_id__in=answering_agency_ids(user))
    rows = CitizenQuestion.objects.filter(scope, state=QuestionState.OPEN)
    if agency is not None:
        rows = rows.filter(agency=agency)
    return rows.select_related("agency", "procedure", "asker").order_by("created_at", "pk")


def queue_agencies(user) -> list[Agency]:
    return list(Agency.objects.filter(pk__in=answering_agency_ids(user)).order_by("code"))


def can_see_stats(user) -> bool:
    return bool(
        user.is_authenticated
        and (user.is_staff or user.is_superuser or any(role == StaffRole.LEADER for _a, role in memberships(user)))
    )


def _bounds(since: date, until: date):
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(since, time.min, tzinfo=zone),
        datetime.combine(until + timedelta(days=1), time.min, tzinfo=zone),
    )


def assistant_stats(*, since: date, until: date, top: int = 15) -> dict:
    """Top questions (normalised text, count), the handed-off ones, thumbs per procedure."""
    start, end = _bounds(since, until)
    turns = AssistantTurn.objects.filter(created_at__gte=start, created_at__lt=end)
    counted: Counter = Counter()
    example: dict[str, str] = {}
    for question in turns.order_by("-created_at").values_list("question", flat=True)[:STATS_TURNS]:
        key = normalize_search(question)[:200]
        if key:
            counted[key] += 1
            example.setdefault(key, question)
    top_questions = [{"text": example[key], "normalized": key, "count": n} for key, n in counted.most_common(top)]
    thumbs: dict[str, list[int]] = {}
    for codes, up in turns.filter(thumbs_up__isnull=False).values_list("procedures", "thumbs_up"):
        code = codes[0] if codes else ""
        thumbs.setdefault(code, [0, 0])[0 if up else 1] += 1
    names = dict(
        published_versions().filter(procedure__code__in=[c for c in thumbs if c]).values_list("procedure__code", "name")
    )
    by_procedure = sorted(
        ({"code": code, "name": names.get(code, ""), "up": up, "down": down} for code, (up, down) in thumbs.items()),
        key=lambda row: (-(row["up"] + row["down"]), row["code"]),
    )
    handed_off = turns.filter(handoff=True)
    return {
        "turns": turns.count(),
        "top": top_questions,
        "handoff_count": handed_off.count(),
        "handoffs": list(handed_off.order_by("-created_at")[:30]),
        "open_questions": CitizenQuestion.objects.filter(state=QuestionState.OPEN).count(),
        "thumbs": by_procedure,
    }

"""The officers' queue of citizens' questions and the admins' statistics of the assistant."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.memberships import memberships

from . import selectors, services
from .models import CitizenQuestion

QUEUE_PAGE = 50


def _staff(user):
    if not memberships(user):
        raise Http404


@login_required
def question_queue(request):
    """ "Câu hỏi của người dân": the open questions, oldest first, an answer form on each."""
    _staff(request.user)
    agencies = selectors.queue_agencies(request.user)
    agency = next((a for a in agencies if a.code == request.GET.get("agency")), None)
    questions = list(selectors.question_queue(user=request.user, agency=agency)[:QUEUE_PAGE])
    return render(
        request,
        "assistant/question_queue.html",
        {
            "agencies": agencies,
            "agency": agency,
            "questions": questions,
            "page_size": QUEUE_PAGE,
            "can_see_stats": selectors.can_see_stats(request.user),
        },
    )


@login_required
@require_POST
def question_answer(request, pk: int):
    _staff(request.user)
    try:
        services.question_answer(
            question_id=pk,
            staff=request.user,
            answer=request.POST.get("answer", ""),
            save_as_faq=request.POST.get("save_as_faq") == "on",
        )
    except CitizenQuestion.DoesNotExist as error:
        raise Http404 from error
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The answer is on its way to the citizen."))
    agency = request.POST.get("agency", "")
    return redirect(reverse("assistant:question_queue") + (f"?agency={agency}" if agency.isalnum() else ""))


@login_required
def assistant_stats(request):
    """Top questions, the handed-off ones and thumbs per procedure over a period."""
    if not selectors.can_see_stats(request.user):
        raise Http404
    today = timezone.localdate()
    until = _date(request.GET.get("until")) or today
    since = _date(request.GET.get("since")) or until - timedelta(days=29)
    if since > until:
        since, until = until, since
    stats = selectors.assistant_stats(since=since, until=until)
    chart = {
        "labels": [row["text"][:60] for row in stats["top"][:10]],
        "counts": [row["count"] for row in stats["top"][:10]],
        "label": _("Times asked"),
    }
    return render(request, "assistant/stats.html", {"since": since, "until": until, "chart_data": chart, **stats})


def _date(value):
    try:
        return parse_date(value or "")
    except ValueError:
        return None

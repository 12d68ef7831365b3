"""Help pages: one short, task-oriented guide per role (citizen, one-stop desk, specialist,
leader, administrator). Plain templates, no models; the menu links each user to their own
role's page (portal.context_processors.features gives HELP_ROLE)."""

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from .constants import StaffRole

CITIZEN = "cong-dan"
# URL slug -> (template, page title). The citizen's page is /huong-dan/ itself.
PAGES = {
    CITIZEN: ("help/citizen.html", _("Help for citizens")),
    "mot-cua": ("help/desk.html", _("Help for the one-stop desk")),
    "chuyen-vien": ("help/specialist.html", _("Help for specialists")),
    "lanh-dao": ("help/leader.html", _("Help for leaders")),
    "quan-tri": ("help/admin.html", _("Help for administrators")),
}
# A member of staff's own page: the first role they hold in this order.
ROLE_PAGES = (
    (StaffRole.RECEPTIONIST, "mot-cua"),
    (StaffRole.SPECIALIST, "chuyen-vien"),
    (StaffRole.LEADER, "lanh-dao"),
)


def help_role_for(*, roles, is_staff: bool) -> str | None:
    """The help page slug of a user holding `roles` (StaffRole values); None for a citizen."""
    for role, slug in ROLE_PAGES:
        if role in roles:
            return slug
    return "quan-tri" if is_staff else None


@require_GET
def help_page(request, role: str = CITIZEN):
    if role not in PAGES or (role == CITIZEN and request.resolver_match.url_name != "help"):
        raise Http404  # /huong-dan/cong-dan/ would be a second address for /huong-dan/
    template, title = PAGES[role]
    pages = [(slug, page_title) for slug, (_template, page_title) in PAGES.items()]
    return render(request, template, {"help_role": role, "help_title": title, "help_pages": pages})

"""The period and scope of an indicators request, checked: bad values name their parameter."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.memberships import memberships
from procedures.models import Agency, Procedure

from .definitions import DOSSIER_INDICATORS, Scope
from .selectors import agency_tree, subtree_ids

MAX_YEARS = 5
FORMATS = ("html", "csv", "xlsx")
TABLES = ("indicators", "agencies", "procedures", "trend")


# What the filter form calls each parameter: a person reads "To", not "to".
PARAM_LABELS = {
    "from": gettext_lazy("From"),
    "to": gettext_lazy("To"),
    "agency": gettext_lazy("Agency"),
    "procedure": gettext_lazy("Procedure code"),
    "format": gettext_lazy("File format"),
    "table": gettext_lazy("Table"),
    "indicator": gettext_lazy("Indicator"),
    "part": gettext_lazy("Part"),
}


class FilterError(ValueError):
    """A request parameter with a value we cannot use: a 400 naming it (the API by its name, the
    pages by its label)."""

    def __init__(self, param: str, message: str):
        super().__init__(f"{param}: {message}")
        self.param, self.message = param, message

    @property
    def label(self) -> str:
        return PARAM_LABELS.get(self.param, self.param)


@dataclass
class Filters:
    start: date
    end: date
    agency: Agency | None
    procedure: Procedure | None
    scope: Scope
    format: str = "html"
    table: str = "indicators"


def _date(params, name: str, default: date) -> date:
    raw = (params.get(name) or "").strip()
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise FilterError(name, _("Give a date as YYYY-MM-DD.")) from None


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def officer_agency_ids(user, *, scope: frozenset[int] | None = None) -> tuple[int, ...] | None:
    """Agencies whose figures this user may see: None for staff (all), else their agencies' subtrees.

    ``scope``: an API token's agencies (portal.api.scope), which narrow staff too."""
    if user.is_superuser or user.is_staff:
        return None if scope is None else subtree_ids(scope)
    own = {agency for agency, _role in memberships(user)}
    if not own:
        raise PermissionDenied(_("Only officers may see these figures."))
    return subtree_ids(own)


def parse_filters(params, *, allowed_agency_ids: tuple[int, ...] | None = None, public: bool = False) -> Filters:
    """Read from/to/agency/procedure (and format/table) from query parameters."""
    today = timezone.localdate()
    start = _date(params, "from", date(today.year, 1, 1))
    end = _date(params, "to", today)
    if end < start:
        raise FilterError("to", _("The period ends before it starts."))
    if end > _years_later(start, MAX_YEARS):
        raise FilterError("to", _("A period may cover at most 5 years."))
    agency = procedure = None
    code = (params.get("agency") or "").strip()
    if code:
        agency = Agency.objects.filter(code=code).first()
        if agency is None:
            raise FilterError("agency", _("No agency has this code."))
        if allowed_agency_ids is not None and agency.pk not in allowed_agency_ids:
            raise PermissionDenied(_("You may not see this agency's figures."))
    code = (params.get("procedure") or "").strip()
    if code:
        procedure = Procedure.objects.filter(code=code).first()
        if procedure is None:
            raise FilterError("procedure", _("No procedure has this code."))
    fmt = (params.get("format") or "html").strip()
    if fmt not in FORMATS:
        raise FilterError("format", _("Choose csv or xlsx."))
    table = (params.get("table") or "indicators").strip()
    if table not in TABLES:
        raise FilterError("table", _("Unknown table."))
    agency_ids = subtree_ids([agency.pk], agency_tree()) if agency else allowed_agency_ids
    return Filters(
        start=start,
        end=end,
        agency=agency,
        procedure=procedure,
        format=fmt,
        table=table,
        scope=Scope(start, end, agency_ids, procedure.pk if procedure else None),
    )


def parse_drilldown(params) -> tuple[str, str]:
    key = (params.get("indicator") or "").strip()
    if key not in DOSSIER_INDICATORS:
        raise FilterError("indicator", _("Unknown indicator."))
    part = (params.get("part") or "numerator").strip()
    if part not in ("numerator", "denominator"):
        raise FilterError("part", _("Choose numerator or denominator."))
    return key, part

"""Every indicators table as CSV (UTF-8 with BOM, for Excel) or XLSX (openpyxl)."""

from django.http import HttpResponse
from django.utils.translation import gettext as _

from portal.exports import spreadsheet_response

# The columns of the agency, procedure and indicators tables: indicator key, header.
SUMMARY_COLUMNS = ["received_online", "ended_on_time", "avg_processing_days", "digitized", "satisfaction"]


def table_response(*, name: str, title: str, headers: list, rows: list[list], fmt: str) -> HttpResponse:
    return spreadsheet_response(name=name, fmt=fmt, headers=headers, rows=rows, title=title if fmt == "xlsx" else "")


def _blank(value):
    return "" if value is None else value


def indicator_rows(indicators: list[dict], groups: dict) -> tuple[list, list[list]]:
    headers = [
        _("Group"),
        _("Indicator"),
        _("Numerator"),
        _("Denominator"),
        _("Value"),
        _("Target"),
        _("Points"),
        _("Max points"),
    ]
    rows = [
        [
            groups.get(i["group"], i["group"]),
            i["label"],
            i["numerator"],
            i["denominator"],
            _blank(i["value"]),
            _blank(i["target"]),
            _blank(i["points"]),
            _blank(i["max_points"]),
        ]
        for i in indicators
    ]
    return headers, rows


def breakdown_rows(rows: list[dict], first: str) -> tuple[list, list[list]]:
    headers = [_("Code"), first]
    for key in SUMMARY_COLUMNS:
        headers += [f"{key} ({_('numerator')})", f"{key} ({_('denominator')})", f"{key} ({_('value')})"]
    out = []
    for row in rows:
        line = [row["code"], row["name"]]
        for key in SUMMARY_COLUMNS:
            i = row["indicators"][key]
            line += [i["numerator"], i["denominator"], _blank(i["value"])]
        out.append(line)
    return headers, out


def trend_rows(trend: list[dict]) -> tuple[list, list[list]]:
    headers = [
        _("Month"),
        _("Received"),
        _("Received online"),
        _("Online %"),
        _("Finished"),
        _("On time"),
        _("On time %"),
    ]
    return headers, [
        [
            t["month"],
            t["received"],
            t["received_online"],
            _blank(t["online_share"]),
            t["ended"],
            t["ended_on_time"],
            _blank(t["on_time_share"]),
        ]
        for t in trend
    ]

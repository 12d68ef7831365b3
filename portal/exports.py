"""Every CSV and XLSX download goes through here, so no cell can become a live formula.

A spreadsheet runs a cell that starts with = + - @ (or a tab or CR before one) as a formula:
an applicant named `=HYPERLINK("http://x","y")` would become a link, or worse, in an officer's
Excel. As OWASP advises, such text gets a leading apostrophe; numbers stay numbers.
"""

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value as a spreadsheet should see it: text that could start a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(row: Iterable) -> list:
    return [safe_cell(value) for value in row]


def spreadsheet_response(
    *, name: str, fmt: str, rows: Iterable[Sequence], headers: Sequence = (), title: str = "", sheet: str = ""
) -> HttpResponse:
    """A CSV (UTF-8 with BOM, for Excel) or XLSX download: optional title line, bold headers, rows."""
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        response.write("\ufeff")  # so that Excel reads the Vietnamese as UTF-8
        writer = csv.writer(response)
        if headers:
            writer.writerow(safe_row(headers))
        writer.writerows(safe_row(row) for row in rows)
        return response
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)  # streams rows: the yearly register can be long
    worksheet = workbook.create_sheet((sheet or name)[:31])
    if title:
        worksheet.append([safe_cell(title)])
    if headers:
        bold = Font(bold=True)
        cells = []
        for text in headers:
            cell = WriteOnlyCell(worksheet, value=safe_cell(text))
            cell.font = bold
            cells.append(cell)
        worksheet.append(cells)
    for row in rows:
        worksheet.append(safe_row(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response

"""The one export helper: formula-looking text is quoted, numbers stay numbers."""

import csv
import io

from openpyxl import load_workbook

from portal.exports import safe_cell, spreadsheet_response


def test_safe_cell_quotes_every_formula_start_and_keeps_numbers():
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"):
        assert safe_cell(text) == "'" + text
    assert safe_cell("Nguyễn Văn An") == "Nguyễn Văn An"
    assert safe_cell(-5) == -5 and safe_cell(2.5) == 2.5 and safe_cell(None) is None


def test_spreadsheet_response_csv_and_xlsx_formula_injection():
    rows = [["=cmd|' /C calc'!A0", -3]]
    text = spreadsheet_response(name="t", fmt="csv", headers=["@h", "n"], rows=rows).content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text))) == [["'@h", "n"], ["'=cmd|' /C calc'!A0", "-3"]]
    book = spreadsheet_response(name="t", fmt="xlsx", headers=["@h", "n"], rows=rows, title="T").content
    sheet = load_workbook(io.BytesIO(book)).active
    assert [c.value for c in sheet[3]] == ["'=cmd|' /C calc'!A0", -3]
    assert sheet["A3"].data_type == "s" and sheet["B3"].data_type == "n"

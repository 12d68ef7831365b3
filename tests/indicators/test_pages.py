"""Dashboards, drill-down, public page, exports, API: scoping, validation, no personal data."""

import io
import json
import re

import pytest
from openpyxl import load_workbook

from portal.constants import StaffRole
from portal.models import AgencyMembership
from tests.dossiers.factories import CitizenFactory
from tests.second_factor import staff_login

pytestmark = pytest.mark.django_db

PERIOD = {"from": "2026-02-01", "to": "2026-03-31"}


@pytest.fixture
def leader_of(world):
    def make(agency):
        user = CitizenFactory()
        AgencyMembership.objects.create(user=user, agency=agency, role=StaffRole.LEADER)
        return user

    return make


def test_dashboard_shows_the_officers_figures_within_a_query_bound(
    client, world, leader_of, django_assert_max_num_queries
):
    staff_login(client, leader_of(world["a"]))
    client.get("/can-bo/chi-so/", PERIOD)  # the first request fills the working-day table once
    # A constant number of aggregate queries, however many dossiers: none per dossier or row.
    with django_assert_max_num_queries(32):
        response = client.get("/can-bo/chi-so/", PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="ind-received_online"' in html and 'id="chart-trend"' in html
    assert response.context["report"]["indicators"][0]["denominator"] == 7  # A's subtree only


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"from": "2026-13-01"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"from": "2026-03-01", "to": "2026-02-01"}, "to"),
        ({"from": "2020-01-01", "to": "2026-01-02"}, "to"),
        ({"agency": "nope"}, "agency"),
        ({"procedure": "9.999999"}, "procedure"),
        ({"format": "pdf"}, "format"),
    ],
)
def test_bad_filters_are_a_400_naming_the_parameter(client, world, params, name):
    response = client.get("/minh-bach/", params)
    assert response.status_code == 400
    assert f'data-param="{name}"' in response.content.decode()
    api = client.get("/api/v1/indicators/public/", params)
    if name != "format":
        assert api.status_code == 400 and api["Content-Type"] == "application/problem+json"
        assert name in api.json()["errors"]


def test_drilldown_parameters_are_checked(client, world, leader_of):
    staff_login(client, leader_of(world["a"]))
    assert client.get("/can-bo/chi-so/ho-so/", {**PERIOD, "indicator": "nope"}).status_code == 400
    response = client.get("/can-bo/chi-so/ho-so/", {**PERIOD, "indicator": "ended_on_time", "part": "sideways"})
    assert response.status_code == 400 and b'data-param="part"' in response.content


def test_an_officer_sees_neither_another_agencys_figures_nor_its_dossiers(client, world, leader_of):
    staff_login(client, leader_of(world["b"]))
    assert client.get("/can-bo/chi-so/", {**PERIOD, "agency": world["a"].code}).status_code == 403
    assert client.get("/api/v1/indicators/", {**PERIOD, "agency": world["a"].code}).status_code == 403
    response = client.get("/can-bo/chi-so/ho-so/", {**PERIOD, "indicator": "received_online", "part": "denominator"})
    codes = [d.code for d in response.context["page_obj"]]
    assert codes == [world["dossiers"]["db"].code]
    assert world["dossiers"]["d1"].code not in response.content.decode()


def test_citizens_and_anonymous_users_get_no_leaders_dashboard(client, world):
    assert client.get("/can-bo/chi-so/").status_code == 302
    client.force_login(CitizenFactory())
    assert client.get("/can-bo/chi-so/").status_code == 403
    assert client.get("/api/v1/indicators/").status_code == 403


def test_drilldown_lists_the_dossiers_behind_a_number(client, world, leader_of):
    staff_login(client, leader_of(world["a"]))
    response = client.get("/can-bo/chi-so/ho-so/", {**PERIOD, "indicator": "ended_on_time", "part": "numerator"})
    codes = {d.code for d in response.context["page_obj"]}
    assert codes == {world["dossiers"]["d1"].code, world["dossiers"]["d2"].code}


def test_public_page_has_no_personal_data(client, world):
    response = client.get("/minh-bach/", PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    d1 = world["dossiers"]["d1"]
    for private in (d1.code, d1.applicant_name, d1.applicant_id_number, d1.applicant_email, "/can-bo/"):
        assert private not in html
    assert response.context["report"]["indicators"][0]["denominator"] == 8  # the whole province


@pytest.mark.parametrize("table", ["indicators", "agencies", "procedures", "trend"])
def test_every_table_exports_to_csv_and_xlsx(client, world, leader_of, table):
    staff_login(client, leader_of(world["a"]))
    csv_response = client.get("/can-bo/chi-so/", {**PERIOD, "format": "csv", "table": table})
    assert csv_response.status_code == 200 and csv_response["Content-Type"].startswith("text/csv")
    lines = csv_response.content.decode("utf-8-sig").splitlines()
    assert len(lines) >= 2
    xlsx = client.get("/can-bo/chi-so/", {**PERIOD, "format": "xlsx", "table": table})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == len(lines) + 1  # a title row above the same header and rows
    if table == "indicators":
        by_label = {row[1]: row for row in rows[2:]}
        # Every indicator row carries its numerator and denominator as numbers, not blanks.
        assert by_label and all(
            isinstance(r[2], int | float) and isinstance(r[3], int | float) for r in by_label.values()
        )
        assert any(r[2] == 5 and r[3] == 7 for r in rows[2:])  # dossiers received online: 5 of 7


def test_public_export_and_api(client, world):
    response = client.get("/minh-bach/", {**PERIOD, "format": "xlsx", "table": "agencies"})
    assert response.status_code == 200
    api = client.get("/api/v1/indicators/public/", PERIOD).json()
    assert {i["key"]: (i["numerator"], i["denominator"]) for i in api["indicators"]}["received_online"] == (6, 8)
    assert api["period"] == {"start": "2026-02-01", "end": "2026-03-31", "agency": None, "procedure": None}
    assert len(api["trend"]) == 2


def test_api_for_an_officer(client, world, leader_of):
    staff_login(client, leader_of(world["a"]))
    data = client.get("/api/v1/indicators/", PERIOD).json()
    assert {i["key"]: i["denominator"] for i in data["indicators"]}["ended_on_time"] == 4
    rows = client.get("/api/v1/indicators/agencies/", {**PERIOD, "agency": world["a"].code}).json()["rows"]
    assert {r["code"] for r in rows} == {world["a"].code, world["c"].code}
    assert client.get("/api/v1/indicators/procedures/", PERIOD).status_code == 200
    assert len(client.get("/api/v1/indicators/trend/", PERIOD).json()["rows"]) == 2


def test_a_backwards_period_names_the_field_in_vietnamese_and_keeps_the_form(client, world, leader_of):
    staff_login(client, leader_of(world["a"]))
    response = client.get("/can-bo/chi-so/", {"from": "2026-03-01", "to": "2026-02-01", "agency": world["a"].code})

    assert response.status_code == 400
    page = response.content.decode()
    error = page[page.index('id="filter-error"') :].split("</p>", 1)[0]
    assert "<strong>Đến ngày</strong>" in error and "<strong>to</strong>" not in error
    # The form is still there, with what was typed and the wrong field marked.
    assert 'name="from" value="2026-03-01"' in page
    assert 'name="to" value="2026-02-01" required aria-invalid="true" aria-describedby="filter-error"' in page
    assert f'<option value="{world["a"].code}" selected>' in page


@pytest.mark.django_db
def test_month_labels_read_as_people_write_them_not_iso(client, world):
    """The trend table and chart say "Tháng 1/2026", not "2026-01" (the API and exports keep ISO)."""
    response = client.get("/minh-bach/", {"from": "2026-01-01", "to": "2026-02-28"})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<time datetime="2026-01">Tháng 1/2026</time>' in html
    chart = json.loads(re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', html).group(1))
    assert chart["months"] == ["Tháng 1/2026", "Tháng 2/2026"]
    assert ">2026-01<" not in html

"""Schemathesis reads the committed schema (openapi.yaml), generates requests for every
operation, sends them to the test server over HTTP and checks each answer: never a 5xx, and status, headers and body as documented.
Authenticated by token as a citizen (with a dossier) and as an officer (desk and leader)."""

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

ROOT = Path(__file__).resolve().parents[2]

schema = schemathesis.openapi.from_path(ROOT / "openapi.yaml")
# What the issue asks: no 5xx, and every answer as documented (status, media type, headers, body).
# Valid and invalid requests are both generated; "accepted invalid data" is not failed on, since
# lenient reading of e.g. an empty page size is a choice, not a fault.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def tokens(transactional_db):
    from dossiers import services as dossier_services
    from portal.constants import StaffRole
    from portal.models import AgencyMembership, ApiClient
    from tests.dossiers.factories import CitizenFactory, birth_procedure, filled_draft

    version = birth_procedure()
    citizen = CitizenFactory()
    dossier_services.dossier_submit(dossier=filled_draft(citizen, version), actor=citizen)
    officer = CitizenFactory(is_staff=False)
    for role in (StaffRole.RECEPTIONIST, StaffRole.LEADER):
        AgencyMembership.objects.create(user=officer, agency=version.agency, role=role)
    raw = {}
    for role, user in (("citizen", citizen), ("officer", officer)):
        _token, raw[role] = ApiClient.objects.create(name=f"schemathesis {role}", user=user).issue_token()
    return raw


@pytest.mark.parametrize("role", ["citizen", "officer"])
@schema.parametrize()
@hypothesis_settings(
    max_examples=15, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
def test_api_answers_as_its_schema_says(case, role, tokens, live_server):
    # Over HTTP to the test server, as an integrator would call it.
    case.call_and_validate(base_url=live_server.url, headers={"Authorization": f"Bearer {tokens[role]}"}, checks=CHECKS)

import pytest
from rest_framework.test import APIClient

from dossiers import services
from portal.constants import StaffRole
from portal.models import AgencyMembership, ApiClient
from procedures.models import StepTemplate
from tests.dossiers.factories import CitizenFactory, birth_procedure, filled_draft
from tests.procedures.factories import AgencyFactory


def staff(agency, role, name):
    user = CitizenFactory(full_name=name)
    AgencyMembership.objects.create(user=user, agency=agency, role=role)
    return user


@pytest.fixture
def office(db):
    """A commune with its desk officer, specialist and leader; another commune with its own staff; citizens."""
    version = birth_procedure()
    StepTemplate.objects.bulk_create([
        StepTemplate(version=version, position=0, name="Tiếp nhận", role="receptionist", working_days=1),
        StepTemplate(version=version, position=1, name="Thẩm định", role="specialist", working_days=1),
        StepTemplate(version=version, position=2, name="Phê duyệt", role="leader", working_days=1),
    ])
    other = AgencyFactory(code="000.99.00.H99", name="UBND xã Khác")
    return {
        "version": version, "agency": version.agency, "other_agency": other,
        "desk": staff(version.agency, StaffRole.RECEPTIONIST, "Cán bộ Một cửa"),
        "specialist": staff(version.agency, StaffRole.SPECIALIST, "Chuyên viên"),
        "leader": staff(version.agency, StaffRole.LEADER, "Lãnh đạo"),
        "stranger": staff(other, StaffRole.RECEPTIONIST, "Cán bộ xã khác"),
        "citizen": CitizenFactory(full_name="Công Dân"),
        "other_citizen": CitizenFactory(full_name="Người Khác"),
    }


def make_token(user, *, agencies=(), rate="", name="Ứng dụng thử") -> str:
    client = ApiClient.objects.create(name=name, user=user, throttle_rate=rate)
    client.agencies.set(agencies)
    return client.issue_token()[1]


def api_for(user=None, **kwargs) -> APIClient:
    """An API client sending a bearer token of a new ApiClient acting as `user` (anonymous: none)."""
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(user, **kwargs)}")
    return client


@pytest.fixture
def submitted(office):
    """A dossier the citizen submitted online."""
    return services.dossier_submit(dossier=filled_draft(office["citizen"], office["version"]), actor=office["citizen"])


def assert_problem(response, status, field=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert {"type", "title", "status", "detail", "errors"} <= set(body)
    assert body["status"] == status
    if field is not None:
        assert field in body["errors"], body
    return body

"""A user's staff roles live in the base app (portal.memberships): read once per request, and an
API token's agencies narrow them through a public function, not a private attribute."""

import pytest

from portal.constants import StaffRole
from portal.memberships import memberships, memberships_narrow
from portal.models import AgencyMembership
from tests.dossiers.factories import CitizenFactory
from tests.procedures.factories import AgencyFactory

pytestmark = pytest.mark.django_db


def test_roles_are_read_once_and_narrowed_to_the_tokens_agencies(django_assert_num_queries):
    officer = CitizenFactory()
    commune, district = AgencyFactory(), AgencyFactory()
    AgencyMembership.objects.create(user=officer, agency=commune, role=StaffRole.RECEPTIONIST)
    AgencyMembership.objects.create(user=officer, agency=district, role=StaffRole.LEADER)

    with django_assert_num_queries(1):
        held = memberships(officer)
        assert memberships(officer) is held and officer.is_staff_member
    assert held == {(commune.pk, StaffRole.RECEPTIONIST), (district.pk, StaffRole.LEADER)}

    narrowed = memberships_narrow(user=officer, agencies={district.pk})
    assert narrowed == memberships(officer) == {(district.pk, StaffRole.LEADER)}
    # Narrowed to agencies where the user holds no role: no staff role at all for this request.
    assert memberships_narrow(user=officer, agencies={commune.pk + district.pk + 1}) == frozenset()
    assert not memberships(officer)


def test_anonymous_and_citizens_hold_no_role():
    from django.contrib.auth.models import AnonymousUser

    assert memberships(AnonymousUser()) == frozenset()
    assert memberships(CitizenFactory()) == frozenset()

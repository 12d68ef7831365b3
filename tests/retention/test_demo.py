"""`make run` shows the demo leader a destruction list."""

import pytest
from django.urls import reverse

from demo.seed import seed_demo
from portal.models import User
from retention.constants import CaseState
from retention.models import DestructionCase
from tests.second_factor import staff_login

pytestmark = pytest.mark.django_db


def test_the_demo_leader_has_a_destruction_list(client):
    seed_demo()
    seed_demo()  # again: nothing doubled
    cases = list(DestructionCase.objects.select_related("dossier"))
    assert len(cases) == 4
    assert sorted(c.state for c in cases) == [CaseState.LISTED] * 3 + [CaseState.ON_HOLD]
    leader = User.objects.get(email="lanhdao@demo.motcua.vn")
    page = staff_login(client, leader).get(reverse("retention:list"), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200 and all(c.dossier.code in html for c in cases)

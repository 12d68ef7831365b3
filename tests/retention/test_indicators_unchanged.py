"""Destroying dossiers of a past period leaves every indicator of that period as it was:
live figures, the breakdowns, and the DailyCounts snapshot rebuilt by `refresh_indicators`."""

from datetime import date

import pytest
from django.core.management import call_command
from django.forms.models import model_to_dict

from dossiers.erasure import ANONYMISED
from dossiers.models import Dossier
from indicators.definitions import Scope
from indicators.models import DailyCounts
from indicators.selectors import breakdown_by_agency, indicator_report, monthly_trend, subtree_ids
from portal.constants import StaffRole
from retention.constants import CaseState
from retention.models import DestructionCase, DestructionRecord
from retention.services import (
    destruction_approve,
    destruction_execute,
    destruction_hold,
    destruction_postpone,
    retention_list_due,
)
from tests.dossiers.factories import StaffFactory

pytestmark = pytest.mark.django_db
PERIOD = (date(2026, 2, 1), date(2026, 3, 31))
# Ten years (the default) after the period: its closed dossiers are due.
LATER = date(2037, 1, 1)


def _everything(world):
    scope = Scope(*PERIOD, agency_ids=subtree_ids([world["province"].pk]))
    snapshot = sorted(
        tuple(sorted((k, v) for k, v in model_to_dict(row).items() if k != "id")) for row in DailyCounts.objects.all()
    )
    return {
        "report": indicator_report(scope),
        "agencies": breakdown_by_agency(scope, parent_id=world["province"].pk),
        "trend": monthly_trend(scope),
        "snapshot": snapshot,
    }


def test_destruction_approve_postpone_hold_with_indicators_unchanged(world, django_capture_on_commit_callbacks):
    call_command("refresh_indicators", "--since", "2026-01-01")
    before = _everything(world)
    assert before["snapshot"]  # the snapshot holds the period

    listed = retention_list_due(today=LATER)
    d = world["dossiers"]
    cases = {c.dossier_id: c for c in DestructionCase.objects.all()}
    # Closed: D1, D3, D4, DB (returned), D5 (withdrawn), D8 (returned); D2 waits for collection,
    # D6 and D7 are in processing.
    assert listed == 6
    assert set(cases) == {d[k].pk for k in ("d1", "d3", "d4", "d5", "d8", "db")}
    leader_a = StaffFactory(agency=world["a"], role=StaffRole.LEADER)
    leader_b = StaffFactory(agency=world["b"], role=StaffRole.LEADER)

    destruction_postpone(case=cases[d["d4"].pk], actor=leader_a, until=date(2099, 1, 1), reason="Thanh tra")
    destruction_hold(case=cases[d["d3"].pk], actor=leader_a, reason="Khiếu nại đang giải quyết")
    with django_capture_on_commit_callbacks(execute=True):  # the worker runs with today's date: refused, logged
        for key in ("d1", "d5", "d8"):
            destruction_approve(case=cases[d[key].pk], actor=leader_a, today=LATER)
        destruction_approve(case=cases[d["db"].pk], actor=leader_b, today=LATER)
    for key in ("d1", "d5", "d8", "db"):
        destruction_execute(case_id=cases[d[key].pk].pk, today=LATER)

    assert DestructionRecord.objects.count() == 4
    states = dict(DestructionCase.objects.values_list("dossier_id", "state"))
    assert states[d["d3"].pk] == CaseState.ON_HOLD and states[d["d4"].pk] == CaseState.POSTPONED
    destroyed = Dossier.objects.get(pk=d["d1"].pk)
    assert destroyed.applicant_name == ANONYMISED and destroyed.applicant_id_number == ""
    assert Dossier.objects.get(pk=d["d3"].pk).applicant_name != ANONYMISED  # on hold: untouched

    assert _everything(world) == before  # live, right after
    call_command("refresh_indicators", "--since", "2026-01-01")
    assert _everything(world) == before  # and the snapshot rebuilt from the anonymised rows

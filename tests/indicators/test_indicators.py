"""Every indicator against the hand-computed fixture (see conftest.py for the dossiers)."""

from datetime import date

import pytest

from indicators.definitions import Scope
from indicators.selectors import (
    breakdown_by_agency,
    drilldown,
    indicator_report,
    monthly_trend,
    subtree_ids,
)
from indicators.services import snapshot_refresh
from tests.indicators.conftest import at

pytestmark = pytest.mark.django_db

PERIOD = (date(2026, 2, 1), date(2026, 3, 31))


def scope_of(world, key="a", **kwargs):
    return Scope(*PERIOD, agency_ids=subtree_ids([world[key].pk]), **kwargs)


def figures(report):
    return {i["key"]: (i["numerator"], i["denominator"]) for i in report["indicators"]}


# Agency A with its sub-agency C: D1–D7 (D8 is outside the period, DB belongs to agency B).
EXPECTED_A = {
    # D1's reception reached the national portal → 1 of 7 received
    "synced_national": (1, 7),
    # received in the period: D1..D7 = 7; online: D1, D3, D4, D5, D6 = 5 (D2, D7 at the counter)
    "received_online": (5, 7),
    # ended in the period: D1, D2, D3, D4 = 4 (D5 withdrawn: excluded); late: D3 (after its due
    # date across Tết) and D4 (two supplement requests) → on time 4 − 2 = 2
    "ended_on_time": (2, 4),
    # in progress: D6 (due 2099) and D7 (due 16/03/2026, passed) → on time 1 of 2
    "in_progress_on_time": (1, 2),
    # working days: D1 02/02→03/02 = 1; D2 04/02→09/02 = 3 (05, 06, 09); D3 12/02→26/02 =
    # 5 (13, 23, 24, 25, 26: 16–20 are Tết); D4 05/02→06/02 = 1 → 10 over 4 → 2.5
    "avg_processing_days": (10, 4),
    # catalogue of A: P1 full-process, P2 partial → 1 of 2; P2 partial → 1 of 2
    "procedures_online": (1, 2),
    "procedures_partial": (1, 2),
    # P1 (the only full-process one) received online dossiers in the period → 1 of 1
    "online_procedures_used": (1, 1),
    # P2 bears a fee; agency A has no payment settings (all ways accepted) → 1 of 1
    "fee_procedures_online_payment": (1, 1),
    # paid: D1 (gateway) and D2 (counter) → online 1 of 2
    "paid_online": (1, 2),
    # with a result: D1, D2, D3, D4 (finished/returned); signed result stored: D1, D3 → 2 of 4
    "electronic_result": (2, 4),
    # all 7 have files; D2 and D4 have a result but no electronic one → 5 of 7
    "digitized": (5, 7),
    # D1 reused a document from the citizen's store → 1 of 7
    "reused": (1, 7),
    # rated: D1 (all 2), D3 (a 0) → 1 of 2 without "not satisfied"
    "ratings_satisfied": (1, 2),
    # 100% − (late 2/4 + dissatisfied 1/4) = 25% → 4 − 2 − 1 = 1 of 4
    "satisfaction": (1, 4),
}


def test_every_indicator_matches_the_hand_computed_figures(world):
    report = indicator_report(scope_of(world))
    assert figures(report) == EXPECTED_A
    values = {i["key"]: i["value"] for i in report["indicators"]}
    assert values["avg_processing_days"] == 2.5
    assert values["received_online"] == 71.4 and values["satisfaction"] == 25.0


def test_points_scale_linearly_below_the_threshold(world):
    report = indicator_report(scope_of(world))
    points = {i["key"]: i["points"] for i in report["indicators"] if i["max_points"]}
    # online procedures 50% of a full mark at 80% → 6 × 50/80 = 3.75; dossiers online 71.4% ≥ 50%
    # → 6; digitized 71.4% of 80% → 8 × 71.4/80 = 7.14; satisfaction 25% of 90% → 18 × 25/90 = 5
    assert points == {"procedures_online": 3.75, "received_online": 6, "digitized": 7.14, "satisfaction": 5.0}
    groups = {g["key"]: (g["points"], g["max_points"]) for g in report["groups"]}
    assert groups["online"] == (9.75, 12) and groups["transparency"] == (None, None)
    assert report["total_points"] == 3.75 + 6 + 7.14 + 5.0


def test_scope_is_the_agency_subtree(world):
    only_c = indicator_report(scope_of(world, "c"))
    assert figures(only_c)["received_online"] == (1, 1)  # D6 alone
    province = indicator_report(Scope(*PERIOD))
    assert figures(province)["received_online"] == (6, 8)  # + DB at agency B
    assert figures(province)["ended_on_time"] == (3, 5)


def test_procedure_filter(world):
    report = indicator_report(scope_of(world, procedure_id=world["p2"].procedure_id))
    assert figures(report)["received_online"] == (0, 0)
    assert figures(report)["procedures_online"] == (0, 1)


def test_breakdown_by_sub_agency_and_month(world):
    rows = {r["code"]: r["indicators"] for r in breakdown_by_agency(scope_of(world), parent_id=world["a"].pk)}
    assert rows["000.20.00.H99"]["received_online"]["denominator"] == 6  # A itself: D1–D5, D7
    assert rows["000.20.19.H99"]["received_online"]["denominator"] == 1  # C: D6
    trend = {t["month"]: t for t in monthly_trend(scope_of(world))}
    assert (trend["2026-02"]["received"], trend["2026-02"]["ended"], trend["2026-02"]["ended_on_time"]) == (4, 4, 2)
    assert (trend["2026-03"]["received"], trend["2026-03"]["received_online"]) == (3, 2)


def test_drilldown_lists_the_dossiers_counted(world):
    d = world["dossiers"]
    on_time = set(drilldown(scope_of(world), key="ended_on_time", part="numerator").values_list("pk", flat=True))
    assert on_time == {d["d1"].pk, d["d2"].pk}
    ended = set(drilldown(scope_of(world), key="ended_on_time", part="denominator").values_list("pk", flat=True))
    assert d["d5"].pk not in ended and len(ended) == 4


def test_snapshot_gives_the_same_figures_as_live(world):
    live = indicator_report(scope_of(world))
    written = snapshot_refresh(start=date(2026, 1, 1), end=date(2026, 3, 31))
    assert written > 0
    assert indicator_report(scope_of(world)) == live


def test_processing_time_leaves_out_the_wait_for_a_supplement(world):
    # D3 (received Thu 12/02, ended Thu 26/02: 5 working days across Tết) was asked for a
    # supplement on Fri 13/02, answered on Mon 23/02: the legal deadline counted again from 23/02
    # (3 days), the statistics subtract the wait, 13/02 → 23/02 = 1 working day: 5 − 1 = 4.
    from dossiers.models import Dossier, SupplementRequest

    d3 = world["dossiers"]["d3"]
    request = SupplementRequest.objects.create(dossier=d3, round=1, items=[{"what": "Ảnh", "why": "mờ"}])
    SupplementRequest.objects.filter(pk=request.pk).update(
        requested_at=at("2026-02-13", "10:00"), answered_at=at("2026-02-23", "09:00")
    )
    Dossier.objects.filter(pk=d3.pk).update(counting_from=at("2026-02-23", "09:00"))
    # D1 1 + D2 3 + D3 4 + D4 1 = 9 over 4 (the legal count would give 8)
    assert figures(indicator_report(scope_of(world)))["avg_processing_days"] == (9, 4)

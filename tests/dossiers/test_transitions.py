"""The transition registry: one entry per officer transition of the state machine, each with its
form, rule and service; dossier_act locks once, saves only what changed and returns the fresh row."""

import pytest
from django.db import connection
from django.db.models.query import QuerySet
from django.test.utils import CaptureQueriesContext

from dossiers import services
from dossiers.actions import dossier_act
from dossiers.constants import DossierStatus
from dossiers.exceptions import DossierConflict
from dossiers.models import Dossier
from dossiers.transitions import APPLICANT_TRANSITIONS, TRANSITIONS
from portal.constants import StaffRole
from portal.models import AgencyMembership

from .factories import CitizenFactory, birth_procedure, filled_draft, receive_data

S = DossierStatus


def fsm_transitions() -> set[str]:
    return {t.name for t in Dossier._meta.get_field("status").get_all_transitions(Dossier)}


def test_every_state_machine_transition_has_a_registry_entry_and_every_entry_a_transition():
    assert set(TRANSITIONS) == fsm_transitions() - APPLICANT_TRANSITIONS
    assert APPLICANT_TRANSITIONS <= fsm_transitions()


@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_each_entry_names_its_service_and_says_how_every_parameter_is_sent(name):
    entry = TRANSITIONS[name]
    assert entry.name == name and entry.service.__name__ == f"dossier_{name}"
    assert list(entry.form.api) == list(entry.form.base_fields)  # the API lists each field, in order
    assert entry.rule.allowed


@pytest.fixture
def received_at_the_desk(db):
    citizen = CitizenFactory()
    version = birth_procedure()
    desk = CitizenFactory(full_name="Cán bộ Một cửa")
    AgencyMembership.objects.create(user=desk, agency=version.agency, role=StaffRole.RECEPTIONIST)
    dossier = services.dossier_submit(dossier=filled_draft(citizen, version), actor=citizen)
    return dossier, desk


def test_dossier_act_returns_the_dossier_as_it_now_is(received_at_the_desk):
    dossier, desk = received_at_the_desk
    received = dossier_act(
        dossier=Dossier.objects.get(pk=dossier.pk), name="receive", actor=desk, data=receive_data(dossier)
    )
    assert received.status == S.RECEIVED and received.due_at is not None and received.received_at is not None
    stored = Dossier.objects.get(pk=dossier.pk)
    assert (received.due_at, received.step_due_at) == (stored.due_at, stored.step_due_at)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("receive", None),  # every document ticked
        ("request_supplement", {"items": "Ảnh chân dung — ảnh mờ"}),
        ("refuse_reception", {"reasons": "Không thuộc thẩm quyền"}),
    ],
)
def test_the_row_is_locked_once_and_only_changed_fields_are_written(received_at_the_desk, monkeypatch, name, data):
    dossier, desk = received_at_the_desk
    locks = []
    select_for_update = QuerySet.select_for_update

    def counting(queryset, *args, **kwargs):
        if queryset.model is Dossier:
            locks.append(queryset)
        return select_for_update(queryset, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "select_for_update", counting)
    data = receive_data(dossier) if data is None else data
    with CaptureQueriesContext(connection) as captured:
        dossier_act(dossier=Dossier.objects.get(pk=dossier.pk), name=name, actor=desk, data=data)
    assert len(locks) == 1
    updates = [q["sql"] for q in captured.captured_queries if q["sql"].startswith('UPDATE "dossiers_dossier"')]
    assert updates and all('"form_data"' not in sql and '"applicant_name"' not in sql for sql in updates)


def test_a_guard_that_refuses_says_why_in_its_own_words(received_at_the_desk):
    dossier, desk = received_at_the_desk  # submitted, not received: no appointment date to move yet
    with pytest.raises(DossierConflict, match="no appointment date|chưa có ngày hẹn"):
        dossier_act(dossier=dossier, name="extend", actor=desk, data={"new_due_date": "2099-01-05", "reasons": "x"})

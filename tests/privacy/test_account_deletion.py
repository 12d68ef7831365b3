"""Deleting an account: drafts and the personal store go at once with their files; dossiers under
retention stay, and the page says until when."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from dossiers.constants import DossierStatus
from dossiers.models import Attachment, Dossier, StoredDocument
from portal.models import User
from privacy.selectors import retention_until
from tests.dossiers.factories import DossierFactory, filled_draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(office, settings):
    settings.RETENTION_DEFAULT_YEARS = 10
    me = office["citizen"]
    me.set_password("Mat-khau-cu-9x")
    me.save()
    kept = DossierFactory(applicant=me, version=office["version"], state=DossierStatus.RETURNED, people=office)
    draft = filled_draft(me, office["version"])
    return {"me": me, "kept": kept, "draft": draft}


def test_deletion_needs_the_password_and_changes_nothing_without_it(client, person):
    client.force_login(person["me"])
    page = client.get("/ca-nhan/du-lieu/xoa-tai-khoan/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and person["kept"].code in page.content.decode()
    refused = client.post("/ca-nhan/du-lieu/xoa-tai-khoan/", {"password": "sai"}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400 and "This is not your password." in refused.content.decode()
    assert User.objects.get(pk=person["me"].pk).is_active
    assert Dossier.objects.filter(pk=person["draft"].pk).exists()


def test_drafts_and_the_store_go_at_once_and_retained_dossiers_stay(client, person, django_capture_on_commit_callbacks):
    me, kept, draft = person["me"], person["kept"], person["draft"]
    draft_files = [a.file.name for a in draft.attachments.all()]
    stored = list(StoredDocument.objects.filter(owner=me))
    assert stored and draft_files
    storage = Attachment.file.field.storage
    assert all(storage.exists(name) for name in draft_files)

    client.force_login(me)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/ca-nhan/du-lieu/xoa-tai-khoan/", {"password": "Mat-khau-cu-9x"}, HTTP_ACCEPT_LANGUAGE="en"
        )
    assert response.status_code == 200
    html = response.content.decode()
    until = retention_until(Dossier.objects.get(pk=kept.pk))
    ended = timezone.localdate(kept.returned_at)
    assert until == date(ended.year + 10, ended.month, ended.day)
    assert kept.code in html and until.strftime("%d/%m/%Y") in html

    assert not Dossier.objects.filter(pk=draft.pk).exists()
    assert not StoredDocument.objects.filter(owner=me).exists()
    # The draft's own files are gone; the files of the retained dossier stay.
    kept_files = set(Attachment.objects.filter(dossier=kept).values_list("file", flat=True))
    assert all(not storage.exists(name) for name in draft_files if name not in kept_files)
    assert kept_files and all(storage.exists(name) for name in kept_files)
    retained = Dossier.objects.get(pk=kept.pk)
    assert retained.applicant_name == me.full_name and retained.applicant_id_number  # as filed

    me = User.objects.get(pk=me.pk)
    assert not me.is_active and not me.has_usable_password()
    assert me.email.endswith("@deleted.invalid") and me.phone is None and me.personal_id is None and me.address == ""
    # Signed out, and cannot sign in again.
    assert client.get("/ca-nhan/du-lieu/").status_code == 302


def test_an_open_dossier_is_kept_until_it_ends(office):
    open_dossier = DossierFactory(applicant=office["citizen"], version=office["version"])
    assert retention_until(open_dossier) is None


def test_the_retention_uses_the_procedures_years_when_it_has_them(office, settings):
    settings.RETENTION_DEFAULT_YEARS = 10
    dossier = DossierFactory(applicant=office["citizen"], version=office["version"], state="returned", people=office)
    dossier.procedure_version.retention_years = 5  # the field another change adds; read with getattr
    ended = timezone.localdate(dossier.returned_at)
    assert retention_until(dossier) == date(ended.year + 5, ended.month, ended.day)
    del dossier.procedure_version.retention_years
    assert retention_until(dossier).year == ended.year + 10


def test_the_draft_sweep_warns_once_then_deletes(office, settings, django_capture_on_commit_callbacks):
    from dossiers.sweeps import draft_sweep
    from portal.models import Notification

    settings.DRAFT_RETENTION_DAYS, settings.DRAFT_WARNING_DAYS = 90, 7
    me = office["citizen"]
    old = filled_draft(me, office["version"])
    fresh = filled_draft(office["other_citizen"], office["version"])
    now = timezone.now()
    Dossier.objects.filter(pk=old.pk).update(updated_at=now - timedelta(days=84))
    Attachment.objects.filter(dossier=old).update(uploaded_at=now - timedelta(days=84))

    with django_capture_on_commit_callbacks(execute=True):
        assert draft_sweep(now=now).warned == 1
    assert draft_sweep(now=now).warned == 0  # once
    warned = Notification.objects.filter(recipient=me, event="draft_expiring")
    assert warned.exists() and warned.values("key").distinct().count() == 1
    # Not yet deleted: the warning is younger than the warning period.
    assert draft_sweep(now=now + timedelta(days=5)).deleted == 0
    assert Dossier.objects.filter(pk=old.pk).exists()
    result = draft_sweep(now=now + timedelta(days=7))
    assert result.deleted == 1 and not Dossier.objects.filter(pk=old.pk).exists()
    assert Dossier.objects.filter(pk=fresh.pk).exists()
    assert draft_sweep(now=now + timedelta(days=8)).deleted == 0


def test_a_draft_edited_after_its_warning_is_not_deleted(office, settings):
    from dossiers.sweeps import draft_sweep

    settings.DRAFT_RETENTION_DAYS, settings.DRAFT_WARNING_DAYS = 90, 7
    old = filled_draft(office["citizen"], office["version"])
    now = timezone.now()
    Dossier.objects.filter(pk=old.pk).update(updated_at=now - timedelta(days=84))
    Attachment.objects.filter(dossier=old).update(uploaded_at=now - timedelta(days=84))
    draft_sweep(now=now)
    Dossier.objects.filter(pk=old.pk).update(updated_at=now + timedelta(days=1))  # the owner came back
    assert draft_sweep(now=now + timedelta(days=8)).deleted == 0
    assert Dossier.objects.filter(pk=old.pk).exists()

"""The access log: every staff read of a dossier page, attachment, document or the API detail is
one DossierAccess row (who, role, agency, what); the applicant's own reads are not written."""

import pytest

from dossiers.constants import ScanStatus
from dossiers.models import Attachment, DossierAccess
from portal.constants import StaffRole
from tests.second_factor import staff_login

pytestmark = pytest.mark.django_db


def test_a_desk_officer_opening_an_attachment_is_recorded_and_the_citizen_sees_it(client, office, submitted):
    pdf = submitted.attachments.first()
    Attachment.objects.filter(pk=pdf.pk).update(scan_status=ScanStatus.CLEAN)
    staff_login(client, office["desk"])
    assert client.get(f"/ho-so/tep/{pdf.public_id}/").status_code == 200

    (access,) = DossierAccess.objects.all()
    assert access.dossier == submitted and access.attachment_id == pdf.pk
    assert access.staff == office["desk"] and access.role == StaffRole.RECEPTIONIST
    assert access.agency == office["agency"] and access.what == "attachment"

    client.logout()
    client.force_login(office["citizen"])
    page = client.get("/ca-nhan/du-lieu/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Cán bộ Một cửa" in html and "One-stop desk officer" in html and office["agency"].name in html
    assert submitted.code in html and pdf.name in html

    api = client.get("/api/v1/me/access-log/", HTTP_ACCEPT_LANGUAGE="en").json()
    (entry,) = api["results"]
    assert entry["who"] == "Cán bộ Một cửa" and entry["role"] == "One-stop desk officer"
    assert entry["agency"] == office["agency"].name and entry["what"] == "attachment"
    assert entry["dossier"] == submitted.code and entry["when"]


def test_the_citizens_own_reads_are_not_logged(client, office, submitted):
    pdf = submitted.attachments.first()
    Attachment.objects.filter(pk=pdf.pk).update(scan_status=ScanStatus.CLEAN)
    client.force_login(office["citizen"])
    assert client.get(f"/ho-so/{submitted.code}/").status_code == 200
    assert client.get(f"/ho-so/tep/{pdf.public_id}/").status_code == 200
    assert client.get(f"/api/v1/dossiers/{submitted.code}/").status_code == 200
    assert not DossierAccess.objects.exists()


def test_the_desk_page_the_api_and_documents_are_logged_with_the_role_used(client, office, submitted):
    staff_login(client, office["desk"])
    assert client.get(f"/can-bo/ho-so/{submitted.code}/").status_code == 200
    assert client.get(f"/api/v1/dossiers/{submitted.code}/").status_code == 200
    assert list(DossierAccess.objects.order_by("pk").values_list("what", "role")) == [
        ("page", StaffRole.RECEPTIONIST),
        ("api", StaffRole.RECEPTIONIST),
    ]


def test_a_refused_read_is_not_logged(client, office, submitted):
    """Another commune's desk officer gets a 404 and leaves no row (nothing was read)."""
    staff_login(client, office["stranger"])
    assert client.get(f"/can-bo/ho-so/{submitted.code}/").status_code == 404
    assert not DossierAccess.objects.exists()


def test_old_reads_are_purged_after_the_retention_period(office, submitted, settings):
    from datetime import timedelta

    from django.utils import timezone

    from dossiers.access import access_log_purge

    settings.ACCESS_LOG_RETENTION_DAYS = 30
    now = timezone.now()
    old = DossierAccess.objects.create(
        dossier=submitted, staff=office["desk"], what="page", at=now - timedelta(days=31)
    )
    kept = DossierAccess.objects.create(
        dossier=submitted, staff=office["desk"], what="page", at=now - timedelta(days=29)
    )
    assert access_log_purge(now=now) == 1
    assert list(DossierAccess.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not DossierAccess.objects.filter(pk=old.pk).exists()


def test_an_auditor_exports_the_access_log_from_the_admin(admin_client, office, submitted):
    import csv
    import io

    DossierAccess.objects.create(
        dossier=submitted, staff=office["desk"], role="receptionist", agency=office["agency"], what="page"
    )
    other = DossierAccess.objects.create(
        dossier=submitted, staff=office["leader"], role="leader", agency=office["agency"], what="pdf"
    )
    response = admin_client.post(
        "/admin/dossiers/dossieraccess/",
        {"action": "export_csv", "_selected_action": [a.pk for a in DossierAccess.objects.exclude(pk=other.pk)]},
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Thời điểm", "Cán bộ"]
    assert len(rows) == 2 and rows[1][1] == "Cán bộ Một cửa" and rows[1][6] == submitted.code


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_a_read_is_committed_at_once(office, submitted):
    """The production path (no surrounding transaction): its own short transaction, committed
    without waiting for the disk; the row is there for another connection at once."""
    import psycopg
    from django.db import connection

    from dossiers.access import dossier_access_record

    assert not connection.in_atomic_block
    access = dossier_access_record(user=office["desk"], dossier=submitted, what="page")
    settings_dict = connection.settings_dict
    with psycopg.connect(
        host=settings_dict["HOST"],
        port=settings_dict["PORT"] or 5432,
        user=settings_dict["USER"],
        password=settings_dict["PASSWORD"] or None,
        dbname=settings_dict["NAME"],
    ) as other:
        row = other.execute(
            f"SELECT what, role FROM {DossierAccess._meta.db_table} WHERE id = %s",  # noqa: S608
            [access.pk],
        ).fetchone()
    assert row == ("page", StaffRole.RECEPTIONIST)
    # The setting was local to that transaction: the connection is back to synchronous commits.
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"

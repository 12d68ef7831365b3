"""The migration to per-topic notification choices keeps what each person had chosen."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("portal", "0004_security_accounts")]
AFTER = [("portal", "0005_notification_preferences_phone_verification")]


@pytest.mark.django_db(transaction=True)
def test_the_old_switches_become_every_topics_default():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("portal", "User")
    email_only = old.objects.create(email="a@example.vn", full_name="A", notify_email=True)
    sms_and_zalo = old.objects.create(
        phone="0912000333", full_name="B", notify_email=False, notify_sms=True, notify_zalo=True
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("portal", "User")

    assert new.objects.get(pk=email_only.pk).notification_preferences == {"default": ["inbox", "email"]}
    assert new.objects.get(pk=sms_and_zalo.pk).notification_preferences == {"default": ["inbox", "sms", "zalo"]}
    assert not new.objects.get(pk=sms_and_zalo.pk).phone_verified
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # back to the latest for the other tests

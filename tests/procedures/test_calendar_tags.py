"""The deadline badge's filter lives with the calendar it reads (procedures' `calendar_tags`)."""

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_deadline_state_tells_overdue_soon_and_ok_apart():
    template = Template("{% load calendar_tags %}{{ at|deadline_state }}")
    now = timezone.now()

    def state(at):
        return template.render(Context({"at": at}))

    assert state(now - timedelta(hours=1)) == "overdue"
    assert state(now + timedelta(minutes=1)) == "soon"
    assert state(now + timedelta(days=30)) == "ok"
    assert state(None) == ""

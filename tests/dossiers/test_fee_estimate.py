"""The draft form carries what static/js/fees.js needs to estimate the fee, and the server's own
estimate for the saved numbers (shown without JavaScript)."""

import pytest

from procedures.models import FeeRule
from tests.dossiers.factories import CitizenFactory, birth_procedure, filled_draft

pytestmark = pytest.mark.django_db


def test_draft_form_has_the_fee_rules_in_data_attributes_and_the_server_estimate(client):
    version = birth_procedure()
    FeeRule.objects.bulk_create(
        [
            FeeRule(version=version, name="Lệ phí", amount=20000, online_amount=10000),
            FeeRule(version=version, name="Bản sao", unit="copy", amount=3000, online_amount=0),
            FeeRule(
                version=version, name="Chứng thực", unit="page", amount=2000, tier_after=2, tier_amount=1000, cap=9000
            ),
        ]
    )
    citizen = CitizenFactory()
    draft = filled_draft(citizen, version)
    copy, page = version.fees.get(unit="copy"), version.fees.get(unit="page")
    draft.fee_quantities = {str(page.pk): 4}
    draft.save(update_fields=["fee_quantities"])
    client.force_login(citizen)
    html = client.get(f"/ho-so/nhap/{draft.public_id}/").content.decode()
    assert 'data-fee-price="0"' in html  # free online: the online price, even 0
    assert 'data-fee-price="2000" data-fee-tier-after="2" data-fee-tier-price="1000" data-fee-cap="9000"' in html
    assert 'data-fee-fixed="10000"' in html  # the per-dossier fee at its online price
    assert f'for="qty-{copy.pk} qty-{page.pk} "' in html or f'for="qty-{page.pk} qty-{copy.pk} "' in html
    assert '<output id="fee-estimate-total"' in html and 'aria-live="polite">16.000 đ</output>' in html
    assert "js/fees.js" in html


def test_no_estimate_without_per_unit_fees(client):
    version = birth_procedure()
    citizen = CitizenFactory()
    draft = filled_draft(citizen, version)
    client.force_login(citizen)
    html = client.get(f"/ho-so/nhap/{draft.public_id}/").content.decode()
    assert "fee-estimate" not in html and "js/fees.js" not in html

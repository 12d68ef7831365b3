"""Fixtures the signing tests share (test_signing.py, test_signing_ltv.py)."""

import pytest

from portal.signing import ensure_demo_pki


@pytest.fixture(scope="module")
def plain_pdf():
    from weasyprint import HTML

    return HTML(string="<h1>Kết quả</h1><p>Giấy chứng nhận đăng ký hộ kinh doanh.</p>").write_pdf()


@pytest.fixture
def pki(tmp_path, settings):
    """A throw-away demo PKI made the signing identity; time stamps from the in-process demo TSA."""
    identity = ensure_demo_pki(tmp_path / "pki")
    settings.RESULT_SIGNING_CERT = str(identity.cert)
    settings.RESULT_SIGNING_KEY = str(identity.key)
    settings.RESULT_SIGNING_CA = str(identity.ca_cert)
    settings.TSA_URL = ""
    return identity

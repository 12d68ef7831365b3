"""Production secrets (issue #11): required with no default, development placeholders refused at
start-up, and `manage.py check --deploy` failing on a missing, short or placeholder secret. The
settings are loaded in a subprocess with the environment an operator would give."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def random_secret() -> str:
    return os.urandom(36).hex()


def production_env(**overrides):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "BANK_", "VNPAY_", "OIDC_", "NATIONAL_", "RESULT_SIGNING"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings.production",
            "DJANGO_SECRET_KEY": random_secret(),
            "DJANGO_ALLOWED_HOSTS": "portal.example.gov.vn",
            "DATABASE_URL": "postgres://u@127.0.0.1:5432/none",
            "REDIS_URL": "redis://127.0.0.1:6379/1",
            "BANK_WEBHOOK_SECRET": random_secret(),
            "VNPAY_ENABLED": "false",
            "RESULT_SIGNING_KEY_PASSPHRASE": random_secret(),
            "TSA_URL": "https://tsa.example.gov.vn/rfc3161",
        }
    )
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def check_deploy(**overrides):
    return manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(**overrides))


def test_check_deploy_passes_with_real_random_secrets():
    result = check_deploy()
    assert result.returncode == 0, result.stderr
    enabled = check_deploy(
        VNPAY_ENABLED="true",
        VNPAY_URL="https://pay.vnpay.vn/vpcpay.html",
        VNPAY_TMN_CODE="TAN01",
        VNPAY_HASH_SECRET=random_secret(),
        OIDC_RP_CLIENT_ID="motcua",
        OIDC_RP_CLIENT_SECRET=random_secret(),
        NATIONAL_PORTAL_URL="https://dichvucong.gov.vn/api",
        NATIONAL_PORTAL_SECRET=random_secret(),
    )
    assert enabled.returncode == 0, enabled.stderr


@pytest.mark.parametrize(
    "name", ["DJANGO_SECRET_KEY", "BANK_WEBHOOK_SECRET", "RESULT_SIGNING_KEY_PASSPHRASE", "VNPAY_ENABLED"]
)
def test_check_deploy_fails_on_a_missing_secret(name):
    result = check_deploy(**{name: None})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and name in result.stderr


@pytest.mark.parametrize(
    ("name", "placeholder"),
    [
        ("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me"),
        ("BANK_WEBHOOK_SECRET", "bank-webhook-dev-secret"),
        ("BANK_WEBHOOK_SECRET", "Tq7-zP2w"),  # random, but far too short
        ("RESULT_SIGNING_KEY_PASSPHRASE", "x" * 40),  # long, but not random
    ],
)
def test_check_deploy_fails_on_a_placeholder_or_weak_secret(name, placeholder):
    result = check_deploy(**{name: placeholder})
    assert result.returncode != 0 and name in result.stderr
    assert placeholder not in result.stderr  # the message names the variable, never echoes the value


def test_production_refuses_the_vnpay_sandbox_secret_once_vnpay_is_on():
    on = {"VNPAY_ENABLED": "true", "VNPAY_URL": "https://pay.vnpay.vn/vpcpay.html", "VNPAY_TMN_CODE": "TAN01"}
    missing = check_deploy(**on)
    assert missing.returncode != 0 and "VNPAY_HASH_SECRET" in missing.stderr
    sandbox = check_deploy(**on, VNPAY_HASH_SECRET="sandbox-secret-not-for-production")
    assert sandbox.returncode != 0 and "VNPAY_HASH_SECRET" in sandbox.stderr
    no_url = check_deploy(VNPAY_ENABLED="true", VNPAY_HASH_SECRET=random_secret())
    assert no_url.returncode != 0 and "VNPAY_URL" in no_url.stderr


def test_production_requires_the_secrets_of_the_integrations_that_are_on():
    oidc = check_deploy(OIDC_RP_CLIENT_ID="motcua")
    assert oidc.returncode != 0 and "OIDC_RP_CLIENT_SECRET" in oidc.stderr
    national = check_deploy(NATIONAL_PORTAL_URL="https://dichvucong.gov.vn/api")
    assert national.returncode != 0 and "NATIONAL_PORTAL_SECRET" in national.stderr


def test_check_deploy_fails_under_a_settings_module_with_development_values():
    """The deploy check itself (not only production's start-up): dev settings are not deployable."""
    result = manage(
        "check",
        "--deploy",
        env=production_env(
            DJANGO_SETTINGS_MODULE="portal.settings.dev",
            DJANGO_SECRET_KEY=None,
            BANK_WEBHOOK_SECRET=None,
            RESULT_SIGNING_KEY_PASSPHRASE=None,
            VNPAY_ENABLED=None,
        ),
    )
    assert result.returncode != 0
    for name in ("DJANGO_SECRET_KEY", "BANK_WEBHOOK_SECRET", "VNPAY_HASH_SECRET", "RESULT_SIGNING_KEY_PASSPHRASE"):
        assert name in result.stderr


def test_the_deploy_check_names_each_bad_secret(settings):
    from portal.checks import check_production_secrets

    settings.SECRET_KEY = random_secret()
    settings.BANK_WEBHOOK_SECRET = "tooshort"
    settings.VNPAY_ENABLED, settings.VNPAY_HASH_SECRET = True, random_secret()
    settings.OIDC_ENABLED, settings.OIDC_RP_CLIENT_SECRET = True, ""
    settings.RESULT_SIGNING_KEY_PASSPHRASE = random_secret()
    settings.NATIONAL_PORTAL_URL, settings.NATIONAL_PORTAL_SECRET = "", ""
    errors = check_production_secrets()
    assert sorted(error.msg.split(" ")[0] for error in errors) == ["BANK_WEBHOOK_SECRET", "OIDC_RP_CLIENT_SECRET"]
    assert all(error.id.startswith("portal.E1") for error in errors)
    settings.VNPAY_ENABLED, settings.VNPAY_HASH_SECRET = False, ""  # off: not needed
    settings.BANK_WEBHOOK_SECRET, settings.OIDC_RP_CLIENT_SECRET = random_secret(), random_secret()
    assert check_production_secrets() == []


def test_an_encrypted_signing_key_signs_with_its_passphrase_only(tmp_path, settings):
    from weasyprint import HTML

    from portal.signing import SigningNotConfigured, ensure_demo_pki, sign_pdf, verify_pdf

    passphrase = random_secret()
    identity = ensure_demo_pki(tmp_path, passphrase=passphrase)
    assert b"ENCRYPTED" in identity.key.read_bytes()
    settings.RESULT_SIGNING_CERT, settings.RESULT_SIGNING_KEY = str(identity.cert), str(identity.key)
    settings.RESULT_SIGNING_CA = str(identity.ca_cert)
    document = HTML(string="<p>Kết quả</p>").write_pdf()
    settings.RESULT_SIGNING_KEY_PASSPHRASE = passphrase
    assert verify_pdf(sign_pdf(document, reason="Kết quả", location="Thái An")).intact
    for wrong in ("", "wrong" + passphrase):
        settings.RESULT_SIGNING_KEY_PASSPHRASE = wrong
        with pytest.raises(SigningNotConfigured):
            sign_pdf(document, reason="Kết quả", location="Thái An")


def test_production_requires_the_postal_webhook_secret_once_the_carrier_api_is_set():
    url = {"POSTAL_API_URL": "https://donhang.vnpost.vn/api", "POSTAL_API_TOKEN": random_secret()}
    missing = check_deploy(**url)
    assert missing.returncode != 0 and "POSTAL_WEBHOOK_SECRET" in missing.stderr
    sandbox = check_deploy(**url, POSTAL_WEBHOOK_SECRET="postal-sandbox-secret-not-for-production")
    assert sandbox.returncode != 0 and "POSTAL_WEBHOOK_SECRET" in sandbox.stderr
    assert check_deploy(**url, POSTAL_WEBHOOK_SECRET=random_secret()).returncode == 0


def test_production_requires_the_zalo_oa_secret_once_enabled():
    enabled = {
        "ZALO_OA_ENABLED": "true",
        "ZALO_OA_APP_ID": "1234567890123456789",
        "ZALO_OA_ACCESS_TOKEN": random_secret(),
    }
    missing = check_deploy(**enabled)
    assert missing.returncode != 0 and "ZALO_OA_SECRET" in missing.stderr
    sandbox = check_deploy(**enabled, ZALO_OA_SECRET="zalo-oa-sandbox-secret-not-for-production")
    assert sandbox.returncode != 0 and "ZALO_OA_SECRET" in sandbox.stderr
    assert check_deploy(**enabled, ZALO_OA_SECRET=random_secret()).returncode == 0


def test_the_deploy_check_asks_the_zalo_secret_once_the_real_oa_api_is_set(settings):
    from portal.checks import check_production_secrets

    settings.SECRET_KEY, settings.BANK_WEBHOOK_SECRET = random_secret(), random_secret()
    settings.VNPAY_ENABLED = settings.OIDC_ENABLED = False
    settings.RESULT_SIGNING_KEY_PASSPHRASE = random_secret()
    settings.NATIONAL_PORTAL_URL = ""
    settings.ZALO_OA_ENABLED, settings.ZALO_OA_API_URL = True, ""  # the sandbox
    assert check_production_secrets() == []
    settings.ZALO_OA_API_URL = "https://openapi.zalo.me"
    assert [error.msg.split(" ")[0] for error in check_production_secrets()] == ["ZALO_OA_SECRET"]


def test_production_requires_a_time_stamp_authority():
    """Results carry an RFC 3161 time stamp: production does not start without TSA_URL, and the
    demo PKI's endpoints are off there."""
    missing = manage("check", env=production_env(TSA_URL=None))
    assert missing.returncode != 0 and "TSA_URL" in missing.stderr
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEMO_PKI, settings.TSA_URL)"
    configured = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=production_env(), capture_output=True, text=True, timeout=120
    )
    assert configured.returncode == 0, configured.stderr
    assert configured.stdout.split() == ["False", "https://tsa.example.gov.vn/rfc3161"]

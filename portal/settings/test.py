"""The test suite: SQLite by default, PostgreSQL when DATABASE_URL is set (CI does)."""

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "archive": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Serve static files from the app folders without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# A stand-in e-identity provider that tests/portal/test_oidc.py runs on loopback.
OIDC_TEST_PORT = 18765
OIDC_RP_CLIENT_ID = "mot-cua-test"
OIDC_ENABLED = True
OIDC_RP_CLIENT_SECRET = "test-client-secret-that-is-long-enough-for-hs256"
OIDC_RP_SIGN_ALGO = "HS256"
OIDC_OP_AUTHORIZATION_ENDPOINT = f"http://127.0.0.1:{OIDC_TEST_PORT}/authorize"
OIDC_OP_TOKEN_ENDPOINT = f"http://127.0.0.1:{OIDC_TEST_PORT}/token"
OIDC_OP_USER_ENDPOINT = f"http://127.0.0.1:{OIDC_TEST_PORT}/userinfo"
AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "portal.oidc.EIdentityBackend"]  # noqa: F405

# A demo PKI made once per test session (tests/conftest.py) signs results in tests.
PKI_DIR = VAR_DIR / "test-pki"  # noqa: F405
RESULT_SIGNING_CERT = str(PKI_DIR / "agency.pem")
RESULT_SIGNING_KEY = str(PKI_DIR / "agency.key")
RESULT_SIGNING_CA = str(PKI_DIR / "ca.pem")
RESULT_SIGNING_AGENCY_DIR = str(PKI_DIR / "agencies")

# The stand-in e-identity provider above is a form-action target too.
CONTENT_SECURITY_POLICY = csp_policy(VNPAY_URL, OIDC_OP_AUTHORIZATION_ENDPOINT)  # noqa: F405

# Uploads are scanned when CLAMD_SOCKET is set (CI): a loaded machine must not turn a slow
# answer into a "pending" file that a test then cannot download.
CLAMD_TIMEOUT = 30.0

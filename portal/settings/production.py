"""Production: PostgreSQL, Redis, HTTPS. Required: DATABASE_URL, REDIS_URL, DJANGO_ALLOWED_HOSTS,
VNPAY_ENABLED and the secrets of portal/secrets.py, with no default: a missing, short or
development value stops the start with ImproperlyConfigured naming the variable. Passes
`manage.py check --deploy` with no warnings."""

from portal.secrets import require_secret

from .base import *  # noqa: F403
from .base import (
    ARCHIVE_STORAGE_BUCKET,
    NATIONAL_PORTAL_URL,
    OIDC_ENABLED,
    POSTAL_API_URL,
    PRIVATE_STORAGE_BUCKET,
    env,
    postgres_options,
    replica_database,
)

DEBUG = False
SECRET_KEY = require_secret(env, "DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
DATABASES = {"default": postgres_options(env.db("DATABASE_URL"), pool=env.bool("DATABASE_POOL", default=True))}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if replica_database():
    DATABASES["replica"] = replica_database()

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

STORAGES = {
    **STORAGES,  # noqa: F405 - keeps the "private" storage
    "default": {"BACKEND": env("DEFAULT_FILE_STORAGE", default="django.core.files.storage.FileSystemStorage")},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_URL = env.email_url("EMAIL_URL", default="smtp://localhost:25")
EMAIL_HOST = EMAIL_URL["EMAIL_HOST"]
EMAIL_PORT = EMAIL_URL["EMAIL_PORT"]
EMAIL_HOST_USER = EMAIL_URL["EMAIL_HOST_USER"]
EMAIL_HOST_PASSWORD = EMAIL_URL["EMAIL_HOST_PASSWORD"]
EMAIL_USE_TLS = EMAIL_URL.get("EMAIL_USE_TLS", False)
CELERY_TASK_ALWAYS_EAGER = False

PAYMENT_SANDBOX_ENABLED = False
BANK_WEBHOOK_SECRET = require_secret(env, "BANK_WEBHOOK_SECRET")  # the webhook is always exposed
# No silent default: say VNPAY_ENABLED=false while the province has no VNPAY contract (the
# gateway is then off: citizens pay by VietQR or at the desk), true with its URL, code and secret.
VNPAY_ENABLED = env.bool("VNPAY_ENABLED")
if VNPAY_ENABLED:
    VNPAY_URL = env.str("VNPAY_URL")
    VNPAY_TMN_CODE = env.str("VNPAY_TMN_CODE")
    VNPAY_HASH_SECRET = require_secret(env, "VNPAY_HASH_SECRET")
    if not (VNPAY_URL and VNPAY_TMN_CODE):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("VNPAY_ENABLED=true needs VNPAY_URL and VNPAY_TMN_CODE (VNPAY's contract).")
else:
    VNPAY_URL = VNPAY_HASH_SECRET = ""
# The agency's signing key is kept encrypted at rest (openssl pkcs8 -topk8 -v2 aes-256-cbc).
RESULT_SIGNING_KEY_PASSPHRASE = require_secret(env, "RESULT_SIGNING_KEY_PASSPHRASE")
# Real agency certificates only: a missing one stops the signing, never a demo one.
RESULT_SIGNING_DEMO_ISSUE = env.bool("RESULT_SIGNING_DEMO_ISSUE", default=False)
# A real time-stamp authority and the real CA's revocation data; the demo PKI's endpoints are off.
DEMO_PKI = env.bool("DEMO_PKI", default=False)
TSA_URL = env.str("TSA_URL", default="")
if not TSA_URL.strip():
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "TSA_URL is not set: results are signed with an RFC 3161 time stamp (README, Long-term signatures)."
    )
SIGNING_FETCH_REVOCATION = env.bool("SIGNING_FETCH_REVOCATION", default=True)
if OIDC_ENABLED:
    OIDC_RP_CLIENT_SECRET = require_secret(env, "OIDC_RP_CLIENT_SECRET")
if NATIONAL_PORTAL_URL:
    NATIONAL_PORTAL_SECRET = require_secret(env, "NATIONAL_PORTAL_SECRET")
POSTAL_SANDBOX_ENABLED = False
if POSTAL_API_URL:
    POSTAL_API_TOKEN = env.str("POSTAL_API_TOKEN")
    POSTAL_WEBHOOK_SECRET = require_secret(env, "POSTAL_WEBHOOK_SECRET")
ZALO_OA_SANDBOX_ENABLED = False
ZALO_OA_ENABLED = env.bool("ZALO_OA_ENABLED", default=False)
if ZALO_OA_ENABLED:
    ZALO_OA_APP_ID = env.str("ZALO_OA_APP_ID")
    ZALO_OA_SECRET = require_secret(env, "ZALO_OA_SECRET")
    ZALO_OA_ACCESS_TOKEN = env.str("ZALO_OA_ACCESS_TOKEN")
    ZALO_OA_API_URL = env.str("ZALO_OA_API_URL", default="https://openapi.zalo.me")
if PRIVATE_STORAGE_BUCKET:
    PRIVATE_STORAGE_SECRET_ACCESS_KEY = require_secret(env, "PRIVATE_STORAGE_SECRET_ACCESS_KEY")
if ARCHIVE_STORAGE_BUCKET and not PRIVATE_STORAGE_BUCKET:  # else its key defaults to the private bucket's
    ARCHIVE_STORAGE_SECRET_ACCESS_KEY = require_secret(env, "ARCHIVE_STORAGE_SECRET_ACCESS_KEY")
    STORAGES["archive"]["OPTIONS"]["secret_key"] = ARCHIVE_STORAGE_SECRET_ACCESS_KEY  # noqa: F405
# One JSON object per log line, with the request id, for the log collector.
LOGGING["handlers"]["console"]["formatter"] = env("LOG_FORMAT", default="json")  # noqa: F405

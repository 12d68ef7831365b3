"""Settings shared by every environment.

Every integration is switched by an environment variable with a safe default: with no
environment at all the portal runs on a SQLite file under var/ and a filesystem Celery
broker, so `make run` needs no server. DATABASE_URL and REDIS_URL switch to PostgreSQL
and Redis.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)  # the embedded SQLite file, broker folders and media live here

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_prometheus",
    "portal.vendor_apps.PeriodicTasksConfig",  # django_celery_beat, named for the admin
    "portal.vendor_apps.SignInAttemptsConfig",  # axes
    "csp",
    "django_otp",
    "portal.vendor_apps.AuthenticatorAppsConfig",  # django_otp.plugins.otp_totp
    "portal.vendor_apps.RecoveryCodesConfig",  # django_otp.plugins.otp_static
    "portal",
    "procedures",
    "dossiers",
    "appointments",  # desk appointments (procedures' calendar)
    "tickets",  # queue tickets at the desk (above appointments)
    "payments",
    "sync",
    "postal",  # results by post (after dossiers and payments)
    "archive",  # BagIt archive packages of ended dossiers (reads postal and payments)
    "assistant",
    "retention",  # retention periods and destruction of ended dossiers (above what it cleans)
    "indicators",
    "privacy",  # "Dữ liệu của tôi": export, access log, account deletion (reads every app)
    "demo",  # manage.py seed_demo (make run); no models
]

MIDDLEWARE = [
    # First and last: request counts and latencies for /metrics (portal/metrics.py).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "portal.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.middleware.StaffSessionTimeoutMiddleware",
    "portal.second_factor.middleware.SecondFactorMiddleware",
    # A citizen who has not accepted the current privacy notice is asked first (portal/consent.py).
    "portal.consent.ConsentMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a locked-out sign-in into the login page with the reason (portal.lockout).
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "portal.urls"
CSRF_FAILURE_VIEW = "portal.errors.csrf_failure"  # the portal's layout, not Django's bare page
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.features",
                "csp.context_processors.nonce",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# The embedded default is a SQLite file; DATABASE_URL (postgres://...) switches to
# PostgreSQL with psycopg 3 and Django's native connection pool.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}


def postgres_options(database: dict, *, pool: bool) -> dict:
    """PostgreSQL connection options. JIT compilation is off: it costs tens of milliseconds on
    every large aggregate (the indicators) and pays only on long analytical queries."""
    if database["ENGINE"] == "django.db.backends.postgresql":
        # The same backend, counting queries, errors and durations for /metrics.
        database["ENGINE"] = "django_prometheus.db.backends.postgresql"
        options = database.setdefault("OPTIONS", {})
        if not env.bool("DATABASE_JIT", default=False):
            options.setdefault("options", "-c jit=off")
        if pool:
            options["pool"] = True
    return database


postgres_options(DATABASES["default"], pool=env.bool("DATABASE_POOL", default=False))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["ENGINE"] = "django_prometheus.db.backends.sqlite3"  # counted for /metrics too
    # WAL and a busy timeout let the web process and the worker share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
# A streaming replica for the indicators, exports, registers and reports (portal/replica.py); reads
# fall back to the primary when it is down or lags more than DATABASE_REPLICA_MAX_LAG_SECONDS.
DATABASE_REPLICA_MAX_LAG_SECONDS = env.float("DATABASE_REPLICA_MAX_LAG_SECONDS", default=30.0)


def replica_database() -> dict | None:
    if not env("DATABASE_REPLICA_URL", default=""):
        return None
    replica = postgres_options(env.db("DATABASE_REPLICA_URL"), pool=False)
    replica.setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)  # down: fall back quickly
    replica["TEST"] = {"MIRROR": "default"}  # tests make no database for it: it replays the primary's
    return replica


if replica_database():
    DATABASES["replica"] = replica_database()
    DATABASE_ROUTERS = ["portal.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and sessions ---------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {"default": {"BACKEND": "django_prometheus.cache.backends.locmem.LocMemCache"}}

# --- Accounts -------------------------------------------------------------------------
AUTH_USER_MODEL = "portal.User"
# Axes first: a locked-out address or account is refused before any password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "portal.backends.EmailOrPhoneBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
# At least PASSWORD_MIN_LENGTH characters, not like the name or login, not only digits, and not in
# the bundled list (Django's 20,000 plus Vietnamese favourites such as matkhau2026, anhyeuem123:
# `manage.py build_password_list` rebuilds it).
PASSWORD_MIN_LENGTH = env.int("PASSWORD_MIN_LENGTH", default=10)
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("full_name", "email", "phone", "personal_id")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {
        "NAME": "django.contrib.auth.password_validation.CommonPasswordValidator",
        "OPTIONS": {"password_list_path": BASE_DIR / "portal" / "common-passwords.txt.gz"},
    },
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sessions: citizens keep Django's two weeks; staff (admin access or an agency role) are signed
# out after STAFF_SESSION_IDLE_MINUTES without a request and STAFF_SESSION_MAX_HOURS after signing in.
STAFF_SESSION_IDLE_MINUTES = env.int("STAFF_SESSION_IDLE_MINUTES", default=30)
STAFF_SESSION_MAX_HOURS = env.int("STAFF_SESSION_MAX_HOURS", default=12)
# API tokens expire this many days after they are made (and with a password change).
API_TOKEN_DAYS = env.int("API_TOKEN_DAYS", default=90)
# Sign-in lockout (django-axes, portal/lockout.py): AXES_FAILURE_LIMIT failures from one address,
# or against one account, pause signing in there for AXES_COOLOFF_MINUTES; a success resets.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "portal.client.client_address"
AXES_USERNAME_CALLABLE = "portal.lockout.login_key"
AXES_LOCKOUT_CALLABLE = "portal.lockout.lockout_response"
# Sign-in with the national e-identity (OpenID Connect), on when a client id is configured.
OIDC_RP_CLIENT_ID = env("OIDC_RP_CLIENT_ID", default="")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
OIDC_RP_CLIENT_SECRET = env("OIDC_RP_CLIENT_SECRET", default="")
OIDC_RP_SIGN_ALGO = env("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env("OIDC_RP_SCOPES", default="openid profile email")
OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env("OIDC_OP_JWKS_ENDPOINT", default="") or None
OIDC_PROVIDER_NAME = env("OIDC_PROVIDER_NAME", default="VNeID")
OIDC_CLAIM_PERSONAL_ID = env("OIDC_CLAIM_PERSONAL_ID", default="personal_id")
OIDC_CLAIM_FULL_NAME = env("OIDC_CLAIM_FULL_NAME", default="name")
OIDC_TIMEOUT = 10
LOGIN_REDIRECT_URL_FAILURE = "/tai-khoan/dang-nhap/?eid=failed"
OIDC_CALLBACK_CLASS = "portal.oidc.EIdentityCallbackView"
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "portal.oidc.EIdentityBackend"]

# A second factor for staff (portal/second_factor/): TOTP in an authenticator app, recovery codes.
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="Một Cửa")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows a device's secret key

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Cổng dịch vụ công <no-reply@localhost>")

# --- Language and time ----------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
# The project's catalogue first; then Vietnamese for strings of Django and the packages that their own
# catalogues lack (vendor_locale/: makemessages never rewrites it, it holds no string of ours).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "vendor_locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env("STATIC_ROOT", default=str(VAR_DIR / "staticfiles"))
MEDIA_ROOT = env("MEDIA_ROOT", default=str(VAR_DIR / "media"))
MEDIA_URL = "/media/"
PRIVATE_MEDIA_ROOT = env("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Dossier attachments and results: no base URL, served only through checked views.
    "private": {
        "BACKEND": env("PRIVATE_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"),
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None}
        if not env("PRIVATE_STORAGE_BACKEND", default="")
        else {},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Private files on S3-compatible object storage (MinIO, Ceph, a cloud's S3) when a bucket is named:
# every web and worker host then sees the same files. Objects are private (no ACL, no public URL);
# downloads are checked by the portal first, then streamed, or, with PRIVATE_STORAGE_REDIRECT, sent
# as a presigned URL valid PRIVATE_STORAGE_URL_SECONDS.
PRIVATE_STORAGE_BUCKET = env("PRIVATE_STORAGE_BUCKET", default="")
PRIVATE_STORAGE_SECRET_ACCESS_KEY = env("PRIVATE_STORAGE_SECRET_ACCESS_KEY", default="")
PRIVATE_STORAGE_REDIRECT = env.bool("PRIVATE_STORAGE_REDIRECT", default=False)
PRIVATE_STORAGE_URL_SECONDS = env.int("PRIVATE_STORAGE_URL_SECONDS", default=300)
if PRIVATE_STORAGE_BUCKET:
    STORAGES["private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": PRIVATE_STORAGE_BUCKET,
            "endpoint_url": env("PRIVATE_STORAGE_ENDPOINT_URL", default="") or None,
            "region_name": env("PRIVATE_STORAGE_REGION", default="") or None,
            "access_key": env("PRIVATE_STORAGE_ACCESS_KEY_ID", default=""),
            "secret_key": PRIVATE_STORAGE_SECRET_ACCESS_KEY,
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": PRIVATE_STORAGE_URL_SECONDS,
            "file_overwrite": False,  # a name taken gets a suffix: nothing a citizen sent is replaced
            "signature_version": env("PRIVATE_STORAGE_SIGNATURE_VERSION", default="s3v4"),
            "addressing_style": env("PRIVATE_STORAGE_ADDRESSING_STYLE", default="path"),
            "object_parameters": {"ServerSideEncryption": "AES256"}
            if env.bool("PRIVATE_STORAGE_ENCRYPT", default=False)
            else {},
        },
    }
# Archive packages (archive/): one BagIt zip per ended dossier, in their own storage. Local disk
# (ARCHIVE_MEDIA_ROOT) by default; the bucket ARCHIVE_STORAGE_BUCKET when set; else, with the
# private files on object storage, the private bucket under the "archive/" prefix.
ARCHIVE_MEDIA_ROOT = env("ARCHIVE_MEDIA_ROOT", default=str(VAR_DIR / "archive"))
ARCHIVE_STORAGE_BUCKET = env("ARCHIVE_STORAGE_BUCKET", default="")
ARCHIVE_STORAGE_SECRET_ACCESS_KEY = env("ARCHIVE_STORAGE_SECRET_ACCESS_KEY", default=PRIVATE_STORAGE_SECRET_ACCESS_KEY)
# How long a package is kept when its procedure version says nothing (years after the end).
ARCHIVE_SOURCE_ORGANIZATION = env("ARCHIVE_SOURCE_ORGANIZATION", default="Ủy ban nhân dân tỉnh Thái An")
STORAGES["archive"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": ARCHIVE_MEDIA_ROOT, "base_url": None},
}
if ARCHIVE_STORAGE_BUCKET:  # a bucket of its own (its endpoint and keys default to the private storage's)
    STORAGES["archive"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": ARCHIVE_STORAGE_BUCKET,
            "endpoint_url": env("ARCHIVE_STORAGE_ENDPOINT_URL", default=env("PRIVATE_STORAGE_ENDPOINT_URL", default=""))
            or None,
            "region_name": env("ARCHIVE_STORAGE_REGION", default=env("PRIVATE_STORAGE_REGION", default="")) or None,
            "access_key": env(
                "ARCHIVE_STORAGE_ACCESS_KEY_ID", default=env("PRIVATE_STORAGE_ACCESS_KEY_ID", default="")
            ),
            "secret_key": ARCHIVE_STORAGE_SECRET_ACCESS_KEY,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": True,  # a package's key is fixed: a rebuild after a crash replaces its own bytes
            "signature_version": env("PRIVATE_STORAGE_SIGNATURE_VERSION", default="s3v4"),
            "addressing_style": env("PRIVATE_STORAGE_ADDRESSING_STYLE", default="path"),
        },
    }
elif PRIVATE_STORAGE_BUCKET:  # the private bucket, under the archive/ prefix
    STORAGES["archive"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {**STORAGES["private"]["OPTIONS"], "location": "archive", "file_overwrite": True},
    }
# Attachment limits (bytes): per file and per dossier.
ATTACHMENT_MAX_FILE_SIZE = env.int("ATTACHMENT_MAX_FILE_SIZE", default=10 * 1024 * 1024)
ATTACHMENT_MAX_DOSSIER_SIZE = env.int("ATTACHMENT_MAX_DOSSIER_SIZE", default=50 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Word/Excel files are zip archives: refuse ones that inflate past this or hold too many parts
# (a "zip bomb" fills the disk of whoever opens it).
ATTACHMENT_ARCHIVE_MAX_UNCOMPRESSED = env.int("ATTACHMENT_ARCHIVE_MAX_UNCOMPRESSED", default=100 * 1024 * 1024)
ATTACHMENT_ARCHIVE_MAX_MEMBERS = env.int("ATTACHMENT_ARCHIVE_MAX_MEMBERS", default=1000)
# Virus scanning with ClamAV's clamd (portal/scanner.py): a Unix socket or host and port. Neither
# set (the embedded default): files are stored and shown as "not scanned". At upload clamd gets
# CLAMD_TIMEOUT seconds; when it is slower or down the file waits, unopenable by staff, for the
# worker (CLAMD_WORKER_TIMEOUT) and the beat sweep (CLAMD_SWEEP_SECONDS).
CLAMD_SOCKET = env("CLAMD_SOCKET", default="")
CLAMD_HOST = env("CLAMD_HOST", default="")
CLAMD_PORT = env.int("CLAMD_PORT", default=3310)
CLAMD_TIMEOUT = env.float("CLAMD_TIMEOUT", default=3.0)
CLAMD_WORKER_TIMEOUT = env.float("CLAMD_WORKER_TIMEOUT", default=60.0)
# Supplement requests are allowed at reception or within this many working days of it.
SUPPLEMENT_WINDOW_WORKING_DAYS = env.int("SUPPLEMENT_WINDOW_WORKING_DAYS", default=3)
# The applicant is asked to answer a supplement request within this many working days (shown on
# the supplement page and Form 02).
SUPPLEMENT_ANSWER_WORKING_DAYS = env.int("SUPPLEMENT_ANSWER_WORKING_DAYS", default=10)
# An apology with a new appointment date (Form 04) must be sent this many working days before
# the due date, and only once per dossier.
EXTENSION_NOTICE_WORKING_DAYS = env.int("EXTENSION_NOTICE_WORKING_DAYS", default=1)
# Results are signed (PAdES) with the agency's certificate and key; `make run` uses a demo CA
# that `seed_demo` creates under var/pki. Production: point these at the real files.
PKI_DIR = VAR_DIR / "pki"
RESULT_SIGNING_CERT = env("RESULT_SIGNING_CERT", default=str(PKI_DIR / "agency.pem"))
RESULT_SIGNING_KEY = env("RESULT_SIGNING_KEY", default=str(PKI_DIR / "agency.key"))
RESULT_SIGNING_CA = env("RESULT_SIGNING_CA", default=str(PKI_DIR / "ca.pem"))
# Each agency signs what it decides with its own certificate: <agency code>.pem and .key in this
# directory (keys under RESULT_SIGNING_KEY_PASSPHRASE). RESULT_SIGNING_DEMO_ISSUE lets the demo CA
# issue a missing one (CN = the agency's name); production turns it off.
RESULT_SIGNING_AGENCY_DIR = env("RESULT_SIGNING_AGENCY_DIR", default=str(PKI_DIR / "agencies"))
RESULT_SIGNING_DEMO_ISSUE = env.bool("RESULT_SIGNING_DEMO_ISSUE", default=True)
# The key file may be encrypted (PKCS#8); production requires it to be, with this passphrase.
RESULT_SIGNING_KEY_PASSPHRASE = env("RESULT_SIGNING_KEY_PASSPHRASE", default="")
# Long-term signatures (PAdES B-LT): each signature carries an RFC 3161 time stamp from TSA_URL.
# Empty: the demo TSA answers in-process (DEMO_PKI only). DEMO_PKI also publishes the demo CA's
# CRL at /pki/ca.crl and a TSA at /pki/tsa/, and embeds that CRL in signatures. TSA_CA_CERT: the
# CA of an external TSA when it is not RESULT_SIGNING_CA. SIGNING_FETCH_REVOCATION: fetch CRL/OCSP
# of a real CA from the URLs in its certificates when signing (the demo CRL is read from disk).
DEMO_PKI = env.bool("DEMO_PKI", default=True)
TSA_URL = env("TSA_URL", default="")
TSA_TIMEOUT = env.float("TSA_TIMEOUT", default=10.0)
TSA_CA_CERT = env("TSA_CA_CERT", default="")
SIGNING_FETCH_REVOCATION = env.bool("SIGNING_FETCH_REVOCATION", default=False)
# Ratings can be edited for this many days after they are given.
RATING_EDITABLE_DAYS = env.int("RATING_EDITABLE_DAYS", default=7)

# Absolute address of the portal, for links in emails, PDFs and QR codes.
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000")

# --- Working-day calendar (procedures/calendar.py) -------------------------------------
# Times of day in local time ("HH:MM"). Regulations change: keep them settings.
OFFICE_OPENS_AT = env("OFFICE_OPENS_AT", default="07:30")
OFFICE_CLOSES_AT = env("OFFICE_CLOSES_AT", default="17:00")
RECEPTION_CUTOFF_AT = env("RECEPTION_CUTOFF_AT", default="15:00")
# Desk appointments (appointments/): changes allowed until this many hours before; after
# APPOINTMENT_NO_SHOW_LIMIT no-shows within 90 days booking pauses for APPOINTMENT_BLOCK_DAYS.
APPOINTMENT_CHANGE_HOURS = env.int("APPOINTMENT_CHANGE_HOURS", default=2)
APPOINTMENT_NO_SHOW_LIMIT = env.int("APPOINTMENT_NO_SHOW_LIMIT", default=3)
APPOINTMENT_BLOCK_DAYS = env.int("APPOINTMENT_BLOCK_DAYS", default=30)
APPOINTMENT_DAYS_AHEAD = env.int("APPOINTMENT_DAYS_AHEAD", default=60)  # how far ahead one may book
# Queue tickets (tickets/): an appointment checks in at the kiosk from this many minutes before its
# start until this many after; the kiosk issues at most TICKET_KIOSK_PER_MINUTE tickets a minute
# per client address; the hall display asks for news every TICKET_DISPLAY_POLL_SECONDS and shows
# the last TICKET_DISPLAY_ROWS calls.
TICKET_CHECK_IN_BEFORE_MINUTES = env.int("TICKET_CHECK_IN_BEFORE_MINUTES", default=30)
TICKET_CHECK_IN_AFTER_MINUTES = env.int("TICKET_CHECK_IN_AFTER_MINUTES", default=15)
TICKET_KIOSK_PER_MINUTE = env.int("TICKET_KIOSK_PER_MINUTE", default=30)
TICKET_DISPLAY_POLL_SECONDS = env.int("TICKET_DISPLAY_POLL_SECONDS", default=2)
TICKET_DISPLAY_ROWS = env.int("TICKET_DISPLAY_ROWS", default=8)

# --- Client address (portal/client.py) ------------------------------------------------
# How many reverse proxies we run in front of the portal (nginx, a load balancer): each appends
# to X-Forwarded-For. 0: the header is ignored, REMOTE_ADDR is the client. Too high a number lets
# clients choose their own address for every limit (lookups, API, sign-in lockout).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# --- REST API -------------------------------------------------------------------------
# Integrators use per-client tokens (portal.api.authentication); the browser its session (with
# CSRF). Throttle rates: an API client's own rate overrides API_THROTTLE_CLIENT.
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "portal.api.errors.problem_exception_handler",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.api.authentication.ApiTokenAuthentication",
        "portal.api.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.PagePagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": ["portal.api.throttling.ClientRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "client": env("API_THROTTLE_CLIENT", default="1000/hour"),
        "user": env("API_THROTTLE_USER", default="1000/hour"),
        "anon": env("API_THROTTLE_ANON", default="200/hour"),
        "assistant": env("API_THROTTLE_ASSISTANT", default="30/minute"),  # POST /api/v1/assistant/
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # DRF's own address logic is not used (portal.api.throttling asks portal.client); kept in step.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
# The catalogue assistant (assistant/answerer.py): a dotted path to another answerer class, and the
# hotline it offers when it declines.
ASSISTANT_ANSWERER = env("ASSISTANT_ANSWERER", default="assistant.answerer.LexicalAnswerer")
ASSISTANT_HOTLINE = env("ASSISTANT_HOTLINE", default="0203 3820 100")
SPECTACULAR_SETTINGS = {
    "TITLE": "Một Cửa API",
    "DESCRIPTION": (
        "Public-services portal API v1: the procedure catalogue, dossiers for applicants (draft, attach, "
        "submit, follow, supplement, withdraw, rate), officers' queues and transitions, public lookup, "
        "payments and the notification inbox.\n\n"
        "**Authentication**: `Authorization: Bearer <token>` with a token of an API client (anyone "
        "signed in makes their own at `/tai-khoan/api/`; integrators' clients, which may be limited to some "
        "agencies, are made in the admin), or the browser's session. **Errors** are `application/problem+json` "
        "(`type`, `title`, `status`, `detail`, `errors` per field). **Retries**: send an `Idempotency-Key` "
        "header with POSTs."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and ReDoc from drf-spectacular-sidecar's static files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": True, "displayOperationId": False, "tryItOutEnabled": True},
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.api.schema.drop_database_integer_limits",
    ],
    "SECURITY": [{"bearerAuth": []}, {"cookieAuth": []}],
    "TAGS": [
        {"name": "Catalogue", "description": "Procedures, agencies and the working-day calendar."},
        {"name": "Dossiers", "description": "The applicant's dossiers."},
        {"name": "Officer", "description": "Queues and transitions for agency staff."},
        {"name": "Payments", "description": "Paying a dossier's fees."},
        {"name": "Appointments", "description": "Booking a time at an agency's one-stop desk."},
        {"name": "Queue tickets", "description": "Numbered tickets at the desk: a kiosk machine, the hall display."},
        {"name": "Notifications", "description": "The in-app inbox."},
    ],
    "ENUM_NAME_OVERRIDES": {
        "DossierStatusEnum": "dossiers.constants.DossierStatus",
        "PaymentMethodEnum": "payments.constants.PaymentMethod",
        "PaymentStatusEnum": "payments.constants.PaymentStatus",
        "DeliveryEnum": "dossiers.constants.Delivery",
        "RatingScoreEnum": "dossiers.models.Rating.SCALE",
        "KindEnum": "dossiers.constants.EventKind",  # the audit trail's; keeps its name beside TicketKindEnum
        "TicketKindEnum": "tickets.models.TicketKind",
        "TicketStateEnum": "tickets.models.TicketState",
    },
}


# --- Content-Security-Policy (django-csp) ----------------------------------------------
# Scripts and styles only from our own static files (or with this response's nonce); no inline
# handlers or style attributes anywhere (tests/portal/test_csp.py scans every page). Forms may
# post or be redirected only to us, the payment gateway and the e-identity provider.
def csp_policy(*external_urls: str) -> dict:
    from urllib.parse import urlsplit

    from csp.constants import NONCE, NONE, SELF

    origins = sorted({f"{u.scheme}://{u.netloc}" for u in map(urlsplit, external_urls) if u.scheme and u.netloc})
    return {
        "DIRECTIVES": {
            "default-src": [SELF],
            "script-src": [SELF, NONCE],
            "style-src": [SELF, NONCE],
            "img-src": [SELF, "data:"],
            "font-src": [SELF],
            "connect-src": [SELF],
            "object-src": [NONE],
            "base-uri": [SELF],
            "frame-ancestors": [NONE],
            "form-action": [SELF, *origins],
        }
    }


# --- Celery ---------------------------------------------------------------------------
# Without REDIS_URL, kombu's filesystem transport carries tasks to a real worker process
# through folders under var/, so `make run` runs the worker without any server.
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
_broker_dir = VAR_DIR / "broker"
if not REDIS_URL:
    for _folder in ("out", "processed"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
CELERY_BROKER_TRANSPORT_OPTIONS = (
    # max_retries 0: a publish while Redis is down fails at once (the outbox keeps the work)
    # instead of holding the citizen's request for seconds.
    {"visibility_timeout": 4 * 3600, "max_retries": 0}
    if REDIS_URL
    else {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        "polling_interval": 0.1,  # the default 1 s would let a queue of a few dozen tasks take a minute
    }
)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TRACK_STARTED = True
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True  # redelivered after a broker loss
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_DEFAULT_QUEUE = "default"
# Slow PDF work must not starve notifications: each kind has its own queue.
CELERY_TASK_ROUTES = {
    "portal.tasks.send_notification": {"queue": "notifications"},
    "assistant.tasks.send_zalo_reply": {"queue": "notifications"},
    "dossiers.tasks.render_dossier_form": {"queue": "documents"},
    "dossiers.tasks.scan_file": {"queue": "documents"},
    "archive.tasks.build_package": {"queue": "documents"},
}
CELERY_WORKER_TASK_LOG_FORMAT = "%(asctime)s %(levelname)s %(task_name)s[%(task_id)s] %(message)s"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Installed into django-celery-beat's tables on start: editable in the admin afterwards.
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {"task": "portal.tasks.outbox_sweep", "schedule": 60.0},
    "deadline-sweep": {"task": "dossiers.tasks.deadline_sweep", "schedule": env.float("DEADLINE_SWEEP_SECONDS", 900.0)},
    "sync-retry-due": {"task": "sync.tasks.retry_due_deliveries", "schedule": 300.0},
    "payments-reconcile": {"task": "payments.tasks.reconcile_payments", "schedule": 600.0},
    "indicators-snapshot": {"task": "indicators.tasks.refresh_snapshot", "schedule": 86400.0},
    "retention-list-due": {"task": "retention.tasks.list_due_dossiers", "schedule": 86400.0},
    "appointments-remind": {"task": "appointments.tasks.send_appointment_reminders", "schedule": 3600.0},
    "api-idempotency-purge": {"task": "portal.tasks.idempotency_purge", "schedule": 3600.0},
    "access-log-purge": {"task": "dossiers.tasks.access_log_purge", "schedule": 86400.0},
    "draft-sweep": {"task": "dossiers.tasks.draft_sweep", "schedule": 86400.0},
    "attachments-scan-pending": {
        "task": "dossiers.tasks.scan_pending_files",
        "schedule": env.float("CLAMD_SWEEP_SECONDS", 300.0),
    },
}

# --- Personal data (privacy/; Decree 13/2023/NĐ-CP, the Personal Data Protection Law 2025) -----
# Staff reads of dossiers are kept this long; drafts untouched DRAFT_RETENTION_DAYS are deleted,
# with a warning DRAFT_WARNING_DAYS before; a dossier without its version's retention_years is kept
# RETENTION_DEFAULT_YEARS after it ended.
ACCESS_LOG_RETENTION_DAYS = env.int("ACCESS_LOG_RETENTION_DAYS", default=730)
DRAFT_RETENTION_DAYS = env.int("DRAFT_RETENTION_DAYS", default=90)
DRAFT_WARNING_DAYS = env.int("DRAFT_WARNING_DAYS", default=7)

# --- Records: retention and destruction (retention/) -------------------------------------------
# Years a dossier is kept after it ends when its procedure version names none (the province's
# default); a version may also say "kept permanently".
RETENTION_DEFAULT_YEARS = env.int("RETENTION_DEFAULT_YEARS", default=10)

# --- Results by post (postal/) ----------------------------------------------------------------
# The fee added to a dossier whose result goes by post; the carrier's order API (empty URL: the
# built-in sandbox under /buu-chinh/thu-nghiem/) and the key of its signed status webhook.
POSTAL_FEE_VND = env.int("POSTAL_FEE_VND", default=30000)
POSTAL_API_URL = env("POSTAL_API_URL", default="")
POSTAL_API_TOKEN = env("POSTAL_API_TOKEN", default="postal-sandbox-token")
POSTAL_WEBHOOK_SECRET = env("POSTAL_WEBHOOK_SECRET", default="postal-sandbox-secret-not-for-production")
POSTAL_SANDBOX_ENABLED = env.bool("POSTAL_SANDBOX_ENABLED", default=True)
POSTAL_API_TIMEOUT = env.float("POSTAL_API_TIMEOUT", default=10.0)

# --- Payments (payments/) ---------------------------------------------------------------------
# The built-in sandbox gateway speaks the VNPAY protocol from a page of the portal itself, so
# `make run` and the browser tests go through the whole flow; it is off in production.
PAYMENT_SANDBOX_ENABLED = env.bool("PAYMENT_SANDBOX_ENABLED", default=True)
VNPAY_URL = env("VNPAY_URL", default="")  # empty: the sandbox page
VNPAY_TMN_CODE = env("VNPAY_TMN_CODE", default="MOTCUA01")
# On here through the sandbox page; production must say true (contracted) or false.
VNPAY_ENABLED = env.bool("VNPAY_ENABLED", default=True)
VNPAY_HASH_SECRET = env("VNPAY_HASH_SECRET", default="sandbox-secret-not-for-production")
PAYMENT_DEADLINE_HOURS = env.int("PAYMENT_DEADLINE_HOURS", default=72)
PAYMENT_GATEWAY_EXPIRE_MINUTES = env.int("PAYMENT_GATEWAY_EXPIRE_MINUTES", default=15)
# Reconciliation asks the gateway (querydr) about payments still pending this long after the
# citizen was sent to pay; empty VNPAY_QUERY_URL: the sandbox gateway's query endpoint.
PAYMENT_QUERY_AFTER_MINUTES = env.int("PAYMENT_QUERY_AFTER_MINUTES", default=15)
PAYMENT_QUERY_BATCH = env.int("PAYMENT_QUERY_BATCH", default=200)
VNPAY_QUERY_URL = env("VNPAY_QUERY_URL", default="")
VNPAY_QUERY_TIMEOUT = env.float("VNPAY_QUERY_TIMEOUT", default=10.0)
VNPAY_SERVER_IP = env("VNPAY_SERVER_IP", default="127.0.0.1")
VIETQR_BANK_BIN = env("VIETQR_BANK_BIN", default="970436")
VIETQR_ACCOUNT = env("VIETQR_ACCOUNT", default="0011001234567")
VIETQR_ACCOUNT_NAME = env("VIETQR_ACCOUNT_NAME", default="KHO BAC NHA NUOC TINH THAI AN")
BANK_WEBHOOK_SECRET = env("BANK_WEBHOOK_SECRET", default="bank-webhook-dev-secret")

# --- National public-service portal sync and webhooks (sync/) ---------------------------------
# The only place these defaults are written: sync/ reads the settings as they are.
NATIONAL_PORTAL_URL = env("NATIONAL_PORTAL_URL", default="")
NATIONAL_PORTAL_SECRET = env("NATIONAL_PORTAL_SECRET", default="")
NATIONAL_PORTAL_SEND_ID = env.bool("NATIONAL_PORTAL_SEND_ID", default=False)
SYNC_TIMEOUT_SECONDS = env.float("SYNC_TIMEOUT_SECONDS", default=10.0)
SYNC_RETRY_HOURS = env.float("SYNC_RETRY_HOURS", default=48.0)

# --- Notification channels --------------------------------------------------------------------
# SMS and Zalo OA: "logging" (default: written to the log) or "http" (POST to the provider).
SMS_BACKEND = env("SMS_BACKEND", default="logging")
SMS_API_URL = env("SMS_API_URL", default="")
SMS_API_TOKEN = env("SMS_API_TOKEN", default="")
ZALO_BACKEND = env("ZALO_BACKEND", default="logging")
ZALO_API_URL = env("ZALO_API_URL", default="")
ZALO_API_TOKEN = env("ZALO_API_TOKEN", default="")
NOTIFICATION_PROVIDER_TIMEOUT = env.float("NOTIFICATION_PROVIDER_TIMEOUT", default=10.0)

# --- Zalo Official Account (assistant/zalo.py) -----------------------------------------------
# Users' messages to the OA arrive at the signed webhook /zalo/webhook/ and the assistant answers
# through the OA's send API (POST {ZALO_OA_API_URL}/v3.0/oa/message/cs, header access_token).
# Empty ZALO_OA_API_URL: the built-in sandbox under /zalo/thu-nghiem/ (off in production).
ZALO_OA_ENABLED = env.bool("ZALO_OA_ENABLED", default=True)
ZALO_OA_APP_ID = env("ZALO_OA_APP_ID", default="zalo-sandbox-app")
ZALO_OA_SECRET = env("ZALO_OA_SECRET", default="zalo-oa-sandbox-secret-not-for-production")
ZALO_OA_API_URL = env("ZALO_OA_API_URL", default="")
ZALO_OA_ACCESS_TOKEN = env("ZALO_OA_ACCESS_TOKEN", default="zalo-sandbox-access-token")
ZALO_OA_SANDBOX_ENABLED = env.bool("ZALO_OA_SANDBOX_ENABLED", default=True)
ZALO_OA_MAX_AGE = env.int("ZALO_OA_MAX_AGE", default=300)  # seconds a webhook's timestamp may lag

# --- Logging --------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "portal.logs.JsonFormatter"},
    },
    "filters": {"request_id": {"()": "portal.request_id.RequestIdFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env("LOG_FORMAT", default="plain"),
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # bagit logs a line per file it hashes: its warnings only.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}, "bagit": {"level": "WARNING"}},
}

# /metrics answers only with "Authorization: Bearer <METRICS_TOKEN>" (Prometheus' bearer_token).
METRICS_TOKEN = env("METRICS_TOKEN", default="")
# Traces to an OpenTelemetry collector, errors to Sentry: only when configured (portal/telemetry.py).
OTEL_EXPORTER_OTLP_ENDPOINT = env("OTEL_EXPORTER_OTLP_ENDPOINT", default="")
SENTRY_DSN = env("SENTRY_DSN", default="")

CONTENT_SECURITY_POLICY = csp_policy(VNPAY_URL, OIDC_OP_AUTHORIZATION_ENDPOINT)

"""Shared fixtures. Tests marked postgres / redis / browser / clamav need a real service: on a
bare machine they skip with the reason; in CI (CI=true) a missing service fails them instead."""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from the
# live_server fixture would otherwise refuse to run.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
IN_CI = os.environ.get("CI") == "true"


def _need(available: bool, reason: str) -> None:
    if available:
        return
    if IN_CI:
        pytest.fail(f"CI must run this test: {reason}", pytrace=False)
    pytest.skip(reason)


def _redis_available() -> bool:
    url = os.environ.get("REDIS_URL")
    if not url:
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres"):
        from django.db import connection

        _need(connection.vendor == "postgresql", "needs PostgreSQL: set DATABASE_URL=postgres://...")
    if item.get_closest_marker("redis"):
        _need(_redis_available(), "needs Redis: set REDIS_URL=redis://127.0.0.1:6379/0")
    if item.get_closest_marker("browser"):
        _need(shutil.which(CHROMIUM) is not None, f"needs Debian's Chromium at {CHROMIUM} (apt-get install chromium)")


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory):
    """The URL of a private s3rver (tests/s3.py) with the test bucket; needed, so missing in CI fails."""
    from tests.s3 import s3rver_bin, start_s3rver, stop_s3rver

    _need(s3rver_bin() is not None, "needs s3rver: npm install --prefix var/tools s3rver@3.7.1, or set S3RVER_BIN")
    process, endpoint = start_s3rver(tmp_path_factory.mktemp("s3rver"))
    try:
        _need(endpoint is not None, "s3rver did not start")
        yield endpoint
    finally:
        stop_s3rver(process)


@pytest.fixture
def s3_storage(s3_endpoint, settings):
    """The private storage on the s3rver bucket, as PRIVATE_STORAGE_BUCKET makes it in production."""
    from tests.s3 import s3_storage_settings

    settings.STORAGES = {**settings.STORAGES, "private": s3_storage_settings(s3_endpoint)}
    settings.PRIVATE_STORAGE_BUCKET = "motcua-test"
    from django.core.files.storage import storages

    yield storages["private"]


@pytest.fixture(scope="session")
def clamd_socket(tmp_path_factory):
    """clamd's Unix socket: CLAMD_SOCKET when set (CI starts one), else a private clamd started
    here when ClamAV is installed (tests/clamd.py); None when neither exists."""
    from tests.clamd import clamd_installed, start_clamd, stop_clamd

    configured = os.environ.get("CLAMD_SOCKET")
    if configured or not clamd_installed():
        yield configured
        return
    process, socket_path = start_clamd(tmp_path_factory.mktemp("clamd"))
    try:
        yield str(socket_path) if socket_path else None
    finally:
        stop_clamd(process)


@pytest.fixture(autouse=True)
def _clamav(request):
    """Tests marked clamav scan through a real clamd (see clamd_socket)."""
    if not request.node.get_closest_marker("clamav"):
        yield
        return
    socket_path = request.getfixturevalue("clamd_socket")
    _need(socket_path is not None, "needs ClamAV: apt-get install clamav-daemon, or set CLAMD_SOCKET")
    settings = request.getfixturevalue("settings")
    settings.CLAMD_SOCKET, settings.CLAMD_HOST = socket_path, ""
    yield


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright launches Debian's Chromium, never a downloaded browser."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A Vietnamese citizen's browser: the portal answers in Vietnamese, its default."""
    return {**browser_context_args, "locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (rate limits, cached page fragments)."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(scope="session", autouse=True)
def _signing_pki():
    """The demo CA and agency certificate that sign results in tests (made once, reused)."""
    from django.conf import settings

    from portal.signing import ensure_demo_pki

    ensure_demo_pki(settings.PKI_DIR)


@pytest.fixture
def english():
    """Messages in English, for tests that check a message's wording."""
    from django.utils import translation

    with translation.override("en"):
        yield


# --- One commune and its staff, shared by the dossier, API and payment tests ---------------------


@pytest.fixture
def citizen_name():
    """The applicant's name in `office`; a module overrides it when its assertions name someone else."""
    return "Công Dân"


@pytest.fixture
def office(db, citizen_name):
    """A commune (the birth procedure, three steps) with its desk officer, specialist and leader;
    another commune with its own desk officer; a citizen and another citizen."""
    from portal.constants import StaffRole
    from tests.dossiers.factories import CitizenFactory, StaffFactory, birth_procedure, with_steps
    from tests.procedures.factories import AgencyFactory

    version = with_steps(birth_procedure())
    agency = version.agency
    other = AgencyFactory(code="000.99.00.H99", name="UBND xã Khác")
    return {
        "version": version,
        "agency": agency,
        "other_agency": other,
        "desk": StaffFactory(agency=agency, role=StaffRole.RECEPTIONIST, full_name="Cán bộ Một cửa"),
        "specialist": StaffFactory(agency=agency, role=StaffRole.SPECIALIST, full_name="Chuyên viên"),
        "leader": StaffFactory(agency=agency, role=StaffRole.LEADER, full_name="Lãnh đạo"),
        "stranger": StaffFactory(agency=other, role=StaffRole.RECEPTIONIST, full_name="Cán bộ xã khác"),
        "citizen": CitizenFactory(full_name=citizen_name),
        "other_citizen": CitizenFactory(full_name="Người Khác"),
    }


@pytest.fixture
def submitted(office):
    """A dossier the office's citizen submitted online."""
    from tests.dossiers.factories import DossierFactory

    return DossierFactory(applicant=office["citizen"], version=office["version"])


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's admin client, past the second factor like every staff client in the tests
    (tests/second_factor.py)."""
    from tests.second_factor import staff_login

    return staff_login(client, admin_user)

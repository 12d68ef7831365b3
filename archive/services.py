"""Archive packages of ended dossiers: built once after the dossier ends, kept in archive storage,
verified on demand, downloaded by the desk and the leaders of the agencies that handled it."""

import hashlib
import logging
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from dossiers.models import Dossier
from portal.constants import StaffRole
from portal.memberships import memberships
from portal.outbox import outbox_write

from .apps import TOPIC
from .models import ArchivePackage, PackageState
from .package import ARCHIVED_STATES, ENDING_EVENTS, archival_copies_prefix, package_problems, package_render

logger = logging.getLogger("archive")
# Who may download a package of a dossier their agency received or decided.
DOWNLOAD_ROLES = (StaffRole.RECEPTIONIST, StaffRole.LEADER)


def archive_storage():
    return storages["archive"]


def package_key(dossier: Dossier) -> str:
    """One fixed key per dossier: a build redone after a crash writes the same object again."""
    return f"packages/{dossier.public_id}/{dossier.code}.zip"


def package_build(*, dossier: Dossier) -> ArchivePackage:
    """Build, store and record the dossier's archive package, once (idempotent).

    The bag is made in a temporary directory and uploaded under its fixed key; only then is the
    row marked built, in one transaction. A worker killed before that leaves the row "building"
    (never downloadable) and perhaps an object under the key, which the next build overwrites with
    the same bytes. Raises ValueError for a dossier that has not ended in an archived state,
    PackageNotReady while one of its files is being scanned."""
    if dossier.status not in ARCHIVED_STATES or not dossier.code:
        raise ValueError(f"dossier {dossier.code or dossier.pk} has not ended ({dossier.status}): nothing to archive")
    with transaction.atomic():
        try:
            with transaction.atomic():
                package, _created = ArchivePackage.objects.get_or_create(dossier=dossier)
        except IntegrityError:  # two builds started at once: the other one made the row
            package = ArchivePackage.objects.get(dossier=dossier)
        package = ArchivePackage.objects.select_for_update().get(pk=package.pk)
        if package.state in (PackageState.BUILT, PackageState.DESTROYED):
            return package  # built once; a destroyed dossier is never archived again
        ArchivePackage.objects.filter(pk=package.pk).update(
            state=PackageState.BUILDING, attempts=F("attempts") + 1, last_error=""
        )
    try:
        rendered = package_render(dossier, package)
        key = package_key(dossier)
        storage = archive_storage()
        if storage.exists(key):  # left by a build that died before its row was marked built
            storage.delete(key)
        stored = storage.save(key, ContentFile(rendered.data))
    except Exception as error:
        ArchivePackage.objects.filter(pk=package.pk).update(state=PackageState.FAILED, last_error=str(error)[:2000])
        logger.warning("dossier=%s archive package failed: %s", dossier.code, error)
        raise
    with transaction.atomic():
        package = ArchivePackage.objects.select_for_update().get(pk=package.pk)
        if package.state == PackageState.BUILT:  # another build finished first: the same bytes
            return package
        package.state = PackageState.BUILT
        package.storage_key = stored
        package.sha256 = rendered.sha256
        package.size = len(rendered.data)
        package.payload_oxum = rendered.payload_oxum
        package.retention_until = rendered.retention_until
        package.built_at = timezone.now()
        package.save(
            update_fields=[
                "state",
                "storage_key",
                "sha256",
                "size",
                "payload_oxum",
                "retention_until",
                "built_at",
            ]
        )
    logger.info("dossier=%s archive package built: %s bytes, sha256 %s", dossier.code, package.size, package.sha256)
    return package


def package_destroy(*, dossier: Dossier) -> str:
    """At the end of the dossier's retention (the retention app, in its transaction): the package's
    object is deleted after commit; its row stays, "destroyed", with the hash the destruction
    record keeps as evidence. Returns that SHA-256 ("" when the dossier had no package)."""
    package = ArchivePackage.objects.select_for_update().filter(dossier=dossier).first()
    if package is None:
        return ""
    key, prefix = package.storage_key, archival_copies_prefix(dossier)
    storage = archive_storage()

    def delete():
        try:
            if key:
                storage.delete(key)
            try:
                _dirs, names = storage.listdir(prefix)
            except FileNotFoundError:  # no B-LTA copy was made (no signed PDF)
                names = []
            for name in names:
                storage.delete(prefix + name)
        except Exception:  # noqa: BLE001 - logged; the row already says destroyed
            logger.exception("dossier=%s archive package %s could not be deleted", dossier.code, key)

    transaction.on_commit(delete)
    package.state = PackageState.DESTROYED
    package.storage_key = ""
    package.save(update_fields=["state", "storage_key"])
    return package.sha256


def package_build_later(*, dossier_id: int) -> None:
    """The outbox topic's handler: the build goes to a worker of the "documents" queue."""
    from .tasks import build_package  # tasks import services: imported when first needed

    build_package.delay(dossier_id)


def archive_on_dossier_event(*, event) -> None:
    """dossiers.hooks (after commit): a dossier that ends gets its package. Through the outbox,
    so that a broker that is down delays the build and never loses it."""
    if event.kind in ENDING_EVENTS and event.dossier.status in ARCHIVED_STATES:
        if not ArchivePackage.objects.filter(dossier_id=event.dossier_id, state=PackageState.BUILT).exists():
            outbox_write(TOPIC, {"dossier_id": event.dossier_id})


def archive_desk_context(*, dossier, user) -> dict:
    """dossiers.hooks: the desk page links to the package for those who may download it (no
    query at all for a dossier still open)."""
    if getattr(dossier, "status", None) not in ARCHIVED_STATES or not package_download_allowed(
        dossier=dossier, user=user
    ):
        return {}
    package = package_for_download(dossier=dossier)
    if package is None:
        return {}
    return {"archive_package": package, "archive_package_url": reverse("archive:download", args=[dossier.code])}


def package_download_allowed(*, dossier: Dossier, user) -> bool:
    """The desk officers and leaders of the agencies that received or decided the dossier."""
    agencies = {dossier.receiving_agency_id, dossier.competent_agency_id}
    return any(agency in agencies and role in DOWNLOAD_ROLES for agency, role in memberships(user))


def package_for_download(*, dossier: Dossier) -> ArchivePackage | None:
    return ArchivePackage.objects.filter(dossier=dossier, state=PackageState.BUILT).first()


def package_open(package: ArchivePackage):
    return archive_storage().open(package.storage_key, "rb")


@dataclass(frozen=True)
class Verification:
    code: str
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def package_verify(*, package: ArchivePackage) -> Verification:
    """Fetch a package and check it: the zip's SHA-256 against the row, every manifest (bagit,
    fast=False) and the seal. Each problem names the file at fault."""
    code = package.dossier.code
    if package.state != PackageState.BUILT:
        return Verification(code, [f"package not built ({package.state})"])
    storage = archive_storage()
    try:
        with storage.open(package.storage_key, "rb") as handle:
            data = handle.read()
    except (FileNotFoundError, OSError) as error:
        return Verification(code, [f"{package.storage_key}: missing from archive storage ({error.__class__.__name__})"])
    problems = []
    digest = hashlib.sha256(data).hexdigest()
    if digest != package.sha256:
        problems.append(
            f"{package.storage_key}: sha256 {digest[:12]}… differs from the recorded {package.sha256[:12]}…"
        )
    problems += package_problems(data)
    return Verification(code, problems)

"""The upload checks are portal/uploads.py (the procedures' blank forms use them too)."""

from portal.uploads import (  # noqa: F401 - the names dossiers and its tests have always used
    DOCX,
    EXTENSIONS,
    JPEG,
    PDF,
    PNG,
    XLSX,
    CheckedFile,
    FileRefused,
    check_upload,
    safe_name,
    sniff_type,
)


def slot_uploads(files) -> list[tuple[str, object]]:
    """The files of a supplement answer as (slot, file) pairs: fields are named `files-<slot>`
    (`files-item-<n>` per requested item, `files-other`), several files each."""
    return [(key.removeprefix("files-"), f) for key in files if key.startswith("files-") for f in files.getlist(key)]

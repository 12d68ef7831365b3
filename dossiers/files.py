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

"""Vietnamese not merged into locale/ yet: a branch writes its new msgids to i18n/<name>.tsv
(msgid TAB msgstr) and the lead merges them into the catalogue. `pending_vietnamese("admin")`
adds that file's entries to the active Vietnamese catalogue for the duration of a test (after
the merge the file is gone and the test reads the compiled catalogue, unchanged)."""

import contextlib
from pathlib import Path

from django.utils import translation
from django.utils.translation import trans_real

I18N_DIR = Path(__file__).resolve().parent.parent / "i18n"


@contextlib.contextmanager
def pending_vietnamese(*names: str):
    entries = {}
    for name in names:
        path = I18N_DIR / f"{name}.tsv"
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    msgid, msgstr = line.split("\t", 1)
                    entries[msgid] = msgstr
    catalogue = trans_real.translation("vi")._catalog._catalogs[0]
    saved = dict(catalogue)
    for msgid, msgstr in entries.items():
        # A plural msgid is written once (its singular); Vietnamese has one plural form.
        catalogue[msgid] = msgstr
        catalogue[(msgid, 0)] = catalogue[(msgid, 1)] = msgstr
    try:
        with translation.override("vi"):
            yield
    finally:
        catalogue.clear()
        catalogue.update(saved)

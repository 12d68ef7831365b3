"""Find active content in a PDF: JavaScript and launch actions, wherever they hide.

Every object pypdf can reach through the cross-reference tables is looked at — including those
packed in compressed object streams and the document's /Names and /OpenAction — and names are
compared after decoding (`/J#53` is `/JS`). A file pypdf cannot read at all is searched as raw
bytes instead, with its Flate streams inflated, so a broken file is no way around the check.
"""

import logging
import re
import zlib

logger = logging.getLogger("portal.uploads")

# Keys that carry a script or launch a program, and the action types that do.
ACTIVE_KEYS = {"/JS", "/JavaScript", "/Launch"}
ACTIVE_ACTIONS = {"/JavaScript", "/Launch"}
MAX_OBJECTS = 500_000  # a 10 MB file cannot honestly hold more
_NAME = re.compile(rb"/([^\s/\[\]<>(){}%]+)")
_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)
_INFLATE_LIMIT = 50 * 1024 * 1024


def pdf_active_content(stream) -> str | None:
    """The first active name found (e.g. "/JavaScript"), or None for a passive PDF."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    stream.seek(0)
    try:
        reader = PdfReader(stream, strict=False)
        return _walk(reader)
    except (
        PyPdfError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        IndexError,
        RecursionError,
        zlib.error,
        OSError,
    ) as error:  # one damaged object must not hide the others: search it all
        logger.info("PDF not readable by pypdf (%s): raw search", error.__class__.__name__)
        stream.seek(0)
        return _raw_search(stream.read())


def _walk(reader) -> str | None:
    from pypdf.generic import IndirectObject

    seen = 0
    roots = [reader.trailer]
    for generation, numbers in reader.xref.items():
        roots += [IndirectObject(number, generation, reader) for number in numbers]
    roots += [IndirectObject(number, 0, reader) for number in reader.xref_objStm]
    for root in roots:
        seen += 1
        if seen > MAX_OBJECTS:
            return "/Too-many-objects"
        obj = root.get_object() if isinstance(root, IndirectObject) else root
        found = _active_in(obj)
        if found:
            return found
    return None


def _active_in(obj, depth: int = 0) -> str | None:
    """Search one object and its direct (not indirect) children."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    if depth > 64 or isinstance(obj, IndirectObject):
        return None  # indirect objects are visited on their own from the xref
    if isinstance(obj, DictionaryObject):  # streams too: their dictionary, never their data
        for key, value in obj.items():
            if key in ACTIVE_KEYS:
                return str(key)
            if key == "/S" and str(value) in ACTIVE_ACTIONS:
                return str(value)
            found = _active_in(value, depth + 1)
            if found:
                return found
    elif isinstance(obj, ArrayObject):
        for item in obj:
            found = _active_in(item, depth + 1)
            if found:
                return found
    return None


def _decoded_name(raw: bytes) -> str:
    return "/" + re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw).decode("latin-1")


def _raw_search(data: bytes) -> str | None:
    """Names in the bytes outside streams and in every stream that inflates."""
    parts = [_STREAM.sub(b" ", data)]
    budget = _INFLATE_LIMIT
    for match in _STREAM.finditer(data):
        try:
            inflater = zlib.decompressobj()
            inflated = inflater.decompress(match.group(1), budget)
        except zlib.error:
            continue
        budget -= len(inflated)
        parts.append(inflated)
        if budget <= 0:
            break
    for part in parts:
        for match in _NAME.finditer(part):
            name = _decoded_name(match.group(1))
            if name in ACTIVE_KEYS:
                return name
    return None

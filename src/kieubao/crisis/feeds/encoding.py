"""Bytes to text, for documents whose declared encoding cannot be trusted.

Byte order marks win; then the pattern of zero bytes at the start (UTF-16 and UTF-32
without a mark, as XML 1.0 Appendix F and RFC 4627 detect them); then UTF-8 if the bytes
are valid UTF-8, whatever the declaration says (genuine Latin-1 text is almost never valid
UTF-8); then the declared encoding. Bytes that are not UTF-8 in a document that says it is
are read one by one as Windows-1252, the usual culprit, so one bad byte costs one
character and not the whole document. Every such repair is noted.
"""

import codecs
import re

_BOMS = (
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
)
_DECLARATION = re.compile(rb"""^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")
_CP1252_FALLBACK = "kieubao.crisis.feeds.cp1252"


def _cp1252_bytes(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    # Five bytes are unassigned in Windows-1252; Latin-1 gives every byte a character.
    text = "".join(
        bytes([b]).decode("cp1252") if b not in {0x81, 0x8D, 0x8F, 0x90, 0x9D} else chr(b)
        for b in bad
    )
    return text, error.end


codecs.register_error(_CP1252_FALLBACK, _cp1252_bytes)


def _by_mark(body: bytes) -> tuple[str, int] | None:
    for mark, encoding in _BOMS:
        if body.startswith(mark):
            return encoding, len(mark)
    return None


def _by_zero_bytes(body: bytes) -> str | None:
    head = body[:4]
    if len(head) < 4 or 0 not in head:
        return None
    zeros = (head[0] == 0, head[1] == 0, head[2] == 0, head[3] == 0)
    return {
        (True, True, True, False): "utf-32-be",
        (False, True, True, True): "utf-32-le",
        (True, False, True, False): "utf-16-be",
        (False, True, False, True): "utf-16-le",
    }.get(zeros)


def _codec(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode(body: bytes, *, xml: bool) -> tuple[str, list[str]]:
    """The document as text, and the notes of what had to be repaired to read it."""
    notes: list[str] = []
    found = _by_mark(body)
    if found is not None:
        encoding, skip = found
    else:
        encoding, skip = _by_zero_bytes(body) or "", 0
    if encoding and encoding != "utf-8":
        text = body[skip:].decode(encoding, errors="replace")
        if "\ufffd" in text and "\ufffd" not in body[skip:].decode(encoding, errors="ignore"):
            notes.append(f"some bytes were not valid {encoding.upper()} and were replaced")
        return text, notes
    data = body[skip:]
    declared = _declared(data) if xml else None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        codec = _codec(declared) if declared else None
        if codec and codec not in {"utf-8", "utf-8-sig", "ascii"}:
            return data.decode(codec, errors="replace"), notes
        if declared and codec is None:
            notes.append(f"the declared encoding {declared!r} is unknown; read as UTF-8")
        notes.append(
            "bytes that are not UTF-8 (the first at byte "
            f"{error.start + skip}) were read as Windows-1252"
        )
        return data.decode("utf-8", errors=_CP1252_FALLBACK), notes
    if declared and not text.isascii():
        codec = _codec(declared)
        if codec not in {"utf-8", "utf-8-sig"}:
            notes.append(f"the document declares {declared!r} but its bytes are UTF-8")
    return text, notes


def _declared(data: bytes) -> str | None:
    match = _DECLARATION.match(data[:512])
    return match.group(1).decode("ascii") if match else None


# Characters XML 1.0 forbids anywhere (most C0 controls, lone surrogates, U+FFFE/U+FFFF).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def without_forbidden_characters(text: str) -> tuple[str, int]:
    """Text with the characters XML 1.0 does not allow removed, and how many there were."""
    cleaned, count = _NOT_XML.subn("", text)
    return cleaned, count

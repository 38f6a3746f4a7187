"""Files kept with a case: checked, stored before the rows that name them, taken back out
if those rows fail."""

import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.orm import Session

from kieubao.platform import storage
from kieubao.platform.errors import Invalid, Problem
from kieubao.platform.i18n import gettext as _
from kieubao.platform.settings import get_settings
from kieubao.protection.models import Case, CaseAttachment, CaseEvent


class TooLarge(Problem):
    status = 413
    title = "Too large"


@dataclass(frozen=True)
class IncomingFile:
    filename: str
    content_type: str
    data: bytes


# What an officer uploads or a messaging app sends: photos and scans of documents, voice
# notes, short videos, office documents. Never anything a browser would run.
ALLOWED_TYPES = frozenset(
    {
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
        "image/heic",
        "image/heif",
        "application/pdf",
        "text/plain",
        "audio/ogg",
        "audio/mpeg",
        "audio/mp4",
        "audio/aac",
        "audio/amr",
        "audio/wav",
        "video/mp4",
        "video/3gpp",
        "video/quicktime",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.oasis.opendocument.text",
    }
)
# The first bytes of the kinds a sender could mislabel a file as: a "photo" that is not one
# is refused, not kept under a name it does not deserve.
MAGIC: dict[str, tuple[bytes, ...]] = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "application/pdf": (b"%PDF-",),
}


def media_type(content_type: str) -> str:
    """``image/jpeg; name=x`` → ``image/jpeg``."""
    return content_type.split(";", 1)[0].strip().lower()


def check_file(incoming: IncomingFile) -> IncomingFile:
    """The file with its bare media type, if it is a kind a case keeps and is what it says."""
    kind = media_type(incoming.content_type)
    name = safe_filename(incoming.filename)
    if kind not in ALLOWED_TYPES:
        raise Invalid(
            "files",
            _("{name}: files of type {type} are not accepted").format(name=name, type=kind or "?"),
        )
    if not incoming.data:
        raise Invalid("files", _("{name} is empty").format(name=name))
    starts = MAGIC.get(kind)
    if starts is not None and not incoming.data.startswith(starts):
        raise Invalid("files", _("{name} is not a {type} file").format(name=name, type=kind))
    webp = kind == "image/webp"
    if webp and not (incoming.data[:4] == b"RIFF" and incoming.data[8:12] == b"WEBP"):
        raise Invalid("files", _("{name} is not a {type} file").format(name=name, type=kind))
    return IncomingFile(name, kind, incoming.data)


def check_size(files: Sequence[IncomingFile]) -> None:
    limit = get_settings().inbound_max_bytes
    if sum(len(f.data) for f in files) > limit:
        raise TooLarge(
            _("the attachments are larger than {mb} MB").format(mb=limit // (1024 * 1024))
        )


def safe_filename(name: str) -> str:
    """The sender's file name as a label only: no folders, no control characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    clean = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    clean = unicodedata.normalize("NFC", clean).strip().lstrip(".")
    return clean[:200] or "attachment"


@contextmanager
def kept(
    session: Session, case: Case, event: CaseEvent, files: Sequence[IncomingFile]
) -> Iterator[list[CaseAttachment]]:
    """Files stored before the rows that name them, each with the timeline entry it came
    with (flushed, so it has its id); taken back out of the store if the rows fail."""
    store = storage.storage()
    stored: list[storage.Stored] = []
    rows: list[CaseAttachment] = []
    try:
        for incoming in files:
            content_type = (incoming.content_type or "application/octet-stream")[:100]
            put = storage.put(
                incoming.data, content_type, prefix=f"cases/{case.number}", store=store
            )
            stored.append(put)
            rows.append(
                CaseAttachment(
                    event_id=event.id,
                    filename=safe_filename(incoming.filename),
                    content_type=content_type,
                    size=put.size,
                    sha256=put.sha256,
                    storage_key=put.key,
                )
            )
            case.attachments.append(rows[-1])
        session.flush()
        yield rows
    except BaseException:
        for put in stored:
            store.delete(put.key)
        raise

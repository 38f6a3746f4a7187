"""The files of a case on the portal: the reporter downloads those sent to them with a
message, with the case number and PIN that open the tracking page."""

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from kieubao.platform import storage
from kieubao.platform.deps import Anyone, SessionDep
from kieubao.platform.errors import NotFound
from kieubao.platform.i18n import gettext as _
from kieubao.protection import limits, queries
from kieubao.protection.api import client_ip
from kieubao.protection.models import Case, CaseAttachment

router = APIRouter(include_in_schema=False)


def tracked(request: Request, session: Session, number: str, pin: str) -> Case | None:
    """The case a number and PIN open, or None; wrong PINs are counted per case and per
    address, and too many of them refuse (429) before the PIN is even read."""
    keys = (f"case:{number.strip().upper()}", f"ip:{client_ip(request)}")
    for key in keys:
        limits.wrong_pin.check(key)
    case = queries.track(session, number=number, pin=pin) if len(pin) >= 4 else None
    if case is None:
        for key in keys:
            limits.wrong_pin.record(key)
    return case


def file_response(found: CaseAttachment) -> Response:
    return Response(
        storage.storage().get(found.storage_key),
        media_type=found.content_type,
        # Always a download, never rendered here: a sender's HTML must not run on this site.
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(found.filename)}",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


@router.post("/protection/track/files/{attachment_id}")
async def reporter_file(
    request: Request, attachment_id: int, session: SessionDep, _user: Anyone
) -> Response:
    """Posted from the tracking page, so the PIN travels in the body, not in an address."""
    form = await request.form()
    number, pin = str(form.get("number") or "").strip(), str(form.get("pin") or "").strip()
    # A blank form is no guess at a PIN: it is not counted as one.
    case = tracked(request, session, number, pin) if number and pin else None
    if case is None:
        raise NotFound(_("No case matches this number and PIN."))
    return file_response(queries.public_attachment(case, attachment_id))

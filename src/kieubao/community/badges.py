"""Delegate badges as PDF: name, organisation and country, and a QR code of the signed check-in
link. The bundled DejaVu Sans writes every Vietnamese letter with its tone marks."""

from importlib.resources import files
from io import BytesIO

import segno
from fpdf import FPDF

from kieubao.community.models import Delegate, Event
from kieubao.community.queries import checkin_url
from kieubao.platform import countries
from kieubao.platform.i18n import gettext as _

FONT = str(files("kieubao.community") / "fonts" / "DejaVuSans.ttf")
A6 = (105.0, 148.0)


def badges_pdf(event: Event, delegates: list[Delegate]) -> bytes:
    """One A6 page per delegate, in the order given."""
    pdf = FPDF(format=A6)
    pdf.set_auto_page_break(False)
    pdf.add_font("DejaVu", fname=FONT)
    pdf.set_title(event.title)
    for delegate in delegates:
        _badge(pdf, event, delegate)
    return bytes(pdf.output())


def _badge(pdf: FPDF, event: Event, delegate: Delegate) -> None:
    pdf.add_page()
    width = A6[0] - 16
    pdf.set_xy(8, 10)
    pdf.set_font("DejaVu", size=10)
    pdf.multi_cell(width, 5, event.title, align="C")
    pdf.set_x(8)
    dates = f"{event.starts_on:%d/%m/%Y} – {event.ends_on:%d/%m/%Y} · {event.city}"
    pdf.multi_cell(width, 5, dates, align="C")
    pdf.set_y(34)
    pdf.set_font("DejaVu", size=18)
    pdf.set_x(8)
    pdf.multi_cell(width, 9, delegate.full_name, align="C")
    pdf.set_font("DejaVu", size=11)
    for line in (delegate.organisation, countries.display_name(delegate.country)):
        if line:
            pdf.set_x(8)
            pdf.multi_cell(width, 6, line, align="C")
    qr = BytesIO()
    segno.make(checkin_url(delegate), error="m").save(qr, kind="png", scale=8, border=2)
    qr.seek(0)
    pdf.image(qr, x=(A6[0] - 50) / 2, y=84, w=50, h=50)
    pdf.set_xy(8, 136)
    pdf.set_font("DejaVu", size=8)
    pdf.multi_cell(width, 4, _("Delegate no. {id}").format(id=delegate.id), align="C")

"""The draft notification of a breach to the Department of Cybersecurity and High-Tech
Crime Prevention (A05, Ministry of Public Security), with the content the law asks for: what
happened (when, where, what data, about how many people and records), whom to contact, the
likely consequences and the measures taken. In Vietnamese and in English, as a page and as
a .docx the officer completes, signs and sends."""

import io
from dataclasses import dataclass

from docx import Document

from kieubao.platform import i18n
from kieubao.platform.i18n import gettext as _
from kieubao.privacy import rules
from kieubao.privacy.models import Breach

AUTHORITY = {
    "vi": "Cục An ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao (A05), Bộ Công an",
    "en": (
        "Department of Cybersecurity and High-Tech Crime Prevention (A05), "
        "Ministry of Public Security"
    ),
}


@dataclass(frozen=True)
class Section:
    heading: str
    text: str


@dataclass(frozen=True)
class Draft:
    language: str
    title: str
    addressee: str
    sections: list[Section]


def draft(breach: Breach, language: str) -> Draft:
    fmt = "%Y-%m-%d %H:%M UTC"
    with i18n.speaking(language):
        happened = _("Discovered at {discovered}; occurred at {occurred}. {description}").format(
            discovered=breach.discovered_at.strftime(fmt),
            occurred=breach.occurred_at.strftime(fmt) if breach.occurred_at else _("not known"),
            description=breach.description,
        )
        sections = [
            Section(_("Description of the breach"), happened),
            Section(_("Kinds of personal data concerned"), ", ".join(breach.data_kinds) or "—"),
            Section(_("Categories of data subjects"), ", ".join(breach.subject_categories) or "—"),
            Section(
                _("Approximate numbers"),
                _("about {people} people and {records} records").format(
                    people=breach.approx_subjects, records=breach.approx_records
                ),
            ),
            Section(_("Likely consequences"), breach.consequences or "—"),
            Section(_("Measures taken and proposed"), breach.measures or "—"),
            Section(
                _("Contact person"),
                f"{breach.contact_name} — {breach.contact_details}".strip(" —") or "—",
            ),
            Section(
                _("Time limit"),
                _("To be notified by {deadline} (72 hours from discovery).").format(
                    deadline=rules.notify_by(breach.discovered_at).strftime(fmt)
                ),
            ),
        ]
        title = _("Notification of a personal data breach")
    return Draft(language, title, AUTHORITY[language], sections)


def docx_bytes(breach: Breach) -> bytes:
    """Both languages in one document, Vietnamese first."""
    document = Document()
    for language in ("vi", "en"):
        found = draft(breach, language)
        document.add_heading(found.title, level=1)
        document.add_paragraph(found.addressee)
        for section in found.sections:
            document.add_heading(section.heading, level=2)
            document.add_paragraph(section.text)
        if language == "vi":
            document.add_page_break()  # type: ignore[no-untyped-call]
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()

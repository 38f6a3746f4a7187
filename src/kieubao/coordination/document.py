"""A review as an editable Word document (python-docx): the same sections as its page."""

from datetime import date
from io import BytesIO
from typing import Any

from docx import Document

from kieubao.coordination.models import Review
from kieubao.platform import countries, i18n
from kieubao.platform.i18n import gettext as _


def sections(review: Review) -> list[tuple[str, list[str], list[list[str]]]]:
    """(heading, paragraphs, table rows with a header row) of each section, from the figures."""
    f: dict[str, Any] = review.figures
    tasks, cases, reg = f["tasks"], f["cases"], f["registrations"]
    out: list[tuple[str, list[str], list[list[str]]]] = []
    out.append(
        (
            _("Tasks of the joint programs"),
            [
                _(
                    "{done} tasks done in the period, {overdue} overdue, {open} still open, "
                    "of {total}."
                ).format(**tasks)
            ],
            [[_("Lead agency"), _("Done"), _("Overdue"), _("Open")]]
            + [
                [a, str(v["done"]), str(v["overdue"]), str(v["open"])]
                for a, v in tasks["by_agency"].items()
            ],
        )
    )
    out.append(
        (
            _("Indicators"),
            [],
            [[_("Indicator"), _("Baseline"), _("Value"), _("Target"), _("Source")]]
            + [
                [
                    f"{i['name']} ({i['unit']})",
                    _number(i["baseline"]),
                    _number(i["value"]) if i["value"] is not None else "—",
                    f"{_number(i['target'])} ({i['target_year']})",
                    i["source"] or "",
                ]
                for i in f["indicators"]
            ],
        )
    )
    out.append(
        (
            _("Citizen protection"),
            [_("{opened} cases opened, {closed} of them closed.").format(**cases)],
            [[_("Case type"), _("Cases")]] + [[t, str(n)] for t, n in cases["by_type"].items()],
        )
    )
    out.append(
        (
            _("Citizens registered abroad"),
            [_("{total} registered, {new} of them in the period.").format(**reg)],
            [[_("Country"), _("Registered"), _("In the period")]]
            + [
                [countries.display_name(c), str(v["total"]), str(v["new"])]
                for c, v in reg["by_country"].items()
            ],
        )
    )
    if "events" in f:  # reviews computed before events were counted have none
        out.append(_events(f["events"]))
    community, crises = f["community"], f["crises"]
    out.append(
        (
            _("Community and crises"),
            [
                _("{n} associations known.").format(n=community["associations"]),
                _("{n} crises opened in the period.").format(n=crises["opened"]),
                *crises["titles"],
            ],
            [[_("Country"), _("Estimated community"), _("Year")]]
            + [
                [countries.display_name(p["country"]), str(p["estimated_size"]), str(p["year"])]
                for p in community["profiles"]
            ],
        )
    )
    return out


def _events(events: dict[str, Any]) -> tuple[str, list[str], list[list[str]]]:
    return (
        _("Community events"),
        [
            _(
                "{events} events held in the period: {approved} delegates approved, "
                "{checked_in} of them checked in."
            ).format(**events)
        ],
        [[_("Event"), _("Dates"), _("Venue"), _("Approved"), _("Checked in")]]
        + [
            [
                e["title"],
                "{} – {}".format(*(_day(e[k]) for k in ("starts_on", "ends_on"))),
                ", ".join(
                    x for x in (e["venue"], e["city"], countries.display_name(e["country"])) if x
                ),
                str(e["approved"]),
                str(e["checked_in"]),
            ]
            for e in events["held"]
        ],
    )


def _day(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%d/%m/%Y")


def _number(value: float) -> str:
    """Thousands grouped as the reader writes them: 1.000 in Vietnamese, 1,000 in English."""
    if value != int(value):
        text = f"{value:g}"
        return text.replace(".", ",") if i18n.current_locale.get() == "vi" else text
    grouped = f"{value:,.0f}"
    return grouped.replace(",", ".") if i18n.current_locale.get() == "vi" else grouped


def as_docx(review: Review) -> bytes:
    document = Document()
    document.add_heading(review.title, level=0)
    document.add_paragraph(
        _("Period: {start} – {end}").format(
            start=review.period_start.strftime("%d/%m/%Y"),
            end=review.period_end.strftime("%d/%m/%Y"),
        )
    )
    if review.summary:
        document.add_heading(_("Summary"), level=1)
        for paragraph in review.summary.split("\n\n"):
            document.add_paragraph(paragraph)
    for heading, paragraphs, rows in sections(review):
        document.add_heading(heading, level=1)
        for paragraph in paragraphs:
            document.add_paragraph(paragraph)
        if len(rows) > 1:
            table = document.add_table(rows=len(rows), cols=len(rows[0]))
            table.style = "Table Grid"
            for r, row in enumerate(rows):
                for c, text in enumerate(row):
                    table.cell(r, c).text = text
    out = BytesIO()
    document.save(out)
    return out.getvalue()

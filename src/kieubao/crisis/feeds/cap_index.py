"""CAP documents: a single <alert>, or an Atom or RSS 2.0 index of alerts.

An index entry becomes a link for the caller to fetch (only http and https: an index
must not send the fetcher to file: or other schemes). An Atom entry whose <content> holds
a whole CAP <alert>, as an element or as escaped XML text, is read on the spot instead.
"""

from collections.abc import Callable
from datetime import datetime

from kieubao.crisis.feeds import cap
from kieubao.crisis.feeds.capschema import CAP11, CAP12
from kieubao.crisis.feeds.errors import UNFORESEEN, FeedError, ItemRejected, unforeseen
from kieubao.crisis.feeds.reports import CapLink, HazardReport, Rejection
from kieubao.crisis.feeds.values import from_any, shown
from kieubao.crisis.feeds.xml import Element, XmlDocument, local, read_xml

ATOM = "http://www.w3.org/2005/Atom"
Parsed = tuple[list[HazardReport], list[CapLink], list[Rejection]]
EntryReader = Callable[[Element], CapLink | Element]  # a link, or an embedded <alert>


def parse_cap(document: XmlDocument) -> Parsed:
    root = document.root
    if cap.is_alert(root):
        name = cap.label(root) or "alert"
        if not document.is_whole(root):
            return [], [], [Rejection(name, "the alert breaks off before its end")]
        return _alert(root, name)
    if root.tag == f"{{{ATOM}}}feed":
        return _entries(document, root.findall(f"{{{ATOM}}}entry"), _atom_entry)
    if local(root.tag) == "rss":
        return _entries(document, list(root.iter("item")), _rss_item)
    raise FeedError(f"the document is not a CAP alert or index (its root is <{local(root.tag)}>)")


def _alert(alert: Element, name: str) -> Parsed:
    try:
        return [cap.read_alert(alert)], [], []
    except ItemRejected as exc:
        return [], [], [Rejection(name, exc.reason)]
    except UNFORESEEN as exc:
        return [], [], [Rejection(name, unforeseen(exc))]


def _entries(document: XmlDocument, entries: list[Element], read: EntryReader) -> Parsed:
    reports: list[HazardReport] = []
    links: list[CapLink] = []
    rejections: list[Rejection] = []
    for index, entry in enumerate(entries, start=1):
        own = _text(entry, f"{{{ATOM}}}id") or _text(entry, "guid")
        name = own[:200] if own else f"item {index}"
        try:
            if not document.is_whole(entry):
                raise ItemRejected("the entry is cut off where the document breaks off")
            found = read(entry)
            if isinstance(found, CapLink):
                links.append(found)
            else:
                more = _alert(found, cap.label(found) or name)
                reports += more[0]
                rejections += more[2]
        except ItemRejected as exc:
            rejections.append(Rejection(name, exc.reason))
        except UNFORESEEN as exc:
            rejections.append(Rejection(name, unforeseen(exc)))
    return reports, links, rejections


def _text(element: Element, name: str) -> str | None:
    value = element.findtext(name)
    return value.strip() or None if value else None


def _cap_text(entry: Element, name: str) -> str | None:
    for ns in (CAP12, CAP11):
        value = _text(entry, f"{{{ns}}}{name}")
        if value:
            return value
    return None


def _atom_entry(entry: Element) -> CapLink | Element:
    alert = _embedded_alert(entry.find(f"{{{ATOM}}}content"))
    if alert is not None:
        return alert
    hrefs = [link for link in entry.findall(f"{{{ATOM}}}link") if link.get("href")]
    chosen = (
        next((k for k in hrefs if "cap" in (k.get("type") or "").lower()), None)
        or next((k for k in hrefs if k.get("rel") in {None, "alternate"}), None)
        or (hrefs[0] if hrefs else None)
    )
    url = (chosen.get("href") or "").strip() if chosen is not None else ""
    return _link(
        url,
        entry_id=_text(entry, f"{{{ATOM}}}id"),
        updated=_text(entry, f"{{{ATOM}}}updated") or _text(entry, f"{{{ATOM}}}published"),
        title=_text(entry, f"{{{ATOM}}}title"),
        entry=entry,
    )


def _rss_item(item: Element) -> CapLink | Element:
    url = _text(item, "link")
    enclosure = item.find("enclosure")
    if not url and enclosure is not None:
        url = (enclosure.get("url") or "").strip()
    guid = item.find("guid")
    if not url and guid is not None and guid.get("isPermaLink", "true") != "false":
        url = (guid.text or "").strip()
    return _link(
        url or "",
        entry_id=_text(item, "guid"),
        updated=_text(item, "pubDate"),
        title=_text(item, "title"),
        entry=item,
    )


def _link(
    url: str, *, entry_id: str | None, updated: str | None, title: str | None, entry: Element
) -> CapLink:
    if not url:
        raise ItemRejected("the entry has no link to a CAP alert")
    if not url.lower().startswith(("http://", "https://")):
        raise ItemRejected(f"the entry's link {shown(url)} is not an http or https URL")
    expires = _cap_text(entry, "expires")
    return CapLink(
        url=url,
        entry_id=entry_id or url,
        updated=_date(updated),
        title=title,
        event=_cap_text(entry, "event"),
        severity=_cap_text(entry, "severity"),
        expires=_date(expires),
    )


def _date(text: str | None) -> datetime | None:
    """Index metadata only: an unreadable date is left out, not a reason to drop the link."""
    if not text:
        return None
    try:
        return from_any(text, "a date")
    except ItemRejected:
        return None


def _embedded_alert(content: Element | None) -> Element | None:
    if content is None:
        return None
    for child in content:
        if cap.is_alert(child):
            return child
    text = (content.text or "").strip()
    if text.startswith("<") and "alert" in text[:2000]:
        try:
            inner = read_xml(text.encode("utf-8"))
        except FeedError as exc:
            raise ItemRejected(f"the entry's content is not readable XML: {exc.reason}") from exc
        if cap.is_alert(inner.root) and inner.is_whole(inner.root):
            return inner.root
    return None

"""Reading XML that may be hostile or broken.

defusedxml refuses DTDs (and so entity expansion bombs, XXE and external references)
before anything is expanded. A document that breaks off (a truncated download) still
yields its elements that were complete; the caller learns which were cut off.
"""

import hashlib
import io
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as safe_et
from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden

from kieubao.crisis.feeds.encoding import decode, without_forbidden_characters
from kieubao.crisis.feeds.errors import FeedError

__all__ = ["Element", "XmlDocument", "digest", "local", "namespace", "read_xml"]


@dataclass(frozen=True)
class XmlDocument:
    root: Element
    cut_off: frozenset[int]  # id() of the elements whose end tag never came
    notes: tuple[str, ...]
    namespaces: frozenset[str]  # every namespace the document declares, used or not

    def is_whole(self, element: Element) -> bool:
        return id(element) not in self.cut_off


def read_xml(body: bytes) -> XmlDocument:
    text, notes = decode(body, xml=True)
    # Blank lines before the XML declaration (a server's stray newline) would be fatal.
    text, removed = without_forbidden_characters(text.removeprefix("\ufeff").lstrip())
    if removed:
        notes.append(f"{removed} characters that XML does not allow were removed")
    namespaces: set[str] = set()
    with _hostile_refused():
        try:
            parsed = _iterparse(text, ("start-ns",))
            for _, declared in parsed:
                namespaces.add(declared[1])
            root: Element = parsed.root
            return XmlDocument(root, frozenset(), tuple(notes), frozenset(namespaces))
        except ET.ParseError:
            pass  # read it again, event by event, to keep what came before the break
        first: Element | None = None
        open_elements: list[Element] = []
        try:
            for event, element in _iterparse(text, ("start", "end")):
                if event == "start":
                    first = element if first is None else first
                    open_elements.append(element)
                else:
                    open_elements.pop()
        except ET.ParseError as exc:
            if first is None:
                raise FeedError(f"the document is not well-formed XML ({exc})") from exc
            if open_elements:
                notes.append(f"the document breaks off before its end ({exc})")
            else:
                notes.append(f"text after the end of the document was ignored ({exc})")
    if first is None:
        raise FeedError("the document is empty")
    cut_off = frozenset(id(e) for e in open_elements)
    return XmlDocument(first, cut_off, tuple(notes), frozenset(namespaces))


def _iterparse(text: str, events: tuple[str, ...]) -> Any:
    return safe_et.iterparse(
        io.StringIO(text),
        events=events,
        forbid_dtd=True,
        forbid_entities=True,
        forbid_external=True,
    )


@contextmanager
def _hostile_refused() -> Iterator[None]:
    try:
        yield
    except DTDForbidden as exc:
        raise FeedError(
            "the document declares a DTD (<!DOCTYPE>), which is refused: DTDs can define "
            "entities that expand without bound or read local files"
        ) from exc
    except EntitiesForbidden as exc:
        raise FeedError("the document defines XML entities, which are refused") from exc
    except DefusedXmlException as exc:
        raise FeedError(f"the document uses XML features that are refused ({exc})") from exc


def local(tag: str) -> str:
    return tag.rpartition("}")[2]


def namespace(tag: str) -> str:
    return tag[1:].partition("}")[0] if tag.startswith("{") else ""


def digest(element: Element) -> str:
    """sha256 over the element's tags, sorted attributes and trimmed text, in document
    order with the end of every element marked: a new indentation, namespace prefix or
    attribute order alone does not look like an update."""
    hashed = hashlib.sha256()
    pending: list[Iterator[Element]] = [iter([element])]
    while pending:
        child = next(pending[-1], None)
        if child is None:
            pending.pop()
            hashed.update(b"\x01")
            continue
        attributes = "\x03".join(f"{k}={v}" for k, v in sorted(child.attrib.items()))
        text = (child.text or "").strip()
        tail = (child.tail or "").strip() if child is not element else ""
        hashed.update(f"\x02{child.tag}\x03{attributes}\x03{text}\x03{tail}".encode())
        pending.append(iter(child))
    return hashed.hexdigest()

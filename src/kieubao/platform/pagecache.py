"""Rendered public pages kept until what they show changes, and revalidated with ETags.

A page is kept per language, path and query. It is good while the audit chain holds no
newer entry of the actions that change it (an advisory published, a hazard reported...):
the version is the sequence number and hash of the last such entry, read from the
database on every request, so several app workers agree without talking to each other,
and a database rolled back or restored never serves a page of a past it no longer has.
Signed-in viewers see their own name on every page: their pages are never kept.
"""

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import Select, select, union_all
from sqlalchemy.orm import Session

from kieubao.platform import i18n
from kieubao.platform.audit import AuditEntry
from kieubao.platform.settings import get_settings

# Browsers and shared caches may keep the page but must ask again before showing it: a
# 304 costs a round trip, a stale "level 4" costs far more.
PUBLIC = "public, no-cache"
PRIVATE = "private, no-store"
VARY = "Cookie"


@dataclass(frozen=True, slots=True)
class Kept:
    version: tuple[int, str]
    body: bytes
    media_type: str
    etag: str


class PageCache:
    def __init__(self, watched: Iterable[str], max_pages: int = 1024) -> None:
        self.watched = tuple(sorted(set(watched)))
        self.max_pages = max_pages
        self._pages: OrderedDict[tuple[str, str, str], Kept] = OrderedDict()
        self._lock = threading.Lock()

    @cached_property
    def _last_watched(self) -> Select[int, str]:
        # Built once: the statement is the same on every request.
        last = union_all(
            *(
                select(AuditEntry.seq, AuditEntry.hash)
                .where(AuditEntry.action == action)
                .order_by(AuditEntry.seq.desc())
                .limit(1)
                .subquery()
                .select()
                for action in self.watched
            )
        ).subquery()
        return select(last.c.seq, last.c.hash).order_by(last.c.seq.desc()).limit(1)

    def version(self, session: Session) -> tuple[int, str]:
        """The last watched entry of the chain: one index probe per watched action."""
        row = session.execute(self._last_watched).first()
        return (row[0], row[1]) if row else (0, "")

    def respond(
        self, request: Request, session: Session, build: Callable[[], Response]
    ) -> Response:
        """The page for this request: kept, revalidated (304) or built and kept."""
        if getattr(request.state, "user", None) is not None:
            response = build()
            response.headers["Cache-Control"] = PRIVATE
            response.headers["Vary"] = VARY
            return response
        if not get_settings().page_cache:
            response = build()
            if response.status_code != 200:
                return response
            return _answer(request, _kept(response, (0, "")))
        key = _key(request)
        version = self.version(session)
        with self._lock:
            kept = self._pages.get(key)
            if kept is not None and kept.version == version:
                self._pages.move_to_end(key)
                return _answer(request, kept)
        response = build()
        if response.status_code != 200:
            return response
        kept = _kept(response, version)
        with self._lock:
            self._pages[key] = kept
            self._pages.move_to_end(key)
            while len(self._pages) > self.max_pages:
                self._pages.popitem(last=False)
        return _answer(request, kept)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


def _key(request: Request) -> tuple[str, str, str]:
    query = sorted((k, v) for k, v in request.query_params.multi_items() if k != "lang")
    return i18n.current_locale.get(), request.url.path, repr(query)


def _kept(response: Response, version: tuple[int, str]) -> Kept:
    body = bytes(response.body)
    etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
    media_type = response.headers.get("content-type", "text/html; charset=utf-8")
    return Kept(version, body, media_type, etag)


def _answer(request: Request, kept: Kept) -> Response:
    headers = {"ETag": kept.etag, "Cache-Control": PUBLIC, "Vary": VARY}
    asked = {
        t.strip().removeprefix("W/") for t in request.headers.get("if-none-match", "").split(",")
    }
    if kept.etag in asked or "*" in asked:
        return Response(status_code=304, headers=headers)
    return Response(kept.body, headers={**headers, "Content-Type": kept.media_type})

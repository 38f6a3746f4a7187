"""The page cache keeps only good pages, follows the watched actions and nothing else."""

import pytest
from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from kieubao.platform import audit
from kieubao.platform.pagecache import PageCache
from kieubao.platform.settings import get_settings
from tests.personas import SYSTEM


def request(path: str = "/", etag: str = "") -> Request:
    headers = [(b"if-none-match", etag.encode())] if etag else []
    return Request(
        {"type": "http", "method": "GET", "path": path, "query_string": b"", "headers": headers}
    )


def test_only_watched_actions_move_the_version(session: Session) -> None:
    cache = PageCache(["advisory.published"])
    before = cache.version(session)
    audit.record(session, SYSTEM, "citizen.registered", "citizen", 1)
    assert cache.version(session) == before
    entry = audit.record(session, SYSTEM, "advisory.published", "advisory", 7)
    assert cache.version(session) == (entry.seq, entry.hash)


@pytest.mark.parametrize("kept", [True, False])
def test_a_page_that_is_not_200_is_passed_on_and_never_kept(
    session: Session, kept: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "page_cache", kept)
    cache = PageCache(["advisory.published"])
    built: list[int] = []

    def gone() -> Response:
        built.append(1)
        return HTMLResponse("gone", status_code=410)

    assert cache.respond(request(), session, gone).status_code == 410
    assert cache.respond(request(), session, gone).status_code == 410
    assert len(built) == 2


def test_a_kept_page_is_built_once_until_a_watched_change(session: Session) -> None:
    cache = PageCache(["advisory.published"])
    built: list[int] = []

    def page() -> Response:
        built.append(1)
        return HTMLResponse(f"<p>{len(built)}</p>")

    first = cache.respond(request(), session, page)
    assert cache.respond(request(), session, page).body == first.body == b"<p>1</p>"
    assert cache.respond(request(etag=first.headers["etag"]), session, page).status_code == 304
    audit.record(session, SYSTEM, "advisory.published", "advisory", 7)
    assert cache.respond(request(), session, page).body == b"<p>2</p>"
    assert len(built) == 2

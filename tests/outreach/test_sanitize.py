"""Advice text may come from a word processor or a hostile paste: only plain formatting stays."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from kieubao.outreach.sanitize import clean_html, plain_text

from .conftest import advisory_in

HOSTILE = st.sampled_from(
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        "<iframe src=//evil></iframe>",
        "<svg onload=alert(1)>",
        "<style>body{display:none}</style>",
        '<p style="x" onclick="steal()">',
        "<!-- <script> -->",
        "<div><p><b>unclosed",
        "</p></div></body>",
    ]
)


# The machine is shared: judge the property, not the speed of one draw.
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(HOSTILE, st.text(max_size=40)), max_size=8))
def test_no_script_survives_whatever_is_mixed_in(parts: list[str]) -> None:
    cleaned = clean_html("".join(parts)).lower()
    for danger in ("<script", "<iframe", "<svg", "<style", "onerror", "onclick", "onload"):
        assert danger not in cleaned
    assert "javascript:" not in cleaned.replace("&amp;", "&")
    # Clean output is stable: cleaning it again changes nothing.
    assert clean_html(cleaned) == cleaned


def test_plain_formatting_and_vietnamese_text_are_kept() -> None:
    text = '<p>Liên hệ <strong>Đại sứ quán</strong> <a href="tel:+81">gọi</a></p>'
    cleaned = clean_html(text)
    assert "<strong>Đại sứ quán</strong>" in cleaned
    assert 'href="tel:+81"' in cleaned
    assert plain_text(cleaned) == "Liên hệ Đại sứ quán gọi"


def test_broken_html_is_closed() -> None:
    assert clean_html("<p><em>Tránh khu vực biên giới") == "<p><em>Tránh khu vực biên giới</em></p>"


def test_advice_that_is_only_a_script_is_refused() -> None:
    with pytest.raises(ValidationError, match="nothing left"):
        advisory_in(advice_en="<script>alert(1)</script>")

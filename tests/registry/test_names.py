"""Names as people type them: with or without tones, Telex, VNI, any order."""

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kieubao.platform.text import fold
from kieubao.registry.names import deletions, name_tokens, vietnamese_order
from kieubao.registry.synthetic import GIVEN, MIDDLE, SURNAMES, keyboard, person

NAMES = st.builds(lambda seed: person(random.Random(seed), "Q").full_name, st.integers(0, 10**9))


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Nguyễn", "nguyen"),
        ("NGUYỄN", "nguyen"),
        ("Nguyen", "nguyen"),
        ("Nguyeenx", "nguyen"),
        ("Nguye6n4", "nguyen"),
        ("Đặng", "dang"),
        ("Ddawngj", "dang"),
        ("D9a8ng5", "dang"),
        ("Trương", "truong"),
        ("Truwowng", "truong"),
        ("Hoafng", "hoang"),
        ("Dduwcs", "duc"),
        ("Thij", "thi"),
        ("Xuaan", "xuan"),
        ("Sown", "son"),
    ],
)
def test_keystrokes_are_undone(typed: str, key: str) -> None:
    assert name_tokens(typed) == [key]


@given(NAMES)
def test_telex_and_vni_typing_reads_as_the_name(name: str) -> None:
    expected = fold(name).split()
    for style in ("telex", "vni"):
        typed = " ".join(keyboard(word, style) for word in name.split())
        assert name_tokens(typed) == expected


@given(st.text(max_size=40))
def test_folding_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)
    assert name_tokens(fold(text)) == name_tokens(text)


def test_western_order_is_recognised() -> None:
    assert vietnamese_order(["an", "van", "nguyen"]) == [["nguyen", "an", "van"]]
    assert vietnamese_order(["nguyen", "van", "an"]) == [["nguyen", "van", "an"]]
    # "Mai" is both a surname and a given name: both readings stand.
    assert len(vietnamese_order(["mai", "thi", "lan"])) == 1
    assert vietnamese_order(["lan", "mai"]) == [["mai", "lan"]]
    assert len(vietnamese_order(["ha", "mai"])) == 2


@given(st.text(alphabet="abcdeghiklmnopqrstuvxy", min_size=3, max_size=9), st.data())
def test_one_edit_apart_share_a_deletion(word: str, data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(word) - 1))
    substituted = word[:i] + data.draw(st.sampled_from("abcdeghik")) + word[i + 1 :]
    deleted = word[:i] + word[i + 1 :]
    assert deletions(word) & deletions(substituted)
    assert deletions(word) & deletions(deleted)


def test_the_name_lists_are_real_vietnamese_names() -> None:
    assert ("Nguyễn", 38.0) in SURNAMES
    assert "Thị" in [m for m, _ in MIDDLE["female"]]
    assert len(GIVEN["male"]) >= 80 and len(GIVEN["female"]) >= 80

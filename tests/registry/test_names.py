"""Names as people type them: with or without tones, in Telex or VNI keystrokes, any case."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kieubao.registry.names import (
    decode_typed,
    deletions,
    fold,
    is_syllable,
    name_tokens,
    near_surnames,
    tone_and_marks,
)
from kieubao.registry.synthetic import GIVEN, MIDDLE, SURNAMES, people

# Real names, from the generator's lists: surname, middle names, given name.
WORDS = sorted(
    {s for s, _ in SURNAMES}
    | {w for names in MIDDLE.values() for m, _ in names for w in m.split()}
    | {w for names in GIVEN.values() for w in names}
)
NAMES = st.builds(
    lambda parts: " ".join(parts),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=4),
)

# Our own keyboards, written apart from the generator's so that neither checks itself.
TELEX_MARKS = {"â": "aa", "ê": "ee", "ô": "oo", "ă": "aw", "ơ": "ow", "ư": "uw", "đ": "dd"}
VNI_MARKS = {"â": "a6", "ê": "e6", "ô": "o6", "ă": "a8", "ơ": "o7", "ư": "u7", "đ": "d9"}
TONES = {"\u0301": "s1", "\u0300": "f2", "\u0309": "r3", "\u0303": "x4", "\u0323": "j5"}


def typed(word: str, style: str, tone_at_end: bool) -> str:
    """A word as typed on a keyboard not switched to Vietnamese."""
    marks = TELEX_MARKS if style == "telex" else VNI_MARKS
    out, tone = "", ""
    for ch in unicodedata.normalize("NFC", word):
        base = unicodedata.normalize("NFD", ch)
        letter = unicodedata.normalize("NFC", "".join(c for c in base if c not in TONES))
        key = marks.get(letter.lower(), letter)
        out += key[0].upper() + key[1:] if letter.isupper() else key
        for c in base:
            if c in TONES:
                tone = TONES[c][0 if style == "telex" else 1]
                if not tone_at_end:
                    out, tone = out + tone, ""
    return out + tone


@pytest.mark.parametrize(
    ("keys", "word"),
    [
        ("Nguyeenx", "Nguyễn"),
        ("Nguyeexn", "Nguyễn"),
        ("NGUYEENX", "NGUYỄN"),
        ("Hoaf", "Hoà"),
        ("Truwowng", "Trương"),
        ("Truowng", "Trương"),
        ("Nguwowif", "Người"),
        ("Ddawngj", "Đặng"),
        ("Dduwcs", "Đức"),
        ("Thij", "Thị"),
        ("Xuaan", "Xuân"),
        ("Sown", "Sơn"),
        ("Quyf", "Quỳ"),
        ("Coong", "Công"),
        ("Nguye6n4", "Nguyễn"),
        ("Nguye6n", "Nguyên"),
        ("D9a85ng", "Đặng"),
        ("D9a8ng5", "Đặng"),
        ("Tru7o7ng", "Trương"),
        ("Hoa2ng", "Hoàng"),
    ],
)
def test_keystrokes_are_undone(keys: str, word: str) -> None:
    assert decode_typed(keys) == word


@pytest.mark.parametrize(
    "word",
    ["Nguyễn", "Nguyen", "Anh", "anh", "Kim", "Quynh", "Aaron", "Brooke", "Cooper", "Saad",
     "Thomas", "Peter", "Linda", "John", "Jessica", "Hoang2x"],
)  # fmt: skip
def test_words_that_are_no_keystrokes_stay_as_they_are(word: str) -> None:
    assert decode_typed(word) == word


def test_a_name_reads_the_same_however_it_was_typed() -> None:
    expected = ["nguyen", "van", "an"]
    for name in ["Nguyễn Văn An", "NGUYEN VAN AN", "nguyen-van an", "Nguyeenx Vawn An",
                 "Nguye6n4 Va8n An", "  Nguyễn   Văn An ",
                 unicodedata.normalize("NFD", "Nguyễn Văn An")]:  # fmt: skip
        assert name_tokens(name) == expected, name


@given(NAMES, st.sampled_from(["telex", "vni"]), st.booleans())
def test_keystrokes_read_as_the_name(name: str, style: str, tone_at_end: bool) -> None:
    keys = " ".join(typed(word, style, tone_at_end) for word in name.split())
    assert name_tokens(keys) == fold(name).split()


@given(NAMES)
def test_a_name_without_tones_is_never_taken_for_keystrokes(name: str) -> None:
    assert name_tokens(fold(name)) == fold(name).split()
    assert name_tokens(fold(name).upper()) == fold(name).split()


@given(st.text(max_size=40))
def test_folding_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@given(st.text(max_size=40))
def test_reading_a_name_twice_changes_nothing(text: str) -> None:
    tokens = name_tokens(text)
    assert name_tokens(" ".join(tokens)) == tokens


def test_the_generated_people_read_as_themselves() -> None:
    for person, _ in zip(people(seed=3), range(2000), strict=False):
        assert name_tokens(person.full_name) == fold(person.full_name).split()


@pytest.mark.parametrize(
    ("word", "syllable"),
    [("nguyen", True), ("Nguyễn", True), ("quynh", True), ("giang", True), ("khuya", True),
     ("anh", True), ("ahn", False), ("nguyne", False), ("coong", False), ("thomas", False),
     ("tuan", True), ("tuân", True), ("tuăn", False)],
)  # fmt: skip
def test_what_a_vietnamese_syllable_is(word: str, syllable: bool) -> None:
    assert is_syllable(word) is syllable


def test_a_mistyped_surname_is_recognised() -> None:
    assert near_surnames("ngyuen") == {"nguyen"}
    assert near_surnames("phma") == {"pham"}
    assert near_surnames("nguyen") == frozenset()  # already one


def test_tones_compare_wherever_they_sit() -> None:
    assert tone_and_marks("thuỷ") == tone_and_marks("thủy")
    assert tone_and_marks("hoà") == tone_and_marks("hòa")
    assert tone_and_marks("ánh") != tone_and_marks("anh")


@given(st.text(alphabet="abcdeghiklmnopqrstuvxy", min_size=2, max_size=9), st.data())
def test_one_edit_apart_share_a_deletion(word: str, data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(word) - 1))
    changed = word[:i] + data.draw(st.sampled_from("abcdeghik")) + word[i + 1 :]
    dropped = word[:i] + word[i + 1 :]
    swapped = word[:i] + word[i + 1 : i + 2] + word[i] + word[i + 2 :]
    added = word[:i] + "x" + word[i:]
    for other in (changed, dropped, swapped, added):
        assert deletions(word) & deletions(other)

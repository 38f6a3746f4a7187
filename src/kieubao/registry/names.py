"""Vietnamese names as people really type them.

Everything here works on the folded form (platform.text.fold: no tones, đ→d, lower case),
then undoes what Telex and VNI keystrokes leave behind when a keyboard was not switched
to Vietnamese: "Nguyeenx" and "Nguye6n4" both become "nguyen". The result is a key for
matching, never shown to anyone.
"""

import re
from functools import lru_cache

from kieubao.platform.text import fold

_VOWELS = set("aeiouyw")
_TONE_KEYS = re.compile(r"[sfrxj]")
# Telex marks typed as doubled or 'w'-suffixed letters, longest first.
_TELEX_MARKS = (
    ("uw", "u"),
    ("ow", "o"),
    ("aw", "a"),
    ("aa", "a"),
    ("ee", "e"),
    ("oo", "o"),
    ("w", "u"),
)

SURNAMES = frozenset(
    (
        "nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly dinh lam mai "
        "trinh truong dao doan luong luu cao ha ta thai quach kieu chu to la tong khuc lai "
        "hua vuong trieu tang giang thach than mac phung au nghiem dam lac ton diep kha han"
    ).split()
)
MIDDLE_NAMES = frozenset(
    (
        "van thi duc minh ngoc thanh huu quoc hong kim xuan cong quang anh thu bao gia hoai "
        "manh trung dinh tuan thuy phuong my bich khanh"
    ).split()
)
COMMON = SURNAMES | MIDDLE_NAMES


@lru_cache(maxsize=65536)
def word_key(word: str) -> str:
    """One folded word with Telex/VNI keystrokes undone."""
    word = re.sub(r"\d", "", word)  # VNI: tones and marks are digits
    first_vowel = next((i for i, ch in enumerate(word) if ch in _VOWELS), len(word))
    initial, rest = word[:first_vowel], word[first_vowel:]
    initial = initial.replace("dd", "d")
    # Vietnamese finals are only c ch m n ng nh p t: after the first vowel, s f r x j are
    # Telex tone keys, never letters of the name.
    rest = _TONE_KEYS.sub("", rest)
    for typed, letter in _TELEX_MARKS:
        rest = rest.replace(typed, letter)
    return initial + rest


def name_tokens(full_name: str) -> list[str]:
    return [key for word in fold(full_name).split() if (key := word_key(word))]


def vietnamese_order(tokens: list[str]) -> list[list[str]]:
    """The ways to read a name as surname … given name: as written, and reversed when it looks
    written given-name-first ("Van An Nguyen"). Both when it cannot be told."""
    if len(tokens) < 2:
        return [tokens]
    first_is_surname = tokens[0] in SURNAMES
    last_is_surname = tokens[-1] in SURNAMES
    reordered = [tokens[-1], *tokens[:-1]]
    if first_is_surname and not last_is_surname:
        return [tokens]
    if last_is_surname and not first_is_surname:
        return [reordered]
    return [tokens, reordered]


def deletions(token: str) -> set[str]:
    """The token and every form of it with one letter left out: two words one edit apart
    share at least one of these (symmetric deletion)."""
    return (
        {token} | {token[:i] + token[i + 1 :] for i in range(len(token))}
        if len(token) > 1
        else {token}
    )

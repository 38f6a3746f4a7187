"""Vietnamese names as people really type them.

A name is matched on its folded words (no tones, đ→d, lower case: ``fold``), after undoing
what Telex and VNI keystrokes leave behind when the keyboard was not switched to
Vietnamese: "Nguyeenx" and "Nguye6n4" are both "Nguyễn". A word is decoded only when it is
not already a Vietnamese syllable and its decoding is one, so "Anh", "Kim", "Aaron",
"Brooke" or "Thomas" stay as they are. A foreign name can still read as a Telex syllable
("Lee" is how Telex types "Lê", "Mary" "Mảy"); both sides of a comparison are decoded the
same way, so this costs at most a namesake more among the candidates.
"""

import re
import unicodedata
from functools import lru_cache

from rapidfuzz.distance import DamerauLevenshtein

from kieubao.platform.text import fold, nfc

__all__ = [
    "MIDDLE_NAMES",
    "SURNAMES",
    "decode_typed",
    "deletions",
    "fold",
    "is_syllable",
    "name_tokens",
    "near_surnames",
    "nfc",
    "read_name",
    "tone_and_marks",
]

# The surnames of nearly every Vietnamese person (folded). Naming order is surname first;
# a name that ends with one of these and does not start with one was written given name
# first, as forms abroad ask.
SURNAMES = frozenset(
    (
        "nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly dinh lam mai "
        "trinh truong dao doan luong luu cao ha ta thai quach kieu chau to la tong khuc lai "
        "hua vuong trieu tang giang thach than mac phung au nghiem dam lac ton diep kha han "
        "chu cu ung ong tieu bach banh bien can dong giap hau khong khuu lo luc ma man mong "
        "nong ninh phi quan sam tat thieu trac tu vi vien xa lu mach"
    ).split()
)
# Middle names (tên đệm) common enough that a name typed without one is the same name.
MIDDLE_NAMES = frozenset(
    (
        "van thi duc minh ngoc thanh huu quoc hong kim xuan cong quang anh thu bao gia hoai "
        "manh trung dinh tuan thuy phuong my bich khanh nhu dieu tuong phuc cam nhat tien "
        "trong viet vinh hai hoang the tan ba dac tri dang thai"
    ).split()
)

_VOWELS = "aăâeêioôơuưy"
_INITIALS = frozenset(
    ["", *"b c ch d đ g gh gi h k kh l m n ng ngh nh p ph qu r s t th tr v x".split()]
)
_FINALS = frozenset(["", *"c ch m n ng nh p t".split()])
# Vowel groups of a syllable (without tones), by whether a final consonant must, may or
# must not follow.
_NEED_FINAL = "ă â iê yê uô ươ uyê oă uâ oo".split()
_NO_FINAL = (
    "ai ao au ay âu ây eo êu ia iu oi ôi ơi ua ui ưa ưi ưu iêu yêu oai oay oao oeo uây uôi "
    "ươi ươu uya uyu"
).split()
_EITHER = "a e ê i o ô ơ u ư y oa oe uê uơ uy".split()
_NUCLEI = frozenset(
    [(n, True) for n in _NEED_FINAL + _EITHER] + [(n, False) for n in _NO_FINAL + _EITHER]
)
# The same without marks, as a word typed without tones reads. "oo" is left out on purpose:
# in a name it is "ô" typed in Telex ("Coong" is Công), not the rare "xoong".
_FOLDED_NUCLEI = frozenset((fold(n), final) for n, final in _NUCLEI if fold(n) != "oo")

_TONES = {"\u0301", "\u0300", "\u0309", "\u0303", "\u0323"}  # sắc huyền hỏi ngã nặng
_TELEX_TONES = {"s": "\u0301", "f": "\u0300", "r": "\u0309", "x": "\u0303", "j": "\u0323"}
_VNI_TONES = {"1": "\u0301", "2": "\u0300", "3": "\u0309", "4": "\u0303", "5": "\u0323"}
_CIRCUMFLEX = {"a": "â", "e": "ê", "o": "ô"}
_HOOKS = {"a": "ă", "o": "ơ", "u": "ư"}  # Telex "w": breve on a, horn on o and u
_WORD = re.compile(r"[^\W_]+")


def _split(word: str) -> tuple[str, str, str] | None:
    """Initial consonant, vowel group and final consonant of a lower-case syllable."""
    i = 0
    while i < len(word) and word[i] not in _VOWELS:
        i += 1
    j = i
    while j < len(word) and word[j] in _VOWELS:
        j += 1
    initial, nucleus, final = word[:i], word[i:j], word[j:]
    # "qu" and "gi" before another vowel are consonants: quý, già, giữa (but gì, gin).
    qu = initial == "q" and nucleus.startswith("u")
    gi = initial == "g" and nucleus.startswith("i") and len(nucleus) > 1
    if qu or gi:
        initial, nucleus = initial + nucleus[0], nucleus[1:]
    return (initial, nucleus, final) if nucleus else None


def is_syllable(word: str) -> bool:
    """Whether a word (any case, with or without marks) is spelled as a Vietnamese syllable."""
    bare = unicodedata.normalize("NFD", word.lower())
    bare = unicodedata.normalize("NFC", "".join(ch for ch in bare if ch not in _TONES))
    parts = _split(bare)
    if parts is None:
        return False
    initial, nucleus, final = parts
    nuclei = _FOLDED_NUCLEI if nucleus.isascii() else _NUCLEI
    if initial not in _INITIALS or final not in _FINALS or (nucleus, bool(final)) not in nuclei:
        return False
    return _spelled_right(initial, nucleus, final)


def _spelled_right(initial: str, nucleus: str, final: str) -> bool:
    """The spelling rules a vowel group and its consonants follow ("Nguen", "Kanh" break them)."""
    front = nucleus[0] in "eêiy"
    if (initial in ("k", "gh", "ngh") and not front) or (initial in ("c", "ng") and front):
        return False
    if initial == "g" and nucleus[0] in "eê":
        return False  # ghe, ghê
    if nucleus[0] == "y" and len(nucleus) > 1 and initial not in ("", "qu"):
        return False  # yên, yêu, quyên; after another consonant it is written iê
    if nucleus[:2] in ("ie", "iê") and not initial:
        return False
    if final in ("ch", "nh") and nucleus[-1] not in "aeêiy":
        return False
    return not (nucleus in ("ue", "uê") and final not in ("", "nh"))


def _mark(nucleus: list[str], marks: dict[str, str]) -> bool:
    """Put a mark on the last vowel that takes it; a horn goes on both of "uo" (ươ)."""
    text = "".join(nucleus)
    for pair in ("uo", "ưo", "uơ"):
        if pair in text and marks.get("o") == "ơ":
            at = text.index(pair)
            nucleus[at : at + 2] = ["ư", "ơ"]
            return True
    for k in range(len(nucleus) - 1, -1, -1):
        if nucleus[k] in marks:
            nucleus[k] = marks[nucleus[k]]
            return True
    return False


def _decode(word: str, vni: bool) -> str | None:
    """A lower-case ASCII word read as Telex (or VNI) keystrokes; None if it reads as no
    Vietnamese syllable."""
    initial, i = ("đ", 2) if word.startswith("d9" if vni else "dd") else ("", 0)
    while i < len(word) and word[i].isalpha() and word[i] not in "aeiouy" + ("" if vni else "w"):
        initial += word[i]
        i += 1
    nucleus: list[str] = []
    final = tone = ""
    for ch in word[i:]:
        if ch in "aeiouy":
            if final:
                return None  # a vowel after the final consonant: "Thomas", "Peter"
            if not vni and ch in _CIRCUMFLEX and nucleus[-1:] == [ch]:
                nucleus[-1] = _CIRCUMFLEX[ch]
            else:
                nucleus.append(ch)
        elif not vni and ch == "w":
            if not _mark(nucleus, _HOOKS):
                if final:
                    return None
                nucleus.append("ư")  # "w" alone is ư: "Tw" is Tư
        elif not vni and ch in _TELEX_TONES and nucleus:
            tone = _TELEX_TONES[ch]
        elif vni and ch in _VNI_TONES and nucleus:
            tone = _VNI_TONES[ch]
        elif vni and ch in "678" and nucleus:
            marks = {"6": _CIRCUMFLEX, "7": {"o": "ơ", "u": "ư"}, "8": {"a": "ă"}}[ch]
            if not _mark(nucleus, marks):
                return None
        elif vni and ch == "9" and initial == "d":
            initial = "đ"
        elif ch.isalpha() and nucleus:
            final += ch
        else:
            return None
    if not nucleus:
        return None
    plain = initial + "".join(nucleus) + final
    parts = _split(plain)
    if parts is None or not is_syllable(plain):
        return None
    initial, vowels, final = parts
    at = len(initial) + _tone_position(vowels, bool(final))
    return unicodedata.normalize("NFC", plain[: at + 1] + tone + plain[at + 1 :])


def _tone_position(vowels: str, closed: bool) -> int:
    """Where the tone mark sits in a vowel group (the "new" rule: hoà, thuỷ, khoẻ)."""
    marked = [k for k, ch in enumerate(vowels) if ch in "ăâêôơư"]
    if marked:
        return marked[-1]
    if len(vowels) == 1 or closed or vowels in ("oa", "oe", "uy"):
        return len(vowels) - 1
    return len(vowels) - 2


@lru_cache(maxsize=65536)
def decode_typed(word: str) -> str:
    """One word with Telex or VNI keystrokes undone, in the case it was typed:
    "Nguyeenx" → "Nguyễn", "Hoaf" → "Hoà", "Truwowng" → "Trương", "Nguye6n4" → "Nguyễn",
    "D9a85ng" → "Đặng". A word that is already a syllable, or has marks, is left alone."""
    lower = word.lower()
    if not lower.isascii() or not lower.isalnum() or is_syllable(lower):
        return word
    decoded = _decode(lower, vni=any(ch.isdigit() for ch in lower))
    if decoded is None:
        return word
    letters = [ch for ch in word if ch.isalpha()]
    if len(letters) > 1 and all(ch.isupper() for ch in letters):
        return decoded.upper()
    return decoded[:1].upper() + decoded[1:] if word[:1].isupper() else decoded


@lru_cache(maxsize=65536)
def _read(raw: str) -> tuple[tuple[str, str], ...]:
    """A typed word as (word with its marks, folded token). Keystrokes are undone on the
    folded word, so that a name read twice reads the same."""
    lower = unicodedata.normalize("NFC", raw).lower()
    folded = fold(lower)
    if " " in folded or not folded:  # a sign that folds into several words, or none
        return tuple((token, token) for token in folded.split())
    decoded = decode_typed(folded)
    word = lower if decoded == folded else decoded
    return ((word, fold(word)),)


@lru_cache(maxsize=65536)
def read_name(full_name: str) -> tuple[tuple[str, str], ...]:
    """Each word of a name as (word with its marks, folded token), keystrokes undone."""
    # Composed first: a decomposed mark is no word character and would cut the word.
    words = _WORD.findall(unicodedata.normalize("NFC", full_name))
    return tuple(pair for raw in words for pair in _read(raw))


def name_tokens(full_name: str) -> list[str]:
    """The folded words of a name, keystrokes undone: "Nguyeenx Vawn An" → nguyen van an."""
    return [token for _, token in read_name(full_name)]


@lru_cache(maxsize=65536)
def tone_and_marks(word: str) -> tuple[str, ...]:
    """A word's tone and vowel marks, wherever they sit: "thuỷ" and "thủy" are one name,
    "Ánh" and "Anh" are two."""
    return tuple(
        sorted(ch for ch in unicodedata.normalize("NFD", word) if unicodedata.combining(ch))
    )


def deletions(token: str) -> set[str]:
    """The token and every form of it with one letter left out. Two words one edit apart
    (a letter changed, dropped, added or two swapped) share at least one of these."""
    return (
        {token} | {token[:i] + token[i + 1 :] for i in range(len(token))}
        if len(token) > 1
        else {token}
    )


@lru_cache(maxsize=16384)
def near_surnames(token: str) -> frozenset[str]:
    """Surnames one edit from a word that is not itself a surname ("Ngyuen" → nguyen)."""
    if token in SURNAMES or len(token) < 3:
        return frozenset()
    return frozenset(s for s in SURNAMES if DamerauLevenshtein.distance(s, token) == 1)

"""Text as Vietnamese is stored (NFC) and as it is searched (folded: no tones, đ→d, lower)."""

import re
import unicodedata

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(text.split()))


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return " ".join(_NON_WORD.sub(" ", bare).replace("_", " ").split())

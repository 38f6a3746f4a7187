"""Realistic Vietnamese people abroad, made up from a seed: for the demo, tests and benchmarks.

People: surnames follow their real shares (Nguyễn about 38 %, Trần 11 %, Lê 9.5 % ...);
middle names depend on sex (Văn, Thị, Đức, Minh, Ngọc ... or none; some women have two,
"Thị Ngọc"); given names are some 280 real ones, the popular ones more often (weights fall
as 1/(rank+10), so namesakes are as frequent as in life, not spread evenly). Names that
two spelling conventions write differently ("Hoà"/"Hòa", "Thuỷ"/"Thủy") come both ways.
Births run 1950-2008, seven in ten between 1985 and 2006 (workers and students). Countries
are weighted by where Vietnamese people live and work abroad, each with its main cities,
and the stay status by the kind of country (labour destinations mostly workers and
students, settled communities mostly residents). ``people`` streams: a million people
never sit in memory at once.

Noisy queries (``noisy_query``): the ways officers, relatives and spreadsheets type a
registered person again. The name gets three independent draws:

* form: as registered 55 %; given name first or surname last 15 % ("An Văn Nguyễn" or
  "Văn An Nguyễn", half each); middle name(s) left out 15 % (as registered when there is
  none); one typo 15 % (in one word of three letters or more: a neighbouring key struck
  instead, a letter dropped, or two letters swapped; that word then typed without marks);
* script: with marks 38 %, without tones 45 %, đ typed as d with the other marks kept
  5 %, Telex keystrokes 8 %, VNI keystrokes 4 % (tone key at the end of the word or right
  after its vowel);
* case: as typed 80 %, all lower case 14 %, all upper case 6 %.

The birth date: written in full 55 % (DD/MM/YYYY, or YYYY-MM-DD one time in four), day and
month swapped (MM/DD/YYYY) 10 %, year only 15 %, missing 20 %. The country is the one the
person is registered in. ``noise_kinds`` names every distortion applied.
"""

import random
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate

from kieubao.platform.text import fold

SURNAMES = [
    ("Nguyễn", 38.0), ("Trần", 11.0), ("Lê", 9.5), ("Phạm", 7.0), ("Hoàng", 3.5),
    ("Huỳnh", 3.0), ("Phan", 4.5), ("Vũ", 3.0), ("Võ", 2.5), ("Đặng", 2.1), ("Bùi", 2.0),
    ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3), ("Dương", 1.0), ("Lý", 0.5), ("Đinh", 0.6),
    ("Lâm", 0.4), ("Mai", 0.4), ("Trịnh", 0.4), ("Trương", 0.5), ("Đào", 0.4),
    ("Đoàn", 0.4), ("Lương", 0.3), ("Lưu", 0.3), ("Cao", 0.3), ("Hà", 0.3), ("Tạ", 0.2),
    ("Thái", 0.2), ("Quách", 0.1), ("Kiều", 0.1), ("Châu", 0.1), ("Tô", 0.1), ("La", 0.1),
    ("Tống", 0.1), ("Khúc", 0.05), ("Lại", 0.1), ("Vương", 0.1), ("Triệu", 0.1),
    ("Phùng", 0.1), ("Nghiêm", 0.05), ("Hứa", 0.05), ("Giang", 0.05), ("Thân", 0.05),
]  # fmt: skip
MIDDLE = {
    "male": [
        ("Văn", 30), ("Đức", 8), ("Minh", 8), ("Quốc", 6), ("Hữu", 6), ("Thanh", 5),
        ("Công", 4), ("Quang", 4), ("Xuân", 3), ("Đình", 3), ("Tuấn", 2), ("Mạnh", 2),
        ("Gia", 2), ("Ngọc", 2), ("Bảo", 2), ("Trung", 2), ("Anh", 2), ("Thế", 2), ("", 9),
    ],
    "female": [
        ("Thị", 35), ("Ngọc", 8), ("Thu", 5), ("Thanh", 5), ("Minh", 3), ("Hồng", 4),
        ("Kim", 4), ("Phương", 3), ("Thuỳ", 3), ("Bích", 2), ("Mỹ", 2), ("Khánh", 2),
        ("Hoài", 2), ("Xuân", 2), ("Bảo", 2), ("Diệu", 1), ("Như", 1), ("", 8),
    ],
}  # fmt: skip
# A woman named "Thị" often carries a second middle name: Nguyễn Thị Ngọc Anh.
SECOND_MIDDLE = ["Ngọc", "Thanh", "Thu", "Kim", "Hồng", "Mỹ", "Bích", "Thuỳ", "Phương"]
# Given names, the most popular first.
GIVEN = {
    "male": """Anh Minh Hùng Dũng Tuấn Hải Nam Long Hoàng Thắng Huy Đức Quang Sơn Thành
        Trung Tùng Phong Cường Hiếu Khánh Duy Tài Việt Bình Hưng Toàn Lâm Vinh Phúc Hoà
        Khoa Kiên Lộc Mạnh Nghĩa Nhân Phát Quân Tâm Thái Thiện Thịnh Tiến Trí Trọng
        Trường Tú Vũ An Bảo Công Chiến Danh Đạt Định Đông Giang Hào Hậu Hiệp Khang Khải
        Khôi Lợi Luân Lực Nguyên Nhật Quý Quyết Sang Tân Thạch Thông Thuận Tín Toản
        Triều Tường Vĩnh Vương Đăng Hợp Khiêm Kiệt Lượng Nhất Quốc Sinh Tấn Thanh Thọ
        Tiệp Trực Tuệ Tuyên Vỹ Bách Chính Chung Cương Doanh Dương Đại Gia Hiển Hiệu
        Hoan Huân Hữu Kha Khương Lân Lập Luật Phi Phú Quảng Sĩ Tạo Thăng Thế Thiên Thức
        Tuân Uy Vạn Xuân Hà Ngọc Linh Phương Bằng Cảnh Chương Điền Hoạt Khoát Lĩnh
        Mẫn Ninh Phước Quyền Sỹ Tịnh Thiệu Toại Tuyến Ước""".split(),
    "female": """Linh Anh Hương Trang Hà Ngọc Thảo Huyền Hằng Lan Mai Phương Nhung Hạnh
        Thu Yến Hoa Hồng Nga Vân Dung Thuỷ Quỳnh Ly Hiền Giang Oanh My Nhi Uyên Tâm
        Loan Thuý Hậu Diệp Ánh Bích Châu Chi Cúc Duyên Hân Hoài Hường Huệ Khánh Khuê
        Lam Liên Lụa Mơ Ngân Nguyệt Nhàn Nhạn Phượng Quế Quyên Sương Thanh Thắm Thơ
        Thoa Thục Thư Thương Tiên Trà Trâm Trinh Tú Tuyết Tươi Vi Vy Xoan Xuân Ý Diễm
        Đào Điệp Gấm Hạ Hảo Hoà Huế Kiều Kim Lệ Liễu Mỹ Na Nương Nhã Như Phúc Sa Thi
        Thơm Thuần Thuỳ Trúc Xinh Yên Đan Băng Cẩm Dịu Đoan Giao Hoàn Huyên Khanh Lài
        Mận Mến Miên Minh Nhiên Ninh Sen Thêu Tình Xuyến Hồng Hạnh Kha Lành""".split(),
}
# Names written with the tone on either vowel, both in use (the old rule and the new).
OLD_STYLE = {"Hoà": "Hòa", "Thuỷ": "Thủy", "Thuý": "Thúy", "Thuỳ": "Thùy"}
# Where Vietnamese people abroad live and work, roughly in proportion, with main cities.
PLACES = [
    ("JP", 18, "Tokyo Osaka Nagoya Yokohama Fukuoka Saitama Hiroshima Kobe Kyoto Sapporo"),
    ("US", 16, "Houston|San Jose|Los Angeles|Garden Grove|Westminster|Seattle|Dallas|Boston"),
    ("KR", 10, "Seoul Busan Incheon Daegu Suwon Ansan Changwon Gimhae"),
    ("TW", 10, "Taipei|Taoyuan City|Taichung|Kaohsiung|Tainan|Hsinchu"),
    ("AU", 6, "Sydney Melbourne Brisbane Perth Adelaide"),
    ("DE", 5, "Berlin|Hamburg|Leipzig|Frankfurt am Main|Munich|Dresden"),
    ("FR", 4, "Paris Lyon Marseille Toulouse"),
    ("CA", 4, "Toronto Montreal Vancouver Calgary"),
    ("KH", 3, "Phnom Penh|Siem Reap|Sihanoukville|Battambang"),
    ("GB", 2, "London Birmingham Manchester"),
    ("RU", 2, "Moscow|Saint Petersburg|Vladivostok"),
    ("CZ", 2, "Prague Brno Cheb Plzen"),
    ("MY", 2, "Kuala Lumpur|Penang|Johor Bahru"),
    ("TH", 2, "Bangkok|Udon Thani|Nakhon Phanom|Khon Kaen"),
    ("LA", 2, "Vientiane|Pakse|Savannakhet|Luang Prabang"),
    ("CN", 2, "Guangzhou Shanghai Beijing Nanning Kunming"),
    ("PL", 1, "Warsaw Krakow"),
    ("SA", 1, "Riyadh Jeddah"),
    ("AE", 1, "Dubai|Abu Dhabi"),
    ("SG", 1, "Singapore"),
    ("NL", 0.5, "Amsterdam Rotterdam"),
    ("NZ", 0.5, "Auckland Wellington"),
]
LABOUR = {"JP", "KR", "TW", "MY", "SA", "AE", "SG", "CN", "TH", "LA", "KH"}
STAY = {
    True: [("worker", 50), ("student", 20), ("resident", 12), ("tourist", 5), ("crew", 5),
           ("undocumented", 4), ("unknown", 4)],
    False: [("resident", 60), ("student", 15), ("worker", 10), ("tourist", 8), ("crew", 1),
            ("undocumented", 1), ("unknown", 5)],
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Person:
    ref: str
    full_name: str
    sex: str
    born: date
    country: str
    city: str
    stay_status: str


class _Draw:
    """A weighted choice, its cumulative weights computed once (a million draws follow)."""

    def __init__(self, weighted: Sequence[tuple[str, float]]) -> None:
        self.items = [item for item, _ in weighted]
        self.cumulative = list(accumulate(weight for _, weight in weighted))

    def __call__(self, rng: random.Random) -> str:
        return rng.choices(self.items, cum_weights=self.cumulative)[0]


def _popular(names: list[str]) -> _Draw:
    unique = dict.fromkeys(unicodedata.normalize("NFC", n) for n in names)
    return _Draw([(name, 1 / (rank + 10)) for rank, name in enumerate(unique)])


_SURNAME = _Draw(SURNAMES)
_MIDDLE = {sex: _Draw(weighted) for sex, weighted in MIDDLE.items()}
_GIVEN = {sex: _popular(names) for sex, names in GIVEN.items()}
_COUNTRY = _Draw([(code, weight) for code, weight, _ in PLACES])
_CITIES = {code: cities.split("|" if "|" in cities else None) for code, _, cities in PLACES}
_STAY = {labour: _Draw(weighted) for labour, weighted in STAY.items()}


def _born(rng: random.Random) -> date:
    if rng.random() < 0.7:
        start, days = date(1985, 1, 1), (date(2006, 12, 31) - date(1985, 1, 1)).days
    else:
        start, days = date(1950, 1, 1), (date(2008, 12, 31) - date(1950, 1, 1)).days
    return start + timedelta(days=rng.randrange(days + 1))


def person(rng: random.Random, ref: str) -> Person:
    sex = rng.choice(("male", "female"))
    middle = _MIDDLE[sex](rng)
    if middle == "Thị" and rng.random() < 0.25:
        middle += " " + rng.choice(SECOND_MIDDLE)
    given = _GIVEN[sex](rng)
    if given in OLD_STYLE and rng.random() < 0.5:
        given = OLD_STYLE[given]
    country = _COUNTRY(rng)
    name = " ".join(part for part in (_SURNAME(rng), middle, given) if part)
    return Person(
        ref,
        unicodedata.normalize("NFC", name),
        sex,
        _born(rng),
        country,
        rng.choice(_CITIES[country]),
        _STAY[country in LABOUR](rng),
    )


def people(seed: int = 1, prefix: str = "SYN") -> Iterator[Person]:
    """An endless, repeatable stream of people; take as many as needed."""
    rng = random.Random(seed)
    n = 0
    while True:
        n += 1
        yield person(rng, f"{prefix}-{seed}-{n:08d}")


def as_registration(p: Person) -> dict[str, object]:
    return {
        "external_ref": p.ref,
        "full_name": p.full_name,
        "sex": p.sex,
        "date_of_birth": p.born.isoformat(),
        "country": p.country,
        "city": p.city,
        "stay_status": p.stay_status,
        "consents": {"consular_contact": True, "crisis_alerts": True},
    }


# Telex and VNI: how a word with marks is typed on a keyboard not switched to Vietnamese.
_TONE_KEYS = {
    "\u0301": ("s", "1"),
    "\u0300": ("f", "2"),
    "\u0309": ("r", "3"),
    "\u0303": ("x", "4"),
    "\u0323": ("j", "5"),
}
_MARK_KEYS = {"\u0302": ("{0}{0}", "6"), "\u031b": ("{0}w", "7"), "\u0306": ("{0}w", "8")}


def keyboard(word: str, style: str, tone_at_end: bool = True) -> str:
    """Type a word in 'telex' or 'vni': each mark after its letter, the tone key at the end
    of the word or right after the vowel that carries it."""
    telex = style == "telex"
    out: list[str] = []
    tone = ""
    for letter in _letters(word):
        base, marks = letter[0], letter[1:]
        key = base
        if base in "đĐ":
            key = ("d" if base == "đ" else "D") + ("d" if telex else "9")
        for mark in marks:
            if mark in _MARK_KEYS:
                key = _MARK_KEYS[mark][0].format(key) if telex else key + _MARK_KEYS[mark][1]
            elif mark in _TONE_KEYS:
                tone = _TONE_KEYS[mark][0 if telex else 1]
        out.append(key)
        if tone and not tone_at_end:
            out.append(tone)
            tone = ""
    return "".join(out) + tone


def _letters(word: str) -> list[str]:
    """Each letter with the marks on it, decomposed: "ặ" → "a" + dot below + breve."""
    letters: list[str] = []
    for ch in unicodedata.normalize("NFD", word):
        if unicodedata.combining(ch) and letters:
            letters[-1] += ch
        else:
            letters.append(ch)
    return letters


FORMS = _Draw([("as_registered", 55), ("western_order", 15), ("no_middle_name", 15), ("typo", 15)])
SCRIPTS = _Draw([("with_marks", 38), ("no_tones", 45), ("d_for_dd", 5), ("telex", 8), ("vni", 4)])
CASES = _Draw([("as_typed", 80), ("lower_case", 14), ("upper_case", 6)])
DATES = _Draw([("full_date", 55), ("swapped_date", 10), ("year_only", 15), ("no_date", 20)])
_NEIGHBOURS = dict(
    zip(
        "qwertyuiopasdfghjklzxcvbnm",
        "wa qes wrd etf ryg tuh yij uok ipl ol qsz awdx sefc drgv fthb gyjn hukm jil kop "
        "asx zcsd xvdf cbfg vngh bmhj njk".split(),
        strict=True,
    )
)


def _typo(word: str, rng: random.Random) -> str:
    """One slip of the fingers in a folded word: never on the first letter but for a swap."""
    while True:
        kind = rng.choice(("substitute", "delete", "transpose"))
        if kind == "transpose":
            i = rng.randrange(len(word) - 1)
            typed = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        else:
            i = rng.randrange(1, len(word))
            new = rng.choice(_NEIGHBOURS[word[i]]) if kind == "substitute" else ""
            typed = word[:i] + new + word[i + 1 :]
        if typed != word:
            return typed


def _form(words: list[str], kind: str, rng: random.Random) -> tuple[list[str], str | None]:
    if kind == "western_order" and len(words) > 1:
        surname, middles, given = words[0], words[1:-1], words[-1]
        order = [given, *middles, surname] if rng.random() < 0.5 else [*middles, given, surname]
        return order, kind
    if kind == "no_middle_name" and len(words) > 2:
        if len(words) > 3 and rng.random() < 0.5:  # one of two middle names
            dropped = rng.randrange(1, len(words) - 1)
            return words[:dropped] + words[dropped + 1 :], kind
        return [words[0], words[-1]], kind
    if kind == "typo":
        long_enough = [i for i, w in enumerate(words) if len(fold(w)) >= 3]
        if long_enough:
            at = rng.choice(long_enough)
            typed = _typo(fold(words[at]), rng)
            return [*words[:at], typed.title(), *words[at + 1 :]], kind
    return words, None


def _script(word: str, kind: str, rng: random.Random) -> str:
    if kind == "no_tones":
        return fold(word).title()
    if kind == "d_for_dd":
        return word.replace("đ", "d").replace("Đ", "D")
    if kind in ("telex", "vni"):
        return keyboard(word, kind, tone_at_end=rng.random() < 0.7)
    return word


def noisy_name(full_name: str, rng: random.Random) -> tuple[str, list[str]]:
    """A registered name typed again, and the kinds of noise it went through."""
    form, script, case = FORMS(rng), SCRIPTS(rng), CASES(rng)
    words, applied = _form(full_name.split(), form, rng)
    kinds = [applied] if applied else []
    typed = " ".join(_script(word, script, rng) for word in words)
    if typed != " ".join(words):
        kinds.append(script)
    if case == "lower_case":
        typed = typed.lower()
    elif case == "upper_case":
        typed = typed.upper()
    if case != "as_typed":
        kinds.append(case)
    return typed, kinds or ["exact_name"]


def noisy_date(born: date, kind: str, rng: random.Random) -> str | None:
    if kind == "full_date":
        return born.isoformat() if rng.random() < 0.25 else born.strftime("%d/%m/%Y")
    if kind == "swapped_date":
        return born.strftime("%m/%d/%Y")
    if kind == "year_only":
        return str(born.year)
    return None


def noisy_query(p: Person, rng: random.Random) -> tuple[str, str | None, str, tuple[str, ...]]:
    """(name, date of birth text, country, noise kinds): the person as someone types them."""
    name, kinds = noisy_name(p.full_name, rng)
    date_kind = DATES(rng)
    return name, noisy_date(p.born, date_kind, rng), p.country, (*kinds, date_kind)

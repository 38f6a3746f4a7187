"""Realistic Vietnamese people abroad, made up from a seed: for the demo, tests and benchmarks.

Surnames follow their real shares (Nguyễn about 38 %); middle and given names are common
ones by sex; countries and cities follow where Vietnamese people abroad live and work.

Noisy queries (``noisy_query``) type a person's name and date the ways officers and
spreadsheets really do. The name is typed as: without tones (35 %), exact (20 %), all
lower case (10 %), given name first (10 %), without the middle name (10 %), with one typo
(7 %), in Telex (5 %) or VNI (3 %) keystrokes. The date: full (50 %), day and month
swapped (10 %), year only (20 %), missing (20 %).
"""

import random
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from kieubao.platform.text import fold

SURNAMES = [
    ("Nguyễn", 38.0),
    ("Trần", 11.0),
    ("Lê", 9.5),
    ("Phạm", 7.1),
    ("Hoàng", 4.1),
    ("Huỳnh", 4.0),
    ("Phan", 4.5),
    ("Vũ", 3.9),
    ("Võ", 2.5),
    ("Đặng", 2.1),
    ("Bùi", 2.0),
    ("Đỗ", 1.4),
    ("Hồ", 1.3),
    ("Ngô", 1.3),
    ("Dương", 1.0),
    ("Lý", 0.5),
    ("Đinh", 0.6),
    ("Lâm", 0.4),
    ("Mai", 0.4),
    ("Trịnh", 0.4),
    ("Trương", 0.5),
    ("Đào", 0.4),
    ("Đoàn", 0.4),
    ("Lương", 0.3),
    ("Lưu", 0.3),
    ("Cao", 0.3),
    ("Hà", 0.3),
    ("Tạ", 0.2),
    ("Thái", 0.2),
    ("Quách", 0.1),
    ("Kiều", 0.1),
    ("Châu", 0.1),
    ("Tô", 0.1),
    ("La", 0.1),
    ("Tống", 0.1),
    ("Khúc", 0.05),
    ("Lại", 0.1),
]
MIDDLE = {
    "male": [
        ("Văn", 30),
        ("Đức", 8),
        ("Minh", 8),
        ("Quốc", 6),
        ("Hữu", 6),
        ("Thanh", 5),
        ("Công", 4),
        ("Quang", 4),
        ("Xuân", 3),
        ("Tuấn", 2),
        ("Mạnh", 2),
        ("Gia", 2),
        ("Ngọc", 2),
        ("Bảo", 2),
        ("Trung", 2),
        ("Đình", 3),
        ("Anh", 2),
        ("", 9),
    ],
    "female": [
        ("Thị", 35),
        ("Ngọc", 8),
        ("Thu", 5),
        ("Thanh", 5),
        ("Minh", 3),
        ("Hồng", 4),
        ("Kim", 4),
        ("Phương", 3),
        ("Thuỳ", 3),
        ("Bích", 2),
        ("Mỹ", 2),
        ("Khánh", 2),
        ("Hoài", 2),
        ("Xuân", 2),
        ("Bảo", 2),
        ("", 8),
    ],
}
GIVEN = {
    "male": (
        "An Anh Bảo Bình Cường Chiến Công Danh Dũng Duy Dương Đạt Định Đông Đức Giang Hải Hào "
        "Hiếu Hiển Hoà Hoàng Huy Hùng Hưng Khang Khánh Khoa Khôi Kiên Lâm Linh Long Lộc Lợi "
        "Luân Mạnh Minh Nam Nghĩa Nguyên Nhân Nhật Phát Phong Phúc Phương Quân Quang Quý "
        "Quyết Sang Sơn Tài Tâm Tân Thái Thành Thắng Thiện Thịnh Thông Tiến Toàn Trí Trọng "
        "Trung Trường Tú Tuấn Tùng Tường Việt Vinh Vũ Vương Hậu Hiệp Kha Khải Lực Nhân Thạch "
        "Thuận Tín Triều Vĩnh"
    ).split(),
    "female": (
        "An Anh Ánh Bích Châu Chi Cúc Dung Duyên Giang Hà Hạnh Hằng Hiền Hoa Hồng Huệ Hương "
        "Huyền Khánh Lan Liên Linh Loan Ly Mai Minh My Nga Ngân Ngọc Nguyệt Nhàn Nhi Nhung "
        "Oanh Phương Quyên Quỳnh Sương Tâm Thảo Thanh Thảo Thắm Thơ Thu Thủy Thư Thương Trang "
        "Trâm Trinh Tú Tuyết Uyên Vân Vi Vy Xuân Yến Diệp Diễm Hân Hoài Hường Khuê Lam Lụa Mơ "
        "Nhạn Phượng Quế Thoa Thục Tiên Trà Tươi Vy Xoan"
    ).split(),
}
# Where Vietnamese people abroad live and work, roughly in proportion, with main cities.
PLACES = [
    (
        "JP",
        18,
        [
            "Tokyo",
            "Osaka",
            "Nagoya",
            "Yokohama",
            "Fukuoka",
            "Saitama",
            "Hiroshima",
            "Kobe",
            "Kyoto",
            "Sapporo",
        ],
    ),
    ("KR", 10, ["Seoul", "Busan", "Incheon", "Daegu", "Suwon", "Ansan", "Changwon", "Gimhae"]),
    ("TW", 10, ["Taipei", "Taoyuan City", "Taichung", "Kaohsiung", "Tainan", "Hsinchu"]),
    (
        "US",
        16,
        [
            "Houston",
            "San Jose",
            "Los Angeles",
            "Garden Grove",
            "Westminster",
            "Seattle",
            "Dallas",
            "New Orleans",
            "Washington",
            "New York City",
        ],
    ),
    ("AU", 6, ["Sydney", "Melbourne", "Brisbane", "Perth", "Adelaide"]),
    ("DE", 5, ["Berlin", "Hamburg", "Leipzig", "Frankfurt am Main", "Munich", "Dresden"]),
    ("FR", 4, ["Paris", "Lyon", "Marseille", "Toulouse"]),
    ("CA", 4, ["Toronto", "Montreal", "Vancouver", "Calgary"]),
    ("GB", 2, ["London", "Birmingham", "Manchester"]),
    ("RU", 2, ["Moscow", "Saint Petersburg", "Vladivostok"]),
    ("CZ", 2, ["Prague", "Brno", "Cheb", "Plzen"]),
    ("PL", 1, ["Warsaw", "Krakow"]),
    ("MY", 2, ["Kuala Lumpur", "Penang", "Johor Bahru"]),
    ("TH", 2, ["Bangkok", "Udon Thani", "Nakhon Phanom", "Khon Kaen"]),
    ("LA", 2, ["Vientiane", "Pakse", "Savannakhet", "Luang Prabang"]),
    ("KH", 3, ["Phnom Penh", "Siem Reap", "Sihanoukville", "Battambang"]),
    ("SA", 1, ["Riyadh", "Jeddah"]),
    ("AE", 1, ["Dubai", "Abu Dhabi"]),
    ("SG", 1, ["Singapore"]),
    ("CN", 2, ["Guangzhou", "Shanghai", "Beijing", "Nanning", "Kunming"]),
]
STAY = [
    ("resident", 35),
    ("worker", 30),
    ("student", 15),
    ("tourist", 8),
    ("crew", 4),
    ("undocumented", 3),
    ("unknown", 5),
]


@dataclass(frozen=True)
class Person:
    ref: str
    full_name: str
    sex: str
    born: date
    country: str
    city: str
    stay_status: str


def _pick(rng: random.Random, weighted: Sequence[tuple[str, float]]) -> str:
    return rng.choices([w[0] for w in weighted], weights=[w[1] for w in weighted])[0]


def person(rng: random.Random, ref: str) -> Person:
    sex = rng.choice(("male", "female"))
    surname = _pick(rng, SURNAMES)
    middle = _pick(rng, MIDDLE[sex])
    given = rng.choice(GIVEN[sex])
    country, _, cities = rng.choices(PLACES, weights=[p[1] for p in PLACES])[0]
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(58 * 365))
    name = " ".join(part for part in (surname, middle, given) if part)
    return Person(
        ref,
        unicodedata.normalize("NFC", name),
        sex,
        born,
        country,
        rng.choice(cities),
        _pick(rng, STAY),
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
_TONES = {
    "\u0301": ("s", "1"),
    "\u0300": ("f", "2"),
    "\u0309": ("r", "3"),
    "\u0303": ("x", "4"),
    "\u0323": ("j", "5"),
}
_MARKS = {"\u0302": ("{0}{0}", "6"), "\u031b": ("{0}w", "7"), "\u0306": ("{0}w", "8")}


def keyboard(word: str, style: str) -> str:
    """Type a word in 'telex' or 'vni': marks after their letter, the tone at the end."""
    out: list[str] = []
    tone = ""
    for ch in unicodedata.normalize("NFD", word):
        if ch in _TONES:
            tone = _TONES[ch][0 if style == "telex" else 1]
        elif ch in _MARKS and out:
            base = out.pop()
            out.append(_MARKS[ch][0].format(base) if style == "telex" else base + _MARKS[ch][1])
        elif ch in "đĐ":
            out.append(
                ("dd" if ch == "đ" else "Dd")
                if style == "telex"
                else ch.replace("đ", "d").replace("Đ", "D") + "9"
            )
        else:
            out.append(ch)
    return "".join(out) + tone


NAME_NOISE = [
    ("no_tones", 35),
    ("exact", 20),
    ("lower_case", 10),
    ("western_order", 10),
    ("no_middle_name", 10),
    ("typo", 7),
    ("telex", 5),
    ("vni", 3),
]
DATE_NOISE = [("full", 50), ("swapped", 10), ("year_only", 20), ("missing", 20)]


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 3:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("substitute", "delete", "transpose"))
    if kind == "delete":
        return word[:i] + word[i + 1 :]
    if kind == "transpose":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + rng.choice("abcdeghiklmnopqrstuvxy") + word[i + 1 :]


def noisy_name(full_name: str, kind: str, rng: random.Random) -> str:
    words = full_name.split()
    if kind == "no_tones":
        return " ".join(w.title() for w in fold(full_name).split())
    if kind == "lower_case":
        return full_name.lower()
    if kind == "western_order":
        return " ".join([*words[1:], words[0]])
    if kind == "no_middle_name" and len(words) > 2:
        return f"{words[0]} {words[-1]}"
    if kind == "typo":
        at = rng.randrange(len(words))
        words[at] = _typo(fold(words[at]), rng).title()
        return " ".join(fold(w).title() if i != at else w for i, w in enumerate(words))
    if kind in ("telex", "vni"):
        return " ".join(keyboard(w, kind) for w in words)
    return full_name


def noisy_date(born: date, kind: str) -> str | None:
    if kind == "full":
        return born.strftime("%d/%m/%Y")
    if kind == "swapped":
        return born.strftime("%m/%d/%Y")
    if kind == "year_only":
        return str(born.year)
    return None


def noisy_query(p: Person, rng: random.Random) -> tuple[str, str | None, str, tuple[str, str]]:
    name_kind, date_kind = _pick(rng, NAME_NOISE), _pick(rng, DATE_NOISE)
    return (
        noisy_name(p.full_name, name_kind, rng),
        noisy_date(p.born, date_kind),
        p.country,
        (name_kind, date_kind),
    )

"""Countries by ISO 3166-1 alpha-2, with their English and Vietnamese names.

The Vietnamese names are the short names Viet Nam's Ministry of Foreign Affairs uses;
``normalize_country`` also understands older transliterations and common aliases.
"""

import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from kieubao.platform import i18n
from kieubao.platform.text import fold


@dataclass(frozen=True, slots=True)
class Country:
    code: str
    name_en: str
    name_vi: str


@cache
def _data() -> dict[str, Any]:
    text = (files("kieubao.platform") / "data" / "countries.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def _countries() -> dict[str, Country]:
    return {c["code"]: Country(c["code"], c["name_en"], c["name_vi"]) for c in _data()["countries"]}


@cache
def _names() -> dict[str, str]:
    """Every folded name and alias -> code; codes themselves are not names (``Áo`` is AT)."""
    names: dict[str, str] = {}
    for country in _countries().values():
        for name in (country.name_en, country.name_vi):
            names.setdefault(fold(name), country.code)
    for alias, code in _data()["aliases"].items():
        names.setdefault(fold(alias), code)
    return names


def get(code: str) -> Country | None:
    return _countries().get(code.strip().upper())


def all_countries() -> list[Country]:
    """Every country, sorted by its name in the viewer's language."""
    vi = i18n.current_locale.get() == "vi"
    return sorted(_countries().values(), key=lambda c: fold(c.name_vi if vi else c.name_en))


def is_valid(code: str) -> bool:
    return code.strip().upper() in _countries()


def normalize_country(text: str) -> str | None:
    """The alpha-2 code for a code in any case, or an English or Vietnamese name or alias.

    Names match with or without tones, in any case and spacing. Two plain ASCII letters
    are read as a code first: "my" is Malaysia, while "Mỹ" is the United States.
    """
    cleaned = text.strip()
    if len(cleaned) == 2 and cleaned.isascii() and is_valid(cleaned):
        return cleaned.upper()
    return _names().get(fold(cleaned))


def display_name(code: str) -> str:
    """The country's name in the viewer's language, or the code itself if unknown."""
    country = get(code)
    if country is None:
        return code
    return country.name_vi if i18n.current_locale.get() == "vi" else country.name_en

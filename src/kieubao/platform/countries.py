"""Countries by ISO 3166-1 alpha-2, with their English and Vietnamese names."""

import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from kieubao.platform import i18n
from kieubao.platform.text import fold


@dataclass(frozen=True)
class Country:
    code: str
    name_en: str
    name_vi: str


@cache
def _countries() -> dict[str, Country]:
    raw = json.loads((files("kieubao.platform") / "data" / "countries.json").read_text("utf-8"))
    return {c["code"]: Country(c["code"], c["name_en"], c["name_vi"]) for c in raw["countries"]}


@cache
def _names() -> dict[str, str]:
    """Every way a country is named (codes, English, Vietnamese, aliases), folded."""
    raw = json.loads((files("kieubao.platform") / "data" / "countries.json").read_text("utf-8"))
    names: dict[str, str] = {}
    for country in _countries().values():
        for name in (country.code, country.name_en, country.name_vi):
            names.setdefault(fold(name), country.code)
    for alias, code in raw["aliases"].items():
        names[fold(alias)] = code
    return names


def get(code: str) -> Country | None:
    return _countries().get(code.upper())


def all_countries() -> list[Country]:
    vi = i18n.current_locale.get() == "vi"
    return sorted(_countries().values(), key=lambda c: fold(c.name_vi if vi else c.name_en))


def is_valid(code: str) -> bool:
    return code.upper() in _countries()


def normalize_country(text: str) -> str | None:
    """A code in any case, or a name in English or Vietnamese, with or without tones."""
    cleaned = text.strip()
    if len(cleaned) == 2 and is_valid(cleaned):
        return cleaned.upper()
    return _names().get(fold(cleaned))


def display_name(code: str) -> str:
    """The country's name in the viewer's language."""
    country = get(code)
    if country is None:
        return code
    return country.name_vi if i18n.current_locale.get() == "vi" else country.name_en

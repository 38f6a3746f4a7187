"""One vocabulary of hazard types for every source.

GDACS and USGS name their types outright. A CAP alert is read, in this order, from:
a GDACS event type among its parameters; a SAME code (US EAS) or a Meteoalarm
``awareness_type`` parameter; keywords (English and French) in its <event>, then in its
<eventCode> values, then in its <headline>; and last its <category> (Fire → wildfire).
"""

import re

from kieubao.crisis.feeds.reports import InfoBlock
from kieubao.platform.text import fold

HAZARD_TYPES = (
    "earthquake",
    "tropical_cyclone",
    "flood",
    "volcano",
    "drought",
    "wildfire",
    "tsunami",
    "storm",
    "heat",
    "cold",
    "other",
)

GDACS_TYPES = {
    "EQ": "earthquake",
    "TC": "tropical_cyclone",
    "FL": "flood",
    "VO": "volcano",
    "DR": "drought",
    "WF": "wildfire",
    "TS": "tsunami",
}

# USGS also lists quarry blasts, explosions, ice quakes and the like: not hazards to people.
USGS_TYPES = {"earthquake": "earthquake", "volcanic eruption": "volcano"}

_SAME = {
    "tsunami": ("TSW", "TSA"),
    "earthquake": ("EQW",),
    "volcano": ("VOW",),
    "tropical_cyclone": ("HUW", "HUA", "HLS", "TRW", "TRA"),
    "flood": ("FFW", "FFA", "FFS", "FLW", "FLA", "FLS", "CFW", "CFA"),
    "wildfire": ("FRW", "FWW"),
    "storm": ("SVR", "SVA", "SVS", "TOR", "TOA", "SMW", "HWW", "HWA", "EWW", "DSW", "SQW"),
    "cold": ("WSW", "WSA", "BZW", "ISW"),
}
_BY_SAME = {code: kind for kind, codes in _SAME.items() for code in codes}

# Meteoalarm awareness types: "1; Wind", "2; snow-ice", ... "13; rain-flood".
_METEOALARM = {
    1: "storm",
    2: "cold",
    3: "storm",
    4: "other",
    5: "heat",
    6: "cold",
    7: "flood",
    8: "wildfire",
    9: "other",
    10: "storm",
    12: "flood",
    13: "flood",
}

# Tried in this order on folded text (no accents, lower case); the first match wins, so
# "tsunami" beats the earthquake that caused it and "freezing rain" is cold, not storm.
_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("other", r"structure fires?|house fires?|building fires?"),
    ("tsunami", r"tsunamis?"),
    ("earthquake", r"earthquakes?|quakes?|seism\w*|tremblements? de terre"),
    ("volcano", r"volcan\w*|eruptions?|ashfall|ash fall"),
    (
        "tropical_cyclone",
        r"tropical (?:cyclone|storm|depression)s?|hurricanes?|typhoons?|cyclones?|ouragans?"
        r"|typhons?",
    ),
    (
        "wildfire",
        r"wildfires?|bush ?fires?|(?:forest|grass|brush) fires?|fire weather|red flag"
        r"|feux? de (?:foret|brousse)|incendies? de (?:foret|brousse)",
    ),
    ("drought", r"droughts?|secheresses?"),
    ("flood", r"flood\w*|inondations?|crues?|storm surge|coastal event|submersion"),
    ("heat", r"heat ?waves?|heat|chaleur|canicules?|high temperatures?|hot"),
    (
        "cold",
        r"cold|froid|frost\w*|gel\w*|freez\w*|ice|icing|verglas|snow\w*|neige\w*|blizzards?"
        r"|winter|wind ?chill|low temperatures?",
    ),
    (
        "storm",
        r"storms?|thunder\w*|orages?|winds?|vents?|gales?|squalls?|tornado\w*|hail\w*|grele"
        r"|rain\w*|pluies?|pluvio\w*|small craft|surf|tempetes?|wet spell",
    ),
)
_PATTERNS = tuple((kind, re.compile(rf"\b(?:{words})\b")) for kind, words in _KEYWORDS)


def from_text(text: str | None) -> str | None:
    if not text:
        return None
    folded = fold(text)
    for kind, pattern in _PATTERNS:
        if pattern.search(folded):
            return kind
    return None


def from_cap(info: InfoBlock) -> str:
    parameters = {name.strip().lower(): value for name, value in info.parameters}
    gdacs = GDACS_TYPES.get(parameters.get("eventtype", "").strip().upper())
    if gdacs:
        return gdacs
    for name, value in info.event_codes:
        if name.strip().upper() == "SAME" and value.strip().upper() in _BY_SAME:
            return _BY_SAME[value.strip().upper()]
    awareness = parameters.get("awareness_type", "").partition(";")[0].strip()
    if awareness.isdigit() and int(awareness) in _METEOALARM:
        return _METEOALARM[int(awareness)]
    for text in (info.event, " ".join(v for _, v in info.event_codes), info.headline):
        kind = from_text(text)
        if kind:
            return kind
    return "wildfire" if "Fire" in info.categories else "other"

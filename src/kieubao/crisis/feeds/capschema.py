"""Validation of CAP alerts against the OASIS CAP 1.2 XML Schema (shipped with the package).

xmlschema validates the ElementTree that defusedxml already built, so no second parser
reads the untrusted bytes. The schema lets an XML-DSig <Signature> follow the alert with
lax processing; without the fallback schemas xmlschema skips its content, which is right
here: signatures are not verified, so their form is not judged either. CAP 1.1 alerts
(NWS index feeds link to them) are checked against the 1.2 schema under the 1.2
namespace: the versions differ little (1.2 added response types, and wants every time
with a numeric zone, so a 1.1 time ending in "Z" fails).
"""

import copy
from functools import cache
from importlib.resources import files

import xmlschema

from kieubao.crisis.feeds.xml import Element

CAP12 = "urn:oasis:names:tc:emergency:cap:1.2"
CAP11 = "urn:oasis:names:tc:emergency:cap:1.1"


@cache
def _schema() -> xmlschema.XMLSchema10:
    source = (files("kieubao.crisis.feeds") / "CAP-v1.2.xsd").read_text("utf-8")
    return xmlschema.XMLSchema10(source, use_fallback=False)


def schema_problem(alert: Element) -> str | None:
    """The first thing wrong with the alert by the schema, in one line; None if valid."""
    if alert.tag == f"{{{CAP11}}}alert":
        alert = _as_cap12(alert)
    error = next(iter(_schema().iter_errors(alert)), None)
    if error is None:
        return None
    reason = (error.reason or str(error)).splitlines()[0].replace(f"{{{CAP12}}}", "")
    where = (error.path or "").replace(f"{{{CAP12}}}", "")
    return reason + (f" (at {where})" if where else "")


def _as_cap12(alert: Element) -> Element:
    renamed = copy.deepcopy(alert)
    for element in renamed.iter():
        if isinstance(element.tag, str) and element.tag.startswith(f"{{{CAP11}}}"):
            element.tag = f"{{{CAP12}}}" + element.tag[len(CAP11) + 2 :]
    return renamed

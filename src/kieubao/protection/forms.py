"""HTML forms to case reports, with errors said per field."""

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData, UploadFile

from kieubao.platform.errors import Problem
from kieubao.protection.actions import IncomingFile
from kieubao.protection.schemas import CaseIn, LiaisonIn, OfficerCaseIn

FIELDS = ("case_type", "country", "city", "description")
M = TypeVar("M", bound=BaseModel)
# Files one form may carry (a note verbale and its annexes); their size is the inbound limit.
MAX_FILES = 10

PEOPLE = {
    "reporter": ("name", "phone", "email", "relation"),
    "subject": ("full_name", "date_of_birth"),
}


def _text(form: FormData, name: str) -> str:
    return str(form.get(name) or "").strip()


def report_values(form: FormData) -> dict[str, Any]:
    """The form as the API body: ``reporter.name`` becomes {"reporter": {"name"}}, and only
    the extra fields of the chosen type (``details.<type>.<field>``) are kept."""
    values: dict[str, Any] = {f: _text(form, f) or None for f in FIELDS}
    for person, names in PEOPLE.items():
        values[person] = {n: v for n in names if (v := _text(form, f"{person}.{n}"))}
    prefix = f"details.{values['case_type']}."
    values["details"] = {
        key.removeprefix(prefix): str(value).strip()
        for key, value in form.multi_items()
        if key.startswith(prefix) and str(value).strip()
    }
    return values


def errors_of(exc: ValidationError | Problem) -> dict[str, str]:
    if isinstance(exc, Problem):
        return {str(e["field"]): str(e["reason"]) for e in exc.errors} or {"form": exc.detail}
    return {
        ".".join(str(p) for p in e["loc"]) or "form": e["msg"].removeprefix("Value error, ")
        for e in exc.errors()
    }


def parse(model: type[M], values: dict[str, Any]) -> tuple[M | None, dict[str, str]]:
    payload = {k: v for k, v in values.items() if v is not None}
    try:
        return model.model_validate(payload), {}
    except ValidationError as exc:
        return None, errors_of(exc)


def report_from_form(form: FormData) -> tuple[CaseIn | None, dict[str, str], dict[str, Any]]:
    values = report_values(form)
    parsed, errors = parse(CaseIn, values)
    return parsed, errors, values


def officer_report_from_form(
    form: FormData,
) -> tuple[OfficerCaseIn | None, dict[str, str], dict[str, Any]]:
    values = {**report_values(form), "channel": "hotline"}
    if severity := _text(form, "severity"):
        values["severity"] = severity
    parsed, errors = parse(OfficerCaseIn, values)
    return parsed, errors, values


def liaison_from_form(form: FormData) -> tuple[LiaisonIn | None, dict[str, str]]:
    names = ("kind", "authority", "on", "reference", "summary")
    return parse(LiaisonIn, {n: _text(form, n) or None for n in names})


async def files_of(form: FormData) -> list[IncomingFile]:
    """The files chosen in the form's ``files`` input; a file input left empty sends one
    part with no name and no bytes, which is no file."""
    found = []
    for part in form.getlist("files"):
        if isinstance(part, UploadFile) and (part.filename or part.size):
            data = await part.read()
            found.append(IncomingFile(part.filename or "", part.content_type or "", data))
    return found

"""HTML forms to registration data, with errors said per field."""

from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from kieubao.registry.models import Purpose
from kieubao.registry.schemas import CitizenIn

TEXT_FIELDS = (
    "full_name",
    "sex",
    "date_of_birth",
    "nationality_status",
    "passport_no",
    "email",
    "zalo",
    "telegram",
    "whatsapp",
    "address",
    "country",
    "city",
    "stay_status",
    "employer_or_school",
    "external_ref",
)


def citizen_from_form(form: FormData) -> tuple[CitizenIn | None, dict[str, str], dict[str, Any]]:
    """The registration, or the errors by field name; and the values to show the form again."""
    values: dict[str, Any] = {f: str(form.get(f) or "").strip() or None for f in TEXT_FIELDS}
    values["phones"] = [p for p in (str(form.get("phone") or "").strip(),) if p]
    contact = {
        k: str(form.get(f"emergency_{k}") or "").strip() or None
        for k in ("name", "phone", "relation")
    }
    values["emergency_contact"] = contact if any(contact.values()) else None
    values["consents"] = {p: form.get(f"consent_{p.value}") == "yes" for p in Purpose}
    for coordinate in ("latitude", "longitude"):
        if raw := str(form.get(coordinate) or "").strip():
            values[coordinate] = raw
    shown = {**values, "phone": form.get("phone") or ""}
    payload = {k: v for k, v in values.items() if v is not None}
    try:
        return CitizenIn.model_validate(payload), {}, shown
    except ValidationError as exc:
        errors = {}
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "form"
            errors[field] = error["msg"].removeprefix("Value error, ")
        return None, errors, shown

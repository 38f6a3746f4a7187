"""HTML forms to the API's schemas, with what is wrong said per field."""

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

M = TypeVar("M", bound=BaseModel)


def read_form(
    schema: type[M],
    form: FormData,
    *,
    lists: tuple[str, ...] = (),
    checks: tuple[str, ...] = (),
    multi: tuple[str, ...] = (),
) -> tuple[M | None, dict[str, str], dict[str, Any]]:
    """The data, or the errors by field; and the values to show the form again with.

    ``lists`` are typed one per line or separated by commas, ``checks`` are check boxes,
    ``multi`` are fields sent several times (check box groups, multiple selects)."""
    values: dict[str, Any] = {}
    for name in schema.model_fields:
        if name in checks:
            values[name] = form.get(name) in ("on", "yes", "true", "1")
        elif name in multi:
            values[name] = [str(v) for v in form.getlist(name) if str(v).strip()]
        elif name in lists:
            raw = str(form.get(name) or "").replace("\n", ",")
            values[name] = [part.strip() for part in raw.split(",") if part.strip()]
        elif (text := str(form.get(name) or "").strip()) != "":
            values[name] = text
    shown = {k: ", ".join(v) if k in lists else v for k, v in values.items()}
    try:
        return schema.model_validate(values), {}, shown
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "form"
            errors.setdefault(field, error["msg"].removeprefix("Value error, "))
        return None, errors, shown

"""Copying a form's fields onto a row, and reading them back for the audit entry."""

from typing import Any

from pydantic import BaseModel


def assign(row: Any, data: BaseModel, *, exclude: set[str] | None = None) -> None:
    for name, value in data.model_dump(exclude=exclude).items():
        setattr(row, name, value)


def fields_of(row: Any, data: BaseModel) -> dict[str, Any]:
    return {name: getattr(row, name) for name in type(data).model_fields}

"""The domains the application is made of, in one place for the app, CLI, worker and migrations."""

import importlib
from types import ModuleType

DOMAINS = ("registry", "protection", "outreach", "crisis", "outbox", "community")


def modules(kind: str) -> list[ModuleType]:
    """Each domain's module of that kind (``models``, ``api``, ``pages``, ``jobs``, ``cli``)."""
    found = []
    for domain in DOMAINS:
        try:
            found.append(importlib.import_module(f"kieubao.{domain}.{kind}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"kieubao.{domain}.{kind}":
                raise
    return found


def load_models() -> None:
    importlib.import_module("kieubao.platform.models")
    importlib.import_module("kieubao.platform.audit")
    importlib.import_module("kieubao.platform.outbox_models")
    modules("models")

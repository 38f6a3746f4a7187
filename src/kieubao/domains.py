"""The domains the application is made of, in one place for the app, CLI, worker and migrations."""

import importlib
from pathlib import Path
from types import ModuleType

# The portal first: routes are matched in this order, and its pages take the most traffic.
DOMAINS = (
    "portal",
    "registry",
    "protection",
    "outreach",
    "crisis",
    "outbox",
    "community",
    "inbound",
    "coordination",
    "privacy",
)


def modules(kind: str) -> list[ModuleType]:
    """Each domain's module of that kind (``models``, ``api``, ``hooks``, ``pages``, ``jobs``,
    ``cli``)."""
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


def install_templates() -> None:
    """Every domain's templates where the platform looks for them: pages render them, and so
    do actions run by the worker or a command (mail and outbox messages)."""
    from kieubao.platform import web

    for domain in DOMAINS:
        folder = Path(str(importlib.import_module(f"kieubao.{domain}").__file__)).parent
        if (folder / "templates").is_dir():
            web.add_template_dir(folder / "templates")

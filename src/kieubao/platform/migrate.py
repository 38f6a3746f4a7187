"""Alembic, driven from code so ``kieubao db upgrade`` works wherever the package is installed."""

from importlib.resources import files

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    # The scripts live in the application package, beside the domains they migrate.
    config.set_main_option("script_location", str(files("kieubao") / "migrations"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(connection: Connection | None = None, revision: str = "head") -> None:
    command.upgrade(alembic_config(connection), revision)


def check(connection: Connection | None = None) -> None:
    command.check(alembic_config(connection))


def revision(message: str) -> None:
    command.revision(alembic_config(), message=message, autogenerate=True)

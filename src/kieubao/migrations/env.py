from alembic import context

from kieubao.domains import load_models
from kieubao.platform.db import Base, get_engine

load_models()


def run() -> None:
    connectable = context.config.attributes.get("connection")
    if connectable is None:
        with get_engine().connect() as connection:
            _migrate(connection)
    else:
        _migrate(connectable)


def _migrate(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()

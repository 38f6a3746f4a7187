"""Platform commands: database, users, tokens, audit, serving and the job worker."""

from typing import Annotated, Any

import typer
from sqlalchemy import select

from kieubao.platform import accounts, audit, migrate
from kieubao.platform.db import session_scope
from kieubao.platform.errors import Problem
from kieubao.platform.models import Role, User

CLI_ACTOR = audit.System("cli")

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
users_app = typer.Typer(help="Officer and citizen accounts.", no_args_is_help=True)
tokens_app = typer.Typer(help="API bearer tokens.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit chain.", no_args_is_help=True)


def fail(message: str) -> typer.Exit:
    typer.secho(message, err=True, fg=typer.colors.RED)
    return typer.Exit(1)


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Migrate the database to the latest schema."""
    migrate.upgrade(revision=revision)
    typer.echo("database is up to date")


@db_app.command("check")
def db_check() -> None:
    """Fail when the models and the migrations disagree."""
    migrate.check()
    typer.echo("no schema drift")


@db_app.command("revision")
def db_revision(message: Annotated[str, typer.Option("-m")]) -> None:
    """Write a new migration from the difference between models and database."""
    migrate.revision(message)


@users_app.command("create")
def users_create(
    email: Annotated[str, typer.Option()],
    role: Annotated[Role, typer.Option()],
    mission: Annotated[str | None, typer.Option(help="mission code, for mission officers")] = None,
    password: Annotated[str | None, typer.Option()] = None,
    name: Annotated[str, typer.Option()] = "",
) -> None:
    """Create a user."""
    with session_scope() as session:
        try:
            user = accounts.create_user(
                session,
                acting_user=CLI_ACTOR,
                email=email,
                role=role,
                mission_code=mission,
                password=password,
                full_name=name,
            )
        except Problem as exc:
            raise fail(exc.detail) from exc
        typer.echo(f"created {user.role.value} {user.email} (id {user.id})")


@tokens_app.command("create")
def tokens_create(
    email: Annotated[str, typer.Option()], label: Annotated[str, typer.Option()] = ""
) -> None:
    """Print a new API bearer token for a user."""
    with session_scope() as session:
        user = session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            raise fail(f"no user with email {email}")
        typer.echo(
            accounts.create_api_token(session, acting_user=CLI_ACTOR, user=user, label=label)
        )


@audit_app.command("verify")
def audit_verify() -> None:
    """Prove that no audit entry was edited or removed."""
    with session_scope() as session:
        verdict = audit.verify(session)
    if not verdict.ok:
        raise fail(f"audit chain broken: {verdict.problem} ({verdict.checked} entries verified)")
    typer.echo(f"audit chain intact: {verdict.checked} entries")


SHUTDOWN_GRACE_S = 3


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    with_worker: Annotated[bool, typer.Option(help="also run jobs in this process")] = False,
) -> None:
    """Serve the console, the portal and the API."""
    import uvicorn

    consumer = _consumer(2) if with_worker else None
    if consumer is not None:
        consumer.start()  # threads beside the server; the server keeps the signals
    try:
        # Watched boards keep their event streams open: a stop waits for them a moment only.
        uvicorn.run(
            "kieubao.app:create_app",
            factory=True,
            host=host,
            port=port,
            timeout_graceful_shutdown=SHUTDOWN_GRACE_S,
        )
    finally:
        if consumer is not None:
            consumer.stop(graceful=True)


def worker(workers: int = 2) -> None:
    """Run the job consumer."""
    _consumer(workers).run()


def _consumer(workers: int) -> Any:
    from kieubao.platform.jobs import get_huey

    # Locks left by a killed worker would block the resumed work forever.
    return get_huey().create_consumer(workers=workers, worker_type="thread", flush_locks=True)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.add_typer(users_app, name="users")
    app.add_typer(tokens_app, name="tokens")
    app.add_typer(audit_app, name="audit")
    app.command()(serve)
    app.command()(worker)

"""Platform commands: database, users, tokens, audit, serving and the job worker."""

from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.platform import accounts, audit, migrate
from kieubao.platform import retention as retention_rules
from kieubao.platform.db import session_scope, utcnow
from kieubao.platform.errors import Problem
from kieubao.platform.models import Role, User

CLI_ACTOR = audit.System("cli")

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
users_app = typer.Typer(help="Officer and citizen accounts.", no_args_is_help=True)
tokens_app = typer.Typer(help="API bearer tokens.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit chain.", no_args_is_help=True)
keys_app = typer.Typer(help="The key ring of encrypted fields.", no_args_is_help=True)


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
    email: Annotated[str, typer.Option()],
    label: Annotated[str, typer.Option()] = "",
    days: Annotated[
        int | None, typer.Option(help="good for this many days (0: until revoked)")
    ] = None,
) -> None:
    """Print a new API bearer token for a user."""
    with session_scope() as session:
        user = _user(session, email)
        try:
            token = accounts.create_api_token(
                session, acting_user=CLI_ACTOR, user=user, label=label, days=days
            )
        except Problem as exc:
            raise fail(exc.detail) from exc
        typer.echo(token)


@tokens_app.command("list")
def tokens_list(
    email: Annotated[str | None, typer.Option(help="one user's tokens only")] = None,
) -> None:
    """The tokens issued: id, owner, first characters, expiry, last use, revocation."""
    with session_scope() as session:
        user = _user(session, email) if email else None
        now = utcnow()
        for row in accounts.api_tokens(session, user=user):
            state = "active"
            if row.revoked_at:
                state = f"revoked {row.revoked_at:%Y-%m-%d %H:%M}"
            elif row.expires_at and row.expires_at <= now:
                state = "expired"
            expires = f"{row.expires_at:%Y-%m-%d}" if row.expires_at else "never"
            used = f"{row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "never"
            typer.echo(
                f"{row.id}\t{row.user.email}\t{row.prefix}…\t{row.label}\t"
                f"expires {expires}\tlast used {used}\t{state}"
            )


@tokens_app.command("revoke")
def tokens_revoke(
    token_id: Annotated[int, typer.Argument(help="the id `tokens list` shows")],
) -> None:
    """Refuse a token from the next request on."""
    with session_scope() as session:
        try:
            row = accounts.revoke_api_token(session, acting_user=CLI_ACTOR, token_id=token_id)
        except Problem as exc:
            raise fail(exc.detail) from exc
        typer.echo(f"token {row.id} ({row.prefix}…) of {row.user.email} revoked")


def _user(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise fail(f"no user with email {email}")
    return user


@audit_app.command("verify")
def audit_verify() -> None:
    """Prove that no audit entry was edited or removed."""
    with session_scope() as session:
        verdict = audit.verify(session)
    if not verdict.ok:
        raise fail(f"audit chain broken: {verdict.problem} ({verdict.checked} entries verified)")
    typer.echo(f"audit chain intact: {verdict.checked} entries")


@keys_app.command("status")
def keys_status() -> None:
    """The keys in the ring and how many stored fields each one wrote."""
    from kieubao.platform import keyring, keys

    ring = keyring.ring()
    with session_scope() as session:
        counts = keys.census(session)
    for version in sorted(set(ring.versions) | set(counts)):
        mark = " (current)" if version == ring.current else ""
        held = "" if version in ring.versions else " — NOT IN THE RING"
        typer.echo(f"key {version}{mark}: {counts.get(version, 0)} fields{held}")


@keys_app.command("rotate")
def keys_rotate(
    key: Annotated[
        str | None, typer.Option(envvar="KIEUBAO_NEW_DATA_KEY", help="the new key; else made")
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="finish a pass cut short, with the current key")
    ] = False,
    batch: Annotated[int, typer.Option(min=1, max=10_000)] = 500,
) -> None:
    """Make a new key current and re-encrypt every encrypted field under it, while the
    service runs. Safe to interrupt: run again with --resume."""
    from kieubao.platform import keyring, keys

    with session_scope() as session:
        # A new key leaves every stored field behind; a resumed pass those not yet rewritten.
        stale = keys.stale_count(session, keyring.ring().current + (0 if resume else 1))
        with typer.progressbar(length=stale, label="re-encrypting") as bar:
            try:
                done = keys.rotate(
                    session,
                    acting_user=CLI_ACTOR,
                    secret=key,
                    resume=resume,
                    size=batch,
                    progress=bar.update,
                )
            except Problem as exc:
                raise fail(exc.detail) from exc
    typer.echo(f"key {done.version} is current; {done.rewritten} fields re-encrypted")
    for version, count in done.census.items():
        typer.echo(f"key {version}: {count} fields")
    typer.echo("older keys may now be retired: kieubao keys retire --version N")


@keys_app.command("retire")
def keys_retire(version: Annotated[int, typer.Option("--version")]) -> None:
    """Take a key out of the ring; refused while any stored field still needs it."""
    from kieubao.platform import keys

    with session_scope() as session:
        try:
            keys.retire(session, acting_user=CLI_ACTOR, version=version)
        except Problem as exc:
            raise fail(exc.detail) from exc
    typer.echo(f"key {version} retired")


def backup(
    to: Annotated[Path | None, typer.Option(help="where to write the copy")] = None,
) -> None:
    """Copy the database while it serves (SQLite online backup, or pg_dump), and prove it."""
    from kieubao.platform import backup as backups
    from kieubao.platform.settings import get_settings

    settings = get_settings()
    if to is None:
        stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
        to = settings.var_path(
            "backups", f"kieubao-{stamp}.{'db' if settings.is_sqlite else 'dump'}"
        )
    try:
        copy = backups.backup(settings.database_url, to)
    except Problem as exc:
        raise fail(exc.detail) from exc
    typer.echo(f"backup written: {copy.path} ({copy.size:,} bytes, sha256 {copy.sha256})")
    typer.echo(f"audit chain intact in the copy: {copy.audit_entries} entries")
    typer.echo(
        "keep the data key and key ring (KIEUBAO_DATA_KEY, KIEUBAO_DATA_KEYRING or var/) apart:"
        " encrypted fields need them"
    )


def restore(
    source: Annotated[Path, typer.Argument(help="a file written by kieubao backup")],
    yes: Annotated[bool, typer.Option("--yes", help="replace the current database")] = False,
) -> None:
    """Replace the database with a backup, once the backup is proved. Stop the service first."""
    from kieubao.platform import backup as backups
    from kieubao.platform.settings import get_settings

    if not yes:
        raise fail("restore replaces the whole database: run again with --yes to go ahead")
    try:
        copy = backups.restore(get_settings().database_url, source)
    except Problem as exc:
        raise fail(exc.detail) from exc
    typer.echo(f"restored from {copy.path} (sha256 {copy.sha256})")
    typer.echo(f"audit chain intact: {copy.audit_entries} entries")


def retention(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="say what is due, forget nothing")
    ] = False,
) -> None:
    """Forget the personal data that has outlived its purpose, rule by rule."""
    with session_scope() as session:
        outcomes = retention_rules.apply_rules(session, acting_user=CLI_ACTOR, dry_run=dry_run)
    for outcome in outcomes:
        done = "due" if dry_run else f"forgotten {outcome.forgotten} of"
        typer.echo(f"{outcome.rule}: {done} {outcome.due} — {outcome.description}")


SHUTDOWN_GRACE_S = 3


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    with_worker: Annotated[bool, typer.Option(help="also run jobs in this process")] = False,
    workers: Annotated[int, typer.Option(min=1, help="server processes (one per core)")] = 1,
    access_log: Annotated[bool, typer.Option(help="a line per request on stderr")] = True,
) -> None:
    """Serve the console, the portal and the API."""
    import uvicorn

    consumer = _consumer(2) if with_worker else None
    if consumer is not None:
        consumer.start()  # threads beside the server; the server keeps the signals
    try:
        # Watched boards keep their event streams open: a stop waits for them a moment only.
        uvicorn.run(
            "kieubao.app:served",
            factory=True,
            host=host,
            port=port,
            # Each process has its own group writer; SQLite's busy timeout lets their
            # commits take turns.
            workers=workers,
            access_log=access_log,
            timeout_graceful_shutdown=SHUTDOWN_GRACE_S,
        )
    finally:
        if consumer is not None:
            consumer.stop(graceful=True)


def worker(workers: int = 2) -> None:
    """Run the job consumer."""
    _consumer(workers).run()


def _consumer(workers: int) -> Any:
    from kieubao.platform.jobs import free_stale_locks, get_huey

    # Locks left by a killed worker would block the resumed work forever.
    free_stale_locks()
    return get_huey().create_consumer(workers=workers, worker_type="thread", flush_locks=True)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.add_typer(users_app, name="users")
    app.add_typer(tokens_app, name="tokens")
    app.add_typer(audit_app, name="audit")
    app.add_typer(keys_app, name="keys")
    app.command()(serve)
    app.command()(worker)
    app.command()(backup)
    app.command()(restore)
    app.command()(retention)

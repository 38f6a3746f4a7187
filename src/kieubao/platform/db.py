"""The database: engine built lazily from settings, sessions, and the transaction rule.

The rule: an action owns its transaction. It does its work on the session it is given and
ends with :func:`commit`, which also runs what was deferred with :func:`on_commit` (jobs
are enqueued only once their data is on disk). Callers never commit.
"""

import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from sqlalchemy import (
    Connection,
    DateTime,
    Engine,
    MetaData,
    Table,
    create_engine,
    event,
    func,
    select,
    text,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    SessionTransaction,
    mapped_column,
    sessionmaker,
)
from sqlalchemy.sql.schema import ColumnDefault
from sqlalchemy.types import TypeDecorator

from kieubao.platform.settings import get_settings

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC; always gives back an aware datetime, also on SQLite."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime}


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


READ_ONLY = "kieubao_read_only"
# How long a writer waits for another before giving up with "database is locked".
SQLITE_BUSY_S = 30


def build_engine(url: str | URL) -> Engine:
    url = make_url(url)
    if url.get_backend_name() != "sqlite":
        # Batched inserts vary in width, so server-side prepared statements are mostly
        # prepared once and thrown away: psycopg's automatic preparing halves import speed.
        return create_engine(
            url,
            pool_pre_ping=True,
            pool_size=10,
            max_overflow=20,
            connect_args={"prepare_threshold": None} if url.get_driver_name() == "psycopg" else {},
        )
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_S, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        # Autocommit at the driver level so that BEGIN below is ours, not pysqlite's.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Every commit is on disk before it is answered, power cut included; group commit
        # (platform.writer) shares one flush among many requests.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_S * 1000}")
        cursor.close()

    # SQLite has one writer at a time. The threads of one process queue for it here, handed
    # on the moment it is free; left to SQLite they would poll for it in sleeps of up to
    # 100 ms each, and a burst of small writes would crawl.
    writer = threading.Lock()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # Take the write lock at the start: a deferred transaction that reads and then writes
        # fails at once with SQLITE_BUSY when another writer went first. Readers need no
        # lock at all under WAL, and must not queue behind a long write.
        if conn.get_execution_options().get(READ_ONLY, False):
            conn.exec_driver_sql("BEGIN")
            return
        if not writer.acquire(timeout=SQLITE_BUSY_S):
            raise OperationalError("BEGIN IMMEDIATE", {}, Exception("database is locked"))
        conn.info["writer"] = True
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release(conn)
            raise

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _release(conn: Any) -> None:
        if conn.info.pop("writer", False):
            writer.release()

    return engine


@cache
def get_engine() -> Engine:
    return build_engine(get_settings().database_url)


@cache
def _session_factory() -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(), expire_on_commit=False)


def new_session() -> Session:
    return _session_factory()()


T = TypeVar("T")


# How long :func:`held_briefly` keeps what it read.
HELD_S = 10.0
_held: dict[str, tuple[object, float, Any]] = {}


def held_briefly(session: Session, key: str, load: Callable[[], T]) -> T:
    """``load()``, kept in the process for ``HELD_S`` seconds, for the database the session
    is bound to: the group writer's batches read the case types once in that time, not once
    each. What another process changes is seen within it; what this one changes, at its
    commit, if the action that changes it calls :func:`forget_held`."""
    bind = session.get_bind()
    now = time.monotonic()
    held = _held.get(key)
    if held is None or held[0] is not bind or now - held[1] >= HELD_S:
        held = _held[key] = (bind, now, load())
    return held[2]


def forget_held(key: str) -> None:
    _held.pop(key, None)


def insert_rows(
    connection: Connection, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """Plain rows (numbers and text, nothing for SQLAlchemy to convert) into ``table``, in the
    caller's transaction, the fastest way each database has: COPY on PostgreSQL, the driver's
    own executemany on SQLite. SQLAlchemy's executemany spends more per row preparing its
    parameters than the database spends writing it, and intake writes thirty search tokens a
    case."""
    if not rows:
        return
    # Names from the code, never from input.
    names = ", ".join(columns)
    driver = connection.connection.driver_connection
    assert driver is not None  # the connection is checked out: it is in a transaction
    dialect = connection.dialect
    postgres = dialect.name == "postgresql"
    marks = ", ".join("?" for _ in columns)
    sql = (
        f"COPY {table} ({names}) FROM STDIN"
        if postgres
        else f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
    )
    try:
        if postgres:
            with driver.cursor() as cursor, cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            driver.executemany(sql, rows)
    except dialect.loaded_dbapi.Error as exc:
        # Raised as SQLAlchemy raises a statement's fault, so that what handles those (a
        # restarting server answered 503, a full disk 507) handles these rows too.
        lost = dialect.is_disconnect(exc, driver, None)
        if lost:
            connection.invalidate(exc)
        raise DBAPIError.instance(
            sql, None, exc, dialect.loaded_dbapi.Error, connection_invalidated=lost, dialect=dialect
        ) from exc


_DRAW_IDS = text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)")


def next_ids(connection: Connection, model: type["Base"], count: int) -> list[int]:
    """``count`` primary keys for rows of ``model`` that :func:`insert_values` is to write
    (it reads nothing back): drawn from the table's sequence on PostgreSQL; on SQLite the
    ones after the largest, as SQLite itself would give, which no one can take meanwhile: a
    transaction that may write holds the database's lock from its start."""
    table = model.__table__
    assert isinstance(table, Table)
    if connection.dialect.name == "postgresql":
        drawn = connection.execute(_DRAW_IDS, {"table": table.name, "n": count})
        return sorted(drawn.scalars())
    last = connection.execute(select(func.max(table.c.id))).scalar() or 0
    return list(range(last + 1, last + 1 + count))


def insert_values(
    connection: Connection, model: type["Base"], rows: Sequence[Mapping[str, Any]]
) -> None:
    """Rows of ``model``'s table as the ORM takes them (enums, JSON, aware datetimes, columns
    left to their defaults), written the way :func:`insert_rows` writes plain ones: each
    value converted by its column's type for this database. The group writer's batch of new
    cases is written so, without the server parsing and planning one INSERT a row."""
    if not rows:
        return
    table = model.__table__
    assert isinstance(table, Table)
    dialect = connection.dialect
    given = list(rows[0])
    # Defaults computed in Python (a time, an empty dict), each row its own: the database
    # knows nothing of them.
    filled = [
        (column.name, column.default)
        for column in table.c
        if column.name not in given
        and isinstance(column.default, ColumnDefault)
        and (column.default.is_scalar or column.default.is_callable)
    ]
    names = given + [name for name, _default in filled]
    types = [table.c[name].type.dialect_impl(dialect) for name in names]
    converters = [type_.bind_processor(dialect) for type_ in types]

    def values(row: Mapping[str, Any]) -> list[Any]:
        return [
            *(row[name] for name in given),
            *(d.arg(None) if d.is_callable else d.arg for _name, d in filled),
        ]

    plain = [
        tuple(
            value if convert is None else convert(value)
            for value, convert in zip(values(row), converters, strict=True)
        )
        for row in rows
    ]
    insert_rows(connection, table.name, names, plain)


def sessions_share_engine() -> bool:
    """Whether new sessions draw connections from the process's engine, and so may be
    written by the group writer (a test binds them all to its one connection instead)."""
    return isinstance(_session_factory().kw.get("bind"), Engine)


@contextmanager
def session_scope() -> Iterator[Session]:
    session = new_session()
    try:
        yield session
    finally:
        session.close()


@contextmanager
def read_scope() -> Iterator[Session]:
    """A session that only reads: on SQLite it never waits for a writer."""
    with session_scope() as session:
        session.connection(execution_options={READ_ONLY: True})
        yield session


def on_commit(session: Session, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> None:
    """Run ``fn(*args, **kwargs)`` once the transaction has committed; never if the
    transaction (or the savepoint) it was asked in rolls back."""
    where = session.get_nested_transaction() or session.get_transaction() or session.begin()
    session.info.setdefault("on_commit", []).append((where, fn, args, kwargs))


@dataclass(frozen=True)
class _Together:
    fn: Callable[[list[Any]], Any]

    def __call__(self, items: list[Any]) -> None:
        self.fn(items)


def on_commit_together(session: Session, fn: Callable[[list[Any]], Any], item: Any) -> None:
    """Like :func:`on_commit`, but every ``item`` queued for ``fn`` in the transaction makes
    one call, ``fn(items)``: the group writer's batch of a hundred cases queues one job, not a
    hundred, each a write of its own to the job queue."""
    on_commit(session, _Together(fn), item)


def commit(session: Session) -> None:
    try:
        session.commit()
    except BaseException:
        session.rollback()
        raise


def commit_then(session: Session) -> Callable[[], None]:
    """Commit, keeping back what :func:`on_commit` queued: the caller runs the returned
    function when it chooses (the group writer, once it has answered the batch)."""
    pending = session.info.pop("on_commit", [])
    commit(session)  # should it fail, nothing queued for the transaction runs
    return lambda: _run(pending)


@event.listens_for(Session, "after_commit")
def _run_deferred(session: Session) -> None:
    # Released savepoints are told "after_commit" too: the transaction around them, and so
    # the work asked inside them (a write of the group writer's batch), is not on disk yet.
    if not session.in_nested_transaction():
        _run(session.info.pop("on_commit", []))


def _run(pending: list[Any]) -> None:
    together: dict[_Together, list[Any]] = {}
    for _where, fn, args, kwargs in pending:
        if isinstance(fn, _Together):
            together.setdefault(fn, []).extend(args)
        else:
            fn(*args, **kwargs)
    for gathered, items in together.items():
        gathered(items)


def _within(transaction: SessionTransaction | None, ancestor: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(Session, "after_soft_rollback")
def _forget_deferred(session: Session, previous: SessionTransaction) -> None:
    pending = session.info.get("on_commit", [])
    session.info["on_commit"] = [p for p in pending if not _within(p[0], previous)]

"""Who a name could be: every way of typing finds the person; a guess is never a bet.

The registry here is a temp-file SQLite database migrated for this module (and the
suite's PostgreSQL when there is one); citizens are written directly and indexed, amid a
crowd of generated people so that finding someone is not luck.
"""

import random
import re
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session

from kieubao.platform import db, migrate
from kieubao.platform.i18n import current_locale
from kieubao.registry import blocking, matching
from kieubao.registry.dates import PartialDate, parse_birth_date
from kieubao.registry.models import Citizen, NameKey, RecordStatus
from kieubao.registry.names import fold, nfc
from kieubao.registry.synthetic import Person, noisy_query, people


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def registry_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    if request.param == "postgres":
        yield request.getfixturevalue("postgres_engine")
        return
    path: Path = tmp_path_factory.mktemp("matching") / "registry.db"
    engine = db.build_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        migrate.upgrade(connection)
    yield engine
    engine.dispose()


@pytest.fixture
def registry(registry_engine: Engine) -> Iterator[Session]:
    """A session whose writes are rolled back after the test."""
    with registry_engine.connect() as connection:
        outer = connection.begin()
        session = Session(bind=connection, join_transaction_mode="create_savepoint")
        yield session
        session.close()
        outer.rollback()


def register(
    session: Session,
    name: str,
    born: str | None,
    *,
    country: str = "JP",
    city: str | None = None,
    status: RecordStatus = RecordStatus.active,
) -> Citizen:
    when = parse_birth_date(born) or PartialDate(0)
    citizen = Citizen(
        full_name=nfc(name),
        name_folded=fold(name),
        birth_year=when.year or None,
        birth_month=when.month,
        birth_day=when.day,
        country=country,
        city=city,
        status=status,
    )
    session.add(citizen)
    session.flush()
    blocking.index_citizen(session, citizen)
    return citizen


@pytest.fixture
def crowd(registry: Session) -> list[Citizen]:
    return [
        register(registry, p.full_name, p.born.isoformat(), country=p.country, city=p.city)
        for p in islice(people(seed=7), 120)
    ]


@pytest.fixture
def an_in_osaka(registry: Session, crowd: list[Citizen]) -> Citizen:
    """Nguyễn Văn An, born 17 May 1990, lives in Osaka; namesakes live around him."""
    register(registry, "Nguyễn Văn An", "1984-11-02", city="Tokyo")
    register(registry, "Nguyễn Văn Anh", "1990-05-17", city="Osaka")
    register(registry, "Nguyễn Thị An", "1990-05-17", city="Kyoto")
    return register(registry, "Nguyễn Văn An", "1990-05-17", city="Osaka")


@pytest.fixture
def huong_in_nagoya(registry: Session, crowd: list[Citizen]) -> Citizen:
    """Đặng Thị Ngọc Hương, born 30 August 1995, two middle names, lives in Nagoya."""
    register(registry, "Đặng Thị Hương", "1988-02-03", city="Nagoya")
    return register(registry, "Đặng Thị Ngọc Hương", "1995-08-30", city="Nagoya")


def ask(
    session: Session, name: str, born: str | None, country: str | None = "JP"
) -> matching.MatchResult:
    return matching.match(session, name=name, date_of_birth=born, country=country)


@pytest.mark.parametrize(
    ("noise", "typed", "born"),
    [
        ("as registered", "Nguyễn Văn An", "1990-05-17"),
        ("without tones", "Nguyen Van An", "17/05/1990"),
        ("all lower case", "nguyen van an", "1990-05-17"),
        ("all upper case", "NGUYỄN VĂN AN", "17/05/1990"),
        ("given name first", "An Van Nguyen", "17/05/1990"),
        ("surname last", "Van An Nguyen", "17/05/1990"),
        ("a typo in the surname", "Nguyne Van An", "17/05/1990"),
        ("a typo in the middle name", "Nguyen Vna An", "17/05/1990"),
        ("Telex keystrokes", "Nguyeenx Vawn An", "17/05/1990"),
        ("VNI keystrokes", "Nguye6n4 Va8n An", "17/05/1990"),
        ("month first", "Nguyen Van An", "05/17/1990"),
    ],
)
def test_every_way_of_typing_finds_him(
    registry: Session, an_in_osaka: Citizen, noise: str, typed: str, born: str
) -> None:
    result = ask(registry, typed, born)
    assert result.best is not None and result.best.id == an_in_osaka.id, noise
    assert result.candidates[0].id == an_in_osaka.id


@pytest.mark.parametrize(
    ("noise", "typed"),
    [
        ("middle names left out", "Dang Huong"),
        ("one middle name left out", "Dang Ngoc Huong"),
        ("given name first, no middle names", "Huong Dang"),
        ("đ typed as d", "Dặng Thị Ngọc Hương"),
        ("a typo in the given name", "Đặng Thị Ngọc Hươnh"),
        ("Telex, tone keys after the vowel", "Ddawjng Thij Ngocj Huwowng"),
    ],
)
def test_every_way_of_typing_finds_her(
    registry: Session, huong_in_nagoya: Citizen, noise: str, typed: str
) -> None:
    result = ask(registry, typed, "30/08/1995")
    assert result.best is not None and result.best.id == huong_in_nagoya.id, noise


@pytest.mark.parametrize("born", ["1990", "1990-05", None])
def test_without_a_full_date_he_is_a_candidate_never_the_bet(
    registry: Session, an_in_osaka: Citizen, born: str | None
) -> None:
    result = ask(registry, "Nguyen Van An", born)
    assert result.best is None
    assert an_in_osaka.id in [c.id for c in result.candidates[:5]]


def test_a_name_without_a_date_is_never_the_bet_however_rare(
    registry: Session, crowd: list[Citizen]
) -> None:
    xoan = register(registry, "Khúc Thị Xoan", "1971-03-09", country="CZ")
    for born in (None, "1971"):
        result = ask(registry, "Khuc Thi Xoan", born, "CZ")
        assert result.best is None
        assert result.candidates[0].id == xoan.id


def test_a_common_name_without_a_date_is_a_list_not_a_bet(
    registry: Session, crowd: list[Citizen]
) -> None:
    hung = [register(registry, "Nguyễn Văn Hùng", f"19{80 + i}-01-0{i + 1}") for i in range(4)]
    result = ask(registry, "nguyen van hung", None)
    assert result.best is None
    assert {c.id for c in hung} <= {c.id for c in result.candidates}


def test_a_namesake_born_another_day_is_never_the_bet(
    registry: Session, an_in_osaka: Citizen
) -> None:
    assert ask(registry, "Nguyễn Văn An", "1999-09-09").best is None
    # Asked with the other one's birthday, the bet is on the other one.
    tokyo = ask(registry, "Nguyen Van An", "1984-11-02").best
    assert tokyo is not None and tokyo.id != an_in_osaka.id


def test_two_who_fit_without_the_middle_name_are_left_to_an_officer(
    registry: Session, an_in_osaka: Citizen
) -> None:
    # Nguyễn Thị An was born the same day: "An Nguyen" could be either of them.
    result = ask(registry, "An Nguyen", "17/05/1990")
    assert result.best is None
    assert an_in_osaka.id in [c.id for c in result.candidates[:2]]


def test_two_records_that_agree_equally_are_left_to_an_officer(
    registry: Session, an_in_osaka: Citizen
) -> None:
    register(registry, "Nguyen Van An", "1990-05-17", city="Kobe")
    assert ask(registry, "Nguyễn Văn An", "1990-05-17").best is None


def test_in_another_country_he_is_a_candidate_not_a_bet(
    registry: Session, an_in_osaka: Citizen
) -> None:
    result = ask(registry, "Nguyen Van An", "17/05/1990", "Hàn Quốc")
    assert result.best is None
    assert result.candidates[0].id == an_in_osaka.id


def test_two_things_forgiven_at_once_are_not_a_bet(registry: Session, crowd: list[Citizen]) -> None:
    # No middle names, and a date that reads both ways (30 August cannot, 08/07 can).
    register(registry, "Phạm Thị Lan", "1992-07-08", city="Nagoya")
    assert ask(registry, "Pham Lan", "08/07/1992").best is None
    assert ask(registry, "Pham Thi Lan", "08/07/1992").best is not None
    assert ask(registry, "Pham Lan", "1992-07-08").best is not None


def test_merged_and_erased_records_are_never_offered(
    registry: Session, an_in_osaka: Citizen, huong_in_nagoya: Citizen
) -> None:
    an_in_osaka.status = RecordStatus.merged  # still indexed: the status alone keeps him out
    huong_in_nagoya.status = RecordStatus.erased
    registry.flush()
    blocking.index_citizen(registry, huong_in_nagoya)
    assert (
        registry.scalar(select(NameKey.id).where(NameKey.citizen_id == huong_in_nagoya.id)) is None
    )
    for name, born, gone in [
        ("Nguyễn Văn An", "1990-05-17", an_in_osaka),
        ("Đặng Thị Ngọc Hương", "1995-08-30", huong_in_nagoya),
    ]:
        for asked in (born, born[:4], None):
            result = ask(registry, name, asked)
            assert gone.id not in [c.id for c in result.candidates]
            assert result.best is None or result.best.id != gone.id


def test_at_most_the_limit_ranked_by_score(registry: Session) -> None:
    for day in range(1, 15):
        register(registry, "Trần Thị Mai", f"1992-03-{day:02d}", city="Tokyo")
    result = ask(registry, "Tran Thi Mai", "1992")
    assert len(result.candidates) == 10
    scores = [c.score for c in result.candidates]
    assert scores == sorted(scores, reverse=True)
    assert (
        len(matching.match(registry, name="Tran Thi Mai", date_of_birth="1992", limit=3).candidates)
        == 3
    )


def test_a_search_reads_in_two_statements_and_at_most_four(
    registry: Session, registry_engine: Engine, an_in_osaka: Citizen
) -> None:
    statements: list[str] = []

    def count(conn: object, cursor: object, sql: str, *args: object) -> None:
        if sql.lstrip().upper().startswith("SELECT"):
            statements.append(sql)

    event.listen(registry_engine, "before_cursor_execute", count)
    try:
        ask(registry, "Nguyen Van An", "17/05/1990")
        sure = len(statements)
        ask(registry, "Nguyen Van Ahn", None)  # no date, a typo: the second pass runs
        open_question = len(statements) - sure
    finally:
        event.remove(registry_engine, "before_cursor_execute", count)
    assert sure == 2
    assert open_question <= 4


def test_people_matched_together_are_matched_as_each_alone_in_four_statements(
    registry: Session,
    registry_engine: Engine,
    an_in_osaka: Citizen,
    huong_in_nagoya: Citizen,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Settling a surge matches its people together: the same answers, read at once."""
    rng = random.Random(5)
    wanted = [
        matching.Wanted("Nguyen Van An", "17/05/1990", "JP"),
        matching.Wanted("Nguyen Van Ahn", None, "JP"),  # the one-letter-off pass
        matching.Wanted("Nguyễn Văn An", "1990-05-17", "JP", exclude=an_in_osaka.id),
        matching.Wanted("Dang Thi Ngoc Huong", "1995", None),
        matching.Wanted("Lý Thị Không Có", "2001-01-01", "KR"),
        *(matching.Wanted(*noisy_query(p, rng)[:3]) for p in islice(people(seed=7), 0, 120, 6)),
    ]
    statements: list[str] = []

    def count(conn: object, cursor: object, sql: str, *args: object) -> None:
        statements.append(sql)

    monkeypatch.setattr(matching, "MATCHED_TOGETHER", 13)  # 25 people: two rounds
    event.listen(registry_engine, "before_cursor_execute", count)
    try:
        together = matching.match_many(registry, wanted)
    finally:
        event.remove(registry_engine, "before_cursor_execute", count)
    assert len(statements) <= 8
    alone = [
        matching.match(
            registry,
            name=w.name,
            date_of_birth=w.date_of_birth,
            country=w.country,
            exclude=w.exclude,
        )
        for w in wanted
    ]
    assert together == alone
    assert together[0].best is not None and together[0].best.id == an_in_osaka.id
    assert an_in_osaka.id not in [c.id for c in together[2].candidates]
    assert together[4].candidates == []
    assert sum(r.best is not None for r in together[5:]) >= 3
    # What an import relies on to match a file's people together: a candidate is always
    # filed under a key its match reads.
    for person, result in zip(wanted, together, strict=True):
        read = matching.keys_read(person)
        for candidate in result.candidates:
            citizen = registry.get_one(Citizen, candidate.id)
            born = (citizen.birth_year, citizen.birth_month, citizen.birth_day)
            assert blocking.name_keys(citizen.full_name, *born) & read


@pytest.mark.parametrize(
    ("typed", "readings"),
    [
        ("1990-05-17", ["1990-05-17"]),
        ("17/05/1990", ["1990-05-17"]),
        ("17.05.1990", ["1990-05-17"]),
        ("05/17/1990", ["1990-05-17"]),
        ("05/06/1990", ["1990-06-05", "1990-05-06"]),
        ("1990-05", ["1990-05"]),
        ("1990", ["1990"]),
        ("", []),
        (None, []),
    ],
)
def test_the_ways_a_birth_date_is_asked(typed: str | None, readings: list[str]) -> None:
    assert [str(r) for r in matching.parse_query_date(typed)] == readings


@pytest.mark.parametrize(
    ("typed", "reason"),
    [("31/02/1990", "does not exist"), ("1990-13-01", "month 13"), ("May 1990", "not a date")],
)
def test_an_impossible_date_says_why(typed: str, reason: str) -> None:
    token = current_locale.set("en")
    try:
        with pytest.raises(ValueError, match=reason):
            matching.parse_query_date(typed)
    finally:
        current_locale.reset(token)


def test_duplicates_are_suspected_on_name_and_date_never_on_name_alone(
    registry: Session, an_in_osaka: Citizen
) -> None:
    again = register(registry, "Nguyen Van An", "1990-05-17", country="KR")
    assert [c.id for c in matching.suspected_duplicates(registry, again)] == [an_in_osaka.id]
    # Only a birth year: suspected when one record shares name and year, not when two do.
    lan = register(registry, "Võ Thị Lan", "1979-04-04", country="AU")
    only_year = register(registry, "Vo Thi Lan", "1979", country="AU")
    assert [c.id for c in matching.suspected_duplicates(registry, only_year)] == [lan.id]
    register(registry, "Võ Thị Lan", "1979-10-10", country="AU")
    assert matching.suspected_duplicates(registry, only_year) == []
    no_date = register(registry, "Nguyễn Văn An", None)
    assert matching.suspected_duplicates(registry, no_date) == []


NOISY = st.tuples(st.integers(0, 10**6), st.integers(0, 10**6))


def _person_and_query(
    seeds: tuple[int, int],
) -> tuple[Person, tuple[str, str | None, str, tuple[str, ...]]]:
    person = next(people(seed=seeds[0]))
    return person, noisy_query(person, random.Random(seeds[1]))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(NOISY)
def test_with_a_full_date_any_typing_shares_a_key_with_the_record(seeds: tuple[int, int]) -> None:
    person, (typed, born, country, _) = _person_and_query(seeds)
    readings = matching.parse_query_date(born)
    if not readings or readings[0].day is None:
        return
    query = matching._Query(typed, readings, country)
    b = person.born
    assert query.keys() & blocking.name_keys(person.full_name, b.year, b.month, b.day)


@settings(max_examples=300)
@given(NOISY)
def test_no_key_is_a_lone_word(seeds: tuple[int, int]) -> None:
    """A key holds two words, or a word and a date: "nguyen" alone is four people in ten."""
    person, _ = _person_and_query(seeds)
    b = person.born
    for key in blocking.name_keys(person.full_name, b.year, b.month, b.day):
        words = [w for w in re.split(r"[:=~ ]", key)[1:] if w]
        assert len(words) >= (1 if key.startswith("d") else 2), key


@pytest.mark.parametrize(
    ("typed", "born"),
    [
        ("Nguyen Van Ahn", "1990"),  # a typo in the given name
        ("Ngyuen Van An", "1990"),  # a typo in the surname
        ("An Nguyen", "1990"),  # no middle name, given name first
        ("Van An Nguyen", None),
        ("Nguyen Van Ahn", None),
    ],
)
def test_without_a_full_date_the_keys_still_meet(typed: str, born: str | None) -> None:
    query = matching._Query(typed, matching.parse_query_date(born), "JP")
    record = blocking.name_keys("Nguyễn Văn An", 1990, 5, 17)
    assert (query.keys() | query.one_off_keys()) & record


def test_the_api_answers_in_the_documented_shape(
    api: Callable[..., object], hq_officer: object, make_citizen: Callable[..., Citizen]
) -> None:
    an = make_citizen(full_name="Nguyễn Văn An", date_of_birth="1990-05-17", city="Osaka")
    client = api(hq_officer)
    body = client.get(  # type: ignore[attr-defined]
        "/api/v1/citizens/match",
        params={"name": "nguyen van an", "date_of_birth": "17/05/1990", "country": "Nhat Ban"},
    ).json()
    assert body["best"]["id"] == an.id
    assert set(body["candidates"][0]) == {
        "id",
        "external_ref",
        "full_name",
        "date_of_birth",
        "country",
        "score",
    }
    bad = client.get("/api/v1/citizens/match", params={"name": "An", "date_of_birth": "31/02/1990"})  # type: ignore[attr-defined]
    assert bad.status_code == 422

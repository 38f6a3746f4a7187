"""Who a name could be: each way of typing finds the person; a guess is never a bet."""

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from kieubao.registry import matching
from kieubao.registry.models import Citizen

MakeCitizen = Callable[..., Citizen]


@pytest.fixture
def an_in_osaka(make_citizen: MakeCitizen) -> Citizen:
    # Namesakes around him, so finding him is not luck.
    make_citizen(full_name="Nguyễn Văn An", date_of_birth="1984-11-02", city="Tokyo")
    make_citizen(full_name="Nguyễn Văn Anh", date_of_birth="1990-05-17", city="Osaka")
    make_citizen(full_name="Nguyễn Thị An", date_of_birth="1990-05-17", city="Kyoto")
    return make_citizen(full_name="Nguyễn Văn An", date_of_birth="1990-05-17", city="Osaka")


@pytest.mark.parametrize(
    ("typed", "born"),
    [
        ("Nguyễn Văn An", "1990-05-17"),
        ("Nguyen Van An", "17/05/1990"),
        ("nguyen van an", "1990-05-17"),
        ("Van An Nguyen", "17/05/1990"),
        ("Nguyne Van An", "17/05/1990"),
        ("Nguyen Vna An", "17/05/1990"),
        ("Nguyeenx Vawn An", "17/05/1990"),
        ("Nguye6n4 Va8n An", "17/05/1990"),
        ("Nguyen Van An", "05/17/1990"),
    ],
)
def test_every_way_of_typing_finds_him(
    session: Session, an_in_osaka: Citizen, typed: str, born: str
) -> None:
    result = matching.match(session, name=typed, date_of_birth=born, country="JP")
    assert result.best is not None and result.best.id == an_in_osaka.id
    assert result.candidates[0].id == an_in_osaka.id


@pytest.mark.parametrize("born", ["1990", None])
def test_without_a_full_date_he_is_a_candidate_not_a_bet(
    session: Session, an_in_osaka: Citizen, born: str | None
) -> None:
    result = matching.match(session, name="Nguyen Van An", date_of_birth=born, country="JP")
    assert result.best is None
    assert an_in_osaka.id in [c.id for c in result.candidates[:5]]


def test_without_the_middle_name_two_people_can_fit(session: Session, an_in_osaka: Citizen) -> None:
    # Nguyễn Thị An was born the same day: "An Nguyen" could be either of them.
    result = matching.match(session, name="An Nguyen", date_of_birth="17/05/1990", country="JP")
    assert result.best is None
    assert an_in_osaka.id in [c.id for c in result.candidates[:2]]


def test_a_namesake_born_another_day_is_never_the_bet(
    session: Session, an_in_osaka: Citizen
) -> None:
    result = matching.match(session, name="Nguyễn Văn An", date_of_birth="1999-09-09", country="JP")
    assert result.best is None


def test_two_records_that_agree_equally_are_left_to_an_officer(
    session: Session, an_in_osaka: Citizen, make_citizen: MakeCitizen
) -> None:
    make_citizen(full_name="Nguyen Van An", date_of_birth="1990-05-17", city="Kobe")
    assert (
        matching.match(session, name="Nguyễn Văn An", date_of_birth="1990-05-17", country="JP").best
        is None
    )


def test_merged_and_erased_records_are_never_offered(
    session: Session, an_in_osaka: Citizen, make_citizen: MakeCitizen
) -> None:
    from kieubao.registry.models import RecordStatus

    an_in_osaka.status = RecordStatus.merged
    session.flush()
    result = matching.match(session, name="Nguyễn Văn An", date_of_birth="1990-05-17", country="JP")
    assert an_in_osaka.id not in [c.id for c in result.candidates]


def test_at_most_ten_candidates_ranked(session: Session, make_citizen: MakeCitizen) -> None:
    for day in range(1, 15):
        make_citizen(full_name="Trần Thị Mai", date_of_birth=f"1992-03-{day:02d}", city="Tokyo")
    result = matching.match(session, name="Tran Thi Mai", date_of_birth="1992", country="JP")
    assert len(result.candidates) == 10
    assert [c.score for c in result.candidates] == sorted(
        (c.score for c in result.candidates), reverse=True
    )


def test_the_api_answers_in_the_documented_shape(
    api: Callable[..., object], hq_officer: object, an_in_osaka: Citizen
) -> None:
    client = api(hq_officer)
    body = client.get(
        "/api/v1/citizens/match",
        params={"name": "nguyen van an", "date_of_birth": "17/05/1990", "country": "Nhat Ban"},
    ).json()  # type: ignore[attr-defined]
    assert body["best"]["id"] == an_in_osaka.id
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


def test_query_dates_in_every_order() -> None:
    assert [str(d) for d in matching.parse_query_date("05/06/1990")] == ["1990-06-05", "1990-05-06"]
    assert [str(d) for d in matching.parse_query_date("17/05/1990")] == ["1990-05-17"]
    assert [str(d) for d in matching.parse_query_date("05/17/1990")] == ["1990-05-17"]
    assert matching.parse_query_date("") == []
    with pytest.raises(ValueError):
        matching.parse_query_date("31/02/1990")

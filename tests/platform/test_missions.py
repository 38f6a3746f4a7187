"""The missions as the database holds them answer exactly as the bundled network."""

from sqlalchemy.orm import Session

from kieubao.platform.countries import normalize_country
from kieubao.platform.missions import directory

from .test_missions_data import PLACES


def test_the_database_directory_answers_as_the_bundled_one(session: Session) -> None:
    held = directory(session)
    for country, city, mission in PLACES:
        code = normalize_country(country)
        assert code is not None
        assert held.for_place(code, city) == mission, (country, city)

"""The yearly review: computed by a job from the data, read back as a Word document."""

from collections.abc import Callable
from datetime import date
from io import BytesIO

from docx import Document
from sqlalchemy.orm import Session

from kieubao.coordination.models import Agency
from kieubao.platform.db import utcnow
from kieubao.platform.models import User
from kieubao.registry.models import Citizen
from tests.coordination.conftest import Api, MakeEvent


def test_the_yearly_review_counts_this_years_registrations_and_tasks(
    session: Session,
    api: Api,
    hq_officer: User,
    dvtw_analyst: User,
    agencies: dict[str, Agency],
    make_citizen: Callable[..., Citizen],
) -> None:
    for i, name in enumerate(("Nguyễn Văn Bình", "Lê Thị Thu", "Đỗ Minh Quân")):
        make_citizen(full_name=name, date_of_birth=f"1990-01-0{i + 1}")
    make_citizen(full_name="Trần Thị Hoa", country="DE", city="Berlin")
    year = utcnow().year
    asked = api(hq_officer).post(
        "/api/v1/coordination/reviews",
        json={"kind": "yearly", "period_start": f"{year}-01-01", "period_end": f"{year}-12-31"},
    )
    assert asked.status_code == 202, asked.text
    review = api(dvtw_analyst).get(f"/api/v1/coordination/reviews/{asked.json()['id']}").json()
    assert review["state"] == "done" and review["progress"] == 100  # jobs run inline in tests
    registered = review["figures"]["registrations"]
    assert registered["by_country"]["JP"] == {"total": 3, "new": 3}
    assert registered["total"] == 4
    edited = api(hq_officer).patch(
        f"/api/v1/coordination/reviews/{review['id']}",
        json={"summary": "Năm qua, công tác người Việt Nam ở nước ngoài đạt nhiều kết quả."},
    )
    assert edited.status_code == 200, edited.text
    docx = api(dvtw_analyst).get(f"/api/v1/coordination/reviews/{review['id']}/review.docx")
    assert docx.status_code == 200
    document = Document(BytesIO(docx.content))
    headings = [p.text for p in document.paragraphs if p.style and p.style.name.startswith("Head")]
    assert "Công dân đăng ký ở nước ngoài" in headings and "Chỉ tiêu" in headings
    text = "\n".join(p.text for p in document.paragraphs)
    assert "4 công dân đã đăng ký, trong đó 4 công dân đăng ký trong kỳ." in text
    assert "nhiều kết quả" in text
    japan = [r for t in document.tables for r in t.rows if r.cells[0].text == "Nhật Bản"]
    assert [c.text for c in japan[0].cells] == ["Nhật Bản", "3", "3"]
    english = api(dvtw_analyst).get(
        f"/api/v1/coordination/reviews/{review['id']}/review.docx", params={"lang": "en"}
    )
    text = "\n".join(p.text for p in Document(BytesIO(english.content)).paragraphs)
    assert "4 registered, 4 of them in the period." in text


def test_a_period_that_does_not_fit_the_review_is_refused(api: Api, hq_officer: User) -> None:
    backwards = {"kind": "yearly", "period_start": "2025-12-31", "period_end": "2025-01-01"}
    response = api(hq_officer).post("/api/v1/coordination/reviews", json=backwards)
    assert response.status_code == 422
    assert "period_end (2025-01-01) is before period_start" in response.json()["detail"]
    too_long = {"kind": "six_month", "period_start": "2025-01-01", "period_end": "2025-12-31"}
    response = api(hq_officer).post("/api/v1/coordination/reviews", json=too_long)
    assert response.status_code == 422 and "at most 186 days" in response.json()["detail"]
    invalid = {"kind": "yearly", "period_start": "2025-13-01", "period_end": "2025-12-31"}
    response = api(hq_officer).post("/api/v1/coordination/reviews", json=invalid)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "period_start"


def test_partner_agencies_read_reviews_but_never_a_person(
    api: Api, dvtw_analyst: User, citizen_in_osaka: Citizen
) -> None:
    partner = api(dvtw_analyst)
    assert partner.get("/api/v1/coordination/reviews").status_code == 200
    assert partner.post("/api/v1/coordination/reviews", json={}).status_code in (403, 422)
    assert partner.get(f"/api/v1/citizens/{citizen_in_osaka.id}").status_code in (403, 404)
    assert partner.get("/api/v1/coordination/notes").status_code == 403
    assert partner.get("/api/v1/coordination/trained").status_code == 403
    assert api(None).get("/api/v1/coordination/reviews").status_code == 401


def test_the_console_shows_the_review_and_a_bad_period_in_the_form(
    api: Api, hq_officer: User, agencies: dict[str, Agency]
) -> None:
    client = api(hq_officer)
    bad = client.post(
        "/console/coordination/reviews",
        data={"kind": "yearly", "period_start": "2025-12-31", "period_end": "2025-01-01"},
    )
    assert bad.status_code == 422 and "is before period_start" in bad.text
    made = client.post(
        "/console/coordination/reviews?lang=en",
        data={"kind": "yearly", "period_start": "2025-01-01", "period_end": "2025-12-31"},
    )
    assert made.status_code == 200 and "Download as Word (DOCX)" in made.text
    assert "Citizen protection" in made.text
    assert client.get("/console/coordination").status_code == 200
    assert client.get("/console/coordination/resolutions").status_code == 200


def test_the_review_counts_the_events_held_in_its_period(
    api: Api,
    hq_officer: User,
    dvtw_analyst: User,
    agencies: dict[str, Agency],
    held_event: MakeEvent,
) -> None:
    held_event(
        title="Diễn đàn doanh nhân kiều bào tại Nhật Bản",
        country="JP",
        city="Tokyo",
        starts_on=date(2025, 6, 10),
        approved=6,
        checked_in=4,
        pending=1,
    )
    held_event(title="Gặp mặt cộng đồng Berlin", country="DE", city="Berlin",
               starts_on=date(2025, 9, 2))  # fmt: skip
    held_event(title="Hội nghị năm trước", country="JP", city="Osaka",
               starts_on=date(2024, 12, 30), approved=2)  # fmt: skip
    asked = api(hq_officer).post(
        "/api/v1/coordination/reviews",
        json={"kind": "yearly", "period_start": "2025-01-01", "period_end": "2025-12-31"},
    )
    review = api(dvtw_analyst).get(f"/api/v1/coordination/reviews/{asked.json()['id']}").json()
    events = review["figures"]["events"]
    assert (events["events"], events["approved"], events["checked_in"]) == (2, 6, 4)
    tokyo, berlin = events["held"]
    assert tokyo | {"id": 0} == {
        "id": 0,
        "title": "Diễn đàn doanh nhân kiều bào tại Nhật Bản",
        "kind": "forum",
        "country": "JP",
        "city": "Tokyo",
        "venue": None,
        "starts_on": "2025-06-10",
        "ends_on": "2025-06-10",
        "approved": 6,
        "checked_in": 4,
    }
    assert (berlin["approved"], berlin["checked_in"]) == (0, 0)

    url = f"/api/v1/coordination/reviews/{review['id']}/review.docx"
    document = Document(BytesIO(api(dvtw_analyst).get(url).content))
    headings = [p.text for p in document.paragraphs if p.style and p.style.name.startswith("Head")]
    assert "Sự kiện cộng đồng" in headings
    text = "\n".join(p.text for p in document.paragraphs)
    assert (
        "2 sự kiện được tổ chức trong kỳ: 6 đại biểu được duyệt, trong đó 4 đại biểu đã điểm danh."
    ) in text
    rows = [[c.text for c in r.cells] for t in document.tables for r in t.rows]
    assert ["Diễn đàn doanh nhân kiều bào tại Nhật Bản", "10/06/2025 – 10/06/2025",
            "Tokyo, Nhật Bản", "6", "4"] in rows  # fmt: skip
    assert ["Gặp mặt cộng đồng Berlin", "02/09/2025 – 02/09/2025", "Berlin, Đức", "0", "0"] in rows
    assert not any("Hội nghị năm trước" in row[0] for row in rows)
    english = Document(BytesIO(api(dvtw_analyst).get(url, params={"lang": "en"}).content))
    text = "\n".join(p.text for p in english.paragraphs)
    assert "Community events" in text
    assert "2 events held in the period: 6 delegates approved, 4 of them checked in." in text

    page = api(dvtw_analyst).get(f"/console/coordination/reviews/{review['id']}?lang=vi")
    assert "Sự kiện cộng đồng" in page.text and "Tokyo, Nhật Bản" in page.text
    page = api(dvtw_analyst).get(f"/console/coordination/reviews/{review['id']}?lang=en")
    assert "Community events" in page.text and "Tokyo, Japan" in page.text

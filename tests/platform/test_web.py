"""The shell: health, problem details, the language switch, the API documentation."""

from fastapi.testclient import TestClient


def test_health(app_client: TestClient) -> None:
    assert app_client.get("/healthz").json() == {"status": "ok"}


def test_api_errors_are_problem_details(app_client: TestClient) -> None:
    response = app_client.get("/api/v1/citizens")
    assert response.status_code == 401
    body = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert body["status"] == 401 and body["title"] == "Unauthorized" and body["detail"]


def test_pages_are_vietnamese_first_with_an_english_switch(app_client: TestClient) -> None:
    vietnamese = app_client.get("/")
    assert 'lang="vi"' in vietnamese.text
    assert "Đăng ký" in vietnamese.text
    english = app_client.get("/?lang=en")
    assert 'lang="en"' in english.text and "Register" in english.text
    # The choice sticks for the next page.
    assert 'lang="en"' in app_client.get("/register").text


def test_openapi_is_published(app_client: TestClient) -> None:
    assert app_client.get("/api/docs").status_code == 200
    spec = app_client.get("/api/v1/openapi.json").json()
    assert "/api/v1/citizens/match" in spec["paths"]


def test_console_pages_send_strangers_to_sign_in(app_client: TestClient) -> None:
    response = app_client.get("/console/citizens", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/console/citizens"

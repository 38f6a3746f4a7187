"""The duty officer's morning: a real quake lands in a feed and the board raises it live."""

import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Server, sign_in_officer

pytestmark = pytest.mark.browser

FEED = (
    Path(__file__).parents[1] / "data" / "feeds" / "usgs" / "usgs-latest-earthquakes_2.5_week.json"
)
# The week's strongest quake on land: M6.6, 39 km WSW of Ashkasham, Afghanistan.
QUAKE = "us20005gsg"


def test_a_large_quake_near_registered_citizens_is_raised_live(
    browser: Browser, server: Server, tmp_path: Path
) -> None:
    # Workers on a road project across the river, in Ishkashim (Tajikistan), 48 km away.
    sheet = tmp_path / "ishkashim.csv"
    rows = ["Họ và tên,Ngày sinh,Quốc gia,Thành phố,Mã hồ sơ"]
    workers = ["Nguyễn Văn Thợ", "Trần Minh Đức", "Lê Quang Hải", "Phạm Văn Toàn", "Đỗ Đình Nam"]
    rows += [f"{name},0{i}/03/1990,TJ,Ishqoshim,TJ-ROAD-{i}" for i, name in enumerate(workers, 1)]
    sheet.write_text("\n".join(rows), encoding="utf-8")
    server.kieubao("registry", "import", str(sheet), "--wait")

    context = browser.new_context(base_url=server.url, locale="vi-VN")
    page: Page = context.new_page()
    try:
        sign_in_officer(page, "hq@kieubao.test")
        page.goto("/console/crisis")
        expect(page.locator("#live-state")).to_have_class(re.compile(r"\bon\b"))
        drawn_before = int(page.locator("#board-map").get_attribute("data-hazards") or 0)

        server.kieubao("feeds", "ingest", str(FEED))

        alert = page.locator(".alert-item", has_text="Ashkasham")
        expect(alert).to_be_visible(timeout=10_000)  # no reload: it came over the stream
        expect(page.locator("#board-map")).not_to_have_attribute("data-hazards", str(drawn_before))
        assert page.locator("#board-map path.leaflet-interactive").count() > drawn_before
        shown = int(alert.locator(".exposed").inner_text().replace(",", ""))

        token = server.kieubao("tokens", "create", "--email", "hq@kieubao.test").strip()
        client = httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"})
        hazards = client.get("/api/v1/hazards", params={"limit": 500}).json()
        (hazard,) = [h for h in hazards if any(s["external_id"] == QUAKE for s in h["sources"])]
        exposure = client.get(f"/api/v1/hazards/{hazard['id']}/exposure").json()
        assert shown == exposure["count"] == 5 and exposure["by_country"] == {"TJ": 5}

        alert.get_by_role("link").click()
        expect(page.locator("#exposed-count")).to_have_text("5")
        page.screenshot(path=str(tmp_path / "hazard.png"), full_page=True)
    finally:
        context.close()

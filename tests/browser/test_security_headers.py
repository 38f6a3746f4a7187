"""The Content-Security-Policy as a browser enforces it: an injected script does not run."""

from playwright.sync_api import Page

from tests.browser import conftest


def test_an_injected_inline_script_is_refused_on_console_and_portal(
    page: Page, officer_page: Page
) -> None:
    for viewer, path in ((page, "/protection/report"), (officer_page, "/console/crisis")):
        answer = viewer.goto(path)
        assert (
            answer is not None and "script-src 'self'" in answer.headers["content-security-policy"]
        )
        viewer.evaluate(
            """() => {
                window.injected = false;
                const s = document.createElement("script");
                s.textContent = "window.injected = true";
                document.body.appendChild(s);
            }"""
        )
        assert viewer.evaluate("window.injected") is False
    assert len(conftest.policy_violations) == 2
    assert all("inline script" in v for v in conftest.policy_violations)
    conftest.policy_violations.clear()  # refused as they should be: not a broken page

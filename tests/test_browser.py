"""The page-test harness itself: a page's console errors, outside requests and MathML are
seen by the checks the lesson, explorer and documentation tests rely on."""

from tests.browser import image_problems, math_problems, open_page


def test_harness_sees_errors_requests_and_math(browser, tmp_path):
    page_file = tmp_path / "p.html"
    page_file.write_text(
        "<!doctype html><meta charset='utf-8'><body>"
        "<math><mi>x</mi><mo>=</mo><mn>2</mn></math><math></math>"
        "<img src='missing.png'>"
        "<script>console.error('boom'); fetch('http://127.0.0.1:9/x').catch(() => {});</script>",
        encoding="utf-8")
    with open_page(browser, page_file) as page:
        page.wait_for_timeout(200)
        assert any("boom" in e for e in page.errors)
        assert any(u.startswith("http://127.0.0.1:9") for u in page.external_requests)
        assert math_problems(page) == [""]          # the empty <math> has no size
        assert image_problems(page) == ["missing.png"]

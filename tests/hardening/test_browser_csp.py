"""The main pages work in Chromium under the Content-Security-Policy and break none of its rules.

No inline script may run (script-src 'self') and no inline <style> apply (style-src 'self'):
each page loads its own files. Chromium reports every refusal on the console and as a
``securitypolicyviolation`` event; both are collected and must be empty. Style attributes are
allowed by the policy (ECharts' tooltips need them), so the served HTML is checked for them.
"""

import re

import pytest
from django.test import Client

from tests.checkins.factories import PairingFactory
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# In the HTML we serve: a style attribute, a <style>, or a <script> that is neither a file
# nor json_script's data.
INLINE = re.compile(r"""\sstyle=|<style|<script(?![^>]*\b(?:src=|type="application/json"))""", re.I)

# Runs before any script of the page: CSP refusals as the page itself sees them.
COLLECT_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`);
});
"""


class Tab:
    """A page that records CSP violations (console and events) across navigations."""

    def __init__(self, context):
        self.page = context.new_page()
        self.console: list[str] = []
        self.events: list[str] = []
        self.page.on("console", self._on_console)

    def _on_console(self, message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def visit(self, url: str):
        response = self.page.goto(url)
        assert response.status == 200, (url, response.status)
        assert "script-src 'self';" in response.headers["content-security-policy"]
        html = response.text()
        assert [m.group(0) for m in INLINE.finditer(html)] == [], (url, INLINE.search(html))
        return response

    def collect(self):
        self.events += self.page.evaluate("window.__csp || []")

    @property
    def violations(self) -> list[str]:
        return self.console + self.events


def _context(browser, live_server, user=None, **kwargs):
    context = browser.new_context(locale="zh-CN", **kwargs)
    context.add_init_script(COLLECT_VIOLATIONS)
    if user is not None:
        client = Client()
        client.force_login(user)
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return context


def test_the_main_pages_break_no_rule_of_the_content_security_policy(
    live_server, browser, regions, programme, qinshui_officer
):
    url = live_server.url
    pairing = PairingFactory(programme=programme)

    # the public application form on a phone: choosing a county fills the towns (apply.js)
    phone = Tab(_context(browser, live_server, viewport={"width": 360, "height": 740}, is_mobile=True))
    phone.visit(f"{url}/apply/")
    phone.page.select_option("#id_county", "140521")
    phone.page.wait_for_selector("#id_town option[value='140521100']", state="attached")
    assert phone.page.evaluate("getComputedStyle(document.body).margin") == "0px"  # pages.css applied
    phone.collect()
    phone.visit(f"{url}/apply/status/")
    phone.collect()

    # the volunteer's check-in pages
    volunteer = Tab(_context(browser, live_server, pairing.volunteer.user, viewport={"width": 390, "height": 844}))
    volunteer.visit(f"{url}/v/")
    volunteer.collect()
    volunteer.visit(f"{url}/v/log/?child={pairing.child.pk}")
    assert volunteer.page.get_by_role("button", name="电话联系").is_visible()
    volunteer.collect()

    # the workspace's sign-in page, used to sign in
    desk = Tab(_context(browser, live_server, viewport={"width": 1366, "height": 900}))
    desk.visit(f"{url}/staff/login/?next=/staff/dashboard/")
    desk.collect()
    desk.page.fill("#id_username", qinshui_officer.username)
    desk.page.fill("#id_password", TEST_PASSWORD)
    desk.page.click("#login-submit")
    desk.page.wait_for_url(re.compile(r".*/staff/dashboard/$"))
    # the staff dashboard with its ECharts charts drawn
    desk.page.wait_for_function("document.documentElement.hasAttribute('data-charts-ready')")
    desk.collect()
    desk.visit(f"{url}/staff/r/140521/")
    desk.page.wait_for_function("document.documentElement.hasAttribute('data-charts-ready')")
    # each chart's tooltip: ECharts writes it as HTML with style attributes (style-src-attr)
    tooltips = desk.page.evaluate(
        """() => [...document.querySelectorAll(".chart")].map((el) => {
             echarts.getInstanceByDom(el).dispatchAction({type: "showTip", seriesIndex: 0, dataIndex: 0});
             return el.querySelector("div:not([style*='position: relative'])")?.innerHTML || "";
           })"""
    )
    assert tooltips and all("<span style=" in html for html in tooltips), tooltips
    desk.collect()
    # the review queue in the admin
    desk.visit(f"{url}/admin/volunteers/application/")
    desk.collect()

    # the Swagger UI: its script is a separate URL; the operations are drawn from the schema
    desk.visit(f"{url}/api/docs/")
    desk.page.wait_for_selector(".opblock-tag-section", timeout=30_000)
    assert "/api/children/" in desk.page.inner_text("#swagger-ui")
    desk.collect()

    assert phone.violations == []
    assert volunteer.violations == []
    assert desk.violations == []


def test_an_inline_script_is_refused_and_reported(live_server, browser, regions, programme):
    """The collector itself works: a script put into a served page is blocked and seen."""
    tab = Tab(_context(browser, live_server))
    tab.visit(f"{live_server.url}/apply/")
    tab.page.evaluate(
        """() => { const s = document.createElement("script"); s.textContent = "window.__ran = 1";
                   document.body.appendChild(s); }"""
    )
    tab.page.wait_for_function("window.__csp.length > 0")
    tab.collect()
    assert tab.page.evaluate("window.__ran") is None
    assert any("script-src" in v for v in tab.violations)

"""Locust users for `make load` (bench/load_mix.py): a realistic mix on the platform.

Sessions are made by load_mix.py before the run (staff and volunteers sign in with a
password or an SMS code; the load test does not measure signing in) and read from the
file named by LOAD_SESSIONS. Weights: most traffic is volunteers on phones and the
public form, then staff lists and the dashboard.
"""

import json
import os
import random
import re
import uuid

from locust import HttpUser, between, task

SESSIONS = json.loads(open(os.environ["LOAD_SESSIONS"]).read())
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HTTPS = {"X-Forwarded-Proto": "https"}


def _https(host: str) -> str:
    """The origin a browser would send: the proxy terminates HTTPS in front of gunicorn."""
    return host.replace("http://", "https://", 1)


def _sign_in(user: HttpUser, kind: str) -> dict:
    session = random.choice(SESSIONS[kind])
    user.client.cookies.set("sessionid", session["sessionid"])
    user.client.cookies.set("csrftoken", session["csrftoken"])
    return session


class Applicant(HttpUser):
    """The public /apply/ form: load it, and half the time submit it with a mistake."""

    weight = 3
    wait_time = between(1, 3)

    @task(2)
    def open_form(self):
        self.client.get("/apply/", headers=HTTPS, name="/apply/ GET")

    @task(1)
    def submit_with_a_mistake(self):
        page = self.client.get("/apply/", headers=HTTPS, name="/apply/ GET")
        # The cookie is Secure (production settings) and the test runs on plain loopback HTTP
        # behind a pretend proxy: hand it back explicitly, as a browser on HTTPS would.
        if page.cookies.get("csrftoken"):
            self.client.cookies.set("csrftoken", page.cookies.get("csrftoken"))
        token = CSRF.search(page.text)
        data = {"name": "王芳", "phone": "13800000000", "id_number": "140521198001010000"}
        if token:
            data["csrfmiddlewaretoken"] = token.group(1)
        # A wrong ID check digit and no SMS code: the form answers 400 with the errors; 429 once
        # the per-address limit is reached (every simulated applicant shares 127.0.0.1). Both are
        # the correct answers, so they count as successes (and are reported in the figures).
        with self.client.post(
            "/apply/",
            data=data,
            headers={**HTTPS, "Referer": _https(self.host) + "/apply/"},
            name="/apply/ POST",
            catch_response=True,
        ) as response:
            if response.status_code in (200, 400, 429):
                response.success()

    @task(1)
    def status_page(self):
        self.client.get("/apply/status/", headers=HTTPS, name="/apply/status/")


class Volunteer(HttpUser):
    """A caring mother on her phone: her page, her records, a new check-in."""

    weight = 4
    wait_time = between(1, 4)

    def on_start(self):
        self.session = _sign_in(self, "volunteer")

    @task(3)
    def home(self):
        self.client.get("/v/", headers=HTTPS, name="/v/")

    @task(2)
    def my_checkins(self):
        self.client.get("/api/checkins/", headers=HTTPS, name="/api/checkins/ GET")

    @task(1)
    def check_in(self):
        self.client.post(
            "/api/checkins/",
            json={"children": self.session["children"][:1], "kind": "phone_call", "client_key": uuid.uuid4().hex},
            headers={**HTTPS, "X-CSRFToken": self.session["csrftoken"], "Referer": _https(self.host) + "/v/"},
            name="/api/checkins/ POST",
        )


class Staff(HttpUser):
    """Federation staff at a desk: lists, the review queue, the dashboard."""

    weight = 2
    wait_time = between(2, 5)

    def on_start(self):
        self.session = _sign_in(self, "staff")

    @task(3)
    def children(self):
        self.client.get("/api/children/", headers=HTTPS, name="/api/children/")

    @task(2)
    def applications(self):
        self.client.get("/api/volunteers/applications/", headers=HTTPS, name="/api/volunteers/applications/")

    @task(2)
    def pairings(self):
        self.client.get("/api/pairing/pairings/", headers=HTTPS, name="/api/pairing/pairings/")

    @task(2)
    def dashboard_api(self):
        self.client.get("/api/dashboard/", headers=HTTPS, name="/api/dashboard/")

    @task(1)
    def dashboard_page(self):
        self.client.get("/staff/dashboard/", headers=HTTPS, name="/staff/dashboard/")

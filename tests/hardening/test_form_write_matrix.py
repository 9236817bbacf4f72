"""The write matrix for page forms: the staff workspace (/staff/) and the volunteer pages (/v/).

The API's write matrix (test_write_matrix.py) covers api/ routes and the admin. Officers
and volunteers write mostly through pages, so every page route that takes a POST is
either a form write here (matrix_forms.FORM_WRITES) or classified with a reason
(matrix_forms.OTHER_POSTS). For every form write × role (superuser aside) the object
in its path and each related id it posts is swapped for another region's object and
for an id that does not exist: the two must be answered alike (status and page, ids,
CSRF tokens and nonces aside), and the other region's names must not appear. With her
own objects the county officer's post goes through (the bodies are not vacuous).
"""

import re

import pytest
from django.db import transaction

from tests.hardening.conftest import ROLES, target
from tests.hardening.matrix_forms import FORM_WRITES, OTHER_POSTS
from tests.hardening.matrix_urls import fill, url_routes
from tests.hardening.matrix_writes import MISSING, ids_of, world_writes

pytestmark = pytest.mark.django_db

NOT_SUPERUSER = [r for r in ROLES if r != "superuser"]
# What differs between two renders of the same page.
VOLATILE = (
    re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"'),
    re.compile(r'nonce="[^"]*"'),
    re.compile(r'data-rendered-at="[^"]*"'),
    re.compile(r'"X-CSRFToken": "[^"]*"'),
    re.compile(r"csrf[-_]?token[^\n]{0,20}?[\"'][A-Za-z0-9]{32,}[\"']", re.I),
)


def _page_routes() -> list[str]:
    """Every route outside the API and the admin (those have their own matrices)."""
    return sorted(
        {p for p, _cb in url_routes() if not p.startswith(("api/", "admin/")) and not p.startswith("^") and p}
    )


def _path(write, ids) -> str:
    path = "/" + write.pattern
    if write.path:
        path = path.replace("<int:pk>", str(ids[write.path]))
    if "<int:signup>" in path:
        path = path.replace("<int:signup>", str(ids["signup"]))
    return path.replace("<slug:action>", write.label)


def _post(client, user, path, body):
    if user is not None:
        client.force_login(user)
    with transaction.atomic():
        response = client.post(path, body)
        transaction.set_rollback(True)
    client.logout()
    return response


def _to_sign_in(response) -> bool:
    return response.status_code == 302 and "login" in response.get("Location", "")


def _text(response) -> str:
    text = response.content.decode("utf-8", "replace")
    for pattern in VOLATILE:
        text = pattern.sub("<volatile>", text)
    return text


TOKENS = re.compile(r"\d+|\D+")


def _difference(got, absent, other_id) -> str:
    """Where two answers differ, other than the posted id itself ("" if they are alike).

    The world's ids are small numbers, as are ages, counts and SVG coordinates, so a text
    replace would hide too much: the pages are compared token by token (runs of digits
    and of the rest), and a token may differ only where one answer echoes the other
    region's id and the other echoes the missing id.
    """
    if got.status_code != absent.status_code:
        return f"status {got.status_code} vs {absent.status_code}"
    a, b = TOKENS.findall(_text(got)), TOKENS.findall(_text(absent))
    if len(a) != len(b):
        return f"{len(a)} vs {len(b)} tokens"
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        if x != y and not (x == str(other_id) and y == str(MISSING)):
            context = "".join(a[max(0, i - 6) : i + 3])[-200:]
            return f"{x!r} vs {y!r} near {context!r}"
    return ""


def test_every_page_that_takes_a_post_is_classified(client, world, programme):
    """A POST (rolled back) tells which page routes take one: each must be classified."""
    world_writes(world, programme)
    objects = world["objects"]["in"]
    classified = {w.pattern for w in FORM_WRITES} | set(OTHER_POSTS)
    unclassified, unreachable = [], []
    for pattern in _page_routes():
        if pattern in classified:
            continue
        path = fill(pattern, objects, objects["child"].village_id)
        if path is None:
            unreachable.append(pattern)
            continue
        # The volunteer's pages answer only her; every other page the superuser.
        who = world["users"]["volunteer" if pattern.startswith("v/") else "superuser"]
        got = _post(client, who, "/" + path, {})
        if got.status_code != 405:
            unclassified.append(f"{pattern} answers a POST with {got.status_code}")
    assert unreachable == [], "routes the test cannot fill in (add them to matrix_urls.ROUTE_OBJECTS)"
    assert unclassified == [], "page routes that take a POST: add them to matrix_forms.py\n" + "\n".join(unclassified)


def test_classified_routes_exist():
    routes = set(_page_routes())
    stale = sorted(({w.pattern for w in FORM_WRITES} | set(OTHER_POSTS)) - routes)
    assert stale == [], "matrix_forms.py names routes that are gone"


def test_form_posts_with_another_regions_ids_are_refused_as_if_the_ids_did_not_exist(client, world, programme):
    world_writes(world, programme)
    # The volunteer's own pages need her volunteer row's user; the world has it for "in".
    wrong = []
    for role in NOT_SUPERUSER:
        user = world["users"][role]
        own, other = target(world, role, "in"), target(world, role, "out")
        for write in FORM_WRITES:
            name = f"POST {write.pattern} {write.label}".strip()
            for slot in ((write.path,) if write.path else ()) + write.slots:
                elsewhere = {**ids_of(own), slot: ids_of(other)[slot]}
                got = _post(client, user, _path(write, elsewhere), write.body(elsewhere))
                text = got.content.decode("utf-8", "replace")
                leaked = [
                    o
                    for o in ("name", "given_name", "full_name")  # a one-character surname is on every page
                    if getattr(other[slot], o, "") and getattr(other[slot], o) in text
                ]
                if leaked:
                    wrong.append(f"{name} {role} {slot} from elsewhere shows {leaked}: {got.status_code}")
                    continue
                if slot == "region":
                    # Regions are public: refusal is enough (a page form answers 400, 403 or 404).
                    if got.status_code < 400 and not _to_sign_in(got):
                        wrong.append(f"{name} {role} region from elsewhere accepted: {got.status_code}")
                    continue
                missing = {**ids_of(own), slot: MISSING}
                absent = _post(client, user, _path(write, missing), write.body(missing))
                difference = _difference(got, absent, elsewhere[slot])
                if difference:
                    wrong.append(f"{name} {role} {slot}: elsewhere and missing differ: {difference}")
    assert wrong == [], "\n".join(wrong)


def test_the_form_bodies_work_for_the_county_officer(client, world, programme):
    """Not vacuous: with her own objects, each form post goes through."""
    world_writes(world, programme)
    user = world["users"]["county"]
    own = ids_of(target(world, "county", "in"))
    wrong = []
    for write in FORM_WRITES:
        if write.county_ok is None:
            continue
        got = _post(client, user, _path(write, own), write.body(own))
        if got.status_code != write.county_ok:
            wrong.append(f"POST {write.pattern} {write.label}: {got.status_code}")
    assert wrong == [], "\n".join(wrong)


def test_the_volunteer_logs_care_for_her_own_child_only(client, world, programme):
    """The /v/ form of the matrix, with her own child: the check-in is saved."""
    from backend.checkins.models import CheckIn

    world_writes(world, programme)
    user = world["users"]["volunteer"]
    child = world["objects"]["in"]["child"]
    client.force_login(user)
    got = client.post("/v/log/", {"child": [child.pk], "kind": "phone_call", "client_key": "own-key"})
    assert got.status_code == 302, got.content.decode()[:300]
    assert CheckIn.objects.filter(client_key="own-key", child_links__child=child).exists()

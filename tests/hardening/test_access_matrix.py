"""Who may see what: every URL of the platform × every role × an object in and out of her region.

The URL list comes from Django's URL resolver (API, admin for every registered model,
staff pages, exports, public pages, webhooks), so a new route cannot be forgotten: a
pattern missing from EXPECTED fails the test until it is classified. Each cell is one
GET (POST-only routes answer 403 to whoever may not use them and 405 to whoever may,
which still proves the refusal); writes in and out of region are exercised by
tests/children/test_access_matrix.py and, for every operation, by the fuzzing.

Out of region answers 404 for a single object: the user must not learn it exists.
"""

import os

import pytest
from django.db import transaction

from backend.children.models import ImportJob
from tests.hardening.conftest import IN_VILLAGE, OUT_VILLAGE, ROLES, target
from tests.hardening.matrix_urls import fill, registered_admin_models, url_patterns

pytestmark = pytest.mark.django_db

A, V, D, VL, T, C, Y, S = ROLES  # anonymous, volunteer, director, village, town, county, city, superuser
STAFF = (D, VL, T, C, Y, S)
FEDERATION = (VL, T, C, Y, S)


def policy(default, **by_role):
    """{role: (in, out)}: `default` for every role not named; a bare int means the same in and out."""
    table = {}
    for role in ROLES:
        value = by_role.get(role, default)
        table[role] = value if isinstance(value, tuple) else (value, value)
    return table


def _world_extras(world):
    """Objects the shared world lacks: an import job per staff member, a check-in."""
    from tests.checkins.factories import checkin_for

    for key, objects in world["objects"].items():
        creator = world["users"]["county"] if key == "in" else world["users"]["city"]
        objects["import_job"] = ImportJob.objects.create(created_by=creator, file_name="a.csv", file_format="csv")
        objects["checkin"] = checkin_for(objects["pairing"], on=objects["pairing"].started_on)
    # The city officer's out-of-region job must not be hers.
    world["objects"][OUT_VILLAGE["city"]]["import_job"].created_by = world["users"]["superuser"]
    world["objects"][OUT_VILLAGE["city"]]["import_job"].save(update_fields=["created_by"])


def _region_code(world, role: str, where: str) -> str:
    """The user's own region (in) or the same level outside it (out), for /staff/r/<code>/."""
    user = world["users"][role]
    own = (user.home_region_id if user is not None else None) or IN_VILLAGE[:6]
    return own if where == "in" else OUT_VILLAGE[role][: len(own)]


def _observe(client, world) -> dict:
    """{pattern: {role: (status in, status out)}} for every fillable pattern."""
    observed = {}
    for pattern in url_patterns():
        row = {}
        for role in ROLES:
            cells = []
            first_path = None
            for where in ("in", "out"):
                objects = target(world, role, where)
                path = fill(pattern, objects, _region_code(world, role, where))
                if path is None:
                    cells.append(None)
                    continue
                if where == "out" and path == first_path:
                    cells.append(cells[0])  # the same request: no object or region in it
                    continue
                first_path = path
                user = world["users"][role]
                if user is not None:
                    client.force_login(user)
                with transaction.atomic():
                    cells.append(client.get("/" + path).status_code)
                    transaction.set_rollback(True)
                client.logout()
            row[role] = tuple(cells)
        observed[pattern] = row
    return observed


def test_access_matrix(client, world):
    _world_extras(world)
    observed = _observe(client, world)
    if os.environ.get("MATRIX_OBSERVE"):
        for pattern, row in observed.items():
            print(f"{pattern!r}: {row},")
    unclassified = sorted(set(observed) - set(EXPECTED))
    assert unclassified == [], "new routes: classify them in EXPECTED"
    wrong = []
    for pattern, row in observed.items():
        expected = EXPECTED[pattern]
        if expected is SKIP:
            continue
        for role in ROLES:
            for index, where in enumerate(("in", "out")):
                got, want = row[role][index], expected[role][index]
                if got != want:
                    wrong.append(f"{pattern} {role} {where}: expected {want}, got {got}")
    assert wrong == []
    # Every registered admin model has its changelist in the matrix.
    for model in registered_admin_models():
        assert f"admin/{model}/" in observed


from tests.hardening.matrix_expected import EXPECTED, SKIP  # noqa: E402

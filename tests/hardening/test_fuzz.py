"""Schemathesis against the platform's own OpenAPI schema: every operation, every role.

The checks are the issue's: no 5xx, and every response matches the schema. Requests go
to the Django WSGI application in-process (nothing leaves the machine), with each
role's session cookie and a CSRF token, so writes reach the views. Half the generated
cases have their path id replaced by an object that exists (in or out of the role's
region), so the views are exercised past their 404s. Every example runs in a savepoint
that is rolled back: each starts from the same world and nothing is enqueued.

CI runs a bounded, derandomised pass (FUZZ_EXAMPLES per operation and role, default 3);
``make fuzz`` runs FUZZ_EXAMPLES=30 with a random seed, over 10,000 requests.
"""

import json
import os
import re
from dataclasses import dataclass, field

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections, transaction
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from backend.wsgi import application
from tests.hardening.conftest import IN_VILLAGE, OUT_VILLAGE, ROLES

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
RANDOM = os.environ.get("FUZZ_RANDOM", "") == "1"
# Operations whose generated cases would only measure the generator, not the platform.
SKIP = {("GET", "/api/schema/")}

# Path templates whose {id} names an object of the world (see conftest._objects_in).
ID_OBJECTS = (
    (r"^/api/children/concerns/\{id\}/", "concern"),
    (r"^/api/children/\{id\}/", "child"),
    (r"^/api/notifications/messages/\{id\}/", "message"),
    (r"^/api/pairing/pairings/\{id\}/", "pairing"),
    (r"^/api/pairing/proposals/\{id\}/", "proposal"),
    (r"^/api/pairing/runs/\{id\}/", "run"),
    (r"^/api/records/certificates/\{id\}/", "certificate"),
    (r"^/api/records/entries/\{id\}/", "entry"),
    (r"^/api/records/nominations/\{id\}/", "nomination"),
    (r"^/api/records/volunteers/\{id\}/", "volunteer"),
    (r"^/api/volunteers/applications/\{id\}/", "application"),
    (r"^/api/volunteers/units/\{id\}/", "unit"),
    (r"^/api/volunteers/volunteers/\{id\}/", "volunteer"),
)


@dataclass
class Tally:
    requests: int = 0
    statuses: dict = field(default_factory=dict)
    failures: list = field(default_factory=list)


TOTAL = Tally()


@pytest.fixture(scope="module")
def schema():
    """The schema /api/schema/ serves, generated in-process."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(generated)))
    loaded.app = application
    return loaded


@pytest.fixture
def wsgi_in_test_transaction():
    """Keep Django from closing the test's connection at each request, as its test client does."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _auth(client: Client, user) -> tuple[dict, dict]:
    """Cookies and headers of a signed-in user with a CSRF token (none for anonymous)."""
    if user is None:
        return {}, {}
    client.force_login(user)
    token = _get_new_csrf_string()
    return {"sessionid": client.cookies["sessionid"].value, "csrftoken": token}, {"X-CSRFToken": token}


def _real_ids(world, role, path: str) -> dict:
    for pattern, kind in ID_OBJECTS:
        if re.match(pattern, path):
            ins = world["objects"]["in"][kind].pk
            out = world["objects"][OUT_VILLAGE[role]][kind].pk
            return {"in": {"id": ins}, "out": {"id": out}}
    if path.startswith("/api/dashboard/regions/"):
        return {"in": {"code": IN_VILLAGE[:6]}, "out": {"code": OUT_VILLAGE[role][:6]}}
    return {}


def _finding(label: str, case, response, exc: BaseException) -> str:
    """One line per finding: where, what was sent, what came back, which check."""
    inner = getattr(exc, "exceptions", None) or [exc]
    what = "; ".join(" ".join(line for line in str(e).split("\n") if line.strip())[:400] for e in inner)
    sent = f"path={case.path_parameters} query={case.query} body={str(case.body)[:150]}"
    return f"{label} -> {response.status_code}: {what} | {sent} | {response.text[:200]}"


def _strategy(operation):
    strategies = [operation.as_strategy(generation_mode=GenerationMode.POSITIVE)]
    try:
        strategies.append(operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))
    except Exception:  # noqa: BLE001 - some operations have nothing to negate
        pass
    return st.one_of(strategies)


def _draw(operation) -> list[dict]:
    """Generate the operation's cases once; every role then sends the same ones."""
    drawn = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=not RANDOM,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=_strategy(operation), which=st.sampled_from([None, "in", "out"]))
    def collect(case, which):
        drawn.append(
            {
                "path_parameters": dict(case.path_parameters or {}),
                "headers": dict(case.headers or {}),
                "query": case.query,
                "body": case.body,
                "media_type": case.media_type,
                "which": which,
            }
        )

    collect()
    return drawn


def _send(operation, drawn: dict, auth: tuple[dict, dict], real_ids: dict, tally: Tally, label: str) -> None:
    values = {k: v for k, v in drawn.items() if k != "which"}
    if drawn["which"] and real_ids:
        values["path_parameters"] = {**values["path_parameters"], **real_ids[drawn["which"]]}
    case = operation.Case(**values)
    with transaction.atomic():
        response = case.call(cookies=auth[0], headers=auth[1])
        transaction.set_rollback(True)
    tally.requests += 1
    tally.statuses[response.status_code] = tally.statuses.get(response.status_code, 0) + 1
    try:
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
    except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collect every finding, report them together
        tally.failures.append(_finding(label, case, response, exc))


# One test for all roles: the world (1,729 villages and the objects) is built once.
def test_every_operation_answers_without_5xx_and_matches_the_schema(schema, wsgi_in_test_transaction, world, settings):
    # The rate limiter gets a cache of its own, so the run is repeatable and touches no shared Redis.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    auths = {role: _auth(Client(), world["users"][role]) for role in ROLES}
    tallies = {role: Tally() for role in ROLES}
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIP:
            continue
        operations += 1
        cases = _draw(operation)
        for role in ROLES:
            label = f"{role} {operation.method.upper()} {operation.path}"
            real_ids = _real_ids(world, role, operation.path)
            for drawn in cases:
                _send(operation, drawn, auths[role], real_ids, tallies[role], label)
    failures = []
    for role, tally in tallies.items():
        TOTAL.requests += tally.requests
        print(
            f"\n{role}: {operations} operations, {tally.requests} requests, statuses {sorted(tally.statuses.items())}"
        )
        assert tally.requests >= operations * min(EXAMPLES, 2)
        failures += tally.failures
    print(f"\nfuzz: {TOTAL.requests} requests in all")
    for line in sorted(set(failures)):
        print("FINDING", line)
    # then
    assert operations >= 50
    assert failures == []
    if RANDOM:  # `make fuzz`: the long run the issue asks for
        assert TOTAL.requests >= 10_000

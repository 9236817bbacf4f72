"""Regression tests for what the fuzzing found: responses that did not match the schema.

Each case sends one request as a given role and validates the response against the
served OpenAPI schema (schemathesis' response_schema_conformance).
"""

import pytest
from django.test import Client
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.hardening.test_fuzz import _auth, schema, wsgi_in_test_transaction  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

# (finding, role, method, path template, path parameters as world lookups)
FINDINGS = (
    # Keyset/page-number lists were documented as bare arrays.
    ("children list is paginated", "county", "GET", "/api/children/", {}),
    ("concern list is paginated", "county", "GET", "/api/children/concerns/", {}),
    ("audit list is paginated", "county", "GET", "/api/audit/events/", {}),
    ("check-in list is paginated", "county", "GET", "/api/checkins/", {}),
    ("application queue is paginated", "county", "GET", "/api/volunteers/applications/", {}),
    ("caring units are paginated", "county", "GET", "/api/volunteers/units/", {}),
    # Blank choices ("" = not set) were missing from the enums.
    ("child file with blank subtype and exit reason", "county", "GET", "/api/children/{id}/", {"id": "child"}),
    # A volunteer gets the short child serializer, which the schema did not describe.
    ("volunteer's view of her child", "volunteer", "GET", "/api/children/{id}/", {"id": "child"}),
    ("volunteer's list of her children", "volunteer", "GET", "/api/children/", {}),
    # team_name / volunteer_name are null for a volunteer pairing / a team pairing.
    ("pairing without a team", "county", "GET", "/api/pairing/pairings/{id}/", {"id": "pairing"}),
    ("proposals without a team", "county", "GET", "/api/pairing/proposals/", {}),
    # A volunteer has no home region.
    ("me without a home region", "volunteer", "GET", "/api/accounts/me/", {}),
)


# One test (the world is built once); every finding is checked and reported together.
def test_responses_match_the_schema(schema, wsgi_in_test_transaction, world):  # noqa: F811
    failures = []
    for finding, role, method, path, ids in FINDINGS:
        # given
        operation = schema[path][method]
        parameters = {name: world["objects"]["in"][kind].pk for name, kind in ids.items()}
        cookies, headers = _auth(Client(), world["users"][role])
        case = operation.Case(path_parameters=parameters)
        # when
        response = case.call(cookies=cookies, headers=headers)
        # then
        if response.status_code != 200:
            failures.append(f"{finding}: {response.status_code} {response.text[:200]}")
            continue
        try:
            case.validate_response(response, checks=[response_schema_conformance])
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - report every finding
            failures.append(f"{finding}: {str(exc)[:500]}")
    assert failures == []

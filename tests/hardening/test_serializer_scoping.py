"""Every related field of every serializer of the API offers only what the requesting user may see.

The serializers come from the schema generator (every endpoint × method: request and
response serializers, nested ones included), so a new serializer cannot be forgotten.
A writable related field's queryset is what the browsable API's HTML forms list and
what a posted id is checked against; it must lie inside ``scoped_queryset`` (for a
programme: ``programme_list_for``) for the user in the request's context.
"""

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.plumbing import force_instance
from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from backend.accounts.selectors import region_field_of, scoped_queryset
from backend.programmes.models import Programme
from backend.programmes.selectors import programme_list_for

pytestmark = pytest.mark.django_db


def _api_serializers():
    """(operation, serializer class) for every request and response serializer of the API."""
    generator = SchemaGenerator()
    generator._initialise_endpoints()
    found = []
    for path, path_regex, method, view in generator._get_paths_and_endpoints():
        view.request = Request(APIRequestFactory().generic(method, path))
        schema = view.schema
        schema.path, schema.path_regex, schema.path_prefix, schema.method = path, path_regex, "", method.upper()
        candidates = [schema.get_request_serializer(), schema.get_response_serializers()]
        while candidates:
            item = candidates.pop()
            if isinstance(item, dict):
                candidates.extend(item.values())
            elif isinstance(item, list | tuple):
                candidates.extend(item)
            elif item is not None:
                instance = force_instance(item)
                if isinstance(instance, serializers.ListSerializer):
                    instance = instance.child
                if isinstance(instance, PolymorphicProxySerializer):
                    many = instance.serializers
                    candidates.extend(many.values() if isinstance(many, dict) else many)
                elif isinstance(instance, serializers.BaseSerializer):
                    found.append((f"{method} {path}", type(instance)))
    return found


def _related_fields(serializer, prefix=""):
    """(dotted name, field) of every writable related field, nested serializers included."""
    for name, field in serializer.fields.items():
        if isinstance(field, serializers.ListSerializer):
            field = field.child
        if isinstance(field, serializers.ManyRelatedField):
            field = field.child_relation
        if isinstance(field, serializers.BaseSerializer):
            yield from _related_fields(field, f"{prefix}{name}.")
        elif isinstance(field, serializers.RelatedField) and not field.read_only:
            yield f"{prefix}{name}", field


def _unscoped(field, user) -> list[int]:
    qs = field.get_queryset()
    if qs is None:
        return []
    model = qs.model
    if model is Programme:
        allowed = programme_list_for(user=user)
    elif region_field_of(model) is not None:
        allowed = scoped_queryset(user, model)
    else:
        return []  # not region-bound
    return list(qs.exclude(pk__in=allowed.values("pk")).values_list("pk", flat=True)[:5])


def test_the_walk_finds_the_apis_serializers():
    names = {cls.__name__ for _op, cls in _api_serializers()}
    assert {"PairingOutputSerializer", "HelperChoiceSerializer", "CheckInOutputSerializer"} <= names


@pytest.mark.parametrize("role", ["volunteer", "director", "county"])
def test_no_related_field_of_any_serializer_offers_another_regions_rows(world, role):
    user = world["users"][role]
    request = Request(APIRequestFactory().get("/api/"))
    request.user = user
    wrong = set()
    for operation, cls in _api_serializers():
        serializer = cls(context={"request": request})
        for name, field in _related_fields(serializer):
            outside = _unscoped(field, user)
            if outside:
                wrong.add(f"{cls.__name__}.{name} ({operation}): {field.get_queryset().model.__name__} {outside}")
    assert sorted(wrong) == []


@pytest.mark.parametrize("role", ["volunteer", "county"])
def test_the_browsable_api_forms_list_nothing_from_another_region(client, world, role):
    client.force_login(world["users"][role])
    elsewhere = world["objects"]["140525100001"]
    for path in ("/api/pairing/pairings/", "/api/checkins/", "/api/pairing/proposals/", "/api/volunteers/volunteers/"):
        response = client.get(path + "?format=api", HTTP_ACCEPT="text/html")
        html = response.content.decode()
        for kind in ("volunteer", "team"):
            assert elsewhere[kind].name not in html, (path, kind)

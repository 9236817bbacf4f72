"""Writes and related objects, in every app: refusal without disclosure.

For every API write operation (tests/hardening/matrix_writes.py) × every role, the
object in the path and each related id in the body is swapped, one at a time, for
another region's object and for an id that does not exist. Both must be refused with
the same answer (status and body, ids aside), and the other region's names must not
appear in it. For every admin add and change form × role, no foreign-key or
many-to-many choice may lie outside the user's region, and programme-level settings
offer only the programmes at or below her own region; a post of such a programme is
refused and writes nothing.
"""

import json

import pytest
from django.db import transaction

from backend.accounts.selectors import user_region_scope
from backend.checkins.models import ContactRule
from backend.programmes.models import Programme
from backend.regions.models import Region
from tests.hardening.conftest import ROLES, target
from tests.hardening.matrix_urls import registered_admin_models, url_routes
from tests.hardening.matrix_writes import MISSING, PUBLIC_WRITES, WRITES, ids_of, normalised, world_writes

pytestmark = pytest.mark.django_db

NOT_SUPERUSER = [r for r in ROLES if r != "superuser"]
# Programme-level settings: written only by staff at or above the programme's own region.
SETTINGS_ADMINS = {"checkins/contactrule", "checkins/calendarevent", "volunteers/screeningitem"}


def _send(client, user, write, ids):
    path = "/" + write.pattern.replace("<int:pk>", str(ids[write.path]) if write.path else "")
    if user is not None:
        client.force_login(user)
    with transaction.atomic():
        response = getattr(client, write.method)(path, json.dumps(write.body(ids)), content_type="application/json")
        transaction.set_rollback(True)
    client.logout()
    return response


def _write_routes() -> set[str]:
    """Every api/ route whose view takes a POST, PUT, PATCH or DELETE."""
    found = set()
    for pattern, callback in url_routes():
        cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
        if pattern.startswith("api/") and cls and any(hasattr(cls, m) for m in ("post", "put", "patch", "delete")):
            found.add(pattern)
    return found


def test_every_api_write_is_in_the_write_matrix():
    classified = {w.pattern for w in WRITES} | set(PUBLIC_WRITES)
    assert sorted(_write_routes() - classified) == [], "new write routes: add them to matrix_writes.py"


def test_writes_with_another_regions_ids_are_refused_as_if_the_ids_did_not_exist(client, world, programme):
    world_writes(world, programme)
    wrong = []
    for role in NOT_SUPERUSER:
        user = world["users"][role]
        own, other = target(world, role, "in"), target(world, role, "out")
        for write in WRITES:
            name = f"{write.method.upper()} {write.pattern} {write.label}".strip()
            for slot in ((write.path,) if write.path else ()) + write.slots:
                elsewhere = {**ids_of(own), slot: ids_of(other)[slot]}
                got = _send(client, user, write, elsewhere)
                leaked = [
                    o
                    for o in ("name", "given_name", "family_name")
                    if getattr(other[slot], o, "") and getattr(other[slot], o) in got.content.decode("utf-8", "replace")
                ]
                if leaked:
                    wrong.append(f"{name} {role} {slot} from elsewhere shows {leaked}: {got.status_code}")
                    continue
                if slot == "region":
                    # Regions are public: refusal is enough.
                    if got.status_code < 400:
                        wrong.append(f"{name} {role} region from elsewhere accepted: {got.status_code}")
                    continue
                missing = _send(client, user, write, {**ids_of(own), slot: MISSING})
                a, b = normalised(got, elsewhere[slot]), normalised(missing, MISSING)
                # An id the user may not use is refused, or ignored, exactly like one that does not exist.
                if (got.status_code, a) != (missing.status_code, b):
                    wrong.append(
                        f"{name} {role} {slot}: elsewhere {got.status_code} {a[:300]} / missing {missing.status_code} {b[:300]}"
                    )
    assert wrong == [], "\n".join(wrong)


def test_the_write_matrix_bodies_work_for_the_county_officer(client, world, programme):
    """Not vacuous: with her own objects, each write goes through."""
    world_writes(world, programme)
    user = world["users"]["county"]
    own = ids_of(target(world, "county", "in"))
    wrong = []
    for write in WRITES:
        if write.county_ok is None:
            continue
        got = _send(client, user, write, own)
        if got.status_code != write.county_ok:
            wrong.append(
                f"{write.method} {write.pattern} {write.label}: {got.status_code} {got.content.decode()[:300]}"
            )
    assert wrong == [], "\n".join(wrong)


def _form_choices(response):
    """(field name, queryset) of every model-choice field of an admin page's main form."""
    context = response.context
    if context is None or "adminform" not in context:
        return []
    form = context["adminform"].form
    return [(name, f.queryset) for name, f in form.fields.items() if hasattr(f, "queryset")]


def _admin_pages(world, role):
    """The add page of every admin model, and the change page of each with an own-region stand-in."""
    from tests.hardening.matrix_urls import ADMIN_OBJECTS

    own = target(world, role, "in")
    for model in sorted(registered_admin_models()):
        yield model, f"/admin/{model}/add/"
        kind = ADMIN_OBJECTS.get(model)
        if kind in own:
            yield model, f"/admin/{model}/{own[kind].pk}/change/"


def test_admin_forms_offer_no_choice_outside_the_users_region(client, world, programme):
    world_writes(world, programme)
    wrong = []
    for role in ("director", "village", "town", "county", "city"):
        user = world["users"][role]
        scope = user_region_scope(user)
        other = target(world, role, "out")
        outside = [o for o in other.values() if not isinstance(o, Region)]
        outside += list(
            Region.objects.filter(
                code__in=[other["region"].code, other["region"].code[:9], other["region"].code[:6]]
            ).exclude(scope.q("code"))
        )
        client.force_login(user)
        for model, path in _admin_pages(world, role):
            response = client.get(path)
            if response.status_code != 200:
                continue
            for name, qs in _form_choices(response):
                for obj in outside:
                    if isinstance(obj, qs.model) and qs.filter(pk=obj.pk).exists():
                        wrong.append(f"{path} {role}: {name} offers {obj._meta.label} {obj.pk} from elsewhere")
                if model in SETTINGS_ADMINS and qs.model is Programme:
                    above = [p.pk for p in qs if not scope.contains(p.region_id)]
                    if above:
                        wrong.append(f"{path} {role}: {name} offers programmes above her region {above}")
        client.logout()
    assert wrong == [], "\n".join(wrong)


SETTINGS_POSTS = {
    "checkins/contactrule": {
        "name": "每周电话",
        "kinds": '["phone_call"]',
        "every_days": "7",
        "lead_days": "1",
        "categories": "[]",
        "escalate_staff_days": "7",
        "escalate_county_days": "30",
        "is_active": "on",
    },
    "checkins/calendarevent": {
        "name": "中秋节",
        "kind": "fixed",
        "month": "9",
        "day": "15",
        "dates": "{}",
        "kinds": "[]",
        "lead_days": "3",
        "grace_days": "7",
        "categories": "[]",
        "is_active": "on",
    },
    "volunteers/screeningitem": {"code": "home-visit", "label": "家访", "required": "on", "order": "9"},
}


@pytest.mark.parametrize("model", sorted(SETTINGS_POSTS))
def test_only_staff_at_or_above_the_programmes_region_write_its_settings(client, world, programme, model):
    # `programme` is the city's (晋城市, 1405).
    app_label, model_name = model.split("/")
    from django.apps import apps

    Model = apps.get_model(app_label, model_name)
    results = {}
    for role in ("director", "village", "town", "county", "city"):
        client.force_login(world["users"][role])
        with transaction.atomic():
            response = client.post(f"/admin/{model}/add/", {**SETTINGS_POSTS[model], "programme": programme.pk})
            results[role] = (response.status_code, Model.objects.filter(programme=programme).exclude(pk__in=[]).count())
            transaction.set_rollback(True)
        client.logout()
    before = Model.objects.filter(programme=programme).count()
    for role in ("director", "village", "town", "county"):
        assert results[role][0] != 302 and results[role][1] == before, (role, results[role])
    assert results["city"][0] == 302 and results["city"][1] == before + 1


def test_the_admin_save_refuses_settings_of_a_programme_above_the_user_even_without_the_form(rf, world, programme):
    from django.contrib import admin
    from django.core.exceptions import PermissionDenied

    request = rf.post("/admin/checkins/contactrule/add/")
    request.user = world["users"]["county"]
    model_admin = admin.site._registry[ContactRule]
    rule = ContactRule(programme=programme, name="越权规则")
    with pytest.raises(PermissionDenied):
        model_admin.save_model(request, rule, form=None, change=False)
    assert not ContactRule.objects.filter(name="越权规则").exists()

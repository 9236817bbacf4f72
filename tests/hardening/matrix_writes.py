"""Every API write operation, with a body whose related ids the write matrix swaps.

A spec names the object in its path (``path``: a world kind, or None) and the related
ids its body carries (``slots``): ``ids`` maps a kind to the id the cell uses, one of
the user's own objects except the one under test, which is either another region's
object or an id that does not exist. ``"region"`` slots are region codes: regions are
public (``/api/regions/``), so an other-region code need only be refused, not hidden.

A write route missing from WRITES and PUBLIC_WRITES fails the test until classified.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from backend.checkins.models import CheckIn
from backend.privacy.idnumbers import id_number_compose
from backend.programmes.models import Programme
from pairing.models import PairingRun

MISSING = 987654321  # an id no row has

# The client_key every check-in of the world carries: guessable, as SMS-reply keys are.
SHARED_KEY = "sms:1:phone_call:20260101"


@dataclass(frozen=True)
class Write:
    method: str
    pattern: str
    body: Callable[[dict], dict] = lambda ids: {}
    path: str | None = None
    slots: tuple[str, ...] = ()
    # What the county officer gets with her own objects only (None: not checked), so a
    # body that is refused for an unrelated reason cannot make the test pass vacuously.
    county_ok: int | None = None
    label: str = field(default="")


def _child_body(ids):
    return {
        "family_name": "王",
        "given_name": "小试",
        "id_number": id_number_compose(place="140521", birth=datetime.date(2011, 5, 1), order=77, female=True),
        "village": ids["region"],
        "category": "left_behind",
        "guardian_name": "王奶奶",
        "guardian_relation": "grandparent",
    }


WRITES = (
    Write(
        "post",
        "api/checkins/",
        lambda ids: {
            "volunteer": ids["volunteer"],
            "children": [ids["child"]],
            "kind": "phone_call",
            "client_key": SHARED_KEY,
        },
        slots=("volunteer", "child"),
        county_ok=200,
    ),
    Write("post", "api/checkins/<int:pk>/acknowledge/", path="checkin", county_ok=200),
    Write("post", "api/children/", _child_body, slots=("region",), county_ok=201),
    Write("patch", "api/children/<int:pk>/", lambda ids: {"school": "实验小学"}, path="child", county_ok=200),
    Write("post", "api/children/<int:pk>/exit/", lambda ids: {"reason": "moved_away"}, path="child", county_ok=200),
    Write("post", "api/children/<int:pk>/reveal-id/", path="child", county_ok=200),
    Write(
        "post",
        "api/children/<int:pk>/concerns/",
        lambda ids: {"severity": "low", "category": "other", "description": "看到孩子很难过"},
        path="child",
        county_ok=201,
    ),
    Write("post", "api/children/concerns/<int:pk>/acknowledge/", path="concern", county_ok=200),
    Write(
        "post", "api/children/concerns/<int:pk>/close/", lambda ids: {"note": "已处理"}, path="concern", county_ok=200
    ),
    Write("post", "api/notifications/messages/<int:pk>/retry/", path="message"),
    Write("post", "api/notifications/messages/<int:pk>/cancel/", path="message"),
    Write(
        "post",
        "api/pairing/pairings/",
        lambda ids: {"programme": ids["programme"], "child": ids["free_child"], "volunteer": ids["volunteer"]},
        slots=("free_child", "volunteer", "programme"),
        county_ok=201,
        label="volunteer, no note",
    ),
    Write(
        "post",
        "api/pairing/pairings/",
        lambda ids: {
            "programme": ids["programme"],
            "child": ids["free_child"],
            "volunteer": ids["volunteer"],
            "override_note": "村里没有别的爱心妈妈",
        },
        slots=("volunteer",),
        county_ok=201,
        label="volunteer, with note",
    ),
    Write(
        "post",
        "api/pairing/pairings/",
        lambda ids: {
            "programme": ids["programme"],
            "child": ids["free_child"],
            "team": ids["team"],
            "override_note": "x",
        },
        slots=("team",),
        county_ok=201,
        label="team",
    ),
    Write("post", "api/pairing/pairings/<int:pk>/pause/", path="pairing", county_ok=200),
    Write("post", "api/pairing/pairings/<int:pk>/resume/", path="pairing"),
    Write("post", "api/pairing/pairings/<int:pk>/end/", lambda ids: {"reason": "moved"}, path="pairing", county_ok=200),
    Write("post", "api/pairing/proposals/<int:pk>/approve/", path="proposal", county_ok=200),
    Write(
        "post", "api/pairing/proposals/<int:pk>/reject/", lambda ids: {"reason": "太远"}, path="proposal", county_ok=200
    ),
    Write(
        "post",
        "api/pairing/proposals/<int:pk>/edit/",
        lambda ids: {"volunteer": ids["volunteer"]},
        path="proposal",
        slots=("volunteer",),
        county_ok=200,
        label="volunteer",
    ),
    Write(
        "post",
        "api/pairing/proposals/<int:pk>/edit/",
        lambda ids: {"team": ids["team"]},
        path="proposal",
        slots=("team",),
        county_ok=200,
        label="team",
    ),
    Write(
        "post",
        "api/pairing/proposals/approve/",
        lambda ids: {"ids": [ids["proposal"]]},
        slots=("proposal",),
        county_ok=200,
    ),
    Write(
        "post",
        "api/pairing/runs/",
        lambda ids: {"programme": ids["programme"], "region": ids["region"][:6]},
        slots=("programme", "region"),
        county_ok=202,
    ),
    Write(
        "post",
        "api/volunteers/applications/<int:pk>/decisions/",
        lambda ids: {"action": "approve", "team": ids["team"]},
        path="application",
        slots=("team",),
    ),
    Write(
        "post",
        "api/volunteers/applications/<int:pk>/checks/",
        lambda ids: {"item": "interview", "done": True},
        path="application",
    ),
    Write(
        "post",
        "api/volunteers/volunteers/<int:pk>/status/",
        lambda ids: {"status": "suspended", "reason": "inactive", "note": "暂停"},
        path="volunteer",
        county_ok=200,
    ),
    Write(
        "post",
        "api/volunteers/units/",
        lambda ids: {"name": "试点单位", "uscc": "", "region": ids["region"][:6], "contact_name": "李"},
        slots=("region",),
    ),
)

# Writes that take no region-bound id, and why.
PUBLIC_WRITES = {
    "api/volunteers/applications/": "the public application form: programme, village and caring unit are public choices",
    "api/volunteers/phone-codes/": "a mobile number only",
    "api/children/imports/": "a file; each row's village is checked by the import (tests/children/test_import.py)",
}


def world_writes(world, programme):
    """Add what the writes need: a check-in with the guessable key, a child to pair, another programme."""
    from tests.checkins.factories import checkin_for

    elsewhere = Programme.objects.create(name="太原市关爱项目", slug="taiyuan", region_id="1401")
    PairingRun.objects.update(status=PairingRun.Status.DONE)
    for key, objects in world["objects"].items():
        checkin = checkin_for(objects["pairing"], on=objects["pairing"].started_on)
        CheckIn.objects.filter(pk=checkin.pk).update(client_key=SHARED_KEY)
        objects["checkin"] = checkin
        objects["free_child"] = objects["proposal"].child
        objects["programme"] = programme if key == "in" else elsewhere
        objects["region"] = objects["child"].village


def ids_of(objects) -> dict:
    return {kind: (obj.pk if kind != "region" else obj.code) for kind, obj in objects.items()}


def normalised(response, *ids) -> str:
    text = response.content.decode("utf-8", "replace")
    for value in ids:
        text = re.sub(rf"(?<!\d){value}(?!\d)", "<id>", text)
    return text

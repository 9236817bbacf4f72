"""Every page form that writes (the staff workspace /staff/ and the volunteer pages /v/).

The same cells as the API's write matrix (matrix_writes.py): a spec names the object in
its path (``path``: a world kind) and the related ids its form carries (``slots``); the
test swaps one of them at a time for another region's object and for an id that does
not exist, and wants the same answer for both. Bodies are form fields (lists for
multiple values), as the browser posts them.

A page route that takes a POST and is in neither FORM_WRITES nor OTHER_POSTS fails
``test_every_page_that_takes_a_post_is_classified`` until it is classified.
"""

import datetime

from backend.privacy.idnumbers import id_number_compose
from tests.hardening.matrix_writes import Write

CLIENT_KEY = "form-matrix-key"


def _child_form(ids, **extra):
    return {
        "family_name": "王",
        "given_name": "小表",
        "id_number": id_number_compose(place="140521", birth=datetime.date(2012, 3, 1), order=55, female=True),
        "village_id": ids["region"],
        "category": "left_behind",
        "guardian_name": "王奶奶",
        "guardian_relation": "grandparent",
        "risk_level": "low",
        "volunteers_wanted": "1",
        "consent_given_by": "王奶奶",
        "consent_relation": "祖母",
        "consent_given_on": "2026-11-01",
        **extra,
    }


def _concern(action, body):
    return Write("post", "staff/concerns/<int:pk>/<slug:action>/", lambda ids: body, path="concern", label=action)


FORM_WRITES = (
    # Applications
    Write(
        "post",
        "staff/applications/<int:pk>/",
        lambda ids: {"action": "more_info", "reason": "请补充无犯罪记录证明", "team": ids["team"]},
        path="application",
        slots=("team",),
        county_ok=302,
    ),
    Write(
        "post",
        "staff/applications/bulk-approve/",
        lambda ids: {"ids": [ids["application"]], "confirmed": "1"},
        slots=("application",),
        county_ok=302,
    ),
    # Children (一人一档) and concerns
    Write("post", "staff/children/new/", _child_form, slots=("region",), county_ok=302),
    Write(
        "post",
        "staff/children/<int:pk>/edit/",
        lambda ids: _child_form(ids, id_number="", given_name="改名"),
        path="child",
        slots=("region",),
        county_ok=302,
    ),
    Write(
        "post",
        "staff/children/<int:pk>/exit/",
        lambda ids: {"reason": "moved_away", "note": "随父母迁出", "confirmed": "1"},
        path="child",
        county_ok=302,
    ),
    Write("post", "staff/children/<int:pk>/reveal/", lambda ids: {"reason": "核对户籍"}, path="child", county_ok=200),
    Write(
        "post",
        "staff/children/<int:pk>/concerns/new/",
        lambda ids: {"severity": "low", "category": "other", "description": "孩子最近情绪低落"},
        path="child",
        county_ok=302,
    ),
    _concern("acknowledge", {"note": "已电话核实"}),
    _concern("refer", {"referred_to": "school", "note": "请学校老师关注"}),
    _concern("follow-up", {"note": "已家访"}),
    _concern("close", {"outcome": "resolved", "note": "已解决"}),
    # Pairing
    Write(
        "post",
        "staff/pairing/",
        lambda ids: {"programme": ids["programme"], "region": ids["region"][:6]},
        slots=("programme", "region"),
    ),
    Write("post", "staff/pairing/pairings/<int:pk>/pause/", path="pairing", county_ok=302),
    Write("post", "staff/pairing/pairings/<int:pk>/resume/", path="pairing"),
    Write(
        "post",
        "staff/pairing/pairings/<int:pk>/end/",
        lambda ids: {"reason": "moved", "note": "迁居", "confirmed": "1"},
        path="pairing",
        county_ok=302,
    ),
    Write(
        "post",
        "staff/pairing/pairings/new/",
        lambda ids: {
            "programme": ids["programme"],
            "child": ids["free_child"],
            "volunteer": ids["volunteer"],
            "override_note": "村里没有别的爱心妈妈",
        },
        slots=("free_child", "volunteer", "programme"),
        county_ok=302,
        label="volunteer",
    ),
    Write(
        "post",
        "staff/pairing/pairings/new/",
        lambda ids: {
            "programme": ids["programme"],
            "child": ids["free_child"],
            "team": ids["team"],
            "override_note": "小分队负责",
        },
        slots=("team",),
        county_ok=302,
        label="team",
    ),
    Write(
        "post",
        "staff/pairing/proposals/<int:pk>/approve/",
        lambda ids: {"override_note": "同意"},
        path="proposal",
        county_ok=302,
    ),
    Write(
        "post",
        "staff/pairing/proposals/<int:pk>/reject/",
        lambda ids: {"reason": "太远"},
        path="proposal",
        county_ok=302,
    ),
    Write(
        "post",
        "staff/pairing/proposals/<int:pk>/edit/",
        lambda ids: {"volunteer": ids["volunteer"]},
        path="proposal",
        slots=("volunteer",),
    ),
    Write(
        "post",
        "staff/pairing/proposals/bulk-approve/",
        lambda ids: {"ids": [ids["proposal"]], "confirmed": "1"},
        slots=("proposal",),
        county_ok=302,
    ),
    # Volunteers
    Write(
        "post",
        "staff/volunteers/<int:pk>/status/",
        lambda ids: {"status": "suspended", "reason": "inactive", "note": "暂停"},
        path="volunteer",
        county_ok=302,
    ),
    Write(
        "post",
        "staff/volunteers/<int:pk>/message/",
        lambda ids: {"template": "volunteer_note_checkin"},
        path="volunteer",
        county_ok=302,
    ),
    # Care activities (issue 20): the object in the path and the people signed up.
    Write("post", "staff/activities/<int:pk>/cancel/", lambda ids: {"confirmed": "1"}, path="activity"),
    Write(
        "post",
        "staff/activities/<int:pk>/signup/",
        lambda ids: {"audience": "child", "child": ids["child"], "consent_by": "奶奶", "consent_relation": "祖母"},
        path="activity",
        slots=("child",),
        label="child",
    ),
    Write(
        "post",
        "staff/activities/<int:pk>/signup/",
        lambda ids: {"audience": "volunteer", "volunteer": ids["volunteer"]},
        slots=("volunteer",),
        path="activity",
        label="volunteer",
    ),
    Write("post", "staff/activities/signups/<int:pk>/cancel/", lambda ids: {"confirmed": "1"}, path="signup"),
    Write("post", "staff/activities/sessions/<int:pk>/scan/", lambda ids: {"token": "x"}, path="session"),
    Write("post", "staff/activities/sessions/<int:pk>/tick/<int:signup>/", path="session", slots=("signup",)),
    Write(
        "post",
        "staff/activities/wishes/new/",
        lambda ids: {"child": ids["child"], "item": "一套课外书", "estimated_value": "50"},
        slots=("child",),
    ),
    Write(
        "post",
        "staff/activities/wishes/<int:pk>/<slug:action>/",
        lambda ids: {"volunteer": ids["volunteer"]},
        path="wish",
        slots=("volunteer",),
        label="claim",
    ),
    Write(
        "post",
        "staff/activities/children/<int:pk>/consultation/",
        lambda ids: {"topic": "亲子沟通", "advice": "每周通话"},
        path="child",
    ),
    Write(
        "post",
        "staff/activities/new/",
        lambda ids: {
            "kind": "lecture",
            "title": "家庭教育讲座",
            "place": "文化站",
            "region": ids["region"],
            "starts_at": "2027-07-01T09:00",
            "ends_at": "2027-07-01T11:00",
            "capacity_guardians": "30",
        },
        slots=("region",),
    ),
    Write(
        "post",
        "staff/activities/articles/",
        lambda ids: {"title": "如何陪伴留守儿童", "body": "正文", "audience": "guardian", "region": ids["region"]},
        slots=("region",),
    ),
    # Service records (issue 19): the entry, volunteer, nomination or certificate in the path.
    Write("post", "staff/records/entries/<int:pk>/decide/", lambda ids: {"approve": "1"}, path="entry"),
    Write(
        "post",
        "staff/records/entries/bulk-approve/",
        lambda ids: {"ids": [ids["entry"]], "confirmed": "1"},
        slots=("entry",),
    ),
    *(
        Write("post", f"staff/records/volunteers/<int:pk>/{action}/", path="volunteer")
        for action in ("supplement", "training", "evaluation", "nominate", "certificate")
    ),
    Write("post", "staff/records/nominations/<int:pk>/decide/", lambda ids: {"approve": "1"}, path="nomination"),
    Write("post", "staff/records/certificates/<int:pk>/decide/", lambda ids: {"approve": "1"}, path="certificate"),
    Write(
        "post", "staff/records/certificates/<int:pk>/revoke/", lambda ids: {"reason": "信息有误"}, path="certificate"
    ),
    # The volunteer's activities and wishes: only her current children, her region's wishes.
    Write("post", "v/activities/<int:pk>/", lambda ids: {"who": str(ids["child"])}, path="activity", slots=("child",)),
    Write("post", "v/wishes/<int:pk>/claim/", path="wish"),
    Write(
        "post",
        "v/wishes/new/",
        lambda ids: {"child": ids["child"], "item": "一双运动鞋", "estimated_value": "80"},
        slots=("child",),
    ),
    # The volunteer's own pages: only her current children.
    Write(
        "post",
        "v/log/",
        lambda ids: {"child": [ids["child"]], "kind": "phone_call", "client_key": CLIENT_KEY},
        slots=("child",),
    ),
)

# Page routes that take a POST but write nothing region-bound from the request's ids, and why.
OTHER_POSTS = {
    "staff/login/": "signing in: a user name and password only",
    "staff/logout/": "signing out the session's own user",
    "v/login/": "a mobile number and a code only (same answer for every number: tests/checkins)",
    "v/logout/": "signing out this device",
    "v/me/": "her own delivery preference: channel and quiet hours, no id",
    "staff/records/issuer/": "her own federation's issuing details and seal image: no id (tests/records/test_pages.py)",
    "v/record/": "her own record: a certificate request for herself, a period and a purpose",
    "g/activities/<int:pk>/signup/": "a public sign-up for an activity open to guardians (public), by phone code",
    "v/devices/<int:pk>/end/": "a device of the signed-in volunteer only (device_sessions_for; tests/checkins)",
    "apply/": "the public application form: programme, village and caring unit are public choices",
    "apply/status/": "an applicant's own applications, after she proves her number with a code",
    "i18n/setlang/": "the language cookie",
    "g/s/<str:token>/": "a guardian's own sign-up, named by a signed token (tests/activities/test_pages.py)",
    "g/s/<str:token>/<slug:action>/": "take or cancel that one sign-up, by its signed token",
    "webhooks/aliyun/sms-report/": "signed or address-checked provider receipts (tests/notifications)",
    "webhooks/tencent/sms-status/": "signed or address-checked provider receipts (tests/notifications)",
    "webhooks/twilio/inbound/": "Twilio-signed replies (tests/notifications)",
    "webhooks/twilio/status/": "Twilio-signed status callbacks (tests/notifications)",
    "webhooks/wechat/bind/": "WeChat-signed binding (tests/notifications)",
    "webhooks/wechat/callback/": "WeChat-signed callback (tests/notifications)",
}

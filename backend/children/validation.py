"""Rules a child's file must satisfy, shared by the services and the spreadsheet import."""

import datetime
from collections.abc import Callable

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from backend.accounts.selectors import user_region_scope
from backend.children.models import Child
from backend.privacy.idnumbers import parse_resident_id
from backend.privacy.names import name_clean
from backend.regions.models import Region

# The fields of a file a user writes (the rest is derived or set by a workflow).
EDITABLE_FIELDS = (
    "family_name",
    "given_name",
    "gender",
    "birth_date",
    "id_number",
    "village_id",
    "address_detail",
    "school",
    "grade",
    "category",
    "difficulty_subtype",
    "guardian_name",
    "guardian_relation",
    "guardian_phone",
    "parents_work_place",
    "needs",
    "needs_note",
    "risk_level",
    "volunteers_wanted",
    "consent_given_by",
    "consent_relation",
    "consent_given_on",
)
REQUIRED_FIELDS = (
    "family_name",
    "given_name",
    "id_number",
    "village_id",
    "category",
    "guardian_name",
    "guardian_relation",
)
DEFAULTS = {
    "address_detail": "",
    "school": "",
    "grade": "",
    "difficulty_subtype": "",
    "guardian_phone": "",
    "parents_work_place": "",
    "needs": [],
    "needs_note": "",
    "risk_level": Child.RiskLevel.LOW,
    "volunteers_wanted": 1,
    "consent_given_by": "",
    "consent_relation": "",
    "consent_given_on": None,
    "gender": "",
    "birth_date": None,
}
MAX_LENGTHS = {
    "family_name": 20,
    "given_name": 30,
    "school": 100,
    "grade": 30,
    "guardian_name": 50,
    "parents_work_place": 100,
    "consent_given_by": 50,
    "consent_relation": 20,
}
# Guardian consent is required below this age (未满14周岁).
CONSENT_AGE = 14
ADULT_AGE = 18


def normalise_phone(value: str) -> str:
    """Return a Chinese phone number in E.164 form; raise ValueError if it is not one."""
    try:
        number = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException as exc:
        raise ValueError(value) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError(value)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def village_resolver_for(user) -> Callable[[str], Region | None]:
    """Return a function mapping a village code to the Region, cached per call site."""
    cache: dict[str, Region | None] = {}

    def resolve(code: str) -> Region | None:
        if code not in cache:
            cache[code] = Region.objects.filter(code=code, level=Region.Level.VILLAGE).first()
        return cache[code]

    return resolve


def child_clean(
    *,
    values: dict,
    user,
    today: datetime.date,
    resolve_village: Callable[[str], Region | None] | None = None,
) -> tuple[dict, dict[str, str]]:
    """Check a whole file's values; return (cleaned values, {field: error message}).

    ``values`` holds every editable field (missing ones take their defaults). Nothing
    is written; the caller decides what to do with errors.
    """
    data = {**DEFAULTS, **{k: v for k, v in values.items() if k in EDITABLE_FIELDS}}
    errors: dict[str, str] = {}
    for field in ("family_name", "given_name", "school", "grade", "guardian_name", "parents_work_place"):
        data[field] = (data.get(field) or "").strip()
    for field in ("family_name", "given_name", "guardian_name"):
        data[field] = name_clean(data[field])
    for field in REQUIRED_FIELDS:
        if data.get(field) in (None, "", []):
            errors[field] = _("必填项")
    for field, limit in MAX_LENGTHS.items():
        if field not in errors and len(data.get(field) or "") > limit:
            errors[field] = _("不能超过%(n)d个字") % {"n": limit}

    # ID number: checksum and birth date; gender and birth date must agree with it.
    ident = None
    if "id_number" not in errors:
        try:
            ident = parse_resident_id(str(data["id_number"]), today=today)
        except ValidationError as exc:
            errors["id_number"] = exc.messages[0]
    if ident is not None:
        data["id_number"] = ident.number
        if data.get("birth_date") and data["birth_date"] != ident.birth_date:
            errors["birth_date"] = _("出生日期与身份证号码不一致")
        data["birth_date"] = data.get("birth_date") or ident.birth_date
        if data.get("gender") and data["gender"] != ident.gender:
            errors["gender"] = _("性别与身份证号码不一致")
        data["gender"] = data.get("gender") or ident.gender
        age = ident.age_on(today)
        if age >= ADULT_AGE:
            errors["birth_date"] = _("登记时须未满18周岁")
        if age < CONSENT_AGE and not (data.get("consent_given_by") and data.get("consent_given_on")):
            errors["consent_given_by"] = _("未满14周岁的儿童须记录监护人同意（同意人和日期）")
    if data.get("consent_given_on") and data["consent_given_on"] > today:
        errors["consent_given_on"] = _("同意日期不能晚于今天")
    if data.get("consent_given_on") and not data.get("consent_given_by"):
        errors.setdefault("consent_given_by", _("请填写同意人"))

    # Village: a real village inside the registering user's region.
    if "village_id" not in errors:
        code = str(data["village_id"]).strip()
        region = (resolve_village or village_resolver_for(user))(code)
        if region is None:
            errors["village_id"] = _("找不到该村（社区）：%(code)s") % {"code": code}
        elif not user_region_scope(user).contains(region.code):
            errors["village_id"] = _("该村（社区）不在您的辖区内")
        else:
            data["village_id"] = region.code

    # Category and subtype.
    if data.get("category") and data["category"] not in Child.Category.values:
        errors["category"] = _("儿童类别不正确")
    elif data.get("category") == Child.Category.IN_DIFFICULTY:
        if data.get("difficulty_subtype") not in Child.DifficultySubtype.values:
            errors["difficulty_subtype"] = _("困境儿童须选择困境类型")
    elif data.get("category") == Child.Category.LEFT_BEHIND and data.get("difficulty_subtype"):
        errors["difficulty_subtype"] = _("留守儿童不填困境类型")
    if data.get("guardian_relation") and data["guardian_relation"] not in Child.GuardianRelation.values:
        errors["guardian_relation"] = _("与儿童关系不正确")
    if data.get("risk_level") not in Child.RiskLevel.values:
        errors["risk_level"] = _("风险等级不正确")
    needs = data.get("needs") or []
    if not isinstance(needs, list | tuple) or any(n not in Child.Need.values for n in needs):
        errors["needs"] = _("关爱需求不正确")
    else:
        data["needs"] = [n for n in Child.Need.values if n in needs]
    try:
        wanted = int(data.get("volunteers_wanted") or 1)
    except (TypeError, ValueError):
        wanted = 0
    if not 1 <= wanted <= 10:
        errors["volunteers_wanted"] = _("需要爱心妈妈人数应为1到10")
    data["volunteers_wanted"] = wanted

    phone = (data.get("guardian_phone") or "").strip()
    if phone:
        try:
            phone = normalise_phone(phone)
        except ValueError:
            errors["guardian_phone"] = _("监护人电话不是有效的手机或座机号码")
    data["guardian_phone"] = phone
    data["address_detail"] = (data.get("address_detail") or "").strip()
    return data, errors
